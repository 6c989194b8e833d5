"""iCalendar files, read back with the icalendar parser, and the calendar links on pages."""

import datetime
import zoneinfo
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from seminars.models import Talk
from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory
from tests.html import tags

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# 14:00 in London during summer time is 13:00 UTC.
SUMMER_START = datetime.datetime(2030, 7, 1, 14, 0, tzinfo=LONDON)
SUMMER_START_UTC = "20300701T130000Z"
SUMMER_END_UTC = "20300701T143000Z"


def days_from_now(days):
    return timezone.now() + datetime.timedelta(days=days)


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_by_uid(response) -> dict:
    return {str(event["uid"]): event for event in parse(response).events}


def uid_of(talk, domain) -> str:
    return f"talk-{talk.pk}@{domain}"


@pytest.fixture
def uid_domain(settings):
    settings.CALENDAR_UID_DOMAIN = "calendar.example.test"
    return settings.CALENDAR_UID_DOMAIN


@pytest.fixture
def summer_talk():
    return TalkFactory(
        title="Vortex rings; reconnection, and \\ other things",
        abstract="We study $\\omega = \\nabla \\times u$.\n\nSecond paragraph.",
        start=SUMMER_START,
        end=SUMMER_START + datetime.timedelta(minutes=90),
        venue="Room 2.14, Mathematics Building",
        online_url="https://meet.example.org/vortex",
        speakers=[SpeakerFactory(name="Ada Lovelace")],
        tags=[TagFactory(name="Fluids"), TagFactory(name="Analysis")],
    )


def test_the_site_calendar_holds_the_last_30_days_and_every_upcoming_public_talk(
    client, uid_domain
):
    shown = [
        TalkFactory(start=days_from_now(-29)),
        TalkFactory(start=days_from_now(1)),
        TalkFactory(start=days_from_now(400)),
        TalkFactory(start=days_from_now(3), status=Talk.Status.CANCELLED),
    ]
    TalkFactory(start=days_from_now(-31))
    TalkFactory(start=days_from_now(2), status=Talk.Status.DRAFT)

    events = events_by_uid(client.get(reverse("syndication:calendar")))

    assert set(events) == {uid_of(talk, uid_domain) for talk in shown}


def test_an_event_carries_what_calendar_clients_need(client, summer_talk, uid_domain):
    response = client.get(reverse("syndication:talk-calendar", args=[summer_talk.slug]))
    event = events_by_uid(response)[uid_of(summer_talk, uid_domain)]
    talk_url = f"http://testserver{summer_talk.get_absolute_url()}"

    assert str(event["summary"]) == summer_talk.title
    assert event.decoded("dtstart") == SUMMER_START
    assert event.decoded("dtend") == SUMMER_START + datetime.timedelta(minutes=90)
    # Whole seconds: iCalendar has no finer unit.
    assert event.decoded("dtstamp") == summer_talk.updated.replace(microsecond=0)
    assert event["sequence"] == summer_talk.sequence
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["url"]) == talk_url
    assert str(event["location"]) == "Room 2.14, Mathematics Building"
    description = str(event["description"])
    assert summer_talk.abstract in description
    assert "Ada Lovelace" in description
    assert "https://meet.example.org/vortex" in description
    assert sorted(str(name) for name in event["categories"].cats) == ["Analysis", "Fluids"]


def test_times_are_written_in_utc(client, summer_talk):
    response = client.get(reverse("syndication:talk-calendar", args=[summer_talk.slug]))
    lines = response.content.decode().splitlines()

    assert f"DTSTART:{SUMMER_START_UTC}" in lines
    assert f"DTEND:{SUMMER_END_UTC}" in lines
    assert "BEGIN:VTIMEZONE" not in lines


def test_the_uid_does_not_depend_on_the_host_asked(client, summer_talk, uid_domain):
    url = reverse("syndication:talk-calendar", args=[summer_talk.slug])
    by_testserver = parse(client.get(url)).events[0]
    by_localhost = parse(client.get(url, HTTP_HOST="localhost")).events[0]

    assert str(by_testserver["uid"]) == str(by_localhost["uid"]) == uid_of(summer_talk, uid_domain)
    assert str(by_testserver["url"]) != str(by_localhost["url"])


