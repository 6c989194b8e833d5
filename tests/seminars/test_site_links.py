"""The header's, footer's and account menu's links (`{% site_link %}`, seminars'
navigation tags), which are reversed once and remembered."""

import pytest
from django.test.utils import override_script_prefix
from django.urls import reverse

from seminars.templatetags.navigation import SITE_LINKS
from tests.html import parse

pytestmark = pytest.mark.django_db


def addresses(response) -> set[str]:
    """Where the page's links and forms lead, without their query strings."""
    page = parse(response.content.decode())
    targets = [link.attrs.get("href") for link in page.iter("a")]
    targets += [form.attrs.get("action") for form in page.iter("form")]
    return {target.split("?")[0] for target in targets if target}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_site_links_lead_where_their_url_names_do(client, signed_in, request):
    if signed_in:
        request.getfixturevalue("signed_in_user")
    shown = addresses(client.get(reverse("seminars:tag-list")))

    personal = {"logout", "profile", "preferences", "my-talks", "calendars"}
    expected = {key for key in SITE_LINKS if (key in personal) == signed_in}
    if signed_in:
        expected -= {"login", "signup"}
    assert {
        key: reverse(SITE_LINKS[key]) for key in expected if reverse(SITE_LINKS[key]) not in shown
    } == {}


def test_links_follow_the_script_prefix_of_each_request(client, signed_in_user):
    """A portal served under /portal/ and at / by one process: the remembered links
    must not cross from one to the other. (Signed in: pages rendered per request.)"""
    at_root = addresses(client.get("/tags/"))
    with override_script_prefix("/portal/"):
        under_portal = addresses(client.get("/tags/"))
    at_root_again = addresses(client.get("/tags/"))

    assert {"/portal/talks/", "/portal/series/", "/portal/accounts/profile/"} <= under_portal
    assert "/talks/" in at_root
    assert not any(address.startswith("/portal/") for address in at_root_again)
