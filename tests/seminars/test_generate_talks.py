"""Generate talks: a series' coming talks on a pattern, as TBA drafts with its defaults,
at wall-clock times in its zone, never twice in one slot, at most 200 at once."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from seminars.models import Series, Talk
from tests.factories import OrganisedSeriesFactory, OrganiserFactory, TagFactory, TalkFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC
D = datetime.date


@pytest.fixture
def series(signed_in_organiser):
    series = OrganisedSeriesFactory(
        organisers=[signed_in_organiser],
        slug="colloquium",
        timezone="Europe/London",
        default_weekday=Series.Weekday.TUESDAY,
        default_start_time=datetime.time(16, 0),
        default_venue="Room 5",
        default_online_url="https://meet.example.org/colloquium",
    )
    series.default_tags.set([TagFactory(name="Analysis")])
    return series


def generate(client, series, step="create", **fields):
    data = {
        "repeat": "1",
        "weekday": "1",
        "start_time": "16:00",
        "duration": "1:00:00",
        "first_date": "2027-03-16",
        "last_date": "",
        "count": "",
        "skip": "",
        step: "yes",
        **fields,
    }
    return client.post(reverse("admin:seminars_series_generate", args=[series.pk]), data)


def local_starts(series):
    return [talk.start.astimezone(LONDON) for talk in series.talks.order_by("start")]


def dates(series):
    return [start.date() for start in local_starts(series)]


def test_weekly_talks_keep_16_00_on_the_series_clocks_across_a_clock_change(client, series):
    # The clocks go forward on Sunday 28 March 2027.
    response = generate(client, series, count="4")

    assert response.status_code == 302
    utc_starts = [talk.start.astimezone(UTC) for talk in series.talks.order_by("start")]
    assert [(s.day, s.hour) for s in utc_starts] == [(16, 16), (23, 16), (30, 15), (6, 15)]
    assert {(s.hour, s.minute) for s in local_starts(series)} == {(16, 0)}
    assert [s.tzname() for s in local_starts(series)] == ["GMT", "GMT", "BST", "BST"]


def test_generated_talks_are_tba_drafts_with_the_series_defaults(client, series):
    generate(client, series, count="2", duration="1:30:00")

    for talk in series.talks.all():
        assert (talk.title, talk.status) == ("TBA", Talk.Status.DRAFT)
        assert (talk.venue, talk.online_url) == ("Room 5", "https://meet.example.org/colloquium")
        assert [tag.name for tag in talk.tags.all()] == ["Analysis"]
        assert talk.end - talk.start == datetime.timedelta(minutes=90)
    assert sorted(series.talks.values_list("slug", flat=True)) == [
        "colloquium-2027-03-16",
        "colloquium-2027-03-23",
    ]


def test_the_second_tuesday_of_each_month_is_the_second_in_months_with_five(client, series):
    generate(client, series, repeat="month-2", first_date="2027-01-01", count="4")

    # March 2027 has five Tuesdays (2 to 30): its second is still the 9th.
    assert dates(series) == [D(2027, 1, 12), D(2027, 2, 9), D(2027, 3, 9), D(2027, 4, 13)]


def test_a_fifth_tuesday_is_only_in_months_that_have_one(client, series):
    generate(client, series, repeat="month-5", first_date="2027-01-01", last_date="2027-08-31")

    assert dates(series) == [D(2027, 3, 30), D(2027, 6, 29), D(2027, 8, 31)]


def test_every_two_weeks(client, series):
    generate(client, series, repeat="2", first_date="2027-03-14", count="3")

    assert dates(series) == [D(2027, 3, 16), D(2027, 3, 30), D(2027, 4, 13)]


def test_skipped_dates_make_no_talk_and_do_not_count(client, series):
    generate(
        client, series, first_date="2027-12-14", count="3", skip="2027-12-21\n\n 2027-12-28 \n"
    )

    assert dates(series) == [D(2027, 12, 14), D(2028, 1, 4), D(2028, 1, 11)]


def test_running_it_again_over_an_overlapping_range_adds_only_whats_missing(client, series):
    by_hand = TalkFactory(
        series=series, title="Ada", start=datetime.datetime(2027, 3, 30, 16, 0, tzinfo=LONDON)
    )
    generate(client, series, count="3")  # 16, 23 March; the 30th is taken

    response = generate(client, series, last_date="2027-04-13")

    assert dates(series) == [D(2027, 3, d) for d in (16, 23, 30)] + [D(2027, 4, 6), D(2027, 4, 13)]
    assert series.talks.filter(start=by_hand.start).get() == by_hand
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("Made 2 draft" in message and "3 date(s)" in message for message in messages)


def test_the_preview_lists_what_creating_then_makes(client, series):
    TalkFactory(series=series, start=datetime.datetime(2027, 3, 23, 16, 0, tzinfo=LONDON))

    preview = generate(client, series, step="preview", count="3")

    rows = parse(preview.content).find_all("tr")
    shown = [" ".join(row.text.split()) for row in rows if row.has_class("new")]
    assert shown[0].startswith("Tue 16 Mar 2027, 16:00 GMT")
    assert len(shown) == 2 and shown[1].startswith("Tue 30 Mar 2027, 16:00 BST")
    assert [row for row in rows if row.has_class("taken")]
    assert series.talks.count() == 1  # a preview makes nothing

    generate(client, series, count="3")

    assert dates(series) == [D(2027, 3, 16), D(2027, 3, 23), D(2027, 3, 30)]


def test_more_than_200_talks_are_refused_with_a_message_and_nothing_made(client, series):
    # Weekly from 16 March 2027 to 2031-01-28 makes 203 Tuesdays.
    response = generate(client, series, last_date="2031-01-28")

    assert response.status_code == 200
    assert "at most 200 are made at once" in response.content.decode()
    assert not series.talks.exists()


def test_200_talks_are_made(client, series):
    generate(client, series, count="200")

    assert series.talks.count() == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": "3", "last_date": "2027-05-01"}, "not both"),
        ({}, "Give either a last date or a number of talks"),
        ({"count": "3", "skip": "2027-12-21\nChristmas"}, "Line 2, “Christmas”, is not a date"),
        ({"last_date": "2027-01-01"}, "The last date is before the first"),
        ({"count": "3", "duration": "0:00:00"}, "more than no time"),
    ],
)
def test_bad_input_is_explained_and_makes_nothing(client, series, fields, message):
    response = generate(client, series, **fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not series.talks.exists()


def test_an_organiser_of_another_series_cannot_generate_its_talks(client, series):
    client.force_login(OrganiserFactory())

    response = generate(client, series, count="3")

    assert response.status_code == 404
    assert not series.talks.exists()


def test_the_form_opens_with_the_series_usual_slot(client, series):
    response = client.get(reverse("admin:seminars_series_generate", args=[series.pk]))

    form = response.context["form"]
    assert (form["weekday"].value(), form["start_time"].value()) == (1, datetime.time(16, 0))


@pytest.mark.parametrize("count", [1, 10])
def test_the_preview_reads_a_constant_number_of_queries(
    client, series, count, django_assert_num_queries
):
    # Session, user, the series (scoped to its organisers), the user's and their
    # groups' permissions, the slots already taken.
    with django_assert_num_queries(6):
        response = generate(client, series, step="preview", count=str(count))

    assert len(parse(response.content).find_all("tr", class_="new")) == count


def test_a_date_at_the_calendars_end_is_refused_not_a_server_error(client, series):
    response = generate(client, series, first_date="9999-12-30", count="3", repeat="month-1")

    assert response.status_code == 200
    assert "between the years 1900 and 2999" in response.content.decode()
