"""Reply and held-comment emails: who gets them, what they say, and how they are sent.

Emails go through the real task queue: comments are posted through the site,
the tasks land in django-tasks' database table, and `run_worker` runs them with
the database worker's own task runner. Failures are tested against a real SMTP
server on loopback that answers 451 ("try again later").
"""

import datetime
import logging
import re
import socketserver
import threading

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts import notifications, tasks
from accounts.email_preferences import unsubscribe_token
from seminars.models import Comment
from tests.factories import (
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)

pytestmark = pytest.mark.django_db

SITE = "https://seminars.example.org"
EMAIL_FIELDS = ["email_on_reply", "email_on_held_comment", "email_weekly_digest"]


@pytest.fixture(autouse=True)
def site_url(settings):
    """Links in emails start with SITE_URL, whatever the environment running the tests."""
    settings.SITE_URL = SITE


def run_worker() -> int:
    """Run every task that is due, as `manage.py db_worker --batch` does; how many ran.

    The worker's own loop also recycles database connections between tasks,
    which would break the transaction each test runs in, so this claims each
    ready task and hands it to the worker's run_task.
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


class RefusingSMTPHandler(socketserver.StreamRequestHandler):
    """An SMTP server that greets, then answers every message with 451."""

    def handle(self):
        self.server.connections += 1
        self.wfile.write(b"220 test.invalid ESMTP\r\n")
        for line in self.rfile:
            verb = line[:4].upper()
            if verb == b"QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            if verb in (b"EHLO", b"HELO", b"RSET", b"NOOP"):
                self.wfile.write(b"250 test.invalid\r\n")
            else:
                self.wfile.write(b"451 4.3.0 Mailbox busy, try again later\r\n")


@pytest.fixture
def refusing_smtp(settings):
    """Point Django's SMTP backend at a loopback server that refuses every message."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RefusingSMTPHandler)
    server.daemon_threads = True
    server.connections = 0
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.server_address[1]
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def post_reply(client, parent, body="I disagree, politely."):
    response = client.post(reverse("discussion:comment-reply", args=[parent.pk]), {"body": body})
    assert response.status_code == 302
    return Comment.objects.get(parent=parent, body=body)


def queued_tasks():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY)


def only_email():
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    return mail.outbox[0]


def path_of(url):
    assert url.startswith(SITE)
    return url.removeprefix(SITE)


@pytest.fixture
def thread(client):
    """A top-level comment by Ada and Bob signed in to reply to it."""
    ada = UserFactory(display_name="Ada")
    bob = UserFactory(display_name="Bob")
    parent = CommentFactory(author=ada, body="Lovely talk.")
    client.force_login(bob)
    return parent, ada, bob


# Replies


def test_a_reply_is_emailed_to_the_parent_author_by_the_worker(
    client, thread, django_capture_on_commit_callbacks
):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_reply(client, parent)
    # Nothing is sent during the request: the email waits in the task table.
    assert mail.outbox == []
    assert queued_tasks().count() == 1

    assert run_worker() == 1
    message = only_email()
    assert message.to == [ada.email]
    assert message.subject == f"Bob replied to your comment on “{parent.talk.title}”"
    assert "I disagree, politely." in message.body
    # The reply's lasting address, which redirects to the thread page showing it.
    assert f"{SITE}/comments/{reply.pk}/" in message.body
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_a_slow_or_failing_mail_server_is_never_contacted_during_the_request(
    client, thread, refusing_smtp, django_capture_on_commit_callbacks
):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    assert refusing_smtp.connections == 0
    run_worker()
    assert refusing_smtp.connections == 1


def test_replying_to_yourself_sends_nothing(client, django_capture_on_commit_callbacks):
    ada = UserFactory()
    parent = CommentFactory(author=ada)
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    assert queued_tasks().count() == 0


def test_no_reply_email_for_an_author_who_switched_them_off(
    client, thread, django_capture_on_commit_callbacks
):
    parent, ada, bob = thread
    ada.email_on_reply = False
    ada.save(update_fields=["email_on_reply"])
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    assert run_worker() == 0
    assert mail.outbox == []


