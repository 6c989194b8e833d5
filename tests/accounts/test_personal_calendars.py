"""Personal calendars: secret links made, revoked and regenerated on /accounts/calendars/,
and the calendars they serve, read back through the `icalendar` package."""

import datetime
import hashlib
import re

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.calendars import MAX_LINKS, record_fetch
from accounts.models import CalendarLink, SavedTalk
from accounts.views import delete_user
from seminars.models import Talk
from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory, UserFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LINKS = reverse("accounts:calendars")


def member(user=None, csrf_checks=False) -> Client:
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(user or UserFactory())
    return client


def create_link(client, label="work laptop", alarm=0) -> str:
    """Make a link; its address, read from the page as the user would copy it."""
    response = client.post(LINKS, {"label": label, "alarm_minutes": alarm})
    assert response.status_code == 200
    [field] = parse(response.content.decode()).find_all("input", id="calendar-address")
    return field.attrs["value"]


def path_of(address: str) -> str:
    return address.removeprefix("http://testserver")


def fetch(address, client=None, **headers):
    return (client or Client()).get(path_of(address), headers=headers)


def events(address) -> dict[str, icalendar.Event]:
    """The calendar's events by summary."""
    response = fetch(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def client_of(user):
    return member(user)


# Making, showing, revoking and regenerating links


def test_a_new_link_is_shown_once_and_stored_only_hashed(client_of, user):
    address = create_link(client_of, label="work laptop")

    token = re.fullmatch(r"http://testserver/calendars/([A-Za-z0-9_-]{43})\.ics", address)[1]
    link = CalendarLink.objects.get(user=user)
    assert link.label == "work laptop"
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(CalendarLink.objects.values_list()))
    page = client_of.get(LINKS).content.decode()
    assert "work laptop" in page and token not in page
    assert fetch(address).status_code == 200


def test_the_new_link_page_offers_webcal_google_and_a_copy_button(client_of):
    response = client_of.post(LINKS, {"label": "phone", "alarm_minutes": 0})
    document = parse(response.content.decode())
    address = document.find_all("input", id="calendar-address")[0].attrs["value"]
    hrefs = [a.attrs.get("href") for a in document.iter("a")]
    assert "webcal://" + address.removeprefix("http://") in hrefs
    google = [h for h in hrefs if h and h.startswith("https://calendar.google.com/")]
    assert google and "webcal%3A%2F%2Ftestserver%2Fcalendars%2F" in google[0]
    assert document.find_all("button", **{"data-copy": "calendar-address"})
    assert "/static/js/copy.js" in [s.attrs.get("src") for s in document.iter("script")]
    assert response["Cache-Control"].count("no-store") == 1


def test_revoking_answers_404_at_once(client_of, user):
    address = create_link(client_of)
    assert fetch(address).status_code == 200
    link = CalendarLink.objects.get(user=user)

    response = client_of.post(reverse("accounts:calendar-revoke", args=[link.pk]))

    assert response.status_code == 302 and response["Location"] == LINKS
    assert fetch(address).status_code == 404
    assert not CalendarLink.objects.exists()


def test_regenerating_gives_a_new_address_and_the_old_one_stops(client_of, user):
    old = create_link(client_of, alarm=30)
    link = CalendarLink.objects.get(user=user)

    response = client_of.post(reverse("accounts:calendar-regenerate", args=[link.pk]))

    [field] = parse(response.content.decode()).find_all("input", id="calendar-address")
    new = field.attrs["value"]
    assert new != old
    assert fetch(old).status_code == 404 and fetch(new).status_code == 200
    link.refresh_from_db()
    assert (link.label, link.alarm_minutes) == ("work laptop", 30)


def test_nobody_revokes_or_regenerates_anothers_link(user, client_of):
    address = create_link(client_of, label="Desk in room 4")
    link = CalendarLink.objects.get(user=user)
    intruder = member()
    for name in ("accounts:calendar-revoke", "accounts:calendar-regenerate"):
        assert intruder.post(reverse(name, args=[link.pk])).status_code == 404
    assert fetch(address).status_code == 200
    assert "Desk in room 4" not in intruder.get(LINKS).content.decode()


