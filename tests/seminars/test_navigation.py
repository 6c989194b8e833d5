"""The main navigation, the account menu and the empty states of talk lists."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from tests.factories import SeriesFactory, TagFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db

NAV_LINKS = {
    "home": '<a class="brand" href="/"{}>Seminar portal</a>',
    "upcoming": '<a href="/talks/?when=upcoming"{}>Upcoming</a>',
    "past": '<a href="/talks/?when=past"{}>Past</a>',
    "tags": '<a href="/tags/"{}>Tags</a>',
    "series": '<a href="/series/"{}>Series</a>',
}


def past_talk(**kwargs):
    return TalkFactory(start=timezone.now() - datetime.timedelta(days=30), **kwargs)


def assert_current(response, item, value):
    """Only `item` is marked (aria-current=`value`); None: no item is."""
    header = response.content.decode().split("</header>")[0]
    for name, link in NAV_LINKS.items():
        marker = f' aria-current="{value}"' if name == item else ""
        assertInHTML(link.format(marker), header, count=1)


@pytest.mark.parametrize(
    ("url", "item", "value"),
    [
        ("/", "home", "page"),
        ("/talks/?when=upcoming", "upcoming", "page"),
        ("/talks/?when=past", "past", "page"),
        ("/tags/", "tags", "page"),
        ("/series/", "series", "page"),
        ("/talks/", None, None),
        ("/search/?q=knots", None, None),
    ],
)
def test_the_navigation_marks_the_current_page(client, url, item, value):
    assert_current(client.get(url), item, value)


def test_pages_inside_a_section_mark_it(client):
    tag, series, talk = TagFactory(), SeriesFactory(), past_talk()
    year = timezone.localtime(talk.start).year
    assert_current(client.get(tag.get_absolute_url()), "tags", "true")
    assert_current(client.get(series.get_absolute_url()), "series", "true")
    assert_current(client.get(reverse("seminars:talk-archive", args=[year])), "past", "true")
    assert_current(client.get(talk.get_absolute_url()), None, None)


def test_signed_out_visitors_get_log_in_and_sign_up_links_back_to_the_page(client):
    response = client.get("/tags/")
    assertInHTML('<a href="/accounts/login/?next=/tags/">Log in</a>', response.content.decode())
    assertInHTML(
        '<a class="button button-quiet" href="/accounts/signup/?next=/tags/">Sign up</a>',
        response.content.decode(),
    )
    assertNotContains(response, "Log out")


@pytest.mark.parametrize("is_staff", [False, True])
def test_the_account_menu_of_a_signed_in_user(client, is_staff):
    user = UserFactory(display_name="Grace <Hopper>", is_staff=is_staff)
    client.force_login(user)
    content = client.get("/").content.decode()
    assertInHTML("<summary>Grace &lt;Hopper&gt;</summary>", content, count=1)
    for link in [
        f'<a href="{reverse("accounts:profile")}">Profile</a>',
        f'<a href="{reverse("users:user-detail", args=[user.pk])}">Your comments</a>',
        f'<a href="{reverse("accounts:preferences")}">Email preferences</a>',
    ]:
        assertInHTML(link, content, count=1)
    assertInHTML('<button type="submit" class="link-button">Log out</button>', content, count=1)
    assertInHTML('<a href="/admin/">Admin</a>', content, count=1 if is_staff else 0)


def test_home_without_upcoming_talks_points_to_past_ones(client):
    response = client.get("/")
    assertContains(response, "No upcoming talks yet.")
    assertInHTML('<a href="/talks/?when=past">Browse the past talks</a>', response.content.decode())


@pytest.mark.parametrize(
    ("when", "message", "link"),
    [
        (
            "upcoming",
            "No upcoming talks yet.",
            '<a href="/talks/?when=past">Browse the past talks</a>',
        ),
        (
            "past",
            "No past talks yet.",
            '<a href="/talks/?when=upcoming">See the upcoming talks</a>',
        ),
    ],
)
def test_an_empty_talk_list_points_to_the_other_one(client, when, message, link):
    response = client.get(f"/talks/?when={when}")
    assertContains(response, message, count=1)
    assertInHTML(link, response.content.decode())


def test_a_tag_with_only_past_talks_says_so_and_links_to_them(client):
    tag = TagFactory()
    past_talk(tags=[tag], title="Knots in three dimensions")
    response = client.get(tag.get_absolute_url())
    content = response.content.decode()
    assertContains(response, "No upcoming talks with this tag yet.", count=1)
    assertInHTML('<a href="#past-talks">See the past talks</a>', content, count=1)
    assertInHTML('<h2 class="list-heading" id="past-talks">Past talks</h2>', content, count=1)
    assertContains(response, "Knots in three dimensions")


def test_a_tag_with_upcoming_talks_has_no_such_notice(client):
    tag = TagFactory()
    TalkFactory(tags=[tag])
    past_talk(tags=[tag])
    response = client.get(tag.get_absolute_url())
    assertNotContains(response, "No upcoming talks")
    assertInHTML('<h2 class="list-heading">Upcoming talks</h2>', response.content.decode(), count=1)
