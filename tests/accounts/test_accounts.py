"""Accounts through allauth's real flows: signup with a display name, mandatory email
verification, email login, the profile page, and a public name that hides the email."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, CommentFactory, UserFactory
from tests.test_settings import PRODUCTION, read_settings

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def signed_in_user(client):
    return client.get(reverse("seminars:home")).wsgi_request.user


def sign_up(client, email="ada@example.org", display_name="Ada L."):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": display_name,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def log_in(client, login, password=NEW_PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def confirmation_link(message):
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, "the email holds no confirmation link"
    return match.group(1)


@pytest.fixture
def mandatory_verification(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"


# Signup


def test_signup_asks_for_a_display_name(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "display_name" in response.context["form"].fields
    assert 'name="display_name"' in response.content.decode()


@pytest.mark.parametrize("display_name", ["", "   "], ids=["missing", "blank"])
def test_signup_without_a_display_name_is_refused(client, display_name):
    response = sign_up(client, display_name=display_name)
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    assert not User.objects.exists()


def test_signup_stores_the_display_name(client):
    sign_up(client, display_name="  Ada L.  ")
    user = User.objects.get(email="ada@example.org")
    assert user.display_name == "Ada L."


@pytest.mark.usefixtures("mandatory_verification")
def test_new_user_cannot_log_in_until_they_follow_the_emailed_link(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not signed_in_user(client).is_authenticated
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]

    log_in(client, "ada@example.org")
    assert not signed_in_user(client).is_authenticated

    link = confirmation_link(message)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="ada@example.org").verified

    response = log_in(client, "ada@example.org")
    assert response.status_code == 302
    assert signed_in_user(client).email == "ada@example.org"


@pytest.mark.usefixtures("mandatory_verification")
def test_a_forged_confirmation_key_verifies_nothing(client):
    sign_up(client)
    response = client.post(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert response.status_code == 404
    assert not EmailAddress.objects.get(email="ada@example.org").verified


# Login


def test_login_is_by_email(client):
    user = UserFactory()
    assert log_in(client, user.email, PASSWORD).status_code == 302
    assert signed_in_user(client) == user


def test_login_by_username_is_refused(client):
    user = UserFactory()
    response = log_in(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not signed_in_user(client).is_authenticated


def test_wrong_password_is_refused(client):
    user = UserFactory()
    response = log_in(client, user.email, "not-the-password")
    assert response.context["form"].errors
    assert not signed_in_user(client).is_authenticated


# Profile


def test_profile_needs_a_login(client):
    url = reverse("accounts:profile")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    client.post(url, {"display_name": "Intruder", "affiliation": "Nowhere"})
    assert not User.objects.filter(display_name="Intruder").exists()


def test_profile_shows_the_current_values(client):
    user = UserFactory(display_name="Grace H.", affiliation="Navy Lab")
    client.force_login(user)
    form = client.get(reverse("accounts:profile")).context["form"]
    assert (form["display_name"].value(), form["affiliation"].value()) == ("Grace H.", "Navy Lab")


def test_profile_edits_display_name_and_affiliation(client):
    user = UserFactory(display_name="Old name", affiliation="")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "New name", "affiliation": "Institute of Examples"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.affiliation) == ("New name", "Institute of Examples")


@pytest.mark.parametrize(
    "data",
    [
        {"display_name": "", "affiliation": "X"},
        {"display_name": "   ", "affiliation": "X"},
        {"display_name": "n" * 101, "affiliation": "X"},
        {"display_name": "Fine", "affiliation": "a" * 201},
    ],
    ids=["empty-name", "blank-name", "long-name", "long-affiliation"],
)
def test_invalid_profile_shows_an_error_and_saves_nothing(client, data):
    user = UserFactory(display_name="Kept", affiliation="Kept too")
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors
    content = response.content.decode()
    for field_errors in errors.values():
        for error in field_errors:
            assert error in content
    user.refresh_from_db()
    assert (user.display_name, user.affiliation) == ("Kept", "Kept too")


# The public name


def test_comments_show_the_display_name_never_the_email(client):
    comment = CommentFactory(author=UserFactory(display_name="Ada L.", email="ada.l@example.org"))
    content = client.get(comment.talk.get_absolute_url()).content.decode()
    assert "Ada L." in content
    assert "ada.l@example.org" not in content


def test_a_user_without_a_display_name_is_not_shown_by_email_or_login(client):
    author = UserFactory(display_name="", email="hidden.person@example.org")
    comment = CommentFactory(author=author)
    client.force_login(author)  # the navigation shows the signed-in user's own name too

    content = client.get(comment.talk.get_absolute_url()).content.decode()

    assert author.public_name in content
    assert "hidden.person" not in content
    assert author.username not in content


def test_a_signed_up_user_is_not_shown_by_email_to_the_public(client):
    # allauth derives the login name from the email; the public must see neither.
    sign_up(Client(), email="ada.lovelace@example.org", display_name="Countess")
    user = User.objects.get()
    comment = CommentFactory(author=user)

    content = client.get(comment.talk.get_absolute_url()).content.decode()

    assert "Countess" in content
    assert "ada.lovelace" not in content
    assert user.username not in content


# Sign-up never reveals that an address has an account


@pytest.mark.parametrize("verification", ["optional", "mandatory", "none"])
def test_signing_up_with_a_taken_address_does_not_say_so(client, settings, verification):
    env = {**PRODUCTION, "ACCOUNT_EMAIL_VERIFICATION": verification}
    configured = read_settings(env, "ACCOUNT_EMAIL_VERIFICATION", "ACCOUNT_PREVENT_ENUMERATION")
    assert configured["ACCOUNT_EMAIL_VERIFICATION"] == verification
    settings.ACCOUNT_EMAIL_VERIFICATION = verification
    settings.ACCOUNT_PREVENT_ENUMERATION = configured["ACCOUNT_PREVENT_ENUMERATION"]
    UserFactory(email="taken@example.org")

    taken = sign_up(Client(), email="taken@example.org", display_name="Someone")
    fresh = sign_up(Client(), email="fresh@example.org", display_name="Someone else")

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert "already registered" not in taken.content.decode()


def test_profile_changes_are_rate_limited_and_a_refused_one_saves_nothing(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"change_profile": "2/m/user"}
    user = UserFactory(display_name="Ada")
    client.force_login(user)

    answers = [
        client.post(reverse("accounts:profile"), {"display_name": name, "affiliation": ""})
        for name in ("Ada One", "Ada Two", "Ada Three")
    ]
    unchanged = client.post(reverse("accounts:profile"), {"display_name": "Ada Two"})

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert "changing your profile too often" in answers[2].content.decode()
    assert 'value="Ada Three"' in answers[2].content.decode()
    user.refresh_from_db()
    assert user.display_name == "Ada Two"
    # A save that changes nothing is not counted, and is not refused.
    assert unchanged.status_code == 302
