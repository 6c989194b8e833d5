"""Deleting one's account: personal data goes, comments stay, by "deleted user"."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from accounts.models import Digest, User
from seminars.models import Comment
from tests.factories import (
    PASSWORD,
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DELETE_URL = reverse("accounts:delete")


@pytest.fixture
def ada():
    """A user with everything an account can hold."""
    user = OrganiserFactory(display_name="Ada Lovelace", affiliation="Analytical Engines")
    SeriesFactory().organisers.add(user)
    user.followed_tags.add(TagFactory())
    user.followed_series.add(SeriesFactory())
    SocialAccount.objects.create(user=user, provider="orcid", uid="0000-0002-1825-0097")
    Digest.objects.create(user=user, week="2026-11-23").talks.add(TalkFactory())
    return user


def test_the_page_needs_a_login(client):
    response = client.get(DELETE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_says_what_goes_and_what_stays(client, ada):
    client.force_login(ada)
    content = client.get(DELETE_URL).content.decode()
    assert "Your comments stay" in content
    assert "deleted user" in content
    assert 'type="password"' in content


def test_deleting_removes_personal_data_and_keeps_comments(client, ada):
    talk = TalkFactory()
    comment = CommentFactory(talk=talk, author=ada, body="My own words.")
    reply = CommentFactory(talk=talk, parent=comment, body="A reply to Ada.")
    client.force_login(ada)

    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("seminars:home")
    assert not User.objects.filter(pk=ada.pk).exists()
    assert not User.objects.filter(email=ada.email).exists()
    assert not EmailAddress.objects.filter(email=ada.email).exists()
    assert not SocialAccount.objects.filter(uid="0000-0002-1825-0097").exists()
    assert not Digest.objects.exists()
    assert not User.followed_tags.through.objects.exists()
    assert not User.followed_series.through.objects.exists()
    comment.refresh_from_db()
    assert comment.author is None
    assert comment.body == "My own words."
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk


def test_the_thread_shows_deleted_user_and_no_trace_of_the_name(client, ada):
    talk = TalkFactory()
    CommentFactory(talk=talk, author=ada, body="My own words.")
    client.force_login(ada)
    client.post(DELETE_URL, {"password": PASSWORD})

    content = Client().get(talk.get_absolute_url()).content.decode()
    assert "My own words." in content
    assert "deleted user" in content
    assert "Ada Lovelace" not in content


def test_deleting_signs_you_out(client, ada):
    client.force_login(ada)
    response = client.post(DELETE_URL, {"password": PASSWORD}, follow=True)
    assert not response.context["user"].is_authenticated
    assert "Your account has been deleted." in response.content.decode()


@pytest.mark.parametrize("password", ["", "not-my-password"])
def test_a_wrong_password_deletes_nothing(client, ada, password):
    client.force_login(ada)
    response = client.post(DELETE_URL, {"password": password})
    assert response.status_code == 400
    assert User.objects.filter(pk=ada.pk).exists()
    assert EmailAddress.objects.filter(user=ada).exists()
    assert 'role="alert"' in response.content.decode()


def test_deleting_needs_a_csrf_token(ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post(DELETE_URL, {"password": PASSWORD}).status_code == 403
    assert User.objects.filter(pk=ada.pk).exists()


def test_an_account_without_a_password_is_asked_to_set_one_first(client):
    # Signed up through ORCID, say: there is no password to confirm with.
    user = UserFactory(password=None)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    client.force_login(user)

    content = client.get(DELETE_URL).content.decode()
    assert reverse("account_set_password") in content
    client.post(DELETE_URL, {"password": ""})
    assert User.objects.filter(pk=user.pk).exists()


def test_only_your_own_account_is_deleted(client, ada):
    other = UserFactory()
    client.force_login(ada)
    client.post(DELETE_URL, {"password": PASSWORD})
    assert User.objects.filter(pk=other.pk).exists()
    assert EmailAddress.objects.filter(user=other).exists()
