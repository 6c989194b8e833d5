"""A comment form posted twice (a double click, a resubmitted page) stores one comment."""

import re
import uuid

import pytest
from django.urls import reverse

from discussion.views import save_new_comment
from seminars.models import Comment
from tests.factories import CommentFactory, TalkFactory
from tests.seminars.commenting import post_comment, post_reply, talk_url

pytestmark = pytest.mark.django_db

DAMAGED = "This form is damaged. Please reload the page and post again."


def tokens_on(response):
    return re.findall(r'name="submission_token" value="([^"]+)"', response.content.decode())


def test_each_comment_form_carries_a_fresh_one_time_token(client, signed_in_user):
    parent = CommentFactory()
    first_visit = tokens_on(client.get(talk_url(parent.talk)))
    second_visit = tokens_on(client.get(talk_url(parent.talk)))
    reply_page = tokens_on(client.get(reverse("discussion:comment-reply", args=[parent.pk])))

    assert len(first_visit) == len(second_visit) == 1
    assert len(reply_page) == 2  # the reply form and the comment form
    tokens = {*first_visit, *second_visit, *reply_page}
    assert len(tokens) == 4
    assert all(uuid.UUID(token) for token in tokens)


def test_posting_the_same_form_twice_stores_one_comment(client, signed_in_user):
    talk = TalkFactory()
    [token] = tokens_on(client.get(talk_url(talk)))

    first = post_comment(client, talk, "Clicked twice", token)
    second = post_comment(client, talk, "Clicked twice", token)

    comment = Comment.objects.get()
    assert comment.submission_token == uuid.UUID(token)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"{talk_url(talk)}#comment-{comment.pk}"


def test_a_reply_posted_twice_is_stored_once(client, signed_in_user):
    parent = CommentFactory()
    token = uuid.uuid4()
    first = post_reply(client, parent, "Twice", token)
    second = post_reply(client, parent, "Twice", token)
    reply = Comment.objects.get(parent=parent)
    assert first.url == second.url == f"{talk_url(parent.talk)}#comment-{reply.pk}"


def test_the_second_submit_is_not_counted_by_the_rate_limit(client, signed_in_user, settings):
    settings.COMMENT_RATE_LIMITS = [(1, "m")]
    talk = TalkFactory()
    token = uuid.uuid4()
    post_comment(client, talk, "Once", token)
    assert post_comment(client, talk, "Once", token).status_code == 302
    assert Comment.objects.count() == 1


def test_a_form_shown_again_after_an_error_keeps_its_token_and_then_posts(client, signed_in_user):
    talk = TalkFactory()
    token = uuid.uuid4()
    invalid = post_comment(client, talk, "", token)
    assert tokens_on(invalid) == [str(token)]

    assert post_comment(client, talk, "Now with words", token).status_code == 302
    assert Comment.objects.get().submission_token == token


def test_a_damaged_token_is_refused_with_a_message_and_the_text_kept(client, signed_in_user):
    talk = TalkFactory()
    response = client.post(
        reverse("discussion:comment-create", args=[talk.slug]),
        {"body": "Keep me", "submission_token": "not-a-token"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert DAMAGED in content
    assert ">\nKeep me</textarea>" in content
    assert not Comment.objects.exists()


def test_a_form_without_a_token_still_posts(client, signed_in_user):
    # Pages loaded before tokens existed, and scripts, post without one.
    talk = TalkFactory()
    client.post(reverse("discussion:comment-create", args=[talk.slug]), {"body": "No token"})
    client.post(reverse("discussion:comment-create", args=[talk.slug]), {"body": "No token"})
    assert Comment.objects.filter(submission_token=None).count() == 2


def test_someone_elses_token_is_refused_and_their_comment_untouched(client, signed_in_user):
    theirs = CommentFactory(submission_token=uuid.uuid4(), body="Theirs")
    response = post_comment(client, theirs.talk, "Mine", theirs.submission_token)
    assert response.status_code == 400
    assert "Please reload the page and post again." in response.content.decode()
    assert list(Comment.objects.values_list("body", flat=True)) == ["Theirs"]


def test_two_servers_saving_the_same_form_at_once_store_one_comment(signed_in_user):
    """The insert that loses the race on the unique token returns the comment that won.

    Both requests passed the "already stored?" check before either saved; the
    database's unique constraint decides.
    """
    talk = TalkFactory()
    token = uuid.uuid4()
    winner = save_new_comment(
        Comment(talk=talk, author=signed_in_user, body="Race", submission_token=token)
    )
    loser = Comment(talk=talk, author=signed_in_user, body="Race", submission_token=token)

    stored = save_new_comment(loser)

    assert stored == winner
    assert loser.pk is None
    assert Comment.objects.count() == 1
