"""Every public list and detail page runs the same number of queries at 1 and at 20 rows.

Each talk has several speakers and tags and its own series where the page allows
it, so a lookup per row (an N+1) shows up as a count that grows with the rows.
No page runs more than 8. The anonymous requests here are the page cache's
misses (a hit runs none: tests/seminars/test_caching.py).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from discussion.threads import COMMENTS_PER_PAGE
from seminars.models import Comment
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROWS = pytest.mark.parametrize("rows", [1, 20])

# A signed-in request first loads its session, then its user.
SIGNED_IN_QUERIES = 2


@pytest.fixture(params=["anonymous", "signed-in"])
def visitor(request, client):
    """The user `client` is signed in as, or None for an anonymous visitor."""
    if request.param == "anonymous":
        return None
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def sign_in(visitor):
    """The queries a request spends on the visitor's sign-in."""
    return SIGNED_IN_QUERIES if visitor else 0


# A list of talks spends one query on when its next talk starts, which ends a
# stored page's (or its cards' fragment's) life. The pages of a tag, speaker or
# series learn it from their count instead.
PAGE_LIFE = 1


@pytest.fixture
def own_thread_check(visitor):
    """The query a talk page spends on whether a signed-in visitor commented on it
    (their thread is then their own, not the public fragment: discussion.views)."""
    return 1 if visitor else 0


@pytest.fixture
def follow_flag(visitor):
    """The query a tag's, series' or speaker's page spends on a signed-in visitor's follow
    button."""
    return 1 if visitor else 0


def make_talks(rows, days_ahead=1, **shared):
    """`rows` talks, each with three speakers and three tags, plus whatever is `shared`."""
    speakers = shared.pop("speakers", [])
    tags = shared.pop("tags", [])
    shared.setdefault("series", None)
    talks = []
    for day in range(rows):
        series = shared["series"] or SeriesFactory()
        talks.append(
            TalkFactory(
                series=series,
                start=timezone.now() + datetime.timedelta(days=days_ahead + day),
                speakers=[*speakers, SpeakerFactory(), SpeakerFactory(), SpeakerFactory()],
                tags=[*tags, TagFactory(), TagFactory(), TagFactory()],
            )
        )
    return talks


@ROWS
def test_home(client, sign_in, rows, django_assert_num_queries):
    make_talks(rows, days_ahead=1)
    make_talks(rows, days_ahead=-10 * rows)
    # upcoming talks with their series; recent talks with theirs; the speakers of
    # both; their tags; tags with their talk counts.
    with django_assert_num_queries(5 + sign_in + PAGE_LIFE):
        response = client.get(reverse("seminars:home"))
    assert len(response.context["talks"].upcoming) == min(rows, 10)
    assert len(response.context["talks"].recent) == min(rows, 5)


@ROWS
def test_talk_list(client, sign_in, rows, django_assert_num_queries):
    make_talks(rows)
    # count for the paginator (which also says when the list next changes), talks
    # with their series, their speakers, their tags.
    with django_assert_num_queries(4 + sign_in):
        response = client.get(reverse("seminars:talk-list"))
    assert len(response.context["page"]) == rows


def make_thread(talk, rows, first_author):
    """`rows` comments, each with a published and a held reply; a removed and a held comment.

    The first comment is first_author's (it shows edit links).
    """
    authors = [first_author, *(UserFactory() for _ in range(rows - 1))]
    for author in authors:
        comment = CommentFactory(talk=talk, author=author)
        CommentFactory(talk=talk, parent=comment)
        CommentFactory(talk=talk, parent=comment, status=Comment.Status.HELD)
    CommentFactory(talk=talk, removed=True)
    CommentFactory(talk=talk, status=Comment.Status.HELD)


