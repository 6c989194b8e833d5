"""The read-only JSON API: what each endpoint returns, its filters, and what it never shows."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from seminars.models import Comment, Talk
from syndication.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, TALK_DETAIL_COMMENTS
from tests.factories import (
    CommentFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def get_json(client, name, *args, **params):
    response = client.get(reverse(f"api:{name}", args=args), params)
    assert response["Content-Type"].startswith("application/json")
    return response


def talk_slugs(client, **params):
    response = get_json(client, "talk-list", **params)
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["items"]]


def same_instant(text, expected):
    """JSON times carry milliseconds (Django's encoder), so compare to the millisecond."""
    instant = datetime.datetime.fromisoformat(text)
    return abs(instant - expected) < datetime.timedelta(milliseconds=1)


def is_utc(text):
    return datetime.datetime.fromisoformat(text).utcoffset() == datetime.timedelta(0)


# /api/talks


def test_talk_list_shows_published_and_cancelled_talks_but_never_drafts(client):
    published = TalkFactory(status=Talk.Status.PUBLISHED)
    cancelled = TalkFactory(status=Talk.Status.CANCELLED)
    draft = TalkFactory(status=Talk.Status.DRAFT)

    slugs = talk_slugs(client)

    assert sorted(slugs) == sorted([published.slug, cancelled.slug])
    assert draft.slug not in slugs


def test_talk_list_item_describes_the_talk(client):
    series = SeriesFactory(timezone="America/New_York")
    speaker = SpeakerFactory(
        name="Ada Okafor", affiliation="Northgate", homepage="https://ada.example"
    )
    tag = TagFactory(name="Fluids")
    talk = TalkFactory(
        series=series,
        speakers=[speaker],
        tags=[tag],
        status=Talk.Status.CANCELLED,
        venue="Room 1",
        online_url="https://meet.example/x",
        recording_url="https://video.example/x",
        slides_url="https://slides.example/x",
    )

    [item] = get_json(client, "talk-list").json()["items"]

    assert item["slug"] == talk.slug
    assert item["title"] == talk.title
    assert item["status"] == "cancelled"
    assert item["url"] == f"http://testserver{talk.get_absolute_url()}"
    assert item["timezone"] == "America/New_York"
    assert item["series"] == {
        "slug": series.slug,
        "name": series.name,
        "timezone": "America/New_York",
        "url": f"http://testserver{series.get_absolute_url()}",
    }
    assert item["speakers"] == [
        {
            "slug": speaker.slug,
            "name": "Ada Okafor",
            "affiliation": "Northgate",
            "homepage": "https://ada.example",
            "url": f"http://testserver{speaker.get_absolute_url()}",
        }
    ]
    assert item["tags"] == [
        {"slug": tag.slug, "name": "Fluids", "url": f"http://testserver{tag.get_absolute_url()}"}
    ]
    assert (item["venue"], item["online_url"], item["recording_url"], item["slides_url"]) == (
        "Room 1",
        "https://meet.example/x",
        "https://video.example/x",
        "https://slides.example/x",
    )


def test_talk_times_are_utc_whatever_the_series_zone(client):
    start = datetime.datetime(2031, 7, 1, 16, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    talk = TalkFactory(
        series=SeriesFactory(timezone="Asia/Tokyo"), start=start, end=start + 2 * DAY / 24
    )
    talk.refresh_from_db()

    [item] = get_json(client, "talk-list").json()["items"]

    for field, expected in [("start", talk.start), ("end", talk.end), ("updated", talk.updated)]:
        assert same_instant(item[field], expected), field
        assert is_utc(item[field]), field
    assert item["timezone"] == "Asia/Tokyo"


def test_talk_list_filters_by_tag_series_and_speaker(client):
    tag, speaker, series = TagFactory(), SpeakerFactory(), SeriesFactory()
    tagged = TalkFactory(tags=[tag, TagFactory()])
    by_speaker = TalkFactory(speakers=[speaker, SpeakerFactory()])
    in_series = TalkFactory(series=series)
    TalkFactory(status=Talk.Status.DRAFT, tags=[tag], speakers=[speaker], series=series)

    assert talk_slugs(client, tag=tag.slug) == [tagged.slug]
    assert talk_slugs(client, speaker=speaker.slug) == [by_speaker.slug]
    assert talk_slugs(client, series=series.slug) == [in_series.slug]


def test_talk_list_filters_combine(client):
    tag, series = TagFactory(), SeriesFactory()
    both = TalkFactory(tags=[tag], series=series)
    TalkFactory(tags=[tag])
    TalkFactory(series=series)

    assert talk_slugs(client, tag=tag.slug, series=series.slug) == [both.slug]


def test_unknown_filter_slugs_match_no_talks(client):
    TalkFactory(tags=[TagFactory()])

    for param in ("tag", "series", "speaker"):
        assert talk_slugs(client, **{param: "no-such-slug"}) == []


def test_when_splits_upcoming_and_past_and_orders_each(client):
    now = timezone.now()
    soon, later = TalkFactory(start=now + DAY), TalkFactory(start=now + 3 * DAY)
    recent, long_ago = TalkFactory(start=now - DAY), TalkFactory(start=now - 5 * DAY)

    assert talk_slugs(client, when="upcoming") == [soon.slug, later.slug]
    assert talk_slugs(client, when="past") == [recent.slug, long_ago.slug]
    assert talk_slugs(client) == [soon.slug, later.slug, recent.slug, long_ago.slug]


def test_updated_since_keeps_talks_changed_at_or_after_the_instant(client):
    cutoff = datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC)
    before, exactly, after = TalkFactory(), TalkFactory(), TalkFactory()
    Talk.objects.filter(pk=before.pk).update(updated=cutoff - datetime.timedelta(seconds=1))
    Talk.objects.filter(pk=exactly.pk).update(updated=cutoff)
    Talk.objects.filter(pk=after.pk).update(updated=cutoff + DAY)

    # The same instant written with another offset.
    in_paris = cutoff.astimezone(ZoneInfo("Europe/Paris")).isoformat()

    assert sorted(talk_slugs(client, updated_since=in_paris)) == sorted([exactly.slug, after.slug])


def test_talk_list_is_paginated_by_limit_and_offset(client):
    now = timezone.now()
    talks = [TalkFactory(start=now + n * DAY) for n in range(1, 6)]

    response = get_json(client, "talk-list", limit=2, offset=1)

    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert [item["slug"] for item in response.json()["items"]] == [t.slug for t in talks[1:3]]


def test_talk_list_default_page_size_and_largest_page(client):
    TalkFactory.create_batch(MAX_PAGE_SIZE + 1)

    assert len(talk_slugs(client)) == DEFAULT_PAGE_SIZE
    assert len(talk_slugs(client, limit=MAX_PAGE_SIZE)) == MAX_PAGE_SIZE


@pytest.mark.parametrize(
    ("params", "bad_parameter"),
    [
        ({"when": "soon"}, "when"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "1700000000"}, "updated_since"),  # a Unix time is not ISO 8601
        ({"updated_since": "2030-01-01T00:00:00"}, "updated_since"),  # no offset
        ({"updated_since": "0001-01-01T00:00:00+01:00"}, "updated_since"),  # before year 1 UTC
        ({"updated_since": "9999-12-31T23:00:00-05:00"}, "updated_since"),  # after 9999 UTC
        ({"tag": "not a slug"}, "tag"),
        ({"series": "nul\x00byte"}, "series"),
        ({"speaker": "x" * 201}, "speaker"),
        ({"limit": 0}, "limit"),
        ({"limit": MAX_PAGE_SIZE + 1}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
    ],
)
def test_invalid_filters_give_422_naming_the_parameter(client, params, bad_parameter):
    TalkFactory()

    response = get_json(client, "talk-list", **params)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", bad_parameter]
    assert error["msg"]


# /api/talks/{slug}


def test_talk_detail_has_abstract_and_public_comments_oldest_first(client):
    talk = TalkFactory(abstract="Waves with $\\omega$.")
    talk.refresh_from_db()
    later = CommentFactory(talk=talk, author=UserFactory(display_name="Tom"), body="Reply.")
    earlier = CommentFactory(talk=talk, author=UserFactory(display_name="Maria"), body="First!")
    # Saved second but dated first: the thread follows the dates, not the ids.
    Comment.objects.filter(pk=earlier.pk).update(created=later.created - DAY)
    earlier.refresh_from_db()

    response = get_json(client, "talk-detail", talk.slug)

    assert response.status_code == 200
    data = response.json()
    assert data["slug"] == talk.slug
    assert data["abstract"] == "Waves with $\\omega$."
    assert data["abstract_html"] == talk.abstract_html
    assert [(c["id"], c["author"], c["body"]) for c in data["comments"]] == [
        (earlier.pk, "Maria", "First!"),
        (later.pk, "Tom", "Reply."),
    ]
    assert same_instant(data["comments"][0]["created"], earlier.created)


def test_talk_detail_never_shows_removed_comments_or_emails(client):
    talk = TalkFactory()
    anonymous_author = UserFactory(display_name="", email="secret-author@example.org")
    visible = CommentFactory(talk=talk, author=anonymous_author, body="Still here")
    removed = CommentFactory(talk=talk, body="Moderated away")
    soft_delete(removed, by=removed.author)

    response = get_json(client, "talk-detail", talk.slug)

    assert [c["id"] for c in response.json()["comments"]] == [visible.pk]
    assert response.json()["comments"][0]["author"] == anonymous_author.public_name
    assert b"Moderated away" not in response.content
    assert b"@example.org" not in response.content
    assert anonymous_author.username.encode() not in response.content


def test_comment_text_comes_back_as_data_not_markup(client):
    talk = TalkFactory()
    CommentFactory(talk=talk, body='<script>alert("x")</script>')

    response = get_json(client, "talk-detail", talk.slug)

    assert response.json()["comments"][0]["body"] == '<script>alert("x")</script>'
    # Served as JSON that browsers may not sniff as HTML, so the markup never runs.
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_talk_detail_holds_the_first_comments_and_the_comments_endpoint_all(client):
    talk = TalkFactory()
    comments = CommentFactory.create_batch(TALK_DETAIL_COMMENTS + 1, talk=talk)
    CommentFactory(talk=talk, status=Comment.Status.HELD)
    soft_delete(CommentFactory(talk=talk), by=None)

    detail = get_json(client, "talk-detail", talk.slug).json()
    first = get_json(client, "talk-comments", talk.slug, limit=MAX_PAGE_SIZE).json()
    rest = get_json(client, "talk-comments", talk.slug, offset=MAX_PAGE_SIZE).json()

    assert [c["id"] for c in detail["comments"]] == [c.pk for c in comments[:-1]]
    assert first["count"] == TALK_DETAIL_COMMENTS + 1
    assert [c["id"] for c in first["items"] + rest["items"]] == [c.pk for c in comments]


def test_comments_of_a_draft_or_unknown_talk_are_404(client):
    draft = TalkFactory(status=Talk.Status.DRAFT)
    CommentFactory(talk=draft)

    for slug in (draft.slug, "no-such-talk"):
        assert get_json(client, "talk-comments", slug).status_code == 404


def test_cancelled_talk_detail_is_public_and_marked(client):
    talk = TalkFactory(status=Talk.Status.CANCELLED)

    response = get_json(client, "talk-detail", talk.slug)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_draft_and_unknown_talks_are_404(client):
    draft = TalkFactory(status=Talk.Status.DRAFT, title="Secret plans")

    for slug in (draft.slug, "no-such-talk"):
        response = get_json(client, "talk-detail", slug)
        assert response.status_code == 404
        assert response.json()["detail"]
        assert b"Secret plans" not in response.content


def test_malformed_talk_slug_is_422(client):
    response = client.get(reverse("api:talk-detail", args=["bad slug"]))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "slug"]


