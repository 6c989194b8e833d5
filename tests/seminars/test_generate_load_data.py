"""generate_load_data: benchmark data at a tiny size, on the test database."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from accounts.models import User
from seminars.models import Comment, Series, Speaker, Tag, Talk
from seminars.queries import UpcomingThenPast
from seminars.rendering import render_abstract, render_comment
from seminars.roles import ORGANISERS_GROUP
from seminars.search import names_of
from tests.factories import CommentFactory, TagFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db

TINY = {"talks": 100, "comments": 600, "tags": 12, "speakers": 30, "users": 40, "series": 3}
TODAY = datetime.date(2026, 3, 2)
MIDNIGHT = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)


def generate(*flags, seed=1, today=TODAY, **sizes):
    options = {**TINY, **sizes, "seed": seed, "today": today}
    arguments = [f"--{name}={value}" for name, value in options.items()]
    out = io.StringIO()
    call_command("generate_load_data", *arguments, *flags, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything generated, without ids or timestamps (which differ from run to run)."""
    comments = list(
        Comment.objects.order_by("id").values_list(
            "id", "talk__slug", "author__username", "parent_id", "body", "status", "removed"
        )
    )
    position = {row[0]: index for index, row in enumerate(comments)}
    return {
        "users": list(User.objects.order_by("username").values_list("username", "display_name")),
        "series": sorted(Series.objects.values_list("slug", "name", "organisers__username")),
        "tags": list(Tag.objects.order_by("slug").values_list("slug", "name")),
        "speakers": list(Speaker.objects.order_by("slug").values_list("slug", "name")),
        "talks": list(
            Talk.objects.order_by("slug").values_list(
                "slug", "title", "status", "start", "series__slug", "abstract", "search_names"
            )
        ),
        "talk tags": sorted(Talk.tags.through.objects.values_list("talk__slug", "tag__slug")),
        "followed tags": sorted(
            User.followed_tags.through.objects.values_list("user__username", "tag__slug")
        ),
        "comments": [(*row[1:3], position.get(row[3]), *row[4:]) for row in comments],
    }


def test_makes_the_requested_numbers_of_everything():
    report = generate()

    assert Talk.objects.count() == 100
    assert Comment.objects.count() == 600
    assert Tag.objects.count() == 12
    assert Speaker.objects.count() == 30
    assert User.objects.count() == 40
    assert Series.objects.count() == 3
    assert "Generated 100 talks and 600 comments" in report


def test_fills_what_save_and_signals_would():
    generate()

    talks = Talk.objects.prefetch_related("speakers", "tags")
    assert all(talk.abstract_html == render_abstract(talk.abstract) for talk in talks)
    assert all(talk.search_names == names_of(talk) for talk in talks)
    assert all(talk.speakers.all() and talk.tags.all() for talk in talks)
    comments = Comment.objects.all()
    assert all(comment.body_html == render_comment(comment.body) for comment in comments)
    # Some abstracts and comments show math, so the math pages are exercised too.
    assert Talk.objects.filter(abstract_html__contains="<math").exists()
    assert Comment.objects.filter(body_html__contains="<math").exists()


def test_pages_cached_before_are_not_served_after(client):
    client.get("/talks/")
    assert client.get("/talks/")["X-Page-Cache"] == "hit"

    generate()

    response = client.get("/talks/")
    assert response["X-Page-Cache"] == "miss"
    assert UpcomingThenPast(Talk.objects.public())[0:1][0].title in response.content.decode()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate(seed=7)
    first = snapshot()

    generate(seed=7)
    assert snapshot() == first

    generate(seed=8)
    assert snapshot()["talks"] != first["talks"]


def test_has_every_kind_of_talk_and_comment():
    generate()

    public = Talk.objects.public()
    assert set(Talk.objects.values_list("status", flat=True)) == set(Talk.Status.values)
    assert public.filter(start__lt=MIDNIGHT).exists()
    assert public.filter(start__gte=MIDNIGHT).exists()
    assert not Comment.objects.filter(talk__status=Talk.Status.DRAFT).exists()
    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.exists()
    # One level of replies, always on the parent's own talk.
    assert not replies.filter(parent__parent__isnull=False).exists()
    assert not replies.exclude(talk=F("parent__talk")).exists()
    assert Comment.objects.filter(status=Comment.Status.HELD).exclude(held_reason="").exists()
    removed = Comment.objects.filter(removed=True)
    assert removed.exists()
    assert not removed.filter(Q(removed_by=None) | Q(removal_reason="")).exists()


