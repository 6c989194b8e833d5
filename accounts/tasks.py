"""Emails, written and sent by the background worker (`manage.py db_worker`).

Tasks take ids, not objects, and look everything up when they run: a comment
removed, or a preference switched off, while its email waited means no email.

When the mail server refuses or does not answer, the attempt is logged, the
task queues itself again after a growing delay (1, 4, 16 and 64 minutes), and
after MAX_ATTEMPTS it logs an error and gives up. Every attempt stays in the
task table (django_tasks_db), failed ones with their exception.
"""

import datetime
import logging
import smtplib
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django_tasks import task

from seminars.models import Comment, Talk
from seminars.templatetags.seminars import chosen_zone

from .email_preferences import EMAIL_KINDS, unsubscribe_token
from .models import Digest, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY_DELAY = datetime.timedelta(minutes=1)
RETRY_BACKOFF = 4
# What a refusing or unreachable mail server raises: SMTP replies, refused
# connections and timeouts (socket errors are OSErrors).
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, …)."""
    return FIRST_RETRY_DELAY * RETRY_BACKOFF ** (attempt - 1)


@task()
def send_reply_email(reply_id: int, recipient_id: int, attempt: int = 1) -> str:
    """Tell a comment's author about a reply to it."""
    reply = (
        Comment.objects.public()
        .select_related("talk", "author")
        .filter(pk=reply_id, parent__author=recipient_id)
        .exclude(author=recipient_id)
        .first()
    )
    recipient = recipient_wanting(recipient_id, "reply")
    if reply is None or recipient is None:
        return "not needed"
    message = compose("reply", recipient, {"reply": reply, "talk": reply.talk})
    send_or_retry(message, send_reply_email, attempt, reply_id=reply_id, recipient_id=recipient_id)
    return "sent"


@task()
def send_held_comment_email(comment_id: int, recipient_id: int, attempt: int = 1) -> str:
    """Tell an organiser that a comment in their series awaits approval."""
    comment = (
        Comment.objects.select_related("talk__series", "author")
        .filter(
            pk=comment_id,
            status=Comment.Status.HELD,
            removed=False,
            talk__series__organisers=recipient_id,
            talk__series__organisers__is_staff=True,
        )
        .first()
    )
    recipient = recipient_wanting(recipient_id, "held")
    if comment is None or recipient is None:
        return "not needed"
    context = {
        "comment": comment,
        "talk": comment.talk,
        "moderate_url": absolute_url(reverse("admin:seminars_comment_change", args=[comment.pk])),
    }
    message = compose("held", recipient, context)
    send_or_retry(
        message, send_held_comment_email, attempt, comment_id=comment_id, recipient_id=recipient_id
    )
    return "sent"


@task()
def send_digest_email(digest_id: int, attempt: int = 1) -> str:
    """Send a weekly digest recorded by notifications.queue_weekly_digests."""
    digest = Digest.objects.filter(pk=digest_id, sent=None).first()
    if digest is None:
        return "not needed"
    recipient = recipient_wanting(digest.user_id, "digest")
    # Talks unpublished or cancelled since the digest was queued drop out of it.
    talks = digest.talks.filter(status=Talk.Status.PUBLISHED).for_talk_page().order_by("start")
    talks = list(talks)
    if recipient is None or not talks:
        return "not needed"
    zone = chosen_zone(recipient)
    context = {"talks": [(talk, plain_talk_time(talk, zone)) for talk in talks]}
    message = compose("digest", recipient, context)
    send_or_retry(message, send_digest_email, attempt, digest_id=digest_id)
    digest.sent = timezone.now()
    digest.save(update_fields=["sent"])
    return "sent"


@task()
def send_account_email(payload: dict, attempt: int = 1) -> str:
    """An allauth email the mail server refused while its user waited (accounts.adapters)."""
    send_or_retry(email_from_payload(payload), send_account_email, attempt, payload=payload)
    return "sent"


def email_payload(message: EmailMessage) -> dict:
    """The message as a task argument (JSON): text, HTML alternative, addresses, headers."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives]
        if isinstance(message, EmailMultiAlternatives)
        else [],
    }


def email_from_payload(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        payload["subject"],
        payload["body"],
        payload["from_email"],
        payload["to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def recipient_wanting(user_id: int, kind: str):
    """The user, if they still exist and still want this kind of email; else None."""
    wanted = {EMAIL_KINDS[kind].field: True}
    return User.objects.filter(pk=user_id, is_active=True, **wanted).exclude(email="").first()


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def compose(kind: str, recipient, context: dict) -> EmailMessage:
    """A plain-text email from templates/emails/<kind>.txt, with its unsubscribe links.

    List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) let mail clients
    offer a one-click unsubscribe that POSTs to the same signed link.
    """
    unsubscribe_url = absolute_url(
        reverse("accounts:unsubscribe", args=[unsubscribe_token(recipient, kind)])
    )
    context = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute_url(reverse("accounts:preferences")),
        "kind": EMAIL_KINDS[kind],
    }
    # One line, whatever the titles in it hold: a newline would split the header.
    subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
    return EmailMessage(
        subject,
        render_to_string(f"emails/{kind}.txt", context),
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def send_or_retry(message: EmailMessage, this_task, attempt: int, **arguments) -> None:
    """Send; on a mail server error queue the next attempt (if any) and re-raise.

    Re-raising marks this attempt failed in the task table, with its exception.
    """
    try:
        message.send()
    except MAIL_ERRORS as error:
        if attempt >= MAX_ATTEMPTS:
            logger.error(
                "Gave up on %s %s after %d attempts: %r", this_task.name, arguments, attempt, error
            )
            raise
        delay = retry_delay(attempt)
        this_task.using(run_after=timezone.now() + delay).enqueue(attempt=attempt + 1, **arguments)
        logger.warning(
            "Sending %s %s failed (attempt %d of %d), trying again in %s: %r",
            this_task.name,
            arguments,
            attempt,
            MAX_ATTEMPTS,
            delay,
            error,
        )
        raise


def plain_talk_time(talk, viewer_zone) -> str:
    """A talk's start in its series' zone, and in the reader's zone when that reads differently."""
    start = talk.start.astimezone(zoneinfo.ZoneInfo(talk.series.timezone))
    text = f"{dateformat.format(start, 'l j F, H:i')} {start.tzname()}"
    if viewer_zone is not None:
        local = talk.start.astimezone(viewer_zone)
        if local.replace(tzinfo=None) != start.replace(tzinfo=None):
            text += f" ({dateformat.format(local, 'D j M, H:i')} {local.tzname()} your time)"
    return text
