"""The two-user leak sweep: nothing personal crosses between visitors through a cache.

Two signed-in users and an anonymous visitor take turns on every public page,
feed, calendar and API address, twice each so every cache is warm, and the
second time in the other order, so each has been served what another's visit
stored. No response may hold what belongs to someone else: a display name, an
email address, a time zone, a CSRF token, a held comment, whether a tag or
speaker is followed, whether a talk is saved. An organiser may see a held comment,
and its author's name, where they moderate it: on the talk's page.

The addresses are sampled per URL pattern of the public namespaces, and
`test_every_public_url_pattern_is_swept` fails for a new pattern until it is
sampled here (or listed as no public page, with the reason).
"""

import datetime
import hashlib
import html
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import SavedTalk
from seminars.models import Comment
from syndication.share_cards import share_card_path
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PUBLIC_NAMESPACES = ("seminars", "discussion", "syndication", "api")

# Patterns of those namespaces that are no public page a cache could share.
NOT_PUBLIC_PAGES = {
    "discussion:comment": "a redirect to the talk's page, which is swept",
    "discussion:comment-create": "POST only",
    "discussion:comment-preview": "POST only",
    "discussion:comment-reply": "a signed-in visitor's form, never cached",
    "discussion:comment-edit": "the author's form, never cached",
    "discussion:comment-delete": "the author's form, never cached",
    "discussion:comment-approve": "POST only",
    "discussion:comment-remove": "POST only",
    "discussion:comment-restore": "POST only",
    "api:api-root": "django-ninja's root, no endpoint of ours",
}

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def public_patterns(patterns=None, namespace="") -> set[str]:
    """Every named URL pattern of the public namespaces, as "namespace:name"."""
    found = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            found |= public_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace in PUBLIC_NAMESPACES:
            found.add(f"{namespace}:{entry.name}")
    return found


@pytest.fixture
def world():
    organiser = OrganiserFactory(
        display_name="Ottilie Organiser",
        email="ottilie.private@example.org",
        timezone="Europe/Berlin",
    )
    reader = UserFactory(
        display_name="Barnaby Reader",
        email="barnaby.private@example.org",
        timezone="Asia/Tokyo",
    )
    # Neither visitor's zone, so both get their own times next to the series'.
    series = OrganisedSeriesFactory(
        organisers=[organiser], slug="applied", timezone="America/Chicago"
    )
    speaker = SpeakerFactory(slug="ada")
    berlin_tag, tokyo_tag = TagFactory(slug="fluids"), TagFactory(slug="optics")
    talk = TalkFactory(
        series=series,
        slug="vortex-rings",
        title="Vortex rings",
        speakers=[speaker],
        tags=[berlin_tag, tokyo_tag],
    )
    past = TalkFactory(
        series=series,
        slug="older-rings",
        speakers=[speaker],
        tags=[berlin_tag],
        start=timezone.now() - datetime.timedelta(days=30),
    )
    CommentFactory(talk=talk, body="A published remark")
    held = CommentFactory(
        talk=talk, author=reader, body="Held remark awaiting moderation", status=Comment.Status.HELD
    )
    organiser.followed_tags.add(berlin_tag)
    reader.followed_tags.add(tokyo_tag)
    reader.followed_speakers.add(speaker)
    SavedTalk.objects.create(user=reader, talk=talk)
    return {
        "organiser": organiser,
        "reader": reader,
        "series": series,
        "speaker": speaker,
        "tags": (berlin_tag, tokyo_tag),
        "talk": talk,
        "past": past,
        "held": held,
    }


def sample_urls(world) -> dict[str, list[str]]:
    """Addresses to sweep, per URL pattern."""
    talk, past, series, speaker = world["talk"], world["past"], world["series"], world["speaker"]
    tag_slugs = [tag.slug for tag in world["tags"]]
    talk_list = reverse("seminars:talk-list")
    return {
        "seminars:home": [reverse("seminars:home")],
        "seminars:talk-list": [
            talk_list,
            f"{talk_list}?when=upcoming",
            f"{talk_list}?when=past",
            f"{talk_list}?when=past&page=1",
        ],
        "seminars:talk-archive": [
            reverse("seminars:talk-archive", args=[timezone.localtime(past.start).year])
        ],
        "seminars:tag-list": [reverse("seminars:tag-list")],
        "seminars:tag-detail": [reverse("seminars:tag-detail", args=[s]) for s in tag_slugs],
        "seminars:speaker-detail": [reverse("seminars:speaker-detail", args=[speaker.slug])],
        "seminars:series-list": [reverse("seminars:series-list")],
        "seminars:series-detail": [reverse("seminars:series-detail", args=[series.slug])],
        "seminars:search": [f"{reverse('seminars:search')}?q=rings"],
        "seminars:formatting-help": [reverse("seminars:formatting-help")],
        "discussion:talk-detail": [
            reverse("discussion:talk-detail", args=[talk.slug]),
            reverse("discussion:talk-detail", args=[talk.slug]) + "?page=1",
        ],
        "syndication:calendar": [reverse("syndication:calendar")],
        "syndication:tag-calendar": [
            reverse("syndication:tag-calendar", args=[s]) for s in tag_slugs
        ],
        "syndication:series-calendar": [reverse("syndication:series-calendar", args=[series.slug])],
        "syndication:speaker-calendar": [
            reverse("syndication:speaker-calendar", args=[speaker.slug])
        ],
        "syndication:talk-calendar": [reverse("syndication:talk-calendar", args=[talk.slug])],
        "syndication:talk-share-card": [share_card_path(talk)],
        "syndication:feed": [reverse("syndication:feed")],
        "syndication:tag-feed": [reverse("syndication:tag-feed", args=[s]) for s in tag_slugs],
        "syndication:series-feed": [reverse("syndication:series-feed", args=[series.slug])],
        "syndication:comment-feed": [reverse("syndication:comment-feed", args=[talk.slug])],
        "syndication:series-embed": [
            reverse("syndication:series-embed", args=[series.slug]),
            reverse("syndication:series-embed", args=[series.slug]) + "?past=1",
        ],
        "syndication:tag-embed": [reverse("syndication:tag-embed", args=[s]) for s in tag_slugs],
        "syndication:speaker-embed": [reverse("syndication:speaker-embed", args=[speaker.slug])],
        "syndication:sitemap": [reverse("syndication:sitemap")],
        "syndication:robots": [reverse("syndication:robots")],
        "api:openapi-json": [reverse("api:openapi-json")],
        "api:openapi-view": [reverse("api:openapi-view")],
        "api:talk-list": [reverse("api:talk-list")],
        "api:talk-detail": [reverse("api:talk-detail", args=[talk.slug])],
        "api:talk-comments": [reverse("api:talk-comments", args=[talk.slug])],
        "api:tag-list": [reverse("api:tag-list")],
        "api:series-list": [reverse("api:series-list")],
    }


