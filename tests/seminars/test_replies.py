"""Replies: one level deep, indented under their comment, refused under a reply or a
removed or held comment, and subject to the same holding rules as comments."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts import notifications
from discussion.forms import COMMENT_MAX_LENGTH
from seminars.models import Comment, Series
from tests.factories import CommentFactory, SeriesFactory, TalkFactory, UserFactory, soft_delete
from tests.seminars.commenting import comment_article, post_reply, talk_url

pytestmark = pytest.mark.django_db


def reply_url(comment):
    return reverse("discussion:comment-reply", args=[comment.pk])


def replies_block(page, parent):
    """The HTML of the replies (and reply form) shown under `parent`."""
    content = page.content.decode()
    match = re.search(rf'<section[^>]*id="replies-{parent.pk}"[^>]*>(.*?)</section>', content, re.S)
    assert match, f"comment {parent.pk} has no replies shown"
    return match.group(1)


@pytest.fixture
def parent():
    return CommentFactory(body="A question about the proof")


# The reply link and form


def test_a_published_comment_has_a_reply_link_that_works_without_javascript(client, parent):
    article = comment_article(client.get(talk_url(parent.talk)), parent)
    assert f'href="{reply_url(parent)}#reply-form"' in article


def test_an_anonymous_visitor_following_reply_is_asked_to_log_in_and_comes_back(client, parent):
    response = client.get(reply_url(parent))
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("account_login")
    assert parse_qs(urlsplit(response.url).query)["next"] == [reply_url(parent)]


def test_the_reply_page_shows_the_form_under_the_comment(client, parent, signed_in_user):
    response = client.get(reply_url(parent))

    assert response.status_code == 200
    form = replies_block(response, parent)
    assert 'id="reply-form"' in form
    assert f'action="{reply_url(parent)}"' in form
    assert f"Your reply to {escape(parent.author_name)}" in form
    assert 'name="submission_token"' in form
    # The page's own comment form is still there, with element ids of its own.
    content = response.content.decode()
    assert content.count('id="id_body"') == 1 and content.count('id="reply_body"') == 1


@pytest.mark.parametrize(
    "kind", ["reply", "removed", "held-by-someone-else", "deleted-by-author", "held-own"]
)
def test_no_reply_link_where_replies_are_refused(client, parent, signed_in_user, kind):
    if kind == "reply":
        comment = CommentFactory(talk=parent.talk, parent=parent)
    elif kind == "removed":
        comment = CommentFactory(talk=parent.talk, removed=True)
    elif kind == "deleted-by-author":
        comment = CommentFactory(talk=parent.talk)
        soft_delete(comment, by=comment.author)
    elif kind == "held-by-someone-else":
        comment = CommentFactory(talk=parent.talk, status=Comment.Status.HELD)
    else:
        comment = CommentFactory(
            talk=parent.talk, author=signed_in_user, status=Comment.Status.HELD
        )
    content = client.get(talk_url(parent.talk)).content.decode()
    assert reply_url(parent) in content
    assert reply_url(comment) not in content


# Posting a reply


def test_a_reply_is_stored_under_its_comment_and_shown_indented(client, parent, signed_in_user):
    response = post_reply(client, parent, "Here is the missing step")

    reply = Comment.objects.get(parent=parent)
    assert (reply.talk, reply.author, reply.body) == (
        parent.talk,
        signed_in_user,
        "Here is the missing step",
    )
    assert reply.status == Comment.Status.PUBLISHED
    assert response.status_code == 302
    assert response.url == f"{talk_url(parent.talk)}#comment-{reply.pk}"
    page = Client().get(talk_url(parent.talk))
    assert f'id="comment-{reply.pk}"' in replies_block(page, parent)
    # Replies are shown once, under their comment, and take no replies themselves.
    assert page.content.decode().count(f'id="comment-{reply.pk}"') == 1
    assert reply_url(reply) not in page.content.decode()


def test_replies_sit_under_their_own_comment_oldest_first(client):
    talk = TalkFactory()
    first, second = CommentFactory(talk=talk), CommentFactory(talk=talk)
    early = CommentFactory(talk=talk, parent=second, body="Early reply")
    late = CommentFactory(talk=talk, parent=second, body="Late reply")
    to_first = CommentFactory(talk=talk, parent=first, body="Reply to the first")

    page = client.get(talk_url(talk))

    under_first, under_second = replies_block(page, first), replies_block(page, second)
    assert f'id="comment-{to_first.pk}"' in under_first
    assert under_second.index(f'id="comment-{early.pk}"') < under_second.index(
        f'id="comment-{late.pk}"'
    )
    assert "Early reply" not in under_first


def test_a_removed_comment_keeps_its_replies_under_the_notice(client, parent):
    reply = CommentFactory(talk=parent.talk, parent=parent, body="A useful answer")
    soft_delete(parent, by=parent.author)
    page = client.get(talk_url(parent.talk))
    assert "deleted by its author" in comment_article(page, parent)
    assert "A useful answer" in replies_block(page, parent)
    assert f'id="comment-{reply.pk}"' in replies_block(page, parent)


def test_replies_follow_the_series_holding_rules(client, signed_in_user):
    series = SeriesFactory(comment_moderation=Series.Moderation.FIRST_TIME, blocked_words="spam")
    parent = CommentFactory(talk=TalkFactory(series=series))

    post_reply(client, parent, "My first words")

    reply = Comment.objects.get(parent=parent)
    assert (reply.status, reply.held_reason) == (
        Comment.Status.HELD,
        "First comment by this author",
    )
    assert f'id="comment-{reply.pk}"' not in Client().get(talk_url(parent.talk)).content.decode()
    own_view = client.get(talk_url(parent.talk))
    assert "Awaiting approval" in comment_article(own_view, reply)


def test_a_reply_is_handed_to_notifications_once_committed(
    client, parent, signed_in_user, django_capture_on_commit_callbacks, monkeypatch
):
    told = []
    monkeypatch.setattr(notifications, "comment_posted", told.append)
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, parent, "Notify the author")
    assert told == [Comment.objects.get(parent=parent)]


@pytest.mark.parametrize(
    "body", ["", "y" * (COMMENT_MAX_LENGTH + 1)], ids=["empty", "one-too-long"]
)
def test_an_invalid_reply_comes_back_under_its_comment_with_the_typed_text(
    client, parent, signed_in_user, body
):
    response = post_reply(client, parent, body)

    assert response.status_code == 400
    form = replies_block(response, parent)
    [error] = response.context["reply_form"].errors["body"]
    assert escape(error) in form
    assert f">\n{body}</textarea>" in form
    assert Comment.objects.count() == 1


# Refused replies

REFUSALS = {
    "reply": "Replies go one level deep: reply to the comment this one answers instead.",
    "removed": "This comment has been removed, so it cannot take replies.",
    "deleted-by-author": "This comment has been removed, so it cannot take replies.",
    "held-own": "This comment is awaiting approval, so it cannot take replies yet.",
}


def unrepliable(kind, parent, signed_in_user):
    if kind == "reply":
        return CommentFactory(talk=parent.talk, parent=parent)
    if kind == "held-own":
        return CommentFactory(talk=parent.talk, author=signed_in_user, status=Comment.Status.HELD)
    comment = CommentFactory(talk=parent.talk)
    soft_delete(comment, by=comment.author if kind == "deleted-by-author" else UserFactory())
    return comment


@pytest.mark.parametrize("kind", REFUSALS)
def test_replying_where_replies_are_refused_says_why_and_keeps_the_text(
    client, parent, signed_in_user, kind
):
    target = unrepliable(kind, parent, signed_in_user)
    count = Comment.objects.count()

    response = post_reply(client, target, "My carefully typed reply")

    assert response.status_code == 400
    content = response.content.decode()
    assert escape(REFUSALS[kind]) in content
    # The text waits in the comment form, to post as a comment instead.
    assert ">\nMy carefully typed reply</textarea>" in content
    assert response.context["form"].data["body"] == "My carefully typed reply"
    assert response.context["reply_form"] is None
    assert Comment.objects.count() == count


@pytest.mark.parametrize("kind", REFUSALS)
def test_opening_the_reply_form_where_replies_are_refused_says_why(
    client, parent, signed_in_user, kind
):
    target = unrepliable(kind, parent, signed_in_user)
    response = client.get(reply_url(target))
    assert response.status_code == 400
    assert escape(REFUSALS[kind]) in response.content.decode()
    assert 'id="reply-form"' not in response.content.decode()


def test_someone_elses_held_comment_cannot_be_found_to_reply_to(client, parent, signed_in_user):
    held = CommentFactory(talk=parent.talk, status=Comment.Status.HELD)
    assert client.get(reply_url(held)).status_code == 404
    assert post_reply(client, held, "Sneaky").status_code == 404
    assert not Comment.objects.filter(parent=held).exists()


def test_replying_on_a_draft_talk_or_to_an_unknown_comment_is_not_found(
    client, parent, signed_in_user
):
    parent.talk.status = parent.talk.Status.DRAFT
    parent.talk.save()
    assert post_reply(client, parent, "Early").status_code == 404
    missing = reverse("discussion:comment-reply", args=[999_999])
    assert client.post(missing, {"body": "Hello"}).status_code == 404
    assert Comment.objects.count() == 1


def test_a_reply_without_a_csrf_token_is_refused(parent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = post_reply(client, parent, "Forged")
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_reply_bodies_are_escaped(client, parent, signed_in_user):
    post_reply(client, parent, '<script>alert("x")</script>')
    page = client.get(talk_url(parent.talk))
    block = replies_block(page, parent)
    assert "<script>alert" not in block
    assert "&lt;script&gt;alert(" in block