def test_an_online_only_talk_gives_its_link_as_the_location(client):
    talk = TalkFactory(venue="", online_url="https://meet.example.org/online-only")
    event = parse(client.get(reverse("syndication:talk-calendar", args=[talk.slug]))).events[0]

    assert str(event["location"]) == "https://meet.example.org/online-only"


def test_a_cancelled_talk_is_marked_cancelled(client):
    talk = TalkFactory(title="Postponed indefinitely", status=Talk.Status.CANCELLED)
    event = parse(client.get(reverse("syndication:talk-calendar", args=[talk.slug]))).events[0]

    assert str(event["status"]) == "CANCELLED"
    assert "Cancelled" in str(event["summary"])
    assert "Postponed indefinitely" in str(event["summary"])


def test_the_site_calendar_is_named_after_the_site(client):
    calendar = parse(client.get(reverse("syndication:calendar")))

    assert django_settings.SITE_NAME in str(calendar["x-wr-calname"])
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"])


@pytest.fixture
def related():
    """A tag, series and speaker with one talk each, plus an unrelated talk."""
    tag = TagFactory(name="Machine learning")
    series = SeriesFactory(name="Applied Maths Colloquium")
    speaker = SpeakerFactory(name="Grace Hopper")
    return {
        "tag": (tag, TalkFactory(tags=[tag])),
        "series": (series, TalkFactory(series=series)),
        "speaker": (speaker, TalkFactory(speakers=[speaker])),
        "unrelated": TalkFactory(),
    }


@pytest.mark.parametrize("kind", ["tag", "series", "speaker"])
def test_a_tag_series_or_speaker_calendar_holds_only_its_talks(client, related, kind, uid_domain):
    owner, talk = related[kind]
    response = client.get(reverse(f"syndication:{kind}-calendar", args=[owner.slug]))
    calendar = parse(response)

    assert {str(event["uid"]) for event in calendar.events} == {uid_of(talk, uid_domain)}
    assert owner.name in str(calendar["x-wr-calname"])


@pytest.mark.parametrize("kind", ["tag", "series", "speaker"])
def test_a_tag_series_or_speaker_calendar_leaves_out_drafts_and_old_talks(client, related, kind):
    owner, _ = related[kind]
    field = {"tag": "tags", "series": "series", "speaker": "speakers"}[kind]
    value = owner if kind == "series" else [owner]
    TalkFactory(status=Talk.Status.DRAFT, **{field: value})
    TalkFactory(start=days_from_now(-60), **{field: value})

    response = client.get(reverse(f"syndication:{kind}-calendar", args=[owner.slug]))

    assert len(parse(response).events) == 1


def test_a_single_talk_downloads_as_a_named_file_whenever_it_was(client, uid_domain):
    talk = TalkFactory(title="Long ago", start=days_from_now(-365))
    response = client.get(reverse("syndication:talk-calendar", args=[talk.slug]))
    calendar = parse(response)

    assert response["Content-Disposition"] == f'attachment; filename="{talk.slug}.ics"'
    assert [str(event["uid"]) for event in calendar.events] == [uid_of(talk, uid_domain)]
    assert str(calendar["x-wr-calname"]) == "Long ago"


def test_subscription_calendars_are_not_downloads(client):
    response = client.get(reverse("syndication:calendar"))

    assert "Content-Disposition" not in response


def test_a_draft_talk_has_no_calendar_file(client):
    talk = TalkFactory(status=Talk.Status.DRAFT)

    assert client.get(reverse("syndication:talk-calendar", args=[talk.slug])).status_code == 404


@pytest.mark.parametrize("kind", ["tag", "series", "speaker", "talk"])
def test_an_unknown_slug_gives_404(client, kind):
    response = client.get(reverse(f"syndication:{kind}-calendar", args=["no-such-thing"]))

    assert response.status_code == 404


def test_calendars_only_answer_get(client):
    assert client.post(reverse("syndication:calendar")).status_code == 405