def test_a_top_level_comment_emails_nobody(client, django_capture_on_commit_callbacks):
    talk = TalkFactory()
    CommentFactory(talk=talk)
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("discussion:comment-create", args=[talk.slug]), {"body": "First!"}
        )
    assert response.status_code == 302
    assert queued_tasks().count() == 0


def test_a_reply_removed_before_the_worker_runs_is_not_emailed(
    client, thread, django_capture_on_commit_callbacks
):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_reply(client, parent)
    soft_delete(reply, by=bob)
    assert run_worker() == 1
    assert mail.outbox == []
    assert DBTaskResult.objects.get().return_value == "not needed"


def test_switching_replies_off_while_the_email_waits_stops_it(
    client, thread, django_capture_on_commit_callbacks
):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    ada.email_on_reply = False
    ada.save(update_fields=["email_on_reply"])
    run_worker()
    assert mail.outbox == []


def test_a_deleted_parent_author_gets_nothing(client, thread, django_capture_on_commit_callbacks):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    ada.delete()
    run_worker()
    assert mail.outbox == []


# Comments held for approval


@pytest.fixture
def held_series():
    """A series that holds every comment, with two organisers who want emails and others."""
    series = SeriesFactory(comment_moderation="all")
    wants = [OrganiserFactory(), OrganiserFactory()]
    not_wanting = OrganiserFactory(email_on_held_comment=False)
    # Listed on the series but not staff: cannot moderate, so is not asked to.
    not_staff = UserFactory()
    series.organisers.add(*wants, not_wanting, not_staff)
    OrganiserFactory()  # organises another series
    return series, wants


def test_a_held_comment_is_emailed_to_the_series_organisers_who_want_it(
    client, held_series, django_capture_on_commit_callbacks
):
    series, organisers = held_series
    talk = TalkFactory(series=series, title="Knots & <links>")
    client.force_login(UserFactory(display_name="Newcomer"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("discussion:comment-create", args=[talk.slug]), {"body": "Buy my book."}
        )
    comment = Comment.objects.get(talk=talk)
    assert comment.status == Comment.Status.HELD

    assert run_worker() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        organiser.email for organiser in organisers
    )
    message = mail.outbox[0]
    # Plain text: the title is as written, not HTML-escaped.
    assert message.subject == "A comment on “Knots & <links>” awaits your approval"
    assert "Newcomer commented on “Knots & <links>”" in message.body
    assert "Buy my book." in message.body
    assert comment.held_reason in message.body
    change_url = reverse("admin:seminars_comment_change", args=[comment.pk])
    assert f"{SITE}{change_url}" in message.body


def test_an_organiser_whose_own_comment_is_held_is_not_emailed_about_it(held_series):
    series, (first, second) = held_series
    comment = CommentFactory(talk=TalkFactory(series=series), author=first, status="held")
    notifications.comment_posted(comment)
    run_worker()
    assert [message.to for message in mail.outbox] == [[second.email]]


def test_a_held_comment_approved_before_the_worker_runs_is_not_emailed(
    client, held_series, django_capture_on_commit_callbacks
):
    series, organisers = held_series
    talk = TalkFactory(series=series)
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("discussion:comment-create", args=[talk.slug]), {"body": "Hi."})
    Comment.objects.update(status=Comment.Status.PUBLISHED)
    run_worker()
    assert mail.outbox == []


