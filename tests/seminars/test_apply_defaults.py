"""Apply defaults to future talks: after a series' default changes, its coming talks
that still have the old value follow; past talks and hand-set values never do."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from seminars.models import Series
from tests.factories import OrganisedSeriesFactory, OrganiserFactory, TalkFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def series(signed_in_organiser):
    return OrganisedSeriesFactory(
        organisers=[signed_in_organiser],
        timezone="Europe/London",
        default_weekday=Series.Weekday.TUESDAY,
        default_start_time=datetime.time(16, 0),
        default_venue="Room 5",
    )


def in_days(days, hour=16):
    day = timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=LONDON)


def save_series(client, series, **changes):
    data = {
        "name": series.name,
        "slug": series.slug,
        "timezone": series.timezone,
        "organisers": [user.pk for user in series.organisers.all()],
        "comment_moderation": series.comment_moderation,
        "max_links": series.max_links,
        "default_weekday": series.default_weekday,
        "default_start_time": series.default_start_time.strftime("%H:%M"),
        "default_duration": "1:00:00",
        "default_venue": series.default_venue,
        "default_online_url": series.default_online_url,
        **changes,
    }
    return client.post(reverse("admin:seminars_series_change", args=[series.pk]), data)


def apply_url(series):
    return reverse("admin:seminars_series_apply_defaults", args=[series.pk])


def test_a_new_venue_is_offered_to_coming_talks_with_the_old_one_only(client, series):
    coming = TalkFactory(series=series, venue="Room 5", start=in_days(7))
    by_hand = TalkFactory(series=series, venue="Great Hall", start=in_days(14))
    past = TalkFactory(series=series, venue="Room 5", start=in_days(-7))

    response = save_series(client, series, default_venue="Room 7")

    assert response.status_code == 302 and response.url == apply_url(series)
    preview = client.get(apply_url(series))
    (table,) = parse(preview.content).find_all("table", id="apply-defaults-preview")
    rows = table.find_all("tr")[1:]
    assert len(rows) == 1 and coming.title in rows[0].text and "“Room 7”" in rows[0].text

    client.post(apply_url(series), {"apply": "yes"})

    for talk in (coming, by_hand, past):
        talk.refresh_from_db()
    assert (coming.venue, by_hand.venue, past.venue) == ("Room 7", "Great Hall", "Room 5")
    assert coming.sequence == 1  # calendars hear of it


def test_a_new_start_time_moves_the_talks_at_the_old_time_on_the_series_clocks(client, series):
    coming = TalkFactory(series=series, start=in_days(7), end=in_days(7, hour=17))
    moved_by_hand = TalkFactory(series=series, start=in_days(14, hour=11))

    save_series(client, series, default_start_time="15:00")
    client.post(apply_url(series), {"apply": "yes"})

    coming.refresh_from_db()
    moved_by_hand.refresh_from_db()
    assert coming.start == in_days(7, hour=15)
    assert coming.end == in_days(7, hour=16)  # its length kept
    assert moved_by_hand.start == in_days(14, hour=11)


def test_leaving_the_talks_as_they_are_changes_nothing(client, series):
    coming = TalkFactory(series=series, venue="Room 5", start=in_days(7))

    save_series(client, series, default_venue="Room 7")
    client.post(apply_url(series), {"skip": "yes"})

    coming.refresh_from_db()
    assert coming.venue == "Room 5"
    # Nothing waits any more.
    assert client.get(apply_url(series)).url == reverse(
        "admin:seminars_series_change", args=[series.pk]
    )


def test_with_no_talk_to_change_the_save_goes_back_as_usual(client, series):
    TalkFactory(series=series, venue="Great Hall", start=in_days(7))

    response = save_series(client, series, default_venue="Room 7")

    assert response.url == reverse("admin:seminars_series_changelist")


def test_another_organiser_cannot_apply_this_series_defaults(client, series):
    coming = TalkFactory(series=series, venue="Room 5", start=in_days(7))
    save_series(client, series, default_venue="Room 7")
    client.force_login(OrganiserFactory())

    response = client.post(apply_url(series), {"apply": "yes"})

    assert response.status_code == 404
    coming.refresh_from_db()
    assert coming.venue == "Room 5"


@pytest.mark.parametrize("talks", [1, 5])
def test_the_preview_reads_a_constant_number_of_queries(
    client, series, talks, django_assert_num_queries
):
    for days in range(talks):
        TalkFactory(series=series, venue="Room 5", start=in_days(days + 1))
    save_series(client, series, default_venue="Room 7")

    # Session, user, the series, the user's and their groups' permissions, the talks.
    with django_assert_num_queries(6):
        response = client.get(apply_url(series))

    (table,) = parse(response.content).find_all("table", id="apply-defaults-preview")
    assert len(table.find_all("tr")) == talks + 1
