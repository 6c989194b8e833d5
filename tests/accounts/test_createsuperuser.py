"""`createsuperuser` asks for what the site's login uses: an email and a password."""

import getpass
import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-admin-passphrase-42"


class Terminal(io.StringIO):
    """stdin as a terminal, which the interactive command insists on."""

    def isatty(self):
        return True


@pytest.fixture
def typed(monkeypatch):
    """Answers the command's prompts in order, recording each prompt it shows."""
    prompts = []

    def answer(answers):
        answers = iter(answers)

        def asker(kind):
            def prompt(message=""):
                prompts.append((kind, message.split(":")[0]))
                return next(answers)

            return prompt

        monkeypatch.setattr("builtins.input", asker("input"))
        monkeypatch.setattr(getpass, "getpass", asker("password"))
        return prompts

    return answer


def test_it_asks_for_an_email_and_a_password_only(typed, client):
    prompts = typed(["admin@example.org", PASSWORD, PASSWORD])

    call_command("createsuperuser", stdin=Terminal(), stdout=io.StringIO())

    assert prompts == [
        ("input", "Email address"),
        ("password", ""),
        ("password", "Password (again)"),
    ]
    user = User.objects.get(email="admin@example.org")
    assert user.is_superuser and user.is_staff
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
    # The address and password log in, through the site's login.
    response = client.post(
        reverse("account_login"), {"login": "admin@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    # The admin greets them by their address, not the login generated for them.
    assert "admin@example.org" in index.content.decode()
    assert user.username not in index.content.decode()


def test_a_blank_email_is_asked_again(typed):
    prompts = typed(["", "admin@example.org", PASSWORD, PASSWORD])
    errors = io.StringIO()

    call_command("createsuperuser", stdin=Terminal(), stdout=io.StringIO(), stderr=errors)

    assert prompts[:2] == [("input", "Email address")] * 2
    assert "an email address is required" in errors.getvalue()
    assert User.objects.get().email == "admin@example.org"


def test_two_superusers_get_different_logins(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    for email in ("one@example.org", "two@example.org"):
        call_command("createsuperuser", "--noinput", f"--email={email}", stdout=io.StringIO())

    assert User.objects.filter(is_superuser=True).count() == 2
    assert len(set(User.objects.values_list("username", flat=True))) == 2
