"""`manage.py send_digests`: the weekly email of the coming week's talks in what a user follows.

The command queues one task per digest; `run_worker` (the database worker's
task runner) sends them, as in production.
"""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Digest
from accounts.notifications import queue_weekly_digests, week_of
from seminars.models import Talk
from tests.accounts.test_notifications import run_worker
from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://seminars.example.org"


def send_digests() -> str:
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    return out.getvalue().strip()


def talk_in(days, **fields):
    return TalkFactory(start=timezone.now() + days * DAY, **fields)


@pytest.fixture
def follower():
    """A user following one tag and one series, and both of them."""
    tag, series = TagFactory(name="Topology"), SeriesFactory(name="Geometry seminar")
    user = UserFactory(display_name="Ada")
    user.followed_tags.add(tag)
    user.followed_series.add(series)
    return user, tag, series


def test_the_digest_lists_the_coming_week_of_followed_tags_and_series(follower):
    user, tag, series = follower
    in_series = talk_in(1, series=series, title="In the series")
    tagged = talk_in(3, tags=[tag], title="Tagged elsewhere")
    both = talk_in(5, series=series, tags=[tag], title="Tagged and in the series")
    left_out = [
        talk_in(8, series=series, title="Beyond the week"),
        talk_in(-1, series=series, title="Already given"),
        talk_in(2, series=series, status=Talk.Status.DRAFT, title="A draft"),
        talk_in(2, series=series, status=Talk.Status.CANCELLED, title="Called off"),
        talk_in(2, tags=[TagFactory()], title="Another topic"),
    ]

    assert send_digests() == "Queued 1 digest."
    assert mail.outbox == []  # queued, not sent: the worker sends
    assert run_worker() == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "3 talks this week in what you follow"
    positions = [message.body.index(talk.title) for talk in (in_series, tagged, both)]
    assert positions == sorted(positions)
    assert message.body.count(both.title) == 1
    assert f"https://seminars.example.org{tagged.get_absolute_url()}" in message.body
    for talk in left_out:
        assert talk.title not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "weekly digest of talks you follow" in message.body
    digest = Digest.objects.get(user=user)
    assert digest.sent is not None
    assert set(digest.talks.all()) == {in_series, tagged, both}


def test_a_user_who_follows_only_a_speaker_gets_their_talks_of_the_week():
    speaker = SpeakerFactory(name="Grace Hopper")
    user = UserFactory()
    user.followed_speakers.add(speaker)
    theirs = talk_in(2, speakers=[speaker], title="Compilers for everyone")
    talk_in(2, speakers=[SpeakerFactory()], title="Somebody else")

    assert send_digests() == "Queued 1 digest."
    assert run_worker() == 1

    [message] = mail.outbox
    assert message.to == [user.email]
    assert theirs.title in message.body
    assert "Somebody else" not in message.body


def test_running_twice_in_a_week_sends_nothing_twice(follower):
    user, tag, series = follower
    talk_in(2, series=series)
    assert send_digests() == "Queued 1 digest."
    run_worker()
    assert send_digests() == "Queued 0 digests."
    run_worker()
    assert len(mail.outbox) == 1
    assert Digest.objects.count() == 1


def test_a_second_run_before_the_worker_sends_queues_nothing_more(follower):
    user, tag, series = follower
    talk_in(2, series=series)
    send_digests()
    send_digests()
    assert DBTaskResult.objects.count() == 1


def test_a_talk_is_never_in_two_digests_and_a_week_gets_one_digest(follower):
    user, tag, series = follower
    # A Wednesday noon, then the Monday after it (a new week); their windows overlap.
    wednesday = week_of(timezone.localdate()) + 9 * DAY
    first_run = datetime.datetime.combine(
        wednesday, datetime.time(12), tzinfo=timezone.get_current_timezone()
    )
    second_run = first_run + 5 * DAY
    in_both_windows = TalkFactory(series=series, start=first_run + 6 * DAY)
    only_in_second = TalkFactory(series=series, start=first_run + 8 * DAY)
    assert queue_weekly_digests(first_run) == 1
    # Added later the same week: it waits for the next week's digest.
    added_later = TalkFactory(series=series, start=first_run + 6 * DAY)
    assert queue_weekly_digests(first_run + DAY) == 0

    assert queue_weekly_digests(second_run) == 1
    first, second = Digest.objects.order_by("week")
    assert (first.week, second.week) == (wednesday - 2 * DAY, wednesday + 5 * DAY)
    assert set(first.talks.all()) == {in_both_windows}
    assert set(second.talks.all()) == {only_in_second, added_later}


def test_nothing_to_say_sends_nothing(follower):
    user, tag, series = follower
    talk_in(10, series=series)
    assert send_digests() == "Queued 0 digests."
    assert not Digest.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_users_who_follow_nothing_or_opted_out_or_left_get_no_digest(follower):
    user, tag, series = follower
    talk_in(1, series=series, tags=[tag])
    user.email_weekly_digest = False
    user.save(update_fields=["email_weekly_digest"])
    inactive = UserFactory(is_active=False)
    inactive.followed_tags.add(tag)
    UserFactory()  # follows nothing
    assert send_digests() == "Queued 0 digests."


def test_several_followers_each_get_their_own_digest(follower):
    user, tag, series = follower
    other = UserFactory()
    other.followed_tags.add(tag)
    talk_in(1, series=series, tags=[tag])
    assert send_digests() == "Queued 2 digests."
    run_worker()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([user.email, other.email])


def test_times_read_in_the_series_zone_and_the_readers_zone(follower):
    user, tag, series = follower
    series.timezone = "America/New_York"
    series.save(update_fields=["timezone"])
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    start = (timezone.now() + 2 * DAY).replace(minute=30, second=0, microsecond=0)
    TalkFactory(series=series, start=start, end=start + datetime.timedelta(hours=1))
    send_digests()
    run_worker()

    new_york = start.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    tokyo = start.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    body = mail.outbox[0].body
    assert f"{new_york:%A} {new_york.day} {new_york:%B}, {new_york:%H}:30 {new_york:%Z}" in body
    assert f"({tokyo:%a} {tokyo.day} {tokyo:%b}, {tokyo:%H}:30 JST your time)" in body


def test_a_talk_unpublished_before_sending_drops_out_and_an_empty_digest_is_not_sent(follower):
    user, tag, series = follower
    talk = talk_in(1, series=series)
    send_digests()
    talk.status = Talk.Status.DRAFT
    talk.save(update_fields=["status"])
    run_worker()
    assert mail.outbox == []
    assert DBTaskResult.objects.get().return_value == "not needed"


def test_the_digest_is_plain_text_written_as_is(follower):
    user, tag, series = follower
    talk_in(1, series=series, title="Knots & <braids>", venue="Room 1 & 2")
    send_digests()
    run_worker()
    body = mail.outbox[0].body
    assert "Knots & <braids>" in body
    assert "Geometry seminar, Room 1 & 2" in body
    assert "&amp;" not in body
