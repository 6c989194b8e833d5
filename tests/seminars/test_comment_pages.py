"""A talk's comments a page at a time (discussion.threads), and links that find a comment.

Top-level comments come 50 a page, oldest first, each with its replies. After
posting, editing or moderating, and from /comments/<id>/, the visitor lands on
the page that shows the comment.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from discussion.threads import COMMENTS_PER_PAGE
from seminars.models import Comment
from tests.factories import CommentFactory, OrganiserFactory, TalkFactory, UserFactory, soft_delete
from tests.seminars.commenting import form_data, post_comment, post_reply, talk_url

pytestmark = pytest.mark.django_db


def make_comments(talk, count, **fields):
    """`count` top-level comments, a minute apart, oldest first."""
    start = timezone.now() - datetime.timedelta(days=1)
    comments = CommentFactory.create_batch(count, talk=talk, **fields)
    for minute, comment in enumerate(comments):
        comment.created = start + datetime.timedelta(minutes=minute)
    Comment.objects.bulk_update(comments, ["created"])
    return comments


def shown_ids(response) -> list[int]:
    return [comment.pk for comment in response.context["thread"].comments]


@pytest.fixture
def talk():
    return TalkFactory()


@pytest.fixture
def long_thread(talk):
    """One comment more than a page, the first with a reply."""
    comments = make_comments(talk, COMMENTS_PER_PAGE + 1)
    CommentFactory(talk=talk, parent=comments[0], body="A reply")
    return comments


def test_the_first_page_holds_the_oldest_comments_with_their_replies(client, talk, long_thread):
    response = client.get(talk_url(talk))

    assert shown_ids(response) == [c.pk for c in long_thread[:COMMENTS_PER_PAGE]]
    assert [r.body for r in response.context["thread"].comments[0].thread_replies] == ["A reply"]
    assert f'href="{talk_url(talk)}?page=2#comments"' in response.content.decode()
    assert "Earlier comments" not in response.content.decode()


def test_the_next_page_holds_the_rest_and_links_back(client, talk, long_thread):
    response = client.get(talk_url(talk), {"page": 2})

    assert shown_ids(response) == [long_thread[-1].pk]
    content = response.content.decode()
    assert f'href="{talk_url(talk)}#comments"' in content
    assert "Later comments" not in content
    assert "Comments page 2" in content


def test_a_short_thread_has_no_page_links(client, talk):
    make_comments(talk, 3)

    response = client.get(talk_url(talk))

    assert len(shown_ids(response)) == 3
    assert 'aria-label="Comment pages"' not in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-3", "", "1.5"])
def test_a_malformed_page_number_leads_to_the_first_page(client, talk, page):
    make_comments(talk, 2)

    response = client.get(talk_url(talk), {"page": page}, follow=True)

    # Redirected, so that no junk address is stored in the page cache.
    assert response.redirect_chain == [(talk_url(talk), 302)]
    assert response.status_code == 200
    assert len(shown_ids(response)) == 2


def test_a_huge_page_number_is_a_404_not_a_database_error(client, talk):
    make_comments(talk, 2)

    response = client.get(talk_url(talk), {"page": "9" * 30}, follow=True)

    assert response.redirect_chain == [(f"{talk_url(talk)}?page=10000", 302)]
    assert response.status_code == 404
    assert "There are no comments on page 10000." in response.content.decode()


def test_a_page_past_the_end_is_a_404_that_leads_back(client, talk, long_thread):
    response = client.get(talk_url(talk), {"page": 3})

    assert response.status_code == 404
    assert "There are no comments on page 3." in response.content.decode()
    assert f'href="{talk_url(talk)}#comments"' in response.content.decode()


def test_a_new_comment_on_a_long_thread_lands_on_its_page(client, talk, long_thread):
    client.force_login(UserFactory())

    response = post_comment(client, talk, "Late to the party")

    comment = Comment.objects.get(body="Late to the party")
    assert response.url == f"{talk_url(talk)}?page=2#comment-{comment.pk}"
    assert comment.pk in shown_ids(client.get(response.url))


def test_a_reply_lands_on_its_parents_page(client, talk, long_thread):
    client.force_login(UserFactory())
    parent = long_thread[-1]

    response = post_reply(client, parent, "Quite so")

    reply = Comment.objects.get(body="Quite so")
    assert response.url == f"{talk_url(talk)}?page=2#comment-{reply.pk}"


def test_the_reply_form_opens_on_the_page_of_its_comment(client, talk, long_thread):
    client.force_login(UserFactory())
    parent = long_thread[-1]

    response = client.get(reverse("discussion:comment-reply", args=[parent.pk]))

    assert shown_ids(response) == [parent.pk]
    assert 'id="reply-form"' in response.content.decode()
    assert f'href="{talk_url(talk)}?page=2#comment-{parent.pk}">Cancel' in (
        response.content.decode()
    )


def test_an_edit_lands_on_the_comments_page(client, talk, long_thread):
    comment = long_thread[-1]
    client.force_login(comment.author)

    response = client.post(
        reverse("discussion:comment-edit", args=[comment.pk]), {"body": "Edited text"}
    )

    assert response.url == f"{talk_url(talk)}?page=2#comment-{comment.pk}"


def test_a_removal_without_a_reason_is_shown_on_the_comments_page(client, talk, long_thread):
    organiser = OrganiserFactory()
    talk.series.organisers.add(organiser)
    client.force_login(organiser)
    comment = long_thread[-1]

    response = client.post(reverse("discussion:comment-remove", args=[comment.pk]), {"reason": ""})

    assert response.status_code == 400
    assert shown_ids(response) == [comment.pk]


def test_the_permalink_leads_to_the_page_of_the_comment(client, talk, long_thread):
    first, last = long_thread[0], long_thread[-1]

    assert client.get(first.get_absolute_url()).url == f"{talk_url(talk)}#comment-{first.pk}"
    assert client.get(last.get_absolute_url()).url == (f"{talk_url(talk)}?page=2#comment-{last.pk}")


def test_the_permalink_of_a_reply_leads_to_its_parents_page(client, talk, long_thread):
    reply = CommentFactory(talk=talk, parent=long_thread[-1])

    response = client.get(reply.get_absolute_url())

    assert response.url == f"{talk_url(talk)}?page=2#comment-{reply.pk}"


def test_the_page_counts_only_the_comments_the_visitor_sees(client, talk):
    make_comments(talk, COMMENTS_PER_PAGE, status=Comment.Status.HELD)
    visible = CommentFactory(talk=talk)
    organiser = OrganiserFactory()
    talk.series.organisers.add(organiser)

    for_the_public = client.get(visible.get_absolute_url()).url
    client.force_login(organiser)
    for_the_organiser = client.get(visible.get_absolute_url()).url

    assert for_the_public == f"{talk_url(talk)}#comment-{visible.pk}"
    assert for_the_organiser == f"{talk_url(talk)}?page=2#comment-{visible.pk}"


def test_a_held_comments_permalink_is_only_for_its_author(client, talk):
    held = CommentFactory(talk=talk, status=Comment.Status.HELD)

    assert client.get(held.get_absolute_url()).status_code == 404
    client.force_login(held.author)
    assert client.get(held.get_absolute_url()).url == f"{talk_url(talk)}#comment-{held.pk}"


def test_a_removed_comments_permalink_still_leads_to_its_notice(client, talk):
    removed = CommentFactory(talk=talk)
    soft_delete(removed, by=removed.author)

    response = client.get(removed.get_absolute_url(), follow=True)

    assert "This comment was deleted by its author." in response.content.decode()


def test_comments_on_drafts_and_unknown_comments_have_no_permalink(client):
    draft_comment = CommentFactory(talk=TalkFactory(status="draft"))

    assert client.get(draft_comment.get_absolute_url()).status_code == 404
    assert client.get(reverse("discussion:comment", args=[10**9])).status_code == 404


def test_the_permalink_only_answers_get(client, talk):
    comment = CommentFactory(talk=talk)

    response = client.post(comment.get_absolute_url(), form_data("x"))

    assert response.status_code == 405