# /api/tags and /api/series


def test_tags_list_the_public_talks_tags_by_name_with_their_counts(client):
    fluids, algebra, unused = (
        TagFactory(name="Fluids"),
        TagFactory(name="Algebra"),
        TagFactory(name="Zeta"),
    )
    TalkFactory.create_batch(2, tags=[fluids])
    TalkFactory(tags=[fluids], status=Talk.Status.CANCELLED)
    TalkFactory(tags=[fluids, algebra], status=Talk.Status.DRAFT)
    TalkFactory(tags=[algebra])

    response = get_json(client, "tag-list")

    assert response.status_code == 200
    assert [(t["slug"], t["name"], t["talk_count"]) for t in response.json()["items"]] == [
        (algebra.slug, "Algebra", 1),
        (fluids.slug, "Fluids", 3),
    ]
    # A tag no public talk uses is not public (test_draft_only).
    assert unused.slug not in response.content.decode()
    assert response.json()["items"][0]["url"] == f"http://testserver{algebra.get_absolute_url()}"


@pytest.mark.parametrize("name", ["tag-list", "series-list"])
def test_tags_and_series_come_a_page_at_a_time(client, name):
    for _ in range(3):
        TalkFactory(tags=[TagFactory()], series=SeriesFactory())

    first = get_json(client, name, limit=2).json()
    rest = get_json(client, name, limit=2, offset=2).json()

    assert first["count"] == rest["count"] == 3
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["items"][0]["slug"] not in {item["slug"] for item in first["items"]}


