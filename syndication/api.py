"""Read-only JSON API over the public side of the portal, built with django-ninja.

Served under /api/: the OpenAPI document is /api/openapi.json and its docs page
/api/docs (Swagger UI from ninja's bundled static files, so no CDN).
Only what the public pages show is exposed: never drafts, held or removed comments or
anyone's email address. Every list comes a page at a time (?limit=, ?offset=).
"""

import datetime
from typing import Annotated, Any, Literal

from csp.decorators import csp_update
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.openapi.docs import Swagger
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints

from seminars.models import Comment, Series, Tag, Talk
from seminars.queries import UpcomingThenPast

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Far beyond any seminar archive, and small enough for every database's OFFSET.
MAX_OFFSET = 1_000_000
# A talk's own document holds its first comments; /talks/{slug}/comments pages through all.
TALK_DETAIL_COMMENTS = 100

api = NinjaAPI(
    title="Seminar portal API",
    version="1",
    description="Read-only access to the portal's public talks, tags and series.",
    urls_namespace="api",
    # No link to the third-party validator: the docs page makes no outside requests.
    docs=Swagger(settings={"validatorUrl": None}),
    # Swagger UI's stylesheet draws its icons as data: SVG images; only this page allows them.
    docs_decorator=csp_update({"img-src": ["data:"]}),
)


def parse_iso_datetime(value: Any) -> Any:
    """Accept only ISO 8601 text; pydantic alone would also take "0.5" as a Unix time."""
    if not isinstance(value, str):
        return value
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date and time, e.g. 2030-01-31T09:00:00Z") from None


def as_utc(value: datetime.datetime) -> datetime.datetime:
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00+01:00, which is before year 1 in UTC.
        raise ValueError("must fall between the years 1 and 9999 in UTC") from None


Slug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=200)]
UTCDatetime = Annotated[AwareDatetime, BeforeValidator(parse_iso_datetime), AfterValidator(as_utc)]


class Error(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict[str, Any]] = Field(description="One entry per invalid parameter.")


class WithPageURL(Schema):
    url: str = Field(description="The public page, as an absolute URL.")

    @staticmethod
    def resolve_url(obj, context):
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class SeriesOut(WithPageURL):
    slug: str
    name: str
    timezone: str = Field(description="IANA time zone the series' talks are given in.")


class SeriesDetailOut(SeriesOut):
    description: str


class SpeakerOut(WithPageURL):
    slug: str
    name: str
    affiliation: str
    homepage: str


class TagOut(WithPageURL):
    slug: str
    name: str


class TagDetailOut(TagOut):
    description: str
    talk_count: int = Field(description="Published and cancelled talks with this tag.")


class CommentOut(Schema):
    id: int
    author: str = Field(description="The author's public name.")
    body: str = Field(description="Markdown as the author wrote it.")
    body_html: str = Field(description="The body rendered to sanitized HTML.")
    created: datetime.datetime

    @staticmethod
    def resolve_author(comment):
        return comment.author_name


class TalkOut(WithPageURL):
    slug: str
    title: str
    status: Literal["published", "cancelled"]
    start: datetime.datetime = Field(description="In UTC.")
    end: datetime.datetime = Field(description="In UTC.")
    timezone: str = Field(description="IANA time zone of the series, for local display.")
    series: SeriesOut
    speakers: list[SpeakerOut]
    tags: list[TagOut]
    venue: str
    online_url: str
    recording_url: str
    slides_url: str
    updated: datetime.datetime

    @staticmethod
    def resolve_timezone(talk):
        return talk.series.timezone


class TalkDetailOut(TalkOut):
    abstract: str = Field(description="Markdown with LaTeX, as the organisers wrote it.")
    abstract_html: str = Field(description="The abstract rendered to sanitized HTML.")
    comments: list[CommentOut] = Field(
        description=f"The first {TALK_DETAIL_COMMENTS} public comments, oldest first; "
        "/api/talks/{slug}/comments has them all, a page at a time."
    )

    @staticmethod
    def resolve_comments(talk):
        return talk.public_comments


class TalkFilters(Schema):
    tag: Slug | None = Field(None, description="Only talks with this tag (its slug).")
    series: Slug | None = Field(None, description="Only talks in this series (its slug).")
    speaker: Slug | None = Field(None, description="Only talks by this speaker (their slug).")
    when: Literal["upcoming", "past"] | None = Field(
        None,
        description=(
            "upcoming: talks not over yet (live ones included), soonest first; "
            "past: ended talks, most recent first."
        ),
    )
    updated_since: UTCDatetime | None = Field(
        None, description="Only talks changed at or after this instant (with a UTC offset)."
    )


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def public_talks():
    return Talk.objects.public().for_cards()


def filter_talks(talks, filters: TalkFilters):
    if filters.tag:
        talks = talks.filter(tags__slug=filters.tag)
    if filters.series:
        talks = talks.filter(series__slug=filters.series)
    if filters.speaker:
        talks = talks.filter(speakers__slug=filters.speaker)
    if filters.updated_since:
        talks = talks.filter(updated__gte=filters.updated_since)
    # The id breaks ties between talks starting together, so pages never overlap.
    if filters.when == "upcoming":
        return talks.upcoming().order_by("start", "id")
    if filters.when == "past":
        return talks.past().order_by("-start", "-id")
    return UpcomingThenPast(talks)


@api.get(
    "/talks",
    response={200: list[TalkOut], 422: ValidationErrors},
    url_name="talk-list",
    tags=["talks"],
)
@paginate(Pagination)
def list_talks(request, filters: Query[TalkFilters]):
    """Public talks, upcoming first (soonest first), then past ones (most recent first)."""
    return filter_talks(public_talks(), filters)


@api.get(
    "/talks/{slug}",
    response={200: TalkDetailOut, 404: Error, 422: ValidationErrors},
    url_name="talk-detail",
    tags=["talks"],
)
def get_talk(request, slug: Path[Slug]):
    """One public talk with its abstract and first public comments."""
    comments = Comment.objects.public().for_thread()[:TALK_DETAIL_COMMENTS]
    talks = (
        Talk.objects.public()
        .for_talk_page()
        .prefetch_related(Prefetch("comments", queryset=comments, to_attr="public_comments"))
    )
    return get_object_or_404(talks, slug=slug)


@api.get(
    "/talks/{slug}/comments",
    response={200: list[CommentOut], 404: Error, 422: ValidationErrors},
    url_name="talk-comments",
    tags=["talks"],
)
@paginate(Pagination)
def list_talk_comments(request, slug: Path[Slug]):
    """A public talk's public comments and replies, oldest first."""
    talk = get_object_or_404(Talk.objects.public(), slug=slug)
    return talk.comments.public().for_thread()


@api.get(
    "/tags",
    response={200: list[TagDetailOut], 422: ValidationErrors},
    url_name="tag-list",
    tags=["tags"],
)
@paginate(Pagination)
def list_tags(request):
    """Tags that public talks use, by name, each with its number of public talks."""
    return Tag.objects.public().with_public_talk_counts().order_by("name", "id")


@api.get(
    "/series",
    response={200: list[SeriesDetailOut], 422: ValidationErrors},
    url_name="series-list",
    tags=["series"],
)
@paginate(Pagination)
def list_series(request):
    """Series by name."""
    return Series.objects.order_by("name", "id")
