"""Helpers for the comment tests: post as the talk page's forms do, and read the thread."""

import re
import uuid

from django.urls import reverse
from django.utils.html import escape


def talk_url(talk):
    return reverse("discussion:talk-detail", args=[talk.slug])


def form_data(body, token=None):
    """What the comment and reply forms post: the text and a one-time token."""
    return {"body": body, "submission_token": str(token or uuid.uuid4())}


def post_comment(client, talk, body, token=None):
    return client.post(
        reverse("discussion:comment-create", args=[talk.slug]), form_data(body, token)
    )


def post_reply(client, parent, body, token=None):
    return client.post(
        reverse("discussion:comment-reply", args=[parent.pk]), form_data(body, token)
    )


def moderate(client, action, comment, **data):
    """POST to comment-approve, comment-remove or comment-restore."""
    return client.post(reverse(f"discussion:comment-{action}", args=[comment.pk]), data)


def comment_article(page, comment):
    """The HTML of one comment in the thread (an <article> holds no other article)."""
    content = page if isinstance(page, str) else page.content.decode()
    match = re.search(rf'<article[^>]*id="comment-{comment.pk}".*?</article>', content, re.S)
    assert match, f"comment {comment.pk} is not in the thread"
    return match.group(0)


def shown_to(client, comment):
    """Whether the comment (its plain-text body) is on its talk's page for the client's visitor."""
    content = client.get(talk_url(comment.talk)).content.decode()
    return f'id="comment-{comment.pk}"' in content and escape(comment.body) in content
