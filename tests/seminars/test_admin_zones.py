"""The admin speaks each series' zone: lists, the date bar and forms show and name
the series' wall-clock time, never the server's, and the lists read in the order
organisers work in."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    TagFactory,
    TalkFactory,
)
from tests.html import parse

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def rows(response, field):
    """The text of one column of the change list, row by row (the first is a <th>)."""
    cells = parse(response.content).iter()
    return [" ".join(cell.text.split()) for cell in cells if cell.has_class(f"field-{field}")]


def test_the_talk_list_shows_each_series_wall_clock_and_zone(client, signed_in_organiser):
    london = OrganisedSeriesFactory(timezone="Europe/London", organisers=[signed_in_organiser])
    new_york = OrganisedSeriesFactory(timezone="America/New_York", organisers=[signed_in_organiser])
    # Each talk is at 16:00 where it is given; the UTC hours differ with the season.
    talks = {
        "London summer": (london, datetime.datetime(2027, 5, 13, 15, 0, tzinfo=UTC)),
        "London winter": (london, datetime.datetime(2027, 1, 14, 16, 0, tzinfo=UTC)),
        "New York summer": (new_york, datetime.datetime(2027, 5, 13, 20, 0, tzinfo=UTC)),
        "New York winter": (new_york, datetime.datetime(2027, 1, 14, 21, 0, tzinfo=UTC)),
    }
    for title, (series, start) in talks.items():
        TalkFactory(title=title, series=series, start=start)

    response = client.get(reverse("admin:seminars_talk_changelist"))

    shown = dict(zip(rows(response, "title"), rows(response, "when"), strict=True))
    assert shown == {
        "London summer": "Thu 13 May 2027, 16:00 BST",
        "London winter": "Thu 14 Jan 2027, 16:00 GMT",
        "New York summer": "Thu 13 May 2027, 16:00 EDT",
        "New York winter": "Thu 14 Jan 2027, 16:00 EST",
    }


def test_the_date_bar_reads_days_in_the_series_zone(client, signed_in_organiser):
    new_york = OrganisedSeriesFactory(timezone="America/New_York", organisers=[signed_in_organiser])
    # 22:30 in New York on the 13th is already the 14th in UTC.
    TalkFactory(series=new_york, start=datetime.datetime(2027, 5, 14, 2, 30, tzinfo=UTC))
    changelist = reverse("admin:seminars_talk_changelist")

    month = client.get(changelist, {"start__year": 2027, "start__month": 5})
    day = client.get(changelist, {"start__year": 2027, "start__month": 5, "start__day": 13})

    links = [
        a.attrs["href"]
        for a in parse(month.content).iter("a")
        if "start__day" in a.attrs.get("href", "")
    ]
    assert len(links) == 1 and "start__day=13" in links[0]
    assert rows(day, "when") == ["Thu 13 May 2027, 22:30 EDT"]
    assert "America/New_York days" in month.content.decode()


def test_series_in_several_zones_say_the_date_bar_is_utc(client, signed_in_organiser):
    OrganisedSeriesFactory(timezone="Europe/London", organisers=[signed_in_organiser])
    OrganisedSeriesFactory(timezone="Asia/Tokyo", organisers=[signed_in_organiser])

    response = client.get(reverse("admin:seminars_talk_changelist"))

    assert "UTC days" in response.content.decode()


def test_upcoming_talks_come_first_soonest_first_then_past_ones_latest_first(
    client, signed_in_organiser
):
    series = OrganisedSeriesFactory(organisers=[signed_in_organiser])
    now = timezone.now()
    for title, days in [
        ("past, long ago", -30),
        ("in a month", 30),
        ("yesterday", -1),
        ("tomorrow", 1),
    ]:
        TalkFactory(title=title, series=series, start=now + datetime.timedelta(days=days))

    response = client.get(reverse("admin:seminars_talk_changelist"))

    assert rows(response, "title") == ["tomorrow", "in a month", "yesterday", "past, long ago"]


def test_comments_are_listed_newest_first_with_their_time_in_the_series_zone(
    client, signed_in_organiser
):
    talk = TalkFactory(
        series=OrganisedSeriesFactory(timezone="Asia/Tokyo", organisers=[signed_in_organiser])
    )
    for body, day in [("older", 1), ("newest", 3), ("middle", 2)]:
        comment = CommentFactory(talk=talk, body=body)
        comment.__class__.objects.filter(pk=comment.pk).update(
            created=datetime.datetime(2027, 1, day, 15, 0, tzinfo=UTC)
        )

    response = client.get(reverse("admin:seminars_comment_changelist"))

    assert rows(response, "excerpt") == ["newest", "middle", "older"]
    # 15:00 UTC is midnight in Tokyo: the date moves too.
    assert rows(response, "posted")[0] == "Mon 4 Jan 2027, 00:00 JST"


def test_filters_name_their_empty_choice(client, signed_in_organiser):
    TalkFactory(
        series=OrganisedSeriesFactory(organisers=[signed_in_organiser]), tags=[TagFactory()]
    )

    response = client.get(reverse("admin:seminars_talk_changelist"))

    filter_choices = [
        a.text.strip()
        for a in parse(response.content).find_all("a")
        if "tags__isnull" in a.attrs.get("href", "")
    ]
    assert filter_choices == ["No tags"]


@pytest.mark.parametrize("page", ["change", "add"])
def test_the_talk_form_names_its_zone_from_the_start_and_not_the_servers(
    client, signed_in_organiser, page
):
    series = OrganisedSeriesFactory(
        name="Number Theory", timezone="America/New_York", organisers=[signed_in_organiser]
    )
    if page == "change":
        url = reverse("admin:seminars_talk_change", args=[TalkFactory(series=series).pk])
    else:
        url = reverse("admin:seminars_talk_add") + f"?series={series.pk}"

    response = client.get(url)

    page = parse(response.content)
    notes = [
        " ".join(span.text.split())
        for span in page.iter("span")
        if span.has_class("timezonewarning")
    ]
    # One for the start, one for the end: the admin's script adds no note of its own
    # ("You are N hours behind server time") next to an element of this class.
    assert notes == ["America/New_York time, the zone of Number Theory"] * 2
