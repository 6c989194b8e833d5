"""Talk times in the series' zone and in the visitor's, across daylight-saving changes.

Expected times come from zoneinfo and strftime, never from the template tag.
"""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from accounts.models import User
from seminars.views import HOME_RECENT, HOME_UPCOMING
from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory, UserFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
ONE_HOUR = datetime.timedelta(hours=1)


class TalkTimes:
    """A page's talk times (<time data-zone>), the visitor's times beside them, and scripts."""

    def __init__(self, html):
        self.times = []  # (attributes, text)
        self.local_times = []  # (attributes, text)
        self.scripts = []  # attributes
        self.event_handlers = []
        for element in parse(html).iter():
            attributes = element.attrs
            self.event_handlers += [name for name in attributes if name.startswith("on")]
            if element.tag == "script":
                self.scripts.append(attributes)
            elif element.tag == "time" and "data-zone" in attributes:
                self.times.append((attributes, element.text))
            elif element.has_class("local-time"):
                self.local_times.append((attributes, element.text))


def talk_page(client, talk):
    response = client.get(talk.get_absolute_url())
    assert response.status_code == 200
    return TalkTimes(response.content.decode())


def clock(moment):
    return f"{moment:%H:%M}"


def day_and_clock(moment):
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"


def talk_at(wall_clock, zone):
    """A one-hour talk starting at `wall_clock` in `zone`, in a series given in that zone."""
    # Elapsed time is added in UTC: aware arithmetic in `zone` would add wall-clock time.
    start = wall_clock.replace(tzinfo=zone).astimezone(UTC)
    return TalkFactory(series=SeriesFactory(timezone=zone.key), start=start, end=start + ONE_HOUR)


def times_in(talk, zone):
    return talk.start.astimezone(zone), talk.end.astimezone(zone)


def sign_in(client, zone_name):
    user = UserFactory(timezone=zone_name)
    client.force_login(user)
    return user


# The series' own time, each side of a daylight-saving change


LONDON_CHANGES = [
    # Clocks go forward on 30 March 2025 and back on 26 October 2025.
    pytest.param(
        datetime.datetime(2025, 3, 28, 14), datetime.datetime(2025, 4, 1, 14), id="spring"
    ),
    pytest.param(
        datetime.datetime(2025, 10, 24, 14), datetime.datetime(2025, 10, 28, 14), id="autumn"
    ),
]


@pytest.mark.parametrize(("before", "after"), LONDON_CHANGES)
def test_series_time_keeps_its_wall_clock_across_a_change(client, before, after):
    talks = [talk_at(before, LONDON), talk_at(after, LONDON)]
    starts = [talk.start.astimezone(LONDON) for talk in talks]
    assert starts[0].utcoffset() != starts[1].utcoffset(), "the talks must straddle a change"

    for talk in talks:
        start, end = times_in(talk, LONDON)
        ((attributes, text),) = talk_page(client, talk).times
        # Machines get the instant in UTC, which moves by an hour across the change...
        assert attributes["datetime"] == start.astimezone(UTC).isoformat()
        assert attributes["data-end"] == end.astimezone(UTC).isoformat()
        assert attributes["data-zone"] == "Europe/London"
        # ...while people read the same 14:00 with the abbreviation in force that day.
        assert f"{clock(start)}–{clock(end)} {start.tzname()}" in text
        assert f"{start:%A} {start.day} {start:%B} {start.year}" in text


# A signed-in visitor's chosen zone, rendered by the server

# America/New_York changes on 9 March and 2 November 2025, Europe/Berlin on
# 30 March and 26 October: in the weeks between, the two are an hour closer.
NEW_YORK_NOONS = [
    pytest.param(datetime.datetime(2025, 3, 5, 12), id="both-winter"),
    pytest.param(datetime.datetime(2025, 3, 12, 12), id="new-york-summer-berlin-winter"),
    pytest.param(datetime.datetime(2025, 4, 2, 12), id="both-summer-spring"),
    pytest.param(datetime.datetime(2025, 10, 29, 12), id="new-york-summer-berlin-winter-autumn"),
    pytest.param(datetime.datetime(2025, 11, 5, 12), id="both-winter-autumn"),
]


def test_new_york_noons_cover_both_gaps_to_berlin():
    """Guards the data above: without both gaps the next test proves little."""
    gaps = {
        wall_clock.replace(tzinfo=BERLIN).utcoffset()
        - wall_clock.replace(tzinfo=NEW_YORK).utcoffset()
        for wall_clock in (param.values[0] for param in NEW_YORK_NOONS)
    }
    assert gaps == {datetime.timedelta(hours=5), datetime.timedelta(hours=6)}