def test_a_held_reply_tells_the_organisers_and_its_approval_tells_the_parent_author(
    client, held_series, django_capture_on_commit_callbacks
):
    series, organisers = held_series
    ada = UserFactory()
    parent = CommentFactory(talk=TalkFactory(series=series), author=ada)
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_reply(client, parent)
    run_worker()
    assert ada.email not in [message.to[0] for message in mail.outbox]
    assert len(mail.outbox) == 2

    mail.outbox.clear()
    client.force_login(organisers[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("discussion:comment-approve", args=[reply.pk]))
    run_worker()
    assert only_email().to == [ada.email]


def test_approving_a_held_reply_in_the_admin_tells_the_parent_author(
    client, held_series, django_capture_on_commit_callbacks
):
    series, organisers = held_series
    ada = UserFactory()
    parent = CommentFactory(talk=TalkFactory(series=series), author=ada)
    reply = CommentFactory(talk=parent.talk, parent=parent, status=Comment.Status.HELD)
    client.force_login(organisers[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:seminars_comment_changelist"),
            {"action": "approve_comments", "_selected_action": [reply.pk]},
        )
    run_worker()
    assert Comment.objects.get(pk=reply.pk).status == Comment.Status.PUBLISHED
    assert only_email().to == [ada.email]


# Unsubscribe links and headers


@pytest.fixture
def reply_email(client, thread, django_capture_on_commit_callbacks):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    run_worker()
    client.logout()
    return only_email(), ada


def test_every_email_carries_one_click_unsubscribe_headers_and_links(reply_email):
    message, ada = reply_email
    unsubscribe_url = re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"])[1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop these emails (one click): {unsubscribe_url}" in message.body
    assert f"Change your email preferences: {SITE}/accounts/preferences/" in message.body
    assert path_of(unsubscribe_url).startswith("/accounts/unsubscribe/")


def test_the_one_click_post_a_mail_client_sends_unsubscribes_without_a_session(reply_email):
    message, ada = reply_email
    url = path_of(re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"])[1])
    # RFC 8058: the mail client POSTs this body, with no cookie and no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.email_on_reply is False
    # Only that kind of email stops.
    assert ada.email_weekly_digest is True


def test_the_unsubscribe_link_asks_before_it_unsubscribes(reply_email, client):
    message, ada = reply_email
    url = path_of(re.search(r"one click\): (\S+)", message.body)[1])
    response = client.get(url)
    assert response.status_code == 200
    assert "Stop the emails about replies to your comments?" in response.content.decode()
    ada.refresh_from_db()
    assert ada.email_on_reply is True

    response = client.post(url)
    assert "you will get no more emails about replies" in response.content.decode()
    ada.refresh_from_db()
    assert ada.email_on_reply is False


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("reply", "email_on_reply"),
        ("held", "email_on_held_comment"),
        ("digest", "email_weekly_digest"),
    ],
)
def test_each_kind_of_token_switches_off_its_own_email(client, kind, field):
    user = UserFactory()
    client.post(reverse("accounts:unsubscribe", args=[unsubscribe_token(user, kind)]))
    user.refresh_from_db()
    switches = {name: getattr(user, name) for name in EMAIL_FIELDS}
    assert switches == {name: name != field for name in EMAIL_FIELDS}


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_token_is_refused_with_a_clear_page(client, method):
    user = UserFactory()
    token = unsubscribe_token(user, "reply")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = getattr(client, method)(reverse("accounts:unsubscribe", args=[forged]))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.email_on_reply is True


def test_an_unsubscribe_link_cannot_be_bent_to_another_user(client):
    # The token is signed over the user id: swapping the id breaks the signature.
    ada, eve = UserFactory(), UserFactory()
    token = unsubscribe_token(eve, "reply")
    payload, rest = token.split(":", 1)
    other = unsubscribe_token(ada, "reply").split(":", 1)[0]
    response = client.post(reverse("accounts:unsubscribe", args=[f"{other}:{rest}"]))
    assert response.status_code == 400
    ada.refresh_from_db()
    assert ada.email_on_reply is True


# Failures and retries


def test_a_refusing_mail_server_is_retried_with_backoff_then_given_up_and_logged(
    client, thread, refusing_smtp, caplog, django_capture_on_commit_callbacks
):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    caplog.set_level(logging.WARNING, logger="accounts.tasks")

    delays = []
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        before = timezone.now()
        assert run_worker() == 1
        assert refusing_smtp.connections == attempt
        retry = queued_tasks().first()
        if attempt < tasks.MAX_ATTEMPTS:
            assert retry.args_kwargs["kwargs"]["attempt"] == attempt + 1
            delays.append(retry.run_after - before)
            # Not due yet: the worker leaves it alone.
            assert run_worker() == 0
            queued_tasks().update(run_after=timezone.now())
        else:
            assert retry is None

    minutes = [round(delay / datetime.timedelta(minutes=1)) for delay in delays]
    assert minutes == [1, 4, 16, 64]
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert failed.count() == tasks.MAX_ATTEMPTS
    assert {result.exception_class_path for result in failed} == {"smtplib.SMTPSenderRefused"}
    ours = [record for record in caplog.records if record.name == "accounts.tasks"]
    warnings = [record for record in ours if record.levelno == logging.WARNING]
    errors = [record for record in ours if record.levelno == logging.ERROR]
    assert len(warnings) == tasks.MAX_ATTEMPTS - 1
    assert "attempt 1 of 5" in warnings[0].getMessage()
    assert "451" in warnings[0].getMessage()
    assert len(errors) == 1
    assert "Gave up on send_reply_email" in errors[0].getMessage()
    assert mail.outbox == []


def test_an_unreachable_mail_server_is_retried_and_the_retry_delivers(
    client, thread, settings, django_capture_on_commit_callbacks
):
    parent, ada, bob = thread
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent)
    # Nothing listens on the discard port: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    run_worker()
    assert DBTaskResult.objects.get(status=TaskResultStatus.FAILED).exception_class_path == (
        "builtins.ConnectionRefusedError"
    )

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queued_tasks().update(run_after=timezone.now())
    assert run_worker() == 1
    assert only_email().to == [ada.email]


