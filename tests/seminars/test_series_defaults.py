"""Series defaults: a new talk starts from its series' usual slot, length, venue,
link and tags; the admin asks for the series first (a plain GET form) so that it can."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from seminars import recurrence
from seminars.models import Series, Talk
from tests.factories import OrganisedSeriesFactory, OrganiserFactory, SeriesFactory, TagFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
ADD = "admin:seminars_talk_add"


def with_defaults(signed_in_organiser, **fields):
    series = OrganisedSeriesFactory(
        organisers=[signed_in_organiser],
        timezone="Europe/London",
        default_weekday=Series.Weekday.TUESDAY,
        default_start_time=datetime.time(16, 0),
        default_duration=datetime.timedelta(minutes=90),
        default_venue="Room 5",
        default_online_url="https://meet.example.org/colloquium",
        **fields,
    )
    return series


def input_values(response):
    return {
        element.attrs["name"]: element.attrs.get("value", "")
        for element in parse(response.content).iter("input")
        if "name" in element.attrs
    }


# Choosing the series first


def test_with_several_series_the_add_page_asks_which_first(client, signed_in_organiser):
    first = OrganisedSeriesFactory(name="Algebra", organisers=[signed_in_organiser])
    second = OrganisedSeriesFactory(name="Topology", organisers=[signed_in_organiser])
    SeriesFactory(name="Someone else's")

    response = client.get(reverse(ADD))

    page = parse(response.content)
    (form,) = [f for f in page.iter("form") if f.attrs.get("action") == reverse(ADD)]
    assert form.attrs["method"] == "get"  # no JavaScript, no token: a link with a choice
    (select,) = form.find_all("select", name="series")
    options = {o.attrs["value"]: o.text for o in select.find_all("option")}
    assert options == {str(first.pk): "Algebra", str(second.pk): "Topology"}


def test_with_one_series_the_add_page_goes_straight_to_its_form(client, signed_in_organiser):
    series = OrganisedSeriesFactory(organisers=[signed_in_organiser])

    response = client.get(reverse(ADD))

    assert response.status_code == 302
    assert response.url == f"{reverse(ADD)}?series={series.pk}"


def test_without_a_series_the_add_page_says_to_make_one(client, signed_in_organiser):
    response = client.get(reverse(ADD))

    assert response.status_code == 200
    assert reverse("admin:seminars_series_add") in response.content.decode()


def test_another_organisers_series_cannot_be_chosen(client, signed_in_organiser):
    OrganisedSeriesFactory(organisers=[signed_in_organiser])
    OrganisedSeriesFactory(organisers=[signed_in_organiser])
    theirs = with_defaults(OrganiserFactory())

    response = client.get(reverse(ADD), {"series": theirs.pk})

    # The choice again, with nothing of their series in it.
    assert "adminform" not in response.context
    assert "Room 5" not in response.content.decode()


# The prefilled form


def next_tuesday_at_four(now_in_london):
    day = now_in_london.date()
    while day.weekday() != 1 or (day == now_in_london.date() and now_in_london.hour >= 16):
        day += datetime.timedelta(days=1)
    return day


def test_the_form_starts_from_the_series_defaults(client, signed_in_organiser):
    tag = TagFactory(name="Analysis")
    series = with_defaults(signed_in_organiser)
    series.default_tags.set([tag])

    response = client.get(reverse(ADD), {"series": series.pk})

    values = input_values(response)
    day = next_tuesday_at_four(datetime.datetime.now(LONDON))
    form = response.context["adminform"].form
    assert form.initial["start"] == datetime.datetime.combine(day, datetime.time(16, 0))
    assert datetime.time.fromisoformat(values["start_1"]) == datetime.time(16, 0)
    assert datetime.time.fromisoformat(values["end_1"]) == datetime.time(17, 30)
    assert values["venue"] == "Room 5"
    assert values["online_url"] == "https://meet.example.org/colloquium"
    (tags,) = parse(response.content).find_all("select", name="tags")
    assert [o.text for o in tags.find_all("option") if "selected" in o.attrs] == ["Analysis"]
    assert form.initial["series"] == series.pk


def test_saving_the_prefilled_form_makes_the_talk_with_the_defaults(client, signed_in_organiser):
    series = with_defaults(signed_in_organiser)
    url = f"{reverse(ADD)}?series={series.pk}"
    initial = client.get(url).context["adminform"].form.initial
    data = {
        "series": series.pk,
        "title": "TBA",
        "slug": "tba",
        "status": Talk.Status.DRAFT,
        "start_0": initial["start"].date().isoformat(),
        "start_1": initial["start"].time().isoformat(),
        "end_0": initial["end"].date().isoformat(),
        "end_1": initial["end"].time().isoformat(),
        "venue": initial["venue"],
        "online_url": initial["online_url"],
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    talk = Talk.objects.get()
    assert talk.start.astimezone(LONDON).time() == datetime.time(16, 0)
    assert talk.start.astimezone(LONDON).weekday() == 1
    assert talk.end - talk.start == datetime.timedelta(minutes=90)
    assert talk.venue == "Room 5"


def test_the_next_usual_slot_keeps_the_wall_clock_across_a_clock_change():
    series = Series(
        timezone="Europe/London",
        default_weekday=Series.Weekday.TUESDAY,
        default_start_time=datetime.time(16, 0),
    )
    # Thursday 26 March 2027, in GMT; the clocks go forward on Sunday the 28th.
    now = datetime.datetime(2027, 3, 26, 12, 0, tzinfo=datetime.UTC)

    start = recurrence.next_default_start(series, now)

    assert start.astimezone(datetime.UTC) == datetime.datetime(
        2027, 3, 30, 15, 0, tzinfo=datetime.UTC
    )
    assert start.astimezone(LONDON).tzname() == "BST"


def test_today_after_the_usual_time_means_next_week():
    series = Series(
        timezone="America/New_York",
        default_weekday=Series.Weekday.MONDAY,
        default_start_time=datetime.time(9, 0),
    )
    # Monday 11 January 2027, 10:00 in New York.
    now = datetime.datetime(2027, 1, 11, 15, 0, tzinfo=datetime.UTC)

    start = recurrence.next_default_start(series, now)

    assert start.date() == datetime.date(2027, 1, 18)


def test_the_series_form_saves_its_defaults_and_refuses_a_talk_of_no_length(
    client, signed_in_organiser
):
    series = OrganisedSeriesFactory(organisers=[signed_in_organiser])
    tag = TagFactory()
    data = {
        "name": series.name,
        "slug": series.slug,
        "timezone": "Europe/London",
        "organisers": [signed_in_organiser.pk],
        "comment_moderation": series.comment_moderation,
        "max_links": series.max_links,
        "default_weekday": "3",
        "default_start_time": "16:00",
        "default_duration": "0:00:00",
        "default_venue": "Room 5",
        "default_online_url": "meet.example.org/x",
        "default_tags": [tag.pk],
    }
    url = reverse("admin:seminars_series_change", args=[series.pk])

    refused = client.post(url, data)
    saved = client.post(url, {**data, "default_duration": "1:30:00"})

    assert "default_duration" in refused.context["adminform"].form.errors
    assert saved.status_code == 302
    series.refresh_from_db()
    assert (series.default_weekday, series.default_start_time) == (3, datetime.time(16, 0))
    assert series.default_duration == datetime.timedelta(minutes=90)
    assert series.default_online_url == "https://meet.example.org/x"
    assert list(series.default_tags.all()) == [tag]


@pytest.mark.parametrize("series_id", ["99999999999999999999999", "-1", "x"])
def test_a_junk_series_in_the_address_is_a_choice_again_not_an_error(
    client, signed_in_organiser, series_id
):
    OrganisedSeriesFactory(organisers=[signed_in_organiser])
    OrganisedSeriesFactory(organisers=[signed_in_organiser])

    response = client.get(reverse(ADD), {"series": series_id})
    listed = client.get(reverse("admin:seminars_talk_changelist"), {"series__id__exact": series_id})

    assert response.status_code == 200 and "form" in response.context
    assert listed.status_code in (200, 302)
