"""/users/<id>/: a user's public name and their public comments, newest first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from seminars.models import Comment, Talk
from tests.factories import CommentFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db


def user_url(user):
    return reverse("users:user-detail", args=[user.pk])


@pytest.fixture
def ada():
    return UserFactory(display_name="Ada", affiliation="Analytical Engines")


def test_the_page_lists_the_users_public_comments_newest_first(client, ada):
    older = CommentFactory(author=ada, body="An older thought.")
    newer = CommentFactory(author=ada, body="A newer thought.")
    Comment.objects.filter(pk=older.pk).update(created=timezone.now() - datetime.timedelta(days=3))
    response = client.get(user_url(ada))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Ada</h1>" in content
    assert "Analytical Engines" in content
    assert content.index("A newer thought.") < content.index("An older thought.")
    assert f'href="{newer.get_absolute_url()}"' in content
    assert newer.talk.title in content


def test_held_removed_other_peoples_and_draft_talk_comments_are_left_out(client, ada):
    CommentFactory(author=ada, body="Published.")
    CommentFactory(author=ada, body="Awaiting approval.", status=Comment.Status.HELD)
    CommentFactory(author=ada, body="Removed by an organiser.", removed=True)
    CommentFactory(author=ada, body="On a draft.", talk=TalkFactory(status=Talk.Status.DRAFT))
    CommentFactory(body="Someone else's.")
    content = client.get(user_url(ada)).content.decode()
    assert "Published." in content
    for hidden in ["Awaiting approval.", "Removed by an organiser.", "On a draft.", "Someone else"]:
        assert hidden not in content


def test_the_email_address_is_never_shown(client, ada):
    CommentFactory(author=ada)
    assert ada.email not in client.get(user_url(ada)).content.decode()


def test_what_users_write_is_escaped(client):
    user = UserFactory(display_name="<script>alert(1)</script>", affiliation="<b>Bold</b>")
    CommentFactory(author=user, body="<img src=x onerror=alert(2)>", talk__title="<i>Talk</i>")
    content = client.get(user_url(user)).content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<b>Bold</b>" not in content
    assert "<img" not in content
    assert "<i>Talk</i>" not in content


def test_a_user_without_comments_has_an_empty_page(client, ada):
    assert "No comments yet." in client.get(user_url(ada)).content.decode()


@pytest.mark.parametrize("user", ["missing", "inactive"])
def test_missing_and_deactivated_users_are_not_found(client, user):
    pk = UserFactory(is_active=False).pk if user == "inactive" else 999_999
    assert client.get(reverse("users:user-detail", args=[pk])).status_code == 404


def test_comments_are_paginated_twenty_a_page(client, ada):
    talk = TalkFactory()
    for number in range(21):
        CommentFactory(author=ada, talk=talk, body=f"Thought number {number:02d}.")
    first = client.get(user_url(ada))
    assert len(first.context["page"]) == 20
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(user_url(ada), {"page": 2})
    assert [c.body for c in second.context["page"]] == ["Thought number 00."]


def test_a_bad_page_number_shows_a_page(client, ada):
    CommentFactory(author=ada)
    assert client.get(user_url(ada), {"page": "x"}).status_code == 200
    assert client.get(user_url(ada), {"page": "999"}).status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("rows", [1, 20])
def test_the_query_count_does_not_grow_with_comments(
    client, ada, rows, signed_in, django_assert_num_queries
):
    for _ in range(rows):
        CommentFactory(author=ada)  # each on its own talk
    if signed_in:
        client.force_login(UserFactory())
    # (session, user when signed in;) the user; count for the paginator; comments with talks.
    with django_assert_num_queries(3 + 2 * signed_in):
        response = client.get(user_url(ada))
    assert len(response.context["page"]) == rows


def test_comment_authors_link_to_their_page_and_deleted_users_to_nothing(client, ada):
    talk = TalkFactory()
    CommentFactory(talk=talk, author=ada)
    CommentFactory(talk=talk, author=None)
    content = client.get(talk.get_absolute_url()).content.decode()
    assert f'<a class="author" href="{user_url(ada)}">Ada</a>' in content
    assert '<span class="author">deleted user</span>' in content
