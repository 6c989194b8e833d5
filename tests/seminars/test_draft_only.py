"""What only draft talks use is not public, until a public talk uses it.

A speaker or tag attached only to drafts gets a 404 for its page, calendar and
feed, and is absent from the tag list, the home page's tag cloud, the API, the
sitemap and search.
"""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from seminars.models import Speaker, Tag, Talk
from tests.factories import SpeakerFactory, TagFactory, TalkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_tag():
    return TagFactory(name="Unannounced topic", slug="unannounced-topic")


@pytest.fixture
def secret_speaker():
    return SpeakerFactory(name="Unannounced Speaker", slug="unannounced-speaker")


@pytest.fixture
def draft(secret_tag, secret_speaker):
    # A public talk too, so lists are not empty for a trivial reason.
    TalkFactory(title="Public talk", tags=[TagFactory()], speakers=[SpeakerFactory()])
    return TalkFactory(
        title="Draft talk",
        status=Talk.Status.DRAFT,
        tags=[secret_tag],
        speakers=[secret_speaker],
    )


def publish(talk):
    talk.status = Talk.Status.PUBLISHED
    talk.save()


DETAIL_PAGES = [
    ("seminars:tag-detail", "tag"),
    ("seminars:speaker-detail", "speaker"),
    ("syndication:tag-calendar", "tag"),
    ("syndication:speaker-calendar", "speaker"),
    ("syndication:tag-feed", "tag"),
]


@pytest.mark.parametrize(("name", "kind"), DETAIL_PAGES)
def test_a_draft_only_speakers_or_tags_pages_are_not_found(
    client, draft, secret_tag, secret_speaker, name, kind
):
    slug = (secret_tag if kind == "tag" else secret_speaker).slug
    assert client.get(reverse(name, args=[slug])).status_code == 404


@pytest.mark.parametrize(("name", "kind"), DETAIL_PAGES)
def test_they_are_found_once_a_public_talk_uses_them(
    client, draft, secret_tag, secret_speaker, name, kind
):
    publish(draft)
    slug = (secret_tag if kind == "tag" else secret_speaker).slug
    assert client.get(reverse(name, args=[slug])).status_code == 200


def test_the_tag_list_and_cloud_leave_out_draft_only_tags(client, draft, secret_tag):
    assertNotContains(client.get(reverse("seminars:tag-list")), secret_tag.name)
    assertNotContains(client.get(reverse("seminars:home")), secret_tag.name)
    publish(draft)
    assertContains(client.get(reverse("seminars:tag-list")), secret_tag.name)


def test_the_api_leaves_out_draft_only_tags(client, draft, secret_tag):
    slugs = [tag["slug"] for tag in client.get(reverse("api:tag-list")).json()["items"]]
    assert secret_tag.slug not in slugs
    assert len(slugs) == 1


def test_the_api_speaker_filter_says_nothing_of_draft_only_speakers(client, draft, secret_speaker):
    known = client.get(reverse("api:talk-list"), {"speaker": secret_speaker.slug})
    unknown = client.get(reverse("api:talk-list"), {"speaker": "no-such-speaker"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.json()["count"] == 0


def test_the_sitemap_leaves_out_draft_only_speakers_and_tags(
    client, draft, secret_tag, secret_speaker
):
    response = client.get(reverse("syndication:sitemap"))
    assertNotContains(response, secret_tag.get_absolute_url())
    assertNotContains(response, secret_speaker.get_absolute_url())
    publish(draft)
    response = client.get(reverse("syndication:sitemap"))
    assertContains(response, secret_tag.get_absolute_url(), count=1)
    assertContains(response, secret_speaker.get_absolute_url(), count=1)


def test_search_does_not_find_drafts_by_their_speakers_or_tags(client, draft):
    for words in ["Unannounced", "Unannounced topic", "Unannounced Speaker"]:
        response = client.get(reverse("seminars:search"), {"q": words})
        assertContains(response, "0 talks found")
        assertNotContains(response, "Draft talk")


def test_public_is_each_row_once(draft, secret_tag):
    # Two public talks with the same tag: no duplicate from a join.
    TalkFactory(tags=[secret_tag])
    TalkFactory(tags=[secret_tag])
    assert list(Tag.objects.public().filter(pk=secret_tag.pk)) == [secret_tag]
    assert Speaker.objects.public().count() == 1
