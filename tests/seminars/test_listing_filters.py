"""/talks/?when=upcoming|past, page links that keep the filter, and the archive by year."""

import datetime
import html
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from seminars.models import Talk
from tests.factories import SpeakerFactory, TagFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db

TALKS_URL = reverse("seminars:talk-list")
UTC = datetime.UTC


def days_from_now(days):
    return timezone.now() + datetime.timedelta(days=days)


def listed(response) -> list[Talk]:
    return list(response.context["page"])


def href(query: dict) -> str:
    """A page link as the HTML holds it: encoded, then escaped."""
    return f'href="{html.escape("?" + urlencode(query))}"'


@pytest.fixture
def upcoming_and_past():
    """Two upcoming and two past talks, created out of order."""
    return {
        "later": TalkFactory(start=days_from_now(20)),
        "long_ago": TalkFactory(start=days_from_now(-20)),
        "soon": TalkFactory(start=days_from_now(2)),
        "recently": TalkFactory(start=days_from_now(-2)),
    }


# ?when=


def test_upcoming_lists_upcoming_talks_soonest_first(client, upcoming_and_past):
    response = client.get(TALKS_URL, {"when": "upcoming"})
    assert response.status_code == 200
    assert listed(response) == [upcoming_and_past["soon"], upcoming_and_past["later"]]
    assertInHTML("<h1>Upcoming talks</h1>", response.content.decode())


def test_past_lists_past_talks_most_recent_first(client, upcoming_and_past):
    response = client.get(TALKS_URL, {"when": "past"})
    assert response.status_code == 200
    assert listed(response) == [upcoming_and_past["recently"], upcoming_and_past["long_ago"]]
    assertInHTML("<h1>Past talks</h1>", response.content.decode())


@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_filtered_lists_have_no_upcoming_and_past_headings(client, upcoming_and_past, when):
    response = client.get(TALKS_URL, {"when": when})
    assertNotContains(response, 'class="list-heading"')


@pytest.mark.parametrize(
    "params",
    [{}, {"when": ""}, {"when": "soon"}, {"when": "UPCOMING"}, {"when": "past "}, {"when": "\x00"}],
)
def test_no_or_unknown_when_keeps_the_combined_list(client, upcoming_and_past, params):
    response = client.get(TALKS_URL, params)
    assert response.status_code == 200
    order = ["soon", "later", "recently", "long_ago"]
    assert listed(response) == [upcoming_and_past[name] for name in order]
    assertInHTML("<h1>All talks</h1>", response.content.decode())
    assertContains(response, 'class="list-heading"', count=2)


@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_filtered_lists_hide_drafts(client, when):
    TalkFactory(start=days_from_now(5), status=Talk.Status.DRAFT)
    TalkFactory(start=days_from_now(-5), status=Talk.Status.DRAFT)
    cancelled = TalkFactory(
        start=days_from_now(5 if when == "upcoming" else -5), status=Talk.Status.CANCELLED
    )
    assert listed(client.get(TALKS_URL, {"when": when})) == [cancelled]


def test_the_current_filter_is_marked_in_the_filter_links(client, upcoming_and_past):
    response = client.get(TALKS_URL, {"when": "past"})
    assertInHTML(
        f'<a href="{TALKS_URL}?when=past" aria-current="page">Past</a>', response.content.decode()
    )
    assertInHTML(f'<a href="{TALKS_URL}?when=upcoming">Upcoming</a>', response.content.decode())


def test_past_list_links_to_the_archive_of_its_newest_year(client):
    TalkFactory(start=datetime.datetime(2021, 6, 1, 12, tzinfo=UTC))
    TalkFactory(start=datetime.datetime(2023, 6, 1, 12, tzinfo=UTC))
    response = client.get(TALKS_URL, {"when": "past"})
    archive = reverse("seminars:talk-archive", args=[2023])
    assertInHTML(f'<a href="{archive}">Archive by year</a>', response.content.decode())


# Page links keep the other parameters


@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_page_links_keep_when(client, when):
    sign = 1 if when == "upcoming" else -1
    for day in range(1, 26):
        TalkFactory(start=days_from_now(sign * day))
    TalkFactory(start=days_from_now(-sign * 3))  # on the other side of now
    first = client.get(TALKS_URL, {"when": when})
    assertContains(first, href({"when": when, "page": 2}), count=1)
    second = client.get(TALKS_URL, {"when": when, "page": 2})
    assertContains(second, href({"when": when, "page": 1}), count=1)
    assert len(listed(first)) == 20
    assert len(listed(second)) == 5
    talks = listed(first) + listed(second)
    starts = [talk.start for talk in talks]
    assert starts == sorted(starts, reverse=(when == "past"))


def test_page_links_without_other_parameters_stay_plain(client):
    for day in range(1, 22):
        TalkFactory(start=days_from_now(day))
    assertContains(client.get(TALKS_URL), href({"page": 2}), count=1)


def test_page_links_encode_and_escape_other_parameters(client):
    for day in range(1, 22):
        TalkFactory(start=days_from_now(day))
    hostile = '"><script>alert(1)</script>&page=9'
    response = client.get(TALKS_URL, {"x": hostile})
    assertNotContains(response, "<script>alert(1)")
    assertContains(response, href({"x": hostile, "page": 2}), count=1)


# The archive by year


def archive_url(year) -> str:
    return reverse("seminars:talk-archive", args=[year])