def test_every_series_has_staff_organisers_in_the_organisers_group():
    generate()

    organisers = Group.objects.get(name=ORGANISERS_GROUP).user_set.all()
    for series in Series.objects.prefetch_related("organisers"):
        team = list(series.organisers.all())
        assert 1 <= len(team) <= 3
        assert all(user.is_staff and user in organisers for user in team)


def test_a_few_talks_and_tags_are_far_busier_than_the_rest():
    """The extremes of the default size (500+ comments on a talk among 200,000 over
    about 9,000 public talks; tags with 2,000+ of 10,000 talks), in proportion."""
    generate()

    public_talks = Talk.objects.public().count()
    busiest = Talk.objects.annotate(n=Count("comments")).order_by("-n").first()
    assert busiest.n >= 25 * Comment.objects.count() / public_talks
    tag_sizes = sorted(Tag.objects.annotate(n=Count("talks")).values_list("n", flat=True))
    assert tag_sizes[-2] >= 0.2 * Talk.objects.count()
    assert tag_sizes[0] < 0.1 * Talk.objects.count()


def test_a_larger_archive_reaches_further_back_with_as_many_upcoming_talks():
    """So that pages about upcoming talks (home, calendars) cost the same at any size."""
    generate(talks=600, comments=0)
    small_upcoming = Talk.objects.filter(start__gte=MIDNIGHT).count()
    small_oldest = Talk.objects.order_by("start").first().start

    generate(talks=1200, comments=0)
    large_upcoming = Talk.objects.filter(start__gte=MIDNIGHT).count()

    assert 0.8 < large_upcoming / small_upcoming < 1.25
    assert Talk.objects.filter(start__lt=small_oldest).count() > 400


def test_refuses_a_database_with_other_data_and_writes_nothing():
    TagFactory(name="Real tag")
    UserFactory()

    with pytest.raises(CommandError, match="did not make \\(1 tags, 1 users\\)"):
        generate()

    assert Talk.objects.count() == 0
    assert Tag.objects.count() == 1


def test_force_adds_generated_data_beside_the_real_data_and_keeps_it():
    real_tag = TagFactory(name="Real tag")
    real_user = UserFactory()
    real_talk = TalkFactory()
    generate("--force")
    # Real data tied to generated data: a follow, a comment, a removal by an organiser.
    generated_tag = Tag.objects.exclude(pk=real_tag.pk).first()
    real_user.followed_tags.add(generated_tag)
    real_talk.tags.add(generated_tag, real_tag)
    CommentFactory(author=real_user, talk=Talk.objects.exclude(pk=real_talk.pk).first())
    organiser = User.objects.filter(is_staff=True).first()
    real_comment = CommentFactory(talk=real_talk, author=real_user, removed=True)
    real_comment.removed_by = organiser
    real_comment.save(update_fields=["removed_by"])

    generate("--force")

    assert Talk.objects.count() == 101
    assert Talk.objects.filter(pk=real_talk.pk).exists()
    assert Tag.objects.filter(pk=real_tag.pk).exists()
    assert not real_user.followed_tags.exists()
    real_talk.refresh_from_db()
    assert list(real_talk.tags.all()) == [real_tag]
    assert real_talk.search_names == names_of(real_talk)
    real_comment.refresh_from_db()
    assert real_comment.removed_by is None
    assert list(real_user.comments.all()) == [real_comment]


def test_keeps_the_earlier_data_when_other_data_still_needs_it():
    generate("--force")
    generated_series = Series.objects.first()
    TalkFactory(series=generated_series)  # Talk.series is PROTECT
    before = snapshot()

    with pytest.raises(CommandError, match="Other data points at the earlier generated data"):
        generate("--force", seed=2)

    assert snapshot() == before


def test_running_again_replaces_the_generated_data():
    generate(talks=100)
    generate(talks=50, comments=200)

    assert Talk.objects.count() == 50
    assert Comment.objects.count() == 200


@pytest.mark.parametrize(
    "argument, message",
    [
        ("--talks=0", "--talks must be at least 1"),
        ("--comments=-1", "--comments cannot be negative"),
        ("--users=2", "--users must be at least --series"),
        ("--today=yesterday", "--today: must be a date like 2026-03-02"),
    ],
)
def test_bad_sizes_get_a_clear_message(argument, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_load_data", "--series=3", argument, stdout=io.StringIO())
    assert Talk.objects.count() == 0
