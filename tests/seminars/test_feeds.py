"""Atom feeds, read back with an XML parser, and the <link rel="alternate"> pointing to them."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from seminars.models import Talk
from syndication.feeds import FEED_LENGTH
from tests.factories import (
    CommentFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    soft_delete,
)
from tests.html import link_hrefs

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_TYPE = "application/atom+xml"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ATOM_TYPE)
    root = ET.fromstring(response.content)  # noqa: S314 (our own test response)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(response) -> list[ET.Element]:
    return parse(response).findall(f"{ATOM}entry")


def entry_links(response) -> list[str]:
    return [entry.find(f"{ATOM}link").get("href") for entry in entries(response)]


def absolute(obj) -> str:
    return f"http://testserver{obj.get_absolute_url()}"


def test_the_site_feed_lists_public_talks_newest_announced_first(client):
    first = TalkFactory()
    cancelled = TalkFactory(status=Talk.Status.CANCELLED)
    TalkFactory(status=Talk.Status.DRAFT)
    last = TalkFactory(start=timezone.now() - datetime.timedelta(days=90))

    links = entry_links(client.get(reverse("syndication:feed")))

    assert links == [absolute(last), absolute(cancelled), absolute(first)]


def test_the_site_feed_is_bounded(client):
    talks = TalkFactory.create_batch(FEED_LENGTH + 1)

    links = entry_links(client.get(reverse("syndication:feed")))

    assert len(links) == FEED_LENGTH
    assert absolute(talks[0]) not in links
    assert absolute(talks[-1]) in links


def test_an_entry_describes_its_talk(client):
    talk = TalkFactory(
        title="Fluids & <b>vortices</b>",
        abstract="Ideas about <script>alert(1)</script> flows.",
        venue="Room 5",
        speakers=[SpeakerFactory(name="Emmy Noether"), SpeakerFactory(name="Alan Turing")],
        tags=[TagFactory(name="Fluids")],
    )
    (entry,) = entries(client.get(reverse("syndication:feed")))
    summary = entry.find(f"{ATOM}summary")

    assert entry.find(f"{ATOM}title").text == "Fluids & <b>vortices</b>"
    assert entry.find(f"{ATOM}id").text == absolute(talk)
    assert datetime.datetime.fromisoformat(entry.find(f"{ATOM}published").text) == talk.created
    assert datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text) == talk.updated
    # Speakers in the talk's order, as on the talk page.
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Emmy Noether, Alan Turing"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Fluids"]
    assert summary.get("type") == "html"
    assert "Room 5" in summary.text
    assert "flows" in summary.text
    # The summary is HTML: the abstract's markup arrives escaped, never as a live element.
    assert "<script" not in summary.text


def test_a_cancelled_talk_says_so_in_its_title(client):
    TalkFactory(title="Rescheduled", status=Talk.Status.CANCELLED)
    (entry,) = entries(client.get(reverse("syndication:feed")))

    assert "Cancelled" in entry.find(f"{ATOM}title").text
    assert "Rescheduled" in entry.find(f"{ATOM}title").text


def test_a_tag_feed_lists_only_that_tags_public_talks(client):
    tag = TagFactory(name="Machine learning")
    tagged = TalkFactory(tags=[tag])
    TalkFactory(tags=[tag], status=Talk.Status.DRAFT)
    TalkFactory(tags=[TagFactory()])
    response = client.get(reverse("syndication:tag-feed", args=[tag.slug]))

    assert entry_links(response) == [absolute(tagged)]
    assert parse(response).find(f"{ATOM}title").text == "Machine learning · Seminar portal"


def test_a_series_feed_lists_only_that_series_public_talks(client):
    series = SeriesFactory(name="Analysis Seminar")
    in_series = TalkFactory(series=series)
    TalkFactory(series=series, status=Talk.Status.DRAFT)
    TalkFactory()
    response = client.get(reverse("syndication:series-feed", args=[series.slug]))

    assert entry_links(response) == [absolute(in_series)]
    assert parse(response).find(f"{ATOM}title").text == "Analysis Seminar · Seminar portal"


def test_the_comment_feed_lists_public_comments_only(client):
    talk = TalkFactory()
    kept = CommentFactory(talk=talk, body="Great talk & slides")
    removed = CommentFactory(talk=talk, body="Spam that was removed")
    soft_delete(removed, by=removed.author)
    CommentFactory(body="On another talk")

    response = client.get(reverse("syndication:comment-feed", args=[talk.slug]))
    (entry,) = entries(response)

    assert entry.find(f"{ATOM}link").get("href") == absolute(kept)
    assert "Great talk &amp; slides" in entry.find(f"{ATOM}summary").text
    assert b"Spam that was removed" not in response.content
    assert b"On another talk" not in response.content


def test_the_comment_feed_names_authors_without_their_email(client):
    comment = CommentFactory()
    response = client.get(reverse("syndication:comment-feed", args=[comment.talk.slug]))
    (entry,) = entries(response)

    assert entry.find(f"{ATOM}author/{ATOM}name").text == comment.author.public_name
    assert comment.author.email.encode() not in response.content


def test_the_comment_feed_is_bounded_and_newest_first(client):
    talk = TalkFactory()
    comments = CommentFactory.create_batch(FEED_LENGTH + 1, talk=talk)

    links = entry_links(client.get(reverse("syndication:comment-feed", args=[talk.slug])))

    assert len(links) == FEED_LENGTH
    assert links[0] == absolute(comments[-1])
    assert absolute(comments[0]) not in links


def test_a_draft_talk_has_no_comment_feed(client):
    talk = TalkFactory(status=Talk.Status.DRAFT)
    CommentFactory(talk=talk)

    assert client.get(reverse("syndication:comment-feed", args=[talk.slug])).status_code == 404


@pytest.mark.parametrize("name", ["tag-feed", "series-feed", "comment-feed"])
def test_an_unknown_slug_gives_404(client, name):
    assert client.get(reverse(f"syndication:{name}", args=["no-such-thing"])).status_code == 404


# --- <link rel="alternate"> in page heads ---


def atom_links(response) -> list[str]:
    assert response.status_code == 200
    return link_hrefs(response, "alternate", ATOM_TYPE)


def test_every_page_head_links_the_site_feed(client):
    response = client.get(reverse("seminars:talk-list"))

    assert atom_links(response) == [reverse("syndication:feed")]


def test_a_tag_page_head_links_its_feed(client):
    tag = TagFactory()
    TalkFactory(tags=[tag])

    assert reverse("syndication:tag-feed", args=[tag.slug]) in atom_links(
        client.get(tag.get_absolute_url())
    )


def test_a_series_page_head_links_its_feed(client):
    series = SeriesFactory()
    response = client.get(series.get_absolute_url())

    assert reverse("syndication:series-feed", args=[series.slug]) in atom_links(response)


def test_a_talk_page_head_links_its_comment_feed(client):
    talk = TalkFactory()
    response = client.get(talk.get_absolute_url())

    assert reverse("syndication:comment-feed", args=[talk.slug]) in atom_links(response)


# --- Queries stay constant however many entries a feed holds ---

ROWS = pytest.mark.parametrize("rows", [1, 20])


def busy_talks(rows, **shared):
    """`rows` talks, each with two speakers and two tags of its own."""
    tags = shared.pop("tags", [])
    for _ in range(rows):
        TalkFactory(
            speakers=[SpeakerFactory(), SpeakerFactory()],
            tags=[*tags, TagFactory(), TagFactory()],
            **shared,
        )


@ROWS
def test_site_feed_queries(client, django_assert_num_queries, rows):
    busy_talks(rows)
    # Talks with their series, their speakers, their tags.
    with django_assert_num_queries(3):
        response = client.get(reverse("syndication:feed"))
    assert len(entries(response)) == rows


@ROWS
def test_tag_feed_queries(client, django_assert_num_queries, rows):
    tag = TagFactory()
    busy_talks(rows, tags=[tag])
    # The tag; then talks with their series, their speakers, their tags.
    with django_assert_num_queries(4):
        response = client.get(reverse("syndication:tag-feed", args=[tag.slug]))
    assert len(entries(response)) == rows


@ROWS
def test_series_feed_queries(client, django_assert_num_queries, rows):
    series = SeriesFactory()
    busy_talks(rows, series=series)
    # The series; then talks with their series, their speakers, their tags.
    with django_assert_num_queries(4):
        response = client.get(reverse("syndication:series-feed", args=[series.slug]))
    assert len(entries(response)) == rows


@ROWS
def test_comment_feed_queries(client, django_assert_num_queries, rows):
    talk = TalkFactory()
    CommentFactory.create_batch(rows, talk=talk)
    # The talk; then its comments with their authors.
    with django_assert_num_queries(2):
        response = client.get(reverse("syndication:comment-feed", args=[talk.slug]))
    assert len(entries(response)) == rows


def test_feed_titles_read_as_the_pages_titles(client):
    tag, series = TagFactory(name="Machine learning"), SeriesFactory(name="Analysis Seminar")
    talk = TalkFactory(title="Vortex rings", tags=[tag], series=series)
    titles = {
        reverse("syndication:feed"): "New talks · Seminar portal",
        reverse("syndication:tag-feed", args=[tag.slug]): "Machine learning · Seminar portal",
        reverse("syndication:series-feed", args=[series.slug]): "Analysis Seminar · Seminar portal",
        reverse("syndication:comment-feed", args=[talk.slug]): (
            "Comments on Vortex rings · Seminar portal"
        ),
    }
    for url, title in titles.items():
        assert parse(client.get(url)).find(f"{ATOM}title").text == title
