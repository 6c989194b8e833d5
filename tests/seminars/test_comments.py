"""Comments: the login notice, posting, validation, escaping, editing, soft deletion,
who may change which comment, and CSRF."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from discussion.forms import COMMENT_MAX_LENGTH
from seminars.models import Comment, Talk
from tests.factories import (
    PASSWORD,
    CommentFactory,
    OrganiserFactory,
    SuperuserFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)
from tests.html import parse

pytestmark = pytest.mark.django_db

LOGIN_NOTICE = "You must be logged in to post a comment."


def link_to(response, url_name):
    """The href of the page's last link to `url_name` (the login notice comes after the nav),
    followed as a visitor would."""
    path = reverse(url_name)
    links = [link.attrs.get("href", "") for link in parse(response).iter("a")]
    hrefs = [href for href in links if urlsplit(href).path == path]
    assert hrefs, f"no link to {path}"
    return hrefs[-1]


def talk_url(talk):
    return reverse("discussion:talk-detail", args=[talk.slug])


def post_comment(client, talk, body):
    return client.post(reverse("discussion:comment-create", args=[talk.slug]), {"body": body})


def comment_article(response, comment):
    """The HTML of one comment in the thread."""
    match = re.search(
        rf'<article[^>]*id="comment-{comment.pk}".*?</article>', response.content.decode(), re.S
    )
    assert match, f"comment {comment.pk} is not in the thread"
    return match.group(0)


# Anonymous visitors


def test_anonymous_visitor_sees_the_login_notice_instead_of_a_form(client):
    talk = TalkFactory()
    response = client.get(talk_url(talk))
    assert response.status_code == 200
    assert response.content.decode().count(LOGIN_NOTICE) == 1
    assert response.context["form"] is None
    assert b"<textarea" not in response.content


def test_login_link_in_the_notice_brings_the_visitor_back_to_the_talk(client):
    talk = TalkFactory()
    user = UserFactory()
    login_href = link_to(client.get(talk_url(talk)), "account_login")
    assert parse_qs(urlsplit(login_href).query)["next"] == [talk_url(talk)]

    response = client.post(login_href, {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == talk_url(talk)
    assert client.get(talk_url(talk)).context["user"] == user


def test_notice_offers_sign_up_returning_to_the_talk(client):
    talk = TalkFactory()
    signup_href = link_to(client.get(talk_url(talk)), "account_signup")
    assert parse_qs(urlsplit(signup_href).query)["next"] == [talk_url(talk)]
    assert client.get(signup_href).status_code == 200


def test_anonymous_post_saves_nothing_and_asks_to_log_in(client):
    talk = TalkFactory()
    response = post_comment(client, talk, "Hello from nowhere")
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("account_login")
    assert not Comment.objects.exists()


# Posting


def test_signed_in_user_posts_and_lands_on_the_comment(client):
    talk = TalkFactory()
    user = UserFactory()
    client.force_login(user)

    response = post_comment(client, talk, "What about the boundary terms?")

    comment = Comment.objects.get()
    assert (comment.talk, comment.author, comment.body) == (
        talk,
        user,
        "What about the boundary terms?",
    )
    assert response.status_code == 302
    assert response.url == f"{talk_url(talk)}#comment-{comment.pk}"
    page = client.get(talk_url(talk))
    assert "What about the boundary terms?" in comment_article(page, comment)


def test_signed_in_user_sees_the_form_not_the_notice(client):
    client.force_login(UserFactory())
    response = client.get(talk_url(TalkFactory()))
    assert LOGIN_NOTICE not in response.content.decode()
    assert 'name="body"' in response.content.decode()


def test_a_comment_of_exactly_the_maximum_length_is_accepted(client):
    talk = TalkFactory()
    client.force_login(UserFactory())
    response = post_comment(client, talk, "x" * COMMENT_MAX_LENGTH)
    assert response.status_code == 302
    assert len(Comment.objects.get().body) == COMMENT_MAX_LENGTH


@pytest.mark.parametrize(
    "body",
    ["", "   \n\t  ", "y" * (COMMENT_MAX_LENGTH + 1), "<b>long</b> " * 500],
    ids=["empty", "whitespace", "one-too-long", "long-html"],
)
def test_invalid_comment_comes_back_with_an_error_and_the_typed_text(client, body):
    talk = TalkFactory()
    client.force_login(UserFactory())

    response = post_comment(client, talk, body)

    assert response.status_code == 400
    assert not Comment.objects.exists()
    errors = response.context["form"].errors["body"]
    assert errors
    content = response.content.decode()
    for error in errors:
        assert escape(error) in content
    # The textarea holds exactly what was typed, escaped.
    assert f">\n{escape(body)}</textarea>" in content
    assert "<b>long</b>" not in content


def test_too_long_error_names_the_limit(client):
    client.force_login(UserFactory())
    response = post_comment(client, TalkFactory(), "z" * (COMMENT_MAX_LENGTH + 1))
    [error] = response.context["form"].errors["body"]
    assert str(COMMENT_MAX_LENGTH) in error.replace(",", "")


def test_commenting_on_a_draft_talk_is_not_found(client):
    talk = TalkFactory(status=Talk.Status.DRAFT)
    client.force_login(UserFactory())
    assert client.get(talk_url(talk)).status_code == 404
    assert post_comment(client, talk, "Early bird").status_code == 404
    assert not Comment.objects.exists()


def test_commenting_on_an_unknown_talk_is_not_found(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("discussion:comment-create", args=["no-such-talk"]), {"body": "Hello"}
    )
    assert response.status_code == 404


def test_the_comment_endpoint_only_takes_posts(client):
    talk = TalkFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("discussion:comment-create", args=[talk.slug])).status_code == 405


# Display


def rendered_body(article):
    """The elements and the text of a rendered comment body."""
    match = re.search(r'<div class="comment-body">(.*?)</div>', article, re.S)
    assert match, "the comment has no body"
    return parse(match.group(1))


def test_bodies_are_escaped_and_keep_their_line_breaks(client):
    html = '<script>alert("x")</script> & <b>bold</b>'
    comment = CommentFactory(body=f"{html}\nsecond line\n\nnew paragraph")

    body = rendered_body(comment_article(client.get(talk_url(comment.talk)), comment))

    # The user's markup arrives as text; a single newline is a line break, a blank
    # line a new paragraph.
    assert [element.tag for element in body.iter()] == ["p", "br", "p"]
    assert body.text.split() == f"{html} second line new paragraph".split()


def test_thread_is_oldest_first(client):
    talk = TalkFactory()
    first = CommentFactory(talk=talk, body="First!")
    second = CommentFactory(talk=talk, body="Second.")
    content = client.get(talk_url(talk)).content.decode()
    assert content.index(f'id="comment-{first.pk}"') < content.index(f'id="comment-{second.pk}"')


def test_only_the_author_sees_edit_and_delete_links(client):
    comment = CommentFactory()
    edit = reverse("discussion:comment-edit", args=[comment.pk])
    delete = reverse("discussion:comment-delete", args=[comment.pk])

    client.force_login(UserFactory())
    others_view = client.get(talk_url(comment.talk)).content.decode()
    client.force_login(comment.author)
    authors_view = client.get(talk_url(comment.talk)).content.decode()

    assert edit not in others_view and delete not in others_view
    assert edit in authors_view and delete in authors_view


# Editing and deleting


def test_author_edits_their_comment(client):
    comment = CommentFactory(body="Frist")
    client.force_login(comment.author)
    url = reverse("discussion:comment-edit", args=[comment.pk])

    form_page = client.get(url)
    response = client.post(url, {"body": "First, corrected"})

    assert form_page.status_code == 200
    assert ">\nFrist</textarea>" in form_page.content.decode()
    assert response.status_code == 302
    assert response.url == f"{talk_url(comment.talk)}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body == "First, corrected"
    assert comment.edited is not None


def test_invalid_edit_keeps_the_typed_text_and_changes_nothing(client):
    comment = CommentFactory(body="Original")
    client.force_login(comment.author)
    too_long = "w" * (COMMENT_MAX_LENGTH + 1)

    response = client.post(
        reverse("discussion:comment-edit", args=[comment.pk]), {"body": too_long}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    assert f">\n{too_long}</textarea>" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Original"
    assert comment.edited is None


def test_author_deletes_softly_and_the_thread_says_so(client):
    comment = CommentFactory(body="I regret this")
    client.force_login(comment.author)
    url = reverse("discussion:comment-delete", args=[comment.pk])

    confirm_page = client.get(url)
    response = client.post(url)

    assert confirm_page.status_code == 200
    assert response.status_code == 302
    assert response.url == f"{talk_url(comment.talk)}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.removed is True
    assert comment.removed_by == comment.author
    assert comment.body == "I regret this"  # soft: the text stays in the database
    article = comment_article(client.get(talk_url(comment.talk)), comment)
    assert "I regret this" not in article
    assert "deleted" in article
    assert reverse("discussion:comment-edit", args=[comment.pk]) not in article


def test_a_deleted_comment_can_no_longer_be_edited_or_deleted(client):
    comment = CommentFactory()
    soft_delete(comment, by=comment.author)
    client.force_login(comment.author)
    for name in ("discussion:comment-edit", "discussion:comment-delete"):
        assert client.post(reverse(name, args=[comment.pk]), {"body": "Back"}).status_code == 404
    comment.refresh_from_db()
    assert comment.removed is True


def test_a_comment_removed_by_an_organiser_is_marked_differently(client):
    by_author = CommentFactory()
    soft_delete(by_author, by=by_author.author)
    by_organiser = CommentFactory(talk=by_author.talk)
    soft_delete(by_organiser, by=OrganiserFactory())

    response = client.get(talk_url(by_author.talk))

    notice_author = comment_article(response, by_author)
    notice_organiser = comment_article(response, by_organiser)
    assert by_organiser.body not in notice_organiser
    assert "organiser" in notice_organiser and "organiser" not in notice_author


# Who may change a comment

ROLES = {
    "anonymous": None,
    "author": None,  # the comment's own author, filled in by the test
    "another-user": UserFactory,
    "organiser": OrganiserFactory,
    "superuser": SuperuserFactory,
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("endpoint", ["discussion:comment-edit", "discussion:comment-delete"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, role, endpoint, method):
    comment = CommentFactory(body="Untouched")
    if role == "author":
        client.force_login(comment.author)
    elif ROLES[role] is not None:
        client.force_login(ROLES[role]())
    url = reverse(endpoint, args=[comment.pk])

    response = getattr(client, method)(url, {"body": "Changed"} if method == "post" else {})

    comment.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302
        assert urlsplit(response.url).path == reverse("account_login")
        assert parse_qs(urlsplit(response.url).query)["next"] == [url]
    elif role == "author":
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 403
    if role != "author" or method == "get":
        assert (comment.body, comment.removed) == ("Untouched", False)


def test_unknown_comment_is_not_found(client):
    client.force_login(UserFactory())
    for name in ("discussion:comment-edit", "discussion:comment-delete"):
        assert client.get(reverse(name, args=[999_999])).status_code == 404


# CSRF


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize(
    "endpoint",
    ["discussion:comment-create", "discussion:comment-edit", "discussion:comment-delete"],
)
def test_posts_without_a_csrf_token_are_refused(csrf_client, endpoint):
    comment = CommentFactory(body="Untouched")
    csrf_client.force_login(comment.author)
    target = comment.talk.slug if endpoint == "discussion:comment-create" else comment.pk

    response = csrf_client.post(reverse(endpoint, args=[target]), {"body": "Forged"})

    assert response.status_code == 403
    assert Comment.objects.count() == 1
    comment.refresh_from_db()
    assert (comment.body, comment.removed) == ("Untouched", False)


def test_the_comment_form_carries_a_working_csrf_token(csrf_client):
    talk = TalkFactory()
    csrf_client.force_login(UserFactory())
    page = csrf_client.get(talk_url(talk))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the comment form has no CSRF token"

    response = csrf_client.post(
        reverse("discussion:comment-create", args=[talk.slug]),
        {"body": "With a token", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "With a token"