def test_series_list_every_series_by_name(client):
    later = SeriesFactory(name="Zoology seminar", timezone="Australia/Sydney", description="Zoo")
    earlier = SeriesFactory(name="Algebra seminar", timezone="Europe/Berlin", description="Alg")

    response = get_json(client, "series-list")

    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "slug": s.slug,
            "name": s.name,
            "timezone": s.timezone,
            "description": s.description,
            "url": f"http://testserver{s.get_absolute_url()}",
        }
        for s in (earlier, later)
    ]


# Documentation


def test_openapi_document_lists_every_endpoint(client):
    response = client.get(reverse("api:openapi-json"))

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/talks", "/api/talks/{slug}", "/api/tags", "/api/series"} <= set(paths)
    limit = next(p for p in paths["/api/talks"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == MAX_PAGE_SIZE


def test_docs_page_loads_nothing_from_other_sites(client):
    response = client.get(reverse("api:openapi-view"))

    assert response.status_code == 200
    assets = re.findall(rb'(?:src|href)="([^"]+)"', response.content)
    assert assets, "the docs page should load Swagger UI"
    for asset in assets:
        assert asset.startswith(b"/static/"), asset
        assert finders.find(asset.decode().removeprefix("/static/")), asset
    assert b"cdn" not in response.content.lower()


# Query counts: constant however many rows.


def make_talks_with_relations(count):
    for _ in range(count):
        talk = TalkFactory(speakers=SpeakerFactory.create_batch(2), tags=TagFactory.create_batch(2))
        CommentFactory(talk=talk)


@pytest.mark.parametrize("rows", [1, 20])
def test_talk_list_query_count(client, django_assert_num_queries, rows):
    make_talks_with_relations(rows)

    # count, talks with their series, speakers, tags
    with django_assert_num_queries(4):
        response = get_json(client, "talk-list")

    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_talk_detail_query_count(client, django_assert_num_queries, rows):
    talk = TalkFactory(
        speakers=SpeakerFactory.create_batch(rows), tags=TagFactory.create_batch(rows)
    )
    CommentFactory.create_batch(rows, talk=talk)

    # talk with its series, speakers, tags, comments with their authors
    with django_assert_num_queries(4):
        response = get_json(client, "talk-detail", talk.slug)

    assert len(response.json()["comments"]) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_tag_list_query_count(client, django_assert_num_queries, rows):
    make_talks_with_relations(rows)

    # count, a page of tags with their talk counts
    with django_assert_num_queries(2):
        response = get_json(client, "tag-list", limit=MAX_PAGE_SIZE)

    assert len(response.json()["items"]) == 2 * rows


@pytest.mark.parametrize("rows", [1, 20])
def test_talk_comments_query_count(client, django_assert_num_queries, rows):
    talk = TalkFactory()
    CommentFactory.create_batch(rows, talk=talk)

    # talk, count, comments with their authors
    with django_assert_num_queries(3):
        response = get_json(client, "talk-comments", talk.slug)

    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_series_list_query_count(client, django_assert_num_queries, rows):
    SeriesFactory.create_batch(rows)

    # count, a page of series
    with django_assert_num_queries(2):
        response = get_json(client, "series-list")

    assert len(response.json()["items"]) == rows