@pytest.fixture
def archive_talks():
    """Past talks in 2019, 2021 (two) and 2023; none in 2020 or 2022; one upcoming."""
    return {
        "2019": TalkFactory(start=datetime.datetime(2019, 3, 1, 12, tzinfo=UTC)),
        "2021_early": TalkFactory(start=datetime.datetime(2021, 1, 1, 0, 30, tzinfo=UTC)),
        "2021_late": TalkFactory(start=datetime.datetime(2021, 12, 31, 23, 0, tzinfo=UTC)),
        "2023": TalkFactory(start=datetime.datetime(2023, 5, 1, 12, tzinfo=UTC)),
        "upcoming": TalkFactory(start=days_from_now(10)),
    }


def test_archive_lists_the_years_talks_most_recent_first(client, archive_talks):
    TalkFactory(start=datetime.datetime(2021, 6, 1, 12, tzinfo=UTC), status=Talk.Status.DRAFT)
    response = client.get(archive_url(2021))
    assert response.status_code == 200
    assert listed(response) == [archive_talks["2021_late"], archive_talks["2021_early"]]


def test_archive_links_to_the_neighbouring_years_with_talks(client, archive_talks):
    response = client.get(archive_url(2021))
    content = response.content.decode()
    assert (response.context["newer_year"], response.context["older_year"]) == (2023, 2019)
    assertInHTML(f'<a href="{archive_url(2023)}">← 2023</a>', content)
    assertInHTML(f'<a href="{archive_url(2019)}">2019 →</a>', content)
    assertInHTML('<span aria-current="page">2021</span>', content)
    for empty_year in (2020, 2022):
        assert archive_url(empty_year) not in content


def test_newest_and_oldest_years_have_one_neighbour(client, archive_talks):
    newest = client.get(archive_url(2023)).context
    oldest = client.get(archive_url(2019)).context
    assert (newest["newer_year"], newest["older_year"]) == (None, 2021)
    assert (oldest["newer_year"], oldest["older_year"]) == (2021, None)


def test_archive_leaves_out_upcoming_and_live_talks_of_the_current_year(client):
    past = TalkFactory(start=timezone.now() - datetime.timedelta(minutes=65))
    TalkFactory(start=timezone.now() - datetime.timedelta(minutes=5))  # live, an hour long
    TalkFactory(start=timezone.now() + datetime.timedelta(minutes=5))
    response = client.get(archive_url(timezone.now().year))
    assert listed(response) == [past]


@pytest.mark.parametrize("year", [2020, 2022, 1, 2999, 0, 99999, 10**30])
def test_years_without_past_talks_give_a_friendly_404(client, archive_talks, year):
    response = client.get(f"/talks/archive/{year}/")
    assert response.status_code == 404
    content = response.content.decode()
    assertInHTML(f'<p class="empty">No past talks in {year}. Choose a year above.</p>', content)
    assertInHTML(f'<a href="{archive_url(2021)}">2021</a>', content)


def test_a_year_with_only_drafts_or_upcoming_talks_is_not_in_the_archive(client):
    TalkFactory(start=datetime.datetime(2020, 3, 1, tzinfo=UTC), status=Talk.Status.DRAFT)
    next_year = timezone.now().year + 1
    TalkFactory(start=datetime.datetime(next_year, 3, 1, tzinfo=UTC))
    assert client.get(archive_url(2020)).status_code == 404
    assert client.get(archive_url(next_year)).status_code == 404


@pytest.mark.parametrize("path", ["/talks/archive/-1/", "/talks/archive/abc/", "/talks/archive/"])
def test_malformed_archive_paths_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_archive_is_paginated_and_keeps_its_year(client):
    for day in range(1, 26):
        TalkFactory(start=datetime.datetime(2022, 1, day, 12, tzinfo=UTC))
    first = client.get(archive_url(2022))
    assertContains(first, href({"page": 2}), count=1)
    second = client.get(archive_url(2022), {"page": 2})
    assert len(listed(first)) == 20
    assert len(listed(second)) == 5
    assert listed(first)[0].start.day == 25


# Query counts


@pytest.fixture(params=["anonymous", "signed-in"])
def sign_in(request, client):
    """Queries a request spends on who the visitor is and on the page cache.

    A list asks when its next talk starts (when a stored page, or its cards'
    fragment, stops being true: pagecache). Signed in: also loading the session
    and the user.
    """
    if request.param == "anonymous":
        return 1
    client.force_login(UserFactory())
    return 3


def make_talks(rows, first_start, step):
    for row in range(rows):
        TalkFactory(
            start=first_start + row * step,
            speakers=[SpeakerFactory(), SpeakerFactory()],
            tags=[TagFactory(), TagFactory()],
        )


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_filtered_list_query_count_is_the_same_for_1_and_20_rows(
    client, sign_in, rows, when, django_assert_num_queries
):
    sign = 1 if when == "upcoming" else -1
    make_talks(rows, days_from_now(sign), datetime.timedelta(days=sign))
    # count for the paginator; talks with their series; speakers; tags.
    with django_assert_num_queries(4 + sign_in):
        response = client.get(TALKS_URL, {"when": when})
    assert len(listed(response)) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_archive_query_count_is_the_same_for_1_and_20_rows(
    client, sign_in, rows, django_assert_num_queries
):
    make_talks(rows, datetime.datetime(2022, 1, 1, tzinfo=UTC), datetime.timedelta(days=3))
    make_talks(1, datetime.datetime(2020, 1, 1, tzinfo=UTC), datetime.timedelta(days=3))
    # years with talks; count for the paginator; talks with their series; speakers; tags.
    # The archive learns when it next changes only for the page cache, which keeps
    # anonymous visitors' pages: the signed-in visitor's is rendered for them.
    page_life_only_when_cached = 0 if sign_in == 1 else -1
    with django_assert_num_queries(5 + sign_in + page_life_only_when_cached):
        response = client.get(archive_url(2022))
    assert len(listed(response)) == rows
