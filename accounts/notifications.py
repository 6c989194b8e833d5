"""Who is emailed about what: replies, comments held for approval, weekly digests.

This module decides; accounts.tasks writes and sends, in the background worker
(`manage.py db_worker`). Deciding here costs a query or two and queuing a task
is one INSERT, so a request never waits for a mail server. Tasks check again
when they run, since a comment may be removed or a preference switched off
while its email waits.
"""

import datetime
import functools
import operator

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from seminars.models import Comment, Talk

from . import tasks
from .follows import FOLLOWABLE
from .models import Digest, User

DIGEST_PERIOD = datetime.timedelta(days=7)


def comment_posted(comment) -> None:
    """Queue the emails a newly saved comment calls for.

    Call it once per new comment, in transaction.on_commit, so a task never
    looks for a comment that was rolled back.

    - Held for approval: each organiser (staff) of the talk's series who keeps
      User.email_on_held_comment on, except the comment's own author.
    - Published reply: the parent comment's author, unless they wrote the
      reply themselves or switched User.email_on_reply off.
    """
    if comment.status == Comment.Status.HELD:
        for organiser_id in organisers_to_tell(comment):
            tasks.send_held_comment_email.enqueue(comment_id=comment.pk, recipient_id=organiser_id)
    else:
        tell_parent_author(comment)


def comment_approved(comment) -> None:
    """Queue the reply email a held reply did not get while it waited; call on approval."""
    tell_parent_author(comment)


def organisers_to_tell(comment) -> list[int]:
    # Staff only, as in discussion.moderation: other users listed on a series cannot moderate.
    organisers = User.objects.filter(
        organised_series__talks=comment.talk_id,
        is_active=True,
        is_staff=True,
        email_on_held_comment=True,
    ).exclude(pk=comment.author_id)
    return list(organisers.values_list("pk", flat=True))


def tell_parent_author(comment) -> None:
    if comment.parent_id is None:
        return
    parent_author = (
        User.objects.filter(comments=comment.parent_id, is_active=True, email_on_reply=True)
        .exclude(pk=comment.author_id)
        .values_list("pk", flat=True)
        .first()
    )
    if parent_author is not None:
        tasks.send_reply_email.enqueue(reply_id=comment.pk, recipient_id=parent_author)


def week_of(day: datetime.date) -> datetime.date:
    """The Monday a week starts on: a digest's week."""
    return day - datetime.timedelta(days=day.weekday())


def queue_weekly_digests(now: datetime.datetime | None = None) -> int:
    """Queue this week's digest for everyone who wants one and has talks in it.

    The digest lists the published talks of the next seven days in the tags and
    series the user follows, leaving out talks an earlier digest listed. Each
    queued digest is recorded (accounts.Digest) in the same transaction as its
    task, and users with a digest this week are skipped, so running this twice
    in a week sends nothing twice. Returns how many digests were queued.
    """
    now = now or timezone.now()
    week = week_of(timezone.localdate(now))
    queued = 0
    for user in digest_recipients(week):
        talk_ids = list(digest_talks(user, now).values_list("pk", flat=True))
        if talk_ids and queue_digest(user, week, talk_ids):
            queued += 1
    return queued


def digest_recipients(week: datetime.date):
    follows_something = functools.reduce(
        operator.or_,
        (
            Exists(getattr(User, field).through.objects.filter(user=OuterRef("pk")))
            for _, field in FOLLOWABLE.values()
        ),
    )
    return (
        User.objects.filter(follows_something, is_active=True, email_weekly_digest=True)
        .exclude(email="")
        .exclude(digests__week=week)
        .order_by("pk")
    )


def digest_talks(user, now: datetime.datetime):
    """Published talks of the coming week in what `user` follows, not yet in a digest of theirs."""
    tagged = Talk.tags.through.objects.filter(tag__followers=user).values("talk_id")
    by_followed_speakers = Talk.speakers.through.objects.filter(speaker__followers=user).values(
        "talk_id"
    )
    already_sent = Digest.talks.through.objects.filter(digest__user=user).values("talk_id")
    return (
        Talk.objects.filter(
            status=Talk.Status.PUBLISHED, start__gte=now, start__lt=now + DIGEST_PERIOD
        )
        .filter(
            Q(series__in=user.followed_series.all())
            | Q(pk__in=tagged)
            | Q(pk__in=by_followed_speakers)
        )
        .exclude(pk__in=already_sent)
    )


def queue_digest(user, week: datetime.date, talk_ids: list[int]) -> bool:
    """Record the week's digest and queue its email; False if another run got there first."""
    with transaction.atomic():
        digest, created = Digest.objects.get_or_create(user=user, week=week)
        if not created:
            return False
        digest.talks.set(talk_ids)
        # The task row is written in this transaction too: both or neither.
        tasks.send_digest_email.enqueue(digest_id=digest.pk)
    return True