def test_every_public_url_pattern_is_swept(world):
    sampled = set(sample_urls(world))
    missing = public_patterns() - sampled - set(NOT_PUBLIC_PAGES)
    assert not missing, f"URL patterns the leak sweep does not visit: {sorted(missing)}"
    gone = (sampled | set(NOT_PUBLIC_PAGES)) - public_patterns()
    assert not gone, f"Sampled patterns that no longer exist: {sorted(gone)}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_markers(user, followed_tag) -> set[str]:
    """What public pages show only `user` (beyond their CSRF tokens)."""
    return {
        user.display_name,
        # How talk_time labels a visitor's own zone.
        f'title="{user.timezone} time"',
        reverse("accounts:unfollow", args=["tag", followed_tag.slug]),
    }


def shows(text: str, marker: str) -> bool:
    # Feeds carry HTML escaped inside their XML.
    return marker in text or html.escape(marker) in text


def readable(response) -> str:
    """The text of a response; an image (a share card), whose text is pixels, as its digest
    (which must be the same for every visitor)."""
    if response["Content-Type"].startswith("image/"):
        return "image " + hashlib.sha256(response.content).hexdigest()
    return response.content.decode()


def test_no_visitor_is_shown_another_visitors_data(world):
    organiser, reader = world["organiser"], world["reader"]
    berlin_tag, tokyo_tag = world["tags"]
    visitors = {
        "organiser": signed_in(organiser),
        "reader": signed_in(reader),
        "anonymous": Client(),
    }
    urls = [url for samples in sample_urls(world).values() for url in samples]

    responses = []  # (visitor, url, text)
    for order in (("organiser", "anonymous", "reader"), ("reader", "anonymous", "organiser")):
        for url in urls:
            for visitor in order:
                response = visitors[visitor].get(url)
                assert response.status_code == 200, (visitor, url, response.status_code)
                responses.append((visitor, url, readable(response)))

    # Images cannot be searched for names: each is one picture for everyone.
    images = {(url, text) for _, url, text in responses if text.startswith("image ")}
    assert len(images) == len({url for url, _ in images}) > 0, images

    shown = {
        "organiser": shown_markers(organiser, berlin_tag),
        "reader": shown_markers(reader, tokyo_tag)
        | {
            world["held"].body,
            reverse("accounts:unfollow", args=["speaker", "ada"]),
            reverse("accounts:unsave-talk", args=[world["talk"].slug]),
        },
    }
    private = {visitor: set(markers) for visitor, markers in shown.items()}
    # And what no public page shows, not even to its owner, and each one's CSRF tokens.
    for visitor, user in (("organiser", organiser), ("reader", reader)):
        tokens = {
            t for who, url, text in responses if who == visitor for t in CSRF_FIELD.findall(text)
        }
        private[visitor] |= tokens | {user.email}

    # Where the organiser moderates the held comment, they see it and its author.
    talk_page = reverse("discussion:talk-detail", args=[world["talk"].slug])
    moderated = {reader.display_name, world["held"].body}
    # A series' page names its organisers, for everyone.
    series_page = reverse("seminars:series-detail", args=[world["series"].slug])

    leaks = []
    for visitor, url, text in responses:
        for owner, markers in private.items():
            if owner == visitor:
                continue
            if visitor == "organiser" and url.startswith(talk_page):
                markers = markers - moderated
            if owner == "organiser" and url == series_page:
                markers = markers - {organiser.display_name}
            leaks += [(visitor, url, owner, m) for m in markers if shows(text, m)]
    assert not leaks, leaks

    # The sweep saw what it looks for: each one's own data, on their own pages
    # (were it missing, they were served someone else's copy).
    for visitor, markers in shown.items():
        texts = "\n".join(text for who, url, text in responses if who == visitor)
        assert CSRF_FIELD.search(texts), visitor
        for marker in markers:
            assert marker in texts, (visitor, marker)