@pytest.mark.parametrize("noon", NEW_YORK_NOONS)
def test_berlin_visitor_sees_a_new_york_talk_in_berlin_time(client, noon):
    talk = talk_at(noon, NEW_YORK)
    sign_in(client, "Europe/Berlin")
    start, end = times_in(talk, BERLIN)

    page = talk_page(client, talk)

    ((attributes, text),) = page.local_times
    assert text == f"({clock(start)}–{clock(end)} {start.tzname()} your time)"
    assert attributes["title"] == "Europe/Berlin time"
    # The series' own time is still there, in New York's zone.
    ((_, series_text),) = page.times
    new_york_start = talk.start.astimezone(NEW_YORK)
    assert f"{clock(new_york_start)}–" in series_text
    assert new_york_start.tzname() in series_text


def test_local_start_on_another_day_shows_its_date(client):
    talk = talk_at(datetime.datetime(2025, 3, 12, 20), NEW_YORK)
    sign_in(client, "Asia/Tokyo")
    start, end = times_in(talk, TOKYO)
    assert start.date() != talk.start.astimezone(NEW_YORK).date()

    ((_, text),) = talk_page(client, talk).local_times

    assert text == f"({day_and_clock(start)}–{clock(end)} {start.tzname()} your time)"


def test_local_end_after_midnight_shows_its_date(client):
    talk = talk_at(datetime.datetime(2025, 1, 15, 22, 30), LONDON)
    sign_in(client, "Europe/Berlin")
    start, end = times_in(talk, BERLIN)
    assert end.date() != start.date()

    ((_, text),) = talk_page(client, talk).local_times

    assert text == f"({clock(start)}–{day_and_clock(end)} {start.tzname()} your time)"


@pytest.mark.parametrize(
    "visitor_zone",
    [
        pytest.param("America/New_York", id="same-zone"),
        # Toronto keeps New York's clock all year: repeating it would be noise.
        pytest.param("America/Toronto", id="same-clock"),
    ],
)
def test_visitor_whose_clock_matches_the_series_sees_no_repeat(client, visitor_zone):
    talk = talk_at(datetime.datetime(2025, 3, 12, 12), NEW_YORK)
    sign_in(client, visitor_zone)

    page = talk_page(client, talk)

    assert page.local_times == []
    ((attributes, _),) = page.times
    assert "data-localize" not in attributes, "the browser must not add its zone either"


def test_visitor_whose_clock_parts_during_the_talk_sees_it(client):
    """London's clocks go forward during this talk; Abidjan's (UTC all year) do not.

    The two agree when it starts and differ when it ends, so the time is repeated.
    """
    talk = talk_at(datetime.datetime(2025, 3, 30, 0, 30), LONDON)
    sign_in(client, "Africa/Abidjan")
    start, end = times_in(talk, zoneinfo.ZoneInfo("Africa/Abidjan"))
    assert clock(talk.start.astimezone(LONDON)) == clock(start)
    assert clock(talk.end.astimezone(LONDON)) != clock(end)

    ((_, text),) = talk_page(client, talk).local_times

    assert text == f"({clock(start)}–{clock(end)} {start.tzname()} your time)"


# Visitors whose zone the server does not know: the browser's script adds it


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "no-zone-chosen"])
def test_unknown_visitor_zone_is_left_to_the_browser(client, signed_in):
    talk = talk_at(datetime.datetime(2025, 3, 12, 12), NEW_YORK)
    if signed_in:
        sign_in(client, "")

    page = talk_page(client, talk)

    ((attributes, _),) = page.times
    assert "data-localize" in attributes
    assert page.local_times == []


def test_a_chosen_zone_stops_the_browser_overriding_it(client):
    talk = talk_at(datetime.datetime(2025, 3, 12, 12), NEW_YORK)
    sign_in(client, "Asia/Tokyo")

    ((attributes, _),) = talk_page(client, talk).times

    assert "data-localize" not in attributes


def test_a_zone_tzdata_no_longer_knows_falls_back_to_the_browser(client):
    talk = talk_at(datetime.datetime(2025, 3, 12, 12), NEW_YORK)
    user = sign_in(client, "")
    # Written past the validator, as a tzdata upgrade that drops a name would leave it.
    User.objects.filter(pk=user.pk).update(timezone="Mars/Olympus_Mons")

    page = talk_page(client, talk)

    ((attributes, _),) = page.times
    assert "data-localize" in attributes


def test_talk_cards_show_the_visitor_time_too(client):
    talk = talk_at(datetime.datetime(2025, 3, 12, 12), NEW_YORK)
    sign_in(client, "Europe/Berlin")
    start, end = times_in(talk, BERLIN)

    response = client.get(reverse("seminars:series-detail", args=[talk.series.slug]))

    ((_, text),) = TalkTimes(response.content.decode()).local_times
    assert text == f"({clock(start)}–{clock(end)} {start.tzname()} your time)"


