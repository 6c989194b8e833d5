"""Sign in with ORCID (allauth's provider), on only when its client id and secret are set.

The flow is followed up to the redirect to ORCID's authorize page; what ORCID
answers is ORCID's business. How the environment turns it on is checked by
importing the settings in a fresh interpreter (tests/test_settings.py).
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_settings import PRODUCTION, import_settings, read_settings

pytestmark = pytest.mark.django_db

CLIENT_ID = "APP-TESTCLIENT0000001"
ORCID_APP = {"client_id": CLIENT_ID, "secret": "a-test-secret"}


@pytest.fixture
def orcid_on(settings):
    """What config.settings builds when ORCID_CLIENT_ID and ORCID_CLIENT_SECRET are set."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {"BASE_DOMAIN": "orcid.org", "MEMBER_API": False, "APPS": [ORCID_APP]}
    }


def orcid_login_url():
    return reverse("orcid_login")


def test_without_credentials_there_is_no_orcid_button(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert orcid_login_url() not in response.content.decode()
    assert "ORCID" not in response.content.decode().upper()


def test_without_credentials_the_orcid_pages_are_not_found(client):
    assert client.get(orcid_login_url()).status_code == 404
    assert client.post(orcid_login_url()).status_code == 404


def test_with_credentials_the_login_and_signup_pages_offer_orcid(client, orcid_on):
    for page in ("account_login", "account_signup"):
        content = client.get(reverse(page)).content.decode()
        assert f'href="{orcid_login_url()}' in content
        assert "Orcid.org" in content


def test_signing_in_with_orcid_redirects_to_orcids_authorize_page(orcid_on):
    client = Client(enforce_csrf_checks=True)
    # allauth asks before leaving the site (a GET must not start a login), then POSTs.
    page = client.get(orcid_login_url())
    assert page.status_code == 200
    token = page.context["csrf_token"]
    response = client.post(orcid_login_url(), {"csrfmiddlewaretoken": str(token)})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "orcid.org",
        "/oauth/authorize",
    )
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/accounts/orcid/login/callback/"]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["/authenticate"]
    assert query["state"][0]


def test_the_environment_switches_orcid_on_and_lets_the_form_leave_for_orcid():
    env = {**PRODUCTION, "ORCID_CLIENT_ID": CLIENT_ID, "ORCID_CLIENT_SECRET": "s3cret"}
    values = read_settings(env, "SOCIALACCOUNT_PROVIDERS", "CONTENT_SECURITY_POLICY")
    apps = values["SOCIALACCOUNT_PROVIDERS"]["orcid"]["APPS"]
    assert apps == [{"client_id": CLIENT_ID, "secret": "s3cret"}]
    form_action = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"]
    assert "https://orcid.org" in form_action


def test_without_the_environment_orcid_is_off_and_forms_stay_on_the_site():
    values = read_settings(PRODUCTION, "SOCIALACCOUNT_PROVIDERS", "CONTENT_SECURITY_POLICY")
    assert values["SOCIALACCOUNT_PROVIDERS"] == {}
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"] == ["'self'"]


@pytest.mark.parametrize("only", ["ORCID_CLIENT_ID", "ORCID_CLIENT_SECRET"])
def test_half_the_credentials_is_an_error(only):
    process = import_settings({**PRODUCTION, only: "value"}, "SOCIALACCOUNT_PROVIDERS")
    assert process.returncode != 0
    last_line = process.stderr.splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert "ORCID_CLIENT_ID" in last_line