def test_user_text_cannot_inject_calendar_properties(client):
    talk = TalkFactory(
        title="Title\r\nSTATUS:CANCELLED\r\nX-EVIL:1",
        abstract="Line one\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged",
        venue="Room; with, punctuation",
    )
    calendar = parse(client.get(reverse("syndication:talk-calendar", args=[talk.slug])))
    (event,) = calendar.events

    assert str(event["status"]) == "CONFIRMED"
    assert "X-EVIL" not in event
    assert "X-EVIL" not in calendar
    assert str(calendar["x-wr-calname"]) == "Title STATUS:CANCELLED X-EVIL:1"
    assert "STATUS:CANCELLED" in str(event["summary"])
    assert str(event["uid"]) != "forged"
    assert talk.abstract in str(event["description"])
    assert str(event["location"]) == "Room; with, punctuation"


# --- SEQUENCE: calendar clients replace their copy only when it goes up ---


def saved_sequence(talk) -> int:
    return Talk.objects.get(pk=talk.pk).sequence


def test_a_new_talk_starts_at_sequence_zero():
    assert saved_sequence(TalkFactory()) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "A better title"),
        ("start", SUMMER_START - datetime.timedelta(hours=1)),
        ("end", SUMMER_START + datetime.timedelta(hours=3)),
        ("venue", "Lecture theatre B"),
        ("online_url", "https://meet.example.org/moved"),
        ("status", Talk.Status.CANCELLED),
    ],
)
def test_editing_what_a_calendar_shows_raises_the_sequence(field, value):
    talk = TalkFactory(start=SUMMER_START, end=SUMMER_START + datetime.timedelta(hours=1))
    setattr(talk, field, value)
    talk.save()

    assert saved_sequence(talk) == 1


def test_moving_a_talk_to_another_series_raises_the_sequence():
    talk = TalkFactory()
    talk.series = SeriesFactory()
    talk.save()

    assert saved_sequence(talk) == 1


def test_every_visible_edit_raises_it_again():
    talk = TalkFactory()
    for title in ["Second title", "Third title"]:
        talk = Talk.objects.get(pk=talk.pk)
        talk.title = title
        talk.save()

    assert saved_sequence(talk) == 2


def test_saving_without_visible_changes_keeps_the_sequence():
    talk = TalkFactory()
    talk.abstract = "A reworded abstract."
    talk.slides_url = "https://example.org/slides.pdf"
    talk.save()
    talk.save()

    assert saved_sequence(talk) == 0


def test_the_same_instant_in_another_zone_is_no_change():
    talk = TalkFactory(start=SUMMER_START)
    talk.start = SUMMER_START.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    talk.save()

    assert saved_sequence(talk) == 0


def test_update_fields_saves_the_raised_sequence_too():
    talk = TalkFactory()
    talk.title = "Renamed"
    talk.save(update_fields=["title"])

    assert saved_sequence(talk) == 1


def test_update_fields_without_visible_fields_keeps_the_sequence():
    talk = TalkFactory()
    talk.title = "Changed but not saved"
    talk.save(update_fields=["abstract"])

    assert saved_sequence(talk) == 0


def test_an_edit_reaches_the_calendar_with_a_higher_sequence(client):
    talk = TalkFactory()
    url = reverse("syndication:talk-calendar", args=[talk.slug])
    before = parse(client.get(url)).events[0]
    talk.venue = "A bigger room"
    talk.save()
    after = parse(client.get(url)).events[0]

    assert after["sequence"] > before["sequence"]
    assert str(after["uid"]) == str(before["uid"])


# --- Links on pages ---


def test_a_talk_page_links_google_calendar_with_utc_times(client, summer_talk):
    response = client.get(summer_talk.get_absolute_url())
    (link,) = [a for a in tags(response, "a") if a.get("href", "").startswith("https://calendar")]
    url = urlsplit(link["href"])
    query = parse_qs(url.query)

    assert url.netloc == "calendar.google.com"
    assert url.path == "/calendar/render"
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == [summer_talk.title]
    assert query["dates"] == [f"{SUMMER_START_UTC}/{SUMMER_END_UTC}"]
    assert query["details"] == [f"http://testserver{summer_talk.get_absolute_url()}"]
    assert query["location"] == [summer_talk.venue]