# The preferences page


PREFERENCES_URL = reverse("accounts:preferences")


def test_preferences_need_a_login(client):
    response = client.get(PREFERENCES_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_preferences_show_the_email_switches_and_what_can_be_followed(client):
    user = UserFactory()
    TagFactory(name="Topology")
    SeriesFactory(name="Geometry seminar")
    client.force_login(user)
    response = client.get(PREFERENCES_URL)
    assert response.status_code == 200
    content = response.content.decode()
    for field in ["email_on_reply", "email_weekly_digest", "followed_tags", "followed_series"]:
        assert f'name="{field}"' in content
    assert "Topology" in content
    assert "Geometry seminar" in content
    # Only organisers are asked to approve comments.
    assert 'name="email_on_held_comment"' not in content


def test_organisers_also_choose_held_comment_emails(client):
    client.force_login(OrganiserFactory())
    content = client.get(PREFERENCES_URL).content.decode()
    assert 'name="email_on_held_comment"' in content


def test_saving_preferences_sets_switches_and_follows(client):
    user = OrganiserFactory()
    tags = [TagFactory(), TagFactory()]
    series = SeriesFactory()
    user.followed_tags.add(tags[0])
    client.force_login(user)
    # Unticked boxes are absent from a posted form.
    response = client.post(
        PREFERENCES_URL,
        {
            "email_on_held_comment": "on",
            "followed_tags": [tags[1].pk],
            "followed_series": [series.pk],
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert {name: getattr(user, name) for name in EMAIL_FIELDS} == {
        "email_on_reply": False,
        "email_on_held_comment": True,
        "email_weekly_digest": False,
    }
    assert list(user.followed_tags.all()) == [tags[1]]
    assert list(user.followed_series.all()) == [series]


def test_a_non_organiser_saving_keeps_their_held_comment_switch(client):
    user = UserFactory(email_on_held_comment=True)
    client.force_login(user)
    client.post(PREFERENCES_URL, {"email_on_reply": "on"})
    user.refresh_from_db()
    assert user.email_on_held_comment is True
    assert user.email_weekly_digest is False


def test_an_unknown_tag_is_refused_and_nothing_is_saved(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PREFERENCES_URL, {"followed_tags": ["999999"]})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    user.refresh_from_db()
    assert user.email_on_reply is True
    assert not user.followed_tags.exists()


def test_saving_preferences_needs_a_csrf_token():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(PREFERENCES_URL, {}).status_code == 403
    user.refresh_from_db()
    assert user.email_on_reply is True


@pytest.mark.parametrize("rows", [1, 20])
def test_the_preferences_page_query_count_is_constant(client, rows, django_assert_num_queries):
    user = UserFactory()
    for _ in range(rows):
        user.followed_tags.add(TagFactory())
        user.followed_series.add(SeriesFactory())
    client.force_login(user)
    # session, user; followed tags, followed series (the ticks); all tags, all series.
    with django_assert_num_queries(6):
        response = client.get(PREFERENCES_URL)
    assert response.content.decode().count("checked") == 2 * rows + 2
