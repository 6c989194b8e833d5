"""Model rules: unique tag names, talks that end after they start, real time zones."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.utils import timezone

from seminars.models import Series, Tag, Talk
from seminars.queries import UpcomingThenPast
from tests.factories import (
    CommentFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def error_messages(excinfo):
    """Every message of a ValidationError, whatever field it is on."""
    return [message for messages in excinfo.value.message_dict.values() for message in messages]


# --- Tag ----------------------------------------------------------------------------------


@pytest.mark.parametrize("duplicate", ["Fluids", "fluids", "FLUIDS", "fLuIdS"])
def test_the_database_refuses_a_tag_name_differing_only_in_case(duplicate):
    TagFactory(name="Fluids")
    with pytest.raises(IntegrityError), transaction.atomic():
        TagFactory(name=duplicate)


def test_full_clean_explains_a_duplicate_tag_name():
    TagFactory(name="Machine learning")
    with pytest.raises(ValidationError) as excinfo:
        Tag(name="MACHINE LEARNING", slug="machine-learning-2").full_clean()
    assert any("already exists" in message for message in error_messages(excinfo))


def test_a_new_tag_name_is_valid():
    TagFactory(name="Fluids")
    Tag(name="Fluid dynamics", slug="fluid-dynamics").full_clean()


def test_an_existing_tag_passes_its_own_uniqueness_check():
    TagFactory(name="Fluids").full_clean()


def test_tag_slugs_are_unique():
    TagFactory(slug="fluids")
    with pytest.raises(IntegrityError), transaction.atomic():
        TagFactory(slug="fluids")


# --- Talk ---------------------------------------------------------------------------------

START = datetime.datetime(2031, 5, 4, 15, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("minutes", [0, -1, -60])
def test_the_database_refuses_a_talk_that_does_not_end_after_it_starts(minutes):
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkFactory(start=START, end=START + datetime.timedelta(minutes=minutes))


@pytest.mark.parametrize("minutes", [0, -1, -60])
def test_clean_says_the_talk_must_end_after_it_starts(minutes):
    talk = TalkFactory.build(
        series=SeriesFactory(), start=START, end=START + datetime.timedelta(minutes=minutes)
    )
    with pytest.raises(ValidationError) as excinfo:
        talk.full_clean()
    assert list(excinfo.value.message_dict) == ["end"]


def test_a_talk_ending_after_it_starts_is_valid():
    talk = TalkFactory.build(
        series=SeriesFactory(), start=START, end=START + datetime.timedelta(minutes=1)
    )
    talk.full_clean()


def test_clean_leaves_a_missing_time_to_the_field_check():
    talk = TalkFactory.build(series=SeriesFactory(), start=START, end=None)
    with pytest.raises(ValidationError) as excinfo:
        talk.full_clean()
    assert list(excinfo.value.message_dict) == ["end"]


def test_talks_start_as_drafts():
    talk = Talk(series=SeriesFactory(), title="New", slug="new", start=START, end=START)
    assert talk.status == Talk.Status.DRAFT


@pytest.mark.parametrize(
    ("status", "cancelled"),
    [(Talk.Status.DRAFT, False), (Talk.Status.PUBLISHED, False), (Talk.Status.CANCELLED, True)],
)
def test_is_cancelled(status, cancelled):
    assert TalkFactory.build(status=status).is_cancelled is cancelled


# --- Series -------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"])
def test_a_series_accepts_real_time_zones(zone):
    Series(name="Seminar", slug="seminar", timezone=zone).full_clean()


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/london", "GMT+25", "London", ""])
def test_a_series_refuses_an_unknown_time_zone(zone):
    with pytest.raises(ValidationError) as excinfo:
        Series(name="Seminar", slug="seminar", timezone=zone).full_clean()
    assert list(excinfo.value.message_dict) == ["timezone"]


# --- Names and addresses ------------------------------------------------------------------


def test_names():
    series = SeriesFactory(name="Applied maths")
    talk = TalkFactory(title="On vortex rings", series=series)
    author = UserFactory(display_name="Ada")
    comment = CommentFactory(talk=talk, author=author)
    assert str(series) == "Applied maths"
    assert str(SpeakerFactory(name="Ada Lovelace")) == "Ada Lovelace"
    assert str(TagFactory(name="Fluids")) == "Fluids"
    assert str(talk) == "On vortex rings"
    assert "Ada" in str(comment)
    assert "On vortex rings" in str(comment)
    assert author.email not in str(comment)


# The URL layout is a contract that outside tests use, so these paths are written out.
def test_absolute_urls_follow_the_published_layout():
    talk = TalkFactory(slug="vortex-rings", series=SeriesFactory(slug="applied"))
    comment = CommentFactory(talk=talk)
    assert talk.get_absolute_url() == "/talks/vortex-rings/"
    assert talk.series.get_absolute_url() == "/series/applied/"
    assert SpeakerFactory(slug="ada").get_absolute_url() == "/speakers/ada/"
    assert TagFactory(slug="fluids").get_absolute_url() == "/tags/fluids/"
    # A comment's lasting address, which redirects to the thread page showing it.
    assert comment.get_absolute_url() == f"/comments/{comment.pk}/"


# --- What the public sees -----------------------------------------------------------------


def on_day(days, **fields):
    return TalkFactory(start=timezone.now() + datetime.timedelta(days=days), **fields)


def test_public_talks_leave_out_drafts():
    published = on_day(1)
    cancelled = on_day(2, status=Talk.Status.CANCELLED)
    on_day(3, status=Talk.Status.DRAFT)
    assert set(Talk.objects.public()) == {published, cancelled}


def test_upcoming_past_and_upcoming_then_past():
    later, soon, recent, long_ago = on_day(9), on_day(1), on_day(-1), on_day(-9)
    assert list(Talk.objects.upcoming()) == [soon, later]
    assert list(Talk.objects.past()) == [recent, long_ago]
    assert list(UpcomingThenPast(Talk.objects.all())[:]) == [soon, later, recent, long_ago]


@pytest.fixture
def talks_in_list_order():
    """Public talks in the order lists show them: upcoming soonest first, then past
    most recent first; talks at the same time by creation, the newest last when
    upcoming and first when past. A draft, which no list shows, is left out."""
    on_day(4, status=Talk.Status.DRAFT)
    upcoming = [on_day(1), on_day(2), on_day(2)]
    recent = on_day(-1, status=Talk.Status.CANCELLED)
    older, same_time = on_day(-3), on_day(-3)
    return [*upcoming, recent, same_time, older]


WINDOWS = [(0, 2), (0, 3), (1, 4), (2, 6), (3, 6), (4, 9), (6, 8)]


@pytest.mark.parametrize(("start", "stop"), WINDOWS)
def test_upcoming_then_past_slices_in_list_order(talks_in_list_order, start, stop):
    page = list(UpcomingThenPast(Talk.objects.public())[start:stop])
    assert page == talks_in_list_order[start:stop]
    assert [talk.is_past for talk in page] == [
        talk.start < timezone.now() for talk in talks_in_list_order[start:stop]
    ]


def test_upcoming_then_past_counts_the_public_talks_and_pages_them(talks_in_list_order):
    paginator = Paginator(UpcomingThenPast(Talk.objects.public()), 2)
    assert paginator.count == 6
    pages = [list(paginator.page(number)) for number in paginator.page_range]
    assert [talk for page in pages for talk in page] == talks_in_list_order


def test_tag_talk_counts_count_public_talks_only():
    tag = TagFactory()
    on_day(1, tags=[tag])
    on_day(-1, tags=[tag], status=Talk.Status.CANCELLED)
    on_day(2, tags=[tag], status=Talk.Status.DRAFT)
    unused = TagFactory()
    counts = {t: t.talk_count for t in Tag.objects.with_public_talk_counts()}
    assert counts == {tag: 2, unused: 0}
