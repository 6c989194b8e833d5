"""Talks that are live now: upcoming until they end, marked "Live now", and the talk
page's "Join online" states, driven by the clock (timezone.now set by each test),
on pages served from the page cache too."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seminars.models import Talk
from tests.factories import (
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
TICK = datetime.timedelta(microseconds=1)
START = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
END = START + HOUR
ONLINE = "https://meet.example.org/vortex"
RECORDING = "https://video.example.org/vortex"

# The pages that list upcoming talks, with where their past talks begin.
LISTS = {
    "/": 'id="recent-heading"',
    "/talks/": 'id="past-talks"',
    "/tags/fluids/": 'id="past-talks"',
    "/series/applied/": 'id="past-talks"',
    "/speakers/ada/": 'id="past-talks"',
}


def at(moment, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def talk():
    """A talk with an online link, and a past talk in the same lists (so they have a
    past section)."""
    series = SeriesFactory(name="Applied seminar", slug="applied")
    speaker = SpeakerFactory(name="Ada Okafor", slug="ada")
    tag = TagFactory(name="Fluids", slug="fluids")
    TalkFactory(
        title="Older rings",
        start=START - datetime.timedelta(days=30),
        series=series,
        speakers=[speaker],
        tags=[tag],
    )
    return TalkFactory(
        title="Vortex rings",
        slug="vortex-rings",
        start=START,
        end=END,
        online_url=ONLINE,
        recording_url=RECORDING,
        series=series,
        speakers=[speaker],
        tags=[tag],
    )


def page(client, url, cache=None) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    if cache is not None:
        assert response["X-Page-Cache"] == cache, url
    return response.content.decode()


def section(text: str, url: str) -> str:
    """Where "Vortex rings" is on a list page: "upcoming", "past" or "absent"."""
    if "Vortex rings" not in text:
        return "absent"
    past_begins = text.find(LISTS[url])
    upcoming = past_begins == -1 or text.index("Vortex rings") < past_begins
    return "upcoming" if upcoming else "past"


def api_slugs(client, when) -> list[str]:
    response = client.get(reverse("api:talk-list"), {"when": when} if when else {})
    return [item["slug"] for item in response.json()["items"]]


def test_a_talk_moves_from_upcoming_to_live_to_past_on_every_list(client, talk, monkeypatch):
    at(START - TICK, monkeypatch)
    for url in LISTS:
        text = page(client, url, cache="miss")
        assert section(text, url) == "upcoming" and "Live now" not in text, url
        page(client, url, cache="hit")
    assert "Vortex rings" in page(client, "/talks/?when=upcoming")
    assert "Vortex rings" not in page(client, "/talks/?when=past")

    # It starts: every stored list is outdated, and shows it live, still upcoming.
    at(START, monkeypatch)
    for url in LISTS:
        text = page(client, url, cache="miss")
        assert section(text, url) == "upcoming" and "Live now" in text, url
    upcoming = page(client, "/talks/?when=upcoming", cache="miss")
    assert "Vortex rings" in upcoming and "Live now" in upcoming
    assert "Vortex rings" not in page(client, "/talks/?when=past", cache="miss")
    assert api_slugs(client, "upcoming") == ["vortex-rings"]
    assert "vortex-rings" not in api_slugs(client, "past")
    assert api_slugs(client, None)[0] == "vortex-rings"

    # Late in the talk, the stored lists still hold.
    at(END - TICK, monkeypatch)
    for url in LISTS:
        assert "Live now" in page(client, url, cache="hit"), url

    # It ends: past everywhere, not live.
    at(END, monkeypatch)
    for url in LISTS:
        text = page(client, url, cache="miss")
        assert section(text, url) == "past" and "Live now" not in text, url
    assert "Vortex rings" not in page(client, "/talks/?when=upcoming", cache="miss")
    assert "Vortex rings" in page(client, "/talks/?when=past", cache="miss")
    assert api_slugs(client, "upcoming") == []
    assert api_slugs(client, "past")[0] == "vortex-rings"


def test_signed_in_visitors_cards_change_when_a_talk_starts_and_ends(talk, monkeypatch):
    """Their cards are a shared public fragment: it is outdated at the start and end too."""
    member = Client()
    member.force_login(UserFactory())
    at(START - TICK, monkeypatch)
    for url in LISTS:
        assert "Live now" not in page(member, url), url
    at(START, monkeypatch)
    for url in LISTS:
        assert "Live now" in page(member, url), url
    at(END, monkeypatch)
    for url in LISTS:
        text = page(member, url)
        assert section(text, url) == "past" and "Live now" not in text, url


def test_the_talk_page_opens_its_join_window_then_goes_live_then_ends(
    client, talk, settings, monkeypatch
):
    settings.JOIN_WINDOW_MINUTES = 15
    url = talk.get_absolute_url()
    window = START - datetime.timedelta(minutes=15)

    at(window - TICK, monkeypatch)
    before = page(client, url, cache="miss")
    assert "Join online (opens 15 minutes before)" in before
    assert "Join now" not in before and "Live now" not in before
    page(client, url, cache="hit")

    at(window, monkeypatch)
    opened = page(client, url, cache="miss")
    assert "Join now" in opened and f'href="{ONLINE}"' in opened
    assert "opens 15 minutes before" not in opened and "Live now" not in opened
    page(client, url, cache="hit")

    at(START, monkeypatch)
    live = page(client, url, cache="miss")
    assert "Live now" in live and "Join now" in live

    at(END, monkeypatch)
    over = page(client, url, cache="miss")
    assert "Join now" not in over and "Live now" not in over and "Join online" not in over
    assert f'href="{ONLINE}"' not in over and f'href="{RECORDING}"' in over
    # Over for good: the page keeps until something else changes it.
    at(END + datetime.timedelta(days=400), monkeypatch)
    page(client, url, cache="hit")


def test_the_join_window_is_a_setting(client, talk, settings, monkeypatch):
    settings.JOIN_WINDOW_MINUTES = 60
    at(START - datetime.timedelta(minutes=61), monkeypatch)
    assert "Join online (opens 60 minutes before)" in page(client, talk.get_absolute_url())
    at(START - datetime.timedelta(minutes=59), monkeypatch)
    assert "Join now" in page(client, talk.get_absolute_url())


def test_a_join_window_of_zero_opens_at_the_start(client, talk, settings, monkeypatch):
    settings.JOIN_WINDOW_MINUTES = 0
    at(START - TICK, monkeypatch)
    assert "Join online (opens when the talk starts)" in page(client, talk.get_absolute_url())
    at(START, monkeypatch)
    assert "Join now" in page(client, talk.get_absolute_url())


def test_a_cancelled_talk_is_never_live_nor_joined(client, talk, monkeypatch):
    Talk.objects.filter(pk=talk.pk).update(status=Talk.Status.CANCELLED)
    at(START, monkeypatch)
    text = page(client, talk.get_absolute_url())
    assert "Live now" not in text and "Join now" not in text
    assert "Live now" not in page(client, "/talks/")


def test_upcoming_and_past_querysets_split_at_the_end(talk):
    public = Talk.objects.public()
    assert list(public.upcoming(START + HOUR / 2)) == [talk]
    assert talk not in public.past(START + HOUR / 2)
    assert list(public.upcoming(END)) == []
    assert list(public.past(END))[0] == talk