@ROWS
def test_talk_detail(client, visitor, sign_in, own_thread_check, rows, django_assert_num_queries):
    talk = make_talks(1)[0]
    make_thread(talk, rows, first_author=visitor or UserFactory())
    # talk with its series, its speakers, its tags; comments with their authors;
    # their replies with their authors.
    with django_assert_num_queries(5 + sign_in + own_thread_check):
        response = client.get(talk.get_absolute_url())
    comments = response.context["thread"].comments
    assert len(comments) == rows + 1
    assert [len(comment.thread_replies) for comment in comments] == [1] * rows + [0]


@ROWS
def test_talk_detail_for_an_organiser_of_its_series(client, rows, django_assert_num_queries):
    talk = make_talks(1)[0]
    organiser = OrganiserFactory()
    talk.series.organisers.add(organiser)
    make_thread(talk, rows, first_author=organiser)
    client.force_login(organiser)
    # The sign-in; talk with its series, its speakers, its tags; whether the visitor
    # organises the series; comments with their authors; their replies with their authors.
    with django_assert_num_queries(SIGNED_IN_QUERIES + 6):
        response = client.get(talk.get_absolute_url())
    comments = response.context["thread"].comments
    # Organisers see held comments and replies too.
    assert len(comments) == rows + 2
    assert [len(comment.thread_replies) for comment in comments] == [2] * rows + [0, 0]


@ROWS
def test_tag_list(client, sign_in, rows, django_assert_num_queries):
    make_talks(rows)
    # count for the paginator; tags with their public talk counts.
    with django_assert_num_queries(2 + sign_in):
        response = client.get(reverse("seminars:tag-list"))
    assert len(response.context["tags"]) == 3 * rows


@ROWS
def test_tag_detail(client, sign_in, follow_flag, rows, django_assert_num_queries):
    tag = TagFactory()
    make_talks(rows, tags=[tag])
    # tag; count for the paginator; talks with their series, their speakers, their tags.
    with django_assert_num_queries(5 + sign_in + follow_flag):
        response = client.get(tag.get_absolute_url())
    assert len(response.context["page"]) == rows


@ROWS
def test_speaker_detail(client, sign_in, follow_flag, rows, django_assert_num_queries):
    speaker = SpeakerFactory()
    make_talks(rows, speakers=[speaker])
    # speaker; count for the paginator; talks with their series, their speakers, their tags.
    with django_assert_num_queries(5 + sign_in + follow_flag):
        response = client.get(speaker.get_absolute_url())
    assert len(response.context["page"]) == rows


@ROWS
def test_series_list(client, sign_in, rows, django_assert_num_queries):
    for _ in range(rows):
        SeriesFactory()
    # count for the paginator; series.
    with django_assert_num_queries(2 + sign_in):
        response = client.get(reverse("seminars:series-list"))
    assert len(response.context["series_list"]) == rows


@ROWS
def test_series_detail(client, sign_in, follow_flag, rows, django_assert_num_queries):
    series = OrganisedSeriesFactory(organisers=OrganiserFactory.create_batch(min(rows, 3)))
    make_talks(rows, series=series)
    # series; its organisers; count for the paginator; talks with their series, their
    # speakers, their tags.
    with django_assert_num_queries(6 + sign_in + follow_flag):
        response = client.get(series.get_absolute_url())
    assert len(response.context["page"]) == rows


@pytest.mark.parametrize("rows", [1, 20, 120])
def test_a_later_page_of_a_long_thread(
    client, visitor, sign_in, own_thread_check, rows, django_assert_num_queries
):
    """Comments come 50 top-level ones a page; later pages cost what the first does."""
    talk = make_talks(1)[0]
    make_thread(talk, rows, first_author=visitor or UserFactory())
    last_page = rows // COMMENTS_PER_PAGE + 1
    # talk with its series, its speakers, its tags; a page of comments with their
    # authors; their replies with their authors.
    with django_assert_num_queries(5 + sign_in + own_thread_check):
        response = client.get(talk.get_absolute_url(), {"page": last_page})
    shown = response.context["thread"].comments
    assert len(shown) == (rows + 1) % COMMENTS_PER_PAGE or COMMENTS_PER_PAGE