def test_a_talk_page_links_its_ics_file(client, summer_talk):
    response = client.get(summer_talk.get_absolute_url())
    ics_url = reverse("syndication:talk-calendar", args=[summer_talk.slug])

    assert len(tags(response, "a", href=ics_url)) == 1


@pytest.mark.parametrize("kind", ["tag", "series", "speaker"])
def test_tag_series_and_speaker_pages_offer_a_webcal_subscription(client, related, kind):
    owner, _ = related[kind]
    response = client.get(owner.get_absolute_url())
    calendar_path = reverse(f"syndication:{kind}-calendar", args=[owner.slug])

    assert len(tags(response, "a", href=f"webcal://testserver{calendar_path}")) == 1
    assert len(tags(response, "a", href=calendar_path)) == 1


@pytest.mark.parametrize("kind", ["tag", "series", "speaker"])
def test_their_pages_offer_google_calendar_and_the_address_to_copy(client, related, kind):
    owner, _ = related[kind]
    response = client.get(owner.get_absolute_url())
    path = reverse(f"syndication:{kind}-calendar", args=[owner.slug])
    address = f"http://testserver{path}"

    google = "https://calendar.google.com/calendar/render?cid=" + quote(
        f"webcal://testserver{path}", safe=""
    )
    assert len(tags(response, "a", href=google)) == 1
    assert [field["value"] for field in tags(response, "input", id="calendar-address")] == [address]
    assert len(tags(response, "button", **{"data-copy": "calendar-address"})) == 1
    assert len(tags(response, "script", src="/static/js/copy.js")) == 1


def test_every_page_offers_the_site_calendar(client):
    response = client.get(reverse("seminars:home"))
    calendar_path = reverse("syndication:calendar")

    assert len(tags(response, "a", href=f"webcal://testserver{calendar_path}")) == 1


# --- Queries stay constant however many talks a calendar holds ---

ROWS = pytest.mark.parametrize("rows", [1, 20])


def busy_talks(rows, speakers=(), tags=(), **shared):
    """`rows` upcoming talks, each with two speakers and two tags of its own."""
    for day in range(rows):
        TalkFactory(
            start=days_from_now(day + 1),
            speakers=[*speakers, SpeakerFactory(), SpeakerFactory()],
            tags=[*tags, TagFactory(), TagFactory()],
            **shared,
        )


@ROWS
def test_site_calendar_queries(client, django_assert_num_queries, rows):
    busy_talks(rows)
    # When the oldest talk leaves the window (the cached calendar's end of life);
    # talks with their series, their speakers, their tags.
    with django_assert_num_queries(4):
        response = client.get(reverse("syndication:calendar"))
    assert len(parse(response).events) == rows


@ROWS
@pytest.mark.parametrize("kind", ["tag", "series", "speaker"])
def test_tag_series_and_speaker_calendar_queries(client, django_assert_num_queries, rows, kind):
    owner = {"tag": TagFactory, "series": SeriesFactory, "speaker": SpeakerFactory}[kind]()
    shared = {
        "tag": {"tags": [owner]},
        "series": {"series": owner},
        "speaker": {"speakers": [owner]},
    }
    busy_talks(rows, **shared[kind])
    # When the oldest talk leaves the window (the cached calendar's end of life);
    # the tag, series or speaker; then talks with their series, speakers, tags.
    with django_assert_num_queries(5):
        response = client.get(reverse(f"syndication:{kind}-calendar", args=[owner.slug]))
    assert len(parse(response).events) == rows


@ROWS
def test_talk_calendar_queries(client, django_assert_num_queries, rows):
    talk = TalkFactory(
        speakers=SpeakerFactory.create_batch(rows), tags=TagFactory.create_batch(rows)
    )
    # The talk with its series, its speakers, its tags.
    with django_assert_num_queries(3):
        response = client.get(reverse("syndication:talk-calendar", args=[talk.slug]))
    assert len(parse(response).events) == 1