def test_pages_load_the_script_deferred_and_run_no_inline_code(client):
    talk = talk_at(datetime.datetime(2025, 3, 12, 12), NEW_YORK)

    page = talk_page(client, talk)

    local_time_scripts = [s for s in page.scripts if s.get("src", "").endswith("/localtime.js")]
    assert len(local_time_scripts) == 1
    assert "defer" in local_time_scripts[0]
    # A strict Content-Security-Policy runs scripts from files only; data blocks
    # such as JSON-LD are never executed.
    code = [s for s in page.scripts if s.get("type") in (None, "text/javascript", "module")]
    assert all(script.get("src") for script in code)
    assert page.event_handlers == []


def test_local_time_script_is_served(client):
    talk = talk_at(datetime.datetime(2025, 3, 12, 12), NEW_YORK)
    scripts = talk_page(client, talk).scripts
    (script,) = [s for s in scripts if s.get("src", "").endswith("/localtime.js")]

    response = client.get(script["src"])

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"data-localize" in body


# The profile's zone setting


def profile_data(**changes):
    return {"display_name": "Ada", "affiliation": "", "timezone": "", **changes}


def test_profile_offers_zones_grouped_by_region(client):
    sign_in(client, "")

    response = client.get(reverse("accounts:profile"))

    content = response.content.decode()
    assert '<optgroup label="Europe">' in content
    assert '<option value="Europe/Berlin">Berlin</option>' in content
    assert '<option value="America/New_York">New York</option>' in content
    assert '<option value="" selected>' in content


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC", ""])
def test_profile_saves_the_chosen_zone(client, zone):
    user = sign_in(client, "Europe/Berlin")

    response = client.post(reverse("accounts:profile"), profile_data(timezone=zone))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.timezone == zone


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus_Mons", "<script>alert(1)</script>", "Europe/Berlin\x00", "x" * 500],
    ids=["unknown", "markup", "nul", "long"],
)
def test_profile_rejects_a_zone_that_does_not_exist(client, zone):
    user = sign_in(client, "Europe/Berlin")

    response = client.post(reverse("accounts:profile"), profile_data(timezone=zone))

    assert response.status_code == 200
    assert response.context["form"].errors["timezone"]
    assert b"<script>alert" not in response.content
    user.refresh_from_db()
    assert user.timezone == "Europe/Berlin"


def test_profile_keeps_a_legacy_zone_name_it_does_not_offer(client):
    user = sign_in(client, "US/Eastern")

    form_page = client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("accounts:profile"), profile_data(timezone="US/Eastern"))

    assert '<option value="US/Eastern" selected>' in form_page
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.timezone == "US/Eastern"


def test_profile_does_not_offer_other_legacy_names(client):
    user = sign_in(client, "Europe/Berlin")

    response = client.post(reverse("accounts:profile"), profile_data(timezone="US/Pacific"))

    assert response.context["form"].errors["timezone"]
    user.refresh_from_db()
    assert user.timezone == "Europe/Berlin"


# Query counts: the visitor's zone comes with the user the request loads anyway

ROWS = pytest.mark.parametrize("rows", [1, 20])


def new_york_talks(rows, days_ahead=1, series=None):
    start = datetime.datetime.now(UTC) + datetime.timedelta(days=days_ahead)
    return [
        TalkFactory(
            series=series or SeriesFactory(timezone="America/New_York"),
            start=start + datetime.timedelta(days=day),
            speakers=[SpeakerFactory(), SpeakerFactory()],
            tags=[TagFactory(), TagFactory()],
        )
        for day in range(rows)
    ]


@ROWS
def test_talk_list_queries_with_a_chosen_zone(client, rows, django_assert_num_queries):
    new_york_talks(rows)
    sign_in(client, "Europe/Berlin")
    # session, user; paginator count (which also says when the next talk starts),
    # talks with series, speakers, tags.
    with django_assert_num_queries(6):
        response = client.get(reverse("seminars:talk-list"))
    assert len(TalkTimes(response.content.decode()).local_times) == rows


@ROWS
def test_home_queries_with_a_chosen_zone(client, rows, django_assert_num_queries):
    new_york_talks(rows)
    new_york_talks(rows, days_ahead=-10 * rows)
    sign_in(client, "Europe/Berlin")
    # session, user; when the next talk starts (the lists' end); upcoming talks
    # with their series; recent talks with theirs; the speakers of both; their
    # tags; tags with their talk counts.
    with django_assert_num_queries(8):
        response = client.get(reverse("seminars:home"))
    shown = len(TalkTimes(response.content.decode()).local_times)
    assert shown == min(rows, HOME_UPCOMING) + min(rows, HOME_RECENT)


@ROWS
def test_series_page_queries_with_a_chosen_zone(client, rows, django_assert_num_queries):
    series = SeriesFactory(timezone="America/New_York")
    new_york_talks(rows, series=series)
    sign_in(client, "Europe/Berlin")
    # session, user; the series; its organisers; paginator count, talks with
    # series, speakers, tags; the visitor's follow button.
    with django_assert_num_queries(9):
        response = client.get(reverse("seminars:series-detail", args=[series.slug]))
    assert len(TalkTimes(response.content.decode()).local_times) == rows
