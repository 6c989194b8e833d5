"""allauth's emails when the mail server is down: no 500, nothing half made, sent later."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from tests.accounts.test_accounts import sign_up
from tests.accounts.test_notifications import run_worker
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WORKING = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def mail_server_down(settings):
    """SMTP to a port where nothing listens: every send is refused at once."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 1, False


def mail_server_back(settings):
    settings.EMAIL_BACKEND = WORKING


def test_signing_up_while_the_mail_server_is_down_works_and_the_email_follows(
    client, settings, mail_server_down
):
    response = sign_up(client, email="ada@example.org")

    assert response.status_code == 302
    user = User.objects.get(email="ada@example.org")
    page = client.get(response["Location"], follow=True).content.decode()
    assert "it will follow within minutes" in page
    mail_server_back(settings)
    assert run_worker() == 1
    assert [message.to for message in mail.outbox] == [["ada@example.org"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert not user.emailaddress_set.get().verified


def test_a_password_reset_while_the_mail_server_is_down_is_sent_later(
    client, settings, mail_server_down
):
    UserFactory(email="grace@example.org")

    response = client.post(reverse("account_reset_password"), {"email": "grace@example.org"})

    assert response.status_code == 302
    mail_server_back(settings)
    assert run_worker() == 1
    assert mail.outbox[0].to == ["grace@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_a_failed_send_is_tried_again_later_not_lost(client, settings, mail_server_down):
    sign_up(client, email="hedy@example.org")

    run_worker()  # still down: the attempt fails and the next is queued for later

    assert mail.outbox == []
    assert User.objects.filter(email="hedy@example.org").exists()
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "READY"]
    assert DBTaskResult.objects.get(status="READY").run_after > timezone.now()