@pytest.mark.parametrize("action", ["create", "revoke", "regenerate"])
def test_every_change_needs_the_csrf_token(user, action):
    address = create_link(member(user))
    link = CalendarLink.objects.get(user=user)
    strict = member(user, csrf_checks=True)
    urls = {
        "create": LINKS,
        "revoke": reverse("accounts:calendar-revoke", args=[link.pk]),
        "regenerate": reverse("accounts:calendar-regenerate", args=[link.pk]),
    }
    response = strict.post(urls[action], {"label": "phone", "alarm_minutes": 0})
    assert response.status_code == 403
    assert list(CalendarLink.objects.values_list("token_hash", flat=True)) == [link.token_hash]
    assert fetch(address).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"label": "   ", "alarm_minutes": 0},
        {"label": "x" * 101, "alarm_minutes": 0},
        {"label": "phone", "alarm_minutes": 7},
        {"label": "phone", "alarm_minutes": "soon"},
        {"label": "phone"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(client_of, data):
    response = client_of.post(LINKS, data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert 'id="calendar-address"' not in response.content.decode()
    assert not CalendarLink.objects.exists()


def test_a_user_has_at_most_so_many_links(client_of, user):
    for number in range(MAX_LINKS):
        CalendarLink.objects.create(user=user, label=f"device {number}", token_hash=f"{number}")
    response = client_of.post(LINKS, {"label": "one more", "alarm_minutes": 0})
    assert response.status_code == 400
    assert "revoke one first" in response.content.decode()
    assert CalendarLink.objects.count() == MAX_LINKS


def test_deleting_the_account_deletes_its_links(client_of, user):
    address = create_link(client_of)
    delete_user(user)
    assert not CalendarLink.objects.exists()
    assert fetch(address).status_code == 404


def test_a_deactivated_users_links_stop(client_of, user):
    address = create_link(client_of)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert fetch(address).status_code == 404


@pytest.mark.parametrize("token", ["nope", "a" * 43, "x" * 2000])
def test_unknown_tokens_are_not_found(token):
    assert Client().get(reverse("calendars:personal", args=[token])).status_code == 404


# What a calendar holds


def test_it_holds_saved_talks_and_what_the_user_follows_and_nothing_else(client_of, user):
    now = timezone.now()
    tag, series, speaker = TagFactory(), SeriesFactory(), SpeakerFactory()
    user.followed_tags.add(tag)
    user.followed_series.add(series)
    user.followed_speakers.add(speaker)
    saved = TalkFactory(title="Saved")
    recent = TalkFactory(title="Saved last week", start=now - 7 * DAY)
    too_old = TalkFactory(title="Saved long ago", start=now - 40 * DAY)
    drafted = TalkFactory(title="Saved then drafted")
    for talk in (saved, recent, too_old, drafted):
        SavedTalk.objects.create(user=user, talk=talk)
    Talk.objects.filter(pk=drafted.pk).update(status=Talk.Status.DRAFT)
    TalkFactory(title="By tag", tags=[tag, TagFactory()])
    TalkFactory(title="In series", series=series)
    TalkFactory(title="By speaker", speakers=[speaker])
    TalkFactory(title="Draft in series", series=series, status=Talk.Status.DRAFT)
    TalkFactory(title="Unrelated")
    # Someone else's saves and follows are theirs.
    other = UserFactory()
    SavedTalk.objects.create(user=other, talk=TalkFactory(title="Another's saved"))
    other.followed_tags.add(TagFactory())
    TalkFactory(title="Followed by another", tags=list(other.followed_tags.all()))

    found = events(create_link(client_of))

    assert set(found) == {"Saved", "Saved last week", "By tag", "In series", "By speaker"}
    for talk in Talk.objects.filter(title__in=found):
        assert str(found[talk.title]["UID"]) == f"talk-{talk.pk}@{settings.CALENDAR_UID_DOMAIN}"


def test_one_users_address_never_gives_anothers_talks():
    alice, bob = UserFactory(), UserFactory()
    SavedTalk.objects.create(user=alice, talk=TalkFactory(title="Alice's"))
    SavedTalk.objects.create(user=bob, talk=TalkFactory(title="Bob's"))
    alice_address, bob_address = create_link(member(alice)), create_link(member(bob))

    assert set(events(alice_address)) == {"Alice's"}
    assert set(events(bob_address)) == {"Bob's"}
    # Bob's session does not change what Alice's address holds.
    assert "Bob's" not in fetch(alice_address, member(bob)).content.decode()


def test_a_rescheduled_talk_keeps_its_uid_with_a_higher_sequence(client_of, user):
    talk = TalkFactory(title="Vortex rings")
    SavedTalk.objects.create(user=user, talk=talk)
    address = create_link(client_of)
    before = events(address)["Vortex rings"]

    talk.start += DAY
    talk.end += DAY
    talk.save()

    after = events(address)["Vortex rings"]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + DAY


def test_a_cancelled_talk_is_sent_cancelled(client_of, user):
    talk = TalkFactory(title="Vortex rings")
    SavedTalk.objects.create(user=user, talk=talk)
    address = create_link(client_of, alarm=30)
    sequence = events(address)["Vortex rings"]["SEQUENCE"]

    talk.status = Talk.Status.CANCELLED
    talk.save()

    event = events(address)["Cancelled: Vortex rings"]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == sequence + 1
    # No reminder for a talk that will not happen.
    assert not event.walk("VALARM")


@pytest.mark.parametrize("minutes", [10, 30, 60, 24 * 60])
def test_each_event_has_the_links_alarm(client_of, user, minutes):
    SavedTalk.objects.create(user=user, talk=TalkFactory(title="Vortex rings"))
    event = events(create_link(client_of, alarm=minutes))["Vortex rings"]
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(minutes=minutes)
    assert alarm["ACTION"] == "DISPLAY"


def test_no_alarm_means_no_valarm(client_of, user):
    SavedTalk.objects.create(user=user, talk=TalkFactory(title="Vortex rings"))
    assert not events(create_link(client_of))["Vortex rings"].walk("VALARM")


# Caching and fetch records


def test_etag_and_304_and_never_the_shared_page_cache(client_of, user):
    SavedTalk.objects.create(user=user, talk=TalkFactory(title="Vortex rings"))
    address = create_link(client_of)
    first = fetch(address)
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "X-Page-Cache" not in first
    assert fetch(address, **{"If-None-Match": first["ETag"]}).status_code == 304

    TalkFactory(title="Unsaved")  # a change to public data: the page cache would notice
    SavedTalk.objects.filter(user=user).delete()  # the owner's change: no page version moves

    assert fetch(address, **{"If-None-Match": first["ETag"]}).status_code == 200
    assert events(address) == {}


def test_last_fetched_is_recorded_at_most_once_a_minute(client_of, user, monkeypatch):
    address = create_link(client_of)
    link = CalendarLink.objects.get(user=user)
    assert link.last_fetched is None
    assert "never" in client_of.get(LINKS).content.decode()

    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    fetch(address)
    link.refresh_from_db()
    assert link.last_fetched == moment

    monkeypatch.setattr(timezone, "now", lambda: moment + datetime.timedelta(seconds=59))
    fetch(address)
    link.refresh_from_db()
    assert link.last_fetched == moment

    later = moment + datetime.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    fetch(address)
    link.refresh_from_db()
    assert link.last_fetched == later


def test_of_two_fetches_at_once_one_records_it(user):
    """Both read the link before either wrote: the second finds it recorded and writes nothing."""
    link = CalendarLink.objects.create(user=user, label="phone", token_hash="0" * 64)
    moment = timezone.now()
    record_fetch(CalendarLink.objects.get(pk=link.pk), moment)
    record_fetch(link, moment + datetime.timedelta(seconds=1))
    link.refresh_from_db()
    assert link.last_fetched == moment


@pytest.mark.parametrize("rows", [1, 20])
def test_calendar_query_count(client_of, user, rows, django_assert_num_queries):
    tag = TagFactory()
    user.followed_tags.add(tag)
    for day in range(rows):
        start = timezone.now() + day * DAY
        saved = TalkFactory(start=start, speakers=[SpeakerFactory()], tags=[TagFactory()])
        SavedTalk.objects.create(user=user, talk=saved)
        TalkFactory(start=start, series=SeriesFactory(), tags=[tag], speakers=[SpeakerFactory()])
    address = create_link(client_of)
    fetch(address)
    # The link with its user; the talks with their series; their speakers; their tags.
    # (The fetch was recorded a moment ago: no write.)
    with django_assert_num_queries(4):
        assert len(events(address)) == 2 * rows


@pytest.mark.parametrize("rows", [1, 20])
def test_links_page_query_count(client_of, user, rows, django_assert_num_queries):
    for number in range(rows):
        CalendarLink.objects.create(user=user, label=f"device {number}", token_hash=f"{number}")
    # The session, the user; the links.
    with django_assert_num_queries(3):
        response = client_of.get(LINKS)
    assert response.content.decode().count("Revoke") >= rows
