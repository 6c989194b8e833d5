"""Comment moderation in the admin: the queue, approving, removing with a reason, restoring.

Removal is a soft delete: the text stays in the database and the public thread
says "Comment removed by an organiser". Other series' comments: test_admin_scoping.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.views import delete_user
from seminars.models import Comment, Talk
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SuperuserFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:seminars_comment_changelist"
HELD, PUBLISHED = Comment.Status.HELD, Comment.Status.PUBLISHED


@pytest.fixture
def moderator():
    return OrganiserFactory()


@pytest.fixture
def talk(moderator):
    series = OrganisedSeriesFactory(organisers=[moderator])
    return TalkFactory(series=series, status=Talk.Status.PUBLISHED)


@pytest.fixture
def admin_client(client, moderator):
    client.force_login(moderator)
    return client


def run_action(client, action, comments, **fields):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in comments], **fields},
    )


def refreshed(*comments):
    for comment in comments:
        comment.refresh_from_db()
    return comments


# The queue


def test_the_queue_lists_held_comments_only(admin_client, talk):
    held = CommentFactory(talk=talk, status=HELD)
    CommentFactory(talk=talk, status=PUBLISHED)
    CommentFactory(talk=talk, status=HELD, removed=True)
    CommentFactory(status=HELD)  # another series'

    response = admin_client.get(reverse("admin:seminars_comment_queue"), follow=True)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [held]


def test_the_comment_list_links_to_the_queue_with_its_size(admin_client, talk):
    CommentFactory.create_batch(2, talk=talk, status=HELD)
    CommentFactory(status=HELD)  # another series': not counted

    response = admin_client.get(reverse(CHANGELIST))

    assert response.context["held_count"] == 2
    assert "2 awaiting approval" in response.content.decode()
    assert reverse("admin:seminars_comment_queue") in response.content.decode()


@pytest.mark.parametrize(
    ("choice", "expected"), [("published", {"published"}), ("removed", {"removed"})]
)
def test_the_moderation_filter(admin_client, talk, choice, expected):
    comments = {
        "published": CommentFactory(talk=talk),
        "held": CommentFactory(talk=talk, status=HELD),
        "removed": CommentFactory(talk=talk, removed=True),
    }
    response = admin_client.get(reverse(CHANGELIST), {"moderation": choice})
    assert set(response.context["cl"].result_list) == {comments[name] for name in expected}


# Approving


def test_approve_publishes_held_comments(admin_client, talk):
    held = CommentFactory(talk=talk, status=HELD, held_reason="Too many links")
    published = CommentFactory(talk=talk)
    untouched = CommentFactory(talk=talk, status=HELD)

    response = run_action(admin_client, "approve_comments", [held, published])

    assert response.status_code == 302
    refreshed(held, published, untouched)
    assert (held.status, published.status, untouched.status) == (PUBLISHED, PUBLISHED, HELD)
    assert held.held_reason == ""


def test_a_held_comment_can_be_approved_in_its_form(admin_client, talk):
    held = CommentFactory(talk=talk, status=HELD, held_reason="Too many links")
    url = reverse("admin:seminars_comment_change", args=[held.pk])
    admin_client.post(url, {"body": held.body, "status": PUBLISHED})
    held.refresh_from_db()
    assert (held.status, held.held_reason) == (PUBLISHED, "")


# Editing the text: only superusers, and the thread says so


def test_an_organiser_cannot_rewrite_a_comment(admin_client, talk):
    comment = CommentFactory(talk=talk, body="What I *said*.")
    url = reverse("admin:seminars_comment_change", args=[comment.pk])
    response = admin_client.post(url, {"body": "What I never said.", "status": PUBLISHED})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "What I *said*."
    assert "never" not in comment.body_html
    assert comment.moderator_edited is None


def test_an_organiser_sees_the_text_read_only(admin_client, talk):
    comment = CommentFactory(talk=talk)
    response = admin_client.get(reverse("admin:seminars_comment_change", args=[comment.pk]))
    assert "body" not in response.context["adminform"].form.fields


def test_a_superusers_edit_is_shown_on_the_thread(client, talk):
    comment = CommentFactory(talk=talk, body="A link to spam.example")
    client.force_login(SuperuserFactory())
    url = reverse("admin:seminars_comment_change", args=[comment.pk])
    client.post(url, {"body": "A link to [removed].", "status": PUBLISHED})
    comment.refresh_from_db()
    assert comment.body == "A link to [removed]."
    assert comment.moderator_edited is not None
    page = Client().get(talk.get_absolute_url())
    assertContains(page, "[removed]")
    assertContains(page, "edited by a moderator", count=1)


def test_a_superuser_saving_without_changing_the_text_marks_nothing(client, talk):
    comment = CommentFactory(talk=talk, status=HELD)
    client.force_login(SuperuserFactory())
    url = reverse("admin:seminars_comment_change", args=[comment.pk])
    client.post(url, {"body": comment.body, "status": PUBLISHED})
    comment.refresh_from_db()
    assert (comment.status, comment.moderator_edited) == (PUBLISHED, None)
    assertNotContains(Client().get(talk.get_absolute_url()), "edited by a moderator")


# Removing with a reason


def test_remove_asks_for_a_reason_first(admin_client, talk):
    comments = CommentFactory.create_batch(2, talk=talk, body="<b>shouting</b>")

    response = run_action(admin_client, "remove_comments", comments)

    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;b&gt;shouting&lt;/b&gt;" in page  # what is being removed, escaped
    assert page.count(f'name="{ACTION_CHECKBOX_NAME}"') == 2
    assert not any(comment.removed for comment in refreshed(*comments))


def test_remove_without_a_reason_removes_nothing(admin_client, talk):
    comment = CommentFactory(talk=talk)

    response = run_action(admin_client, "remove_comments", [comment], apply="yes", reason=" ")

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    comment.refresh_from_db()
    assert not comment.removed


def test_remove_with_a_reason_is_a_soft_delete(admin_client, talk, moderator):
    comment = CommentFactory(talk=talk, body="Buy cheap pills")

    response = run_action(
        admin_client, "remove_comments", [comment], apply="yes", reason="Advertising"
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.removed, comment.removed_by, comment.removal_reason) == (
        True,
        moderator,
        "Advertising",
    )
    assert comment.body == "Buy cheap pills"


def test_the_thread_shows_a_removed_comment_as_removed_by_an_organiser(admin_client, talk):
    comment = CommentFactory(talk=talk, body="Buy cheap pills")
    run_action(admin_client, "remove_comments", [comment], apply="yes", reason="Advertising")

    reader = Client()
    reader.force_login(UserFactory())
    page = reader.get(talk.get_absolute_url()).content.decode()

    assert "Comment removed by an organiser" in page
    assert "Buy cheap pills" not in page
    assert "Advertising" not in page  # the reason is for organisers


def test_removing_in_the_form_needs_a_reason(admin_client, talk):
    comment = CommentFactory(talk=talk)
    url = reverse("admin:seminars_comment_change", args=[comment.pk])

    response = admin_client.post(url, {"body": comment.body, "status": PUBLISHED, "removed": "on"})

    assert response.status_code == 200
    assert "removal_reason" in response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert not comment.removed


# Restoring


def test_restore_brings_a_removed_comment_back(admin_client, talk, moderator):
    comment = CommentFactory(talk=talk, body="Fair point after all")
    run_action(admin_client, "remove_comments", [comment], apply="yes", reason="Misread")

    run_action(admin_client, "restore_comments", [comment])

    comment.refresh_from_db()
    assert (comment.removed, comment.removed_by, comment.removal_reason) == (False, None, "")
    page = admin_client.get(talk.get_absolute_url()).content.decode()
    assert "Fair point after all" in page


def test_a_comment_its_author_deleted_is_not_restored(admin_client, talk):
    """Deleting was the author's choice; an organiser does not undo it."""
    comment = CommentFactory(talk=talk)
    soft_delete(comment, by=comment.author)
    url = reverse("admin:seminars_comment_change", args=[comment.pk])

    run_action(admin_client, "restore_comments", [comment])
    response = admin_client.post(url, {"body": comment.body, "status": PUBLISHED})

    assert "removed" in response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert comment.removed
    assert comment.removed_by == comment.author


def test_a_comment_its_author_deleted_stays_deleted_after_their_account_goes(
    admin_client, client, talk
):
    """Once the account is gone, removed_by and author are both empty: the deletion
    must still be known to be the author's (issue: the restore action republished it)."""
    comment = CommentFactory(talk=talk, body="Second thoughts")
    soft_delete(comment, by=comment.author)
    delete_user(comment.author)
    url = reverse("admin:seminars_comment_change", args=[comment.pk])

    run_action(admin_client, "restore_comments", [comment])
    form_response = admin_client.post(url, {"body": comment.body, "status": PUBLISHED})
    restore_button = admin_client.post(reverse("discussion:comment-restore", args=[comment.pk]))

    comment.refresh_from_db()
    assert comment.removed and comment.author is None
    assert "removed" in form_response.context["adminform"].form.errors
    assert restore_button.status_code == 302
    assert "Second thoughts" not in client.get(talk.get_absolute_url()).content.decode()


def test_a_comment_by_a_deleted_account_can_be_removed_and_restored(admin_client, talk):
    comment = CommentFactory(talk=talk, author=None)
    run_action(admin_client, "remove_comments", [comment], apply="yes", reason="Spam")
    run_action(admin_client, "restore_comments", [comment])
    comment.refresh_from_db()
    assert not comment.removed


# Superusers and the shape of the admin


def test_a_superuser_moderates_every_series(client):
    client.force_login(SuperuserFactory())
    comments = [CommentFactory(status=HELD), CommentFactory(status=HELD)]

    run_action(client, "approve_comments", comments)
    run_action(client, "remove_comments", comments, apply="yes", reason="Off topic")

    assert all(
        (c.status, c.removed, c.removal_reason) == (PUBLISHED, True, "Off topic")
        for c in refreshed(*comments)
    )


def test_comments_are_listed_by_author_name_and_excerpt(admin_client, talk):
    CommentFactory(talk=talk, author=None, body="x" * 200)
    response = admin_client.get(reverse(CHANGELIST))
    page = response.content.decode()
    assert "deleted user" in page
    assert "x" * 79 + "…" in page
    assert "x" * 81 not in page


def test_a_new_reason_given_with_a_new_status_is_saved(admin_client, talk):
    comment = CommentFactory(talk=talk, status=HELD)
    run_action(admin_client, "remove_comments", [comment], apply="yes", reason="Spam")
    url = reverse("admin:seminars_comment_change", args=[comment.pk])

    admin_client.post(
        url,
        {"body": comment.body, "status": PUBLISHED, "removed": "on", "removal_reason": "Off topic"},
    )

    comment.refresh_from_db()
    assert (comment.status, comment.removed, comment.removal_reason) == (
        PUBLISHED,
        True,
        "Off topic",
    )


def test_a_removed_comment_keeps_a_reason(admin_client, talk):
    comment = CommentFactory(talk=talk)
    run_action(admin_client, "remove_comments", [comment], apply="yes", reason="Spam")
    url = reverse("admin:seminars_comment_change", args=[comment.pk])

    response = admin_client.post(
        url, {"body": comment.body, "status": PUBLISHED, "removed": "on", "removal_reason": ""}
    )

    assert "removal_reason" in response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert comment.removal_reason == "Spam"


def test_holding_a_published_comment_in_the_admin_says_who_held_it(admin_client, talk):
    comment = CommentFactory(talk=talk)
    url = reverse("admin:seminars_comment_change", args=[comment.pk])

    admin_client.post(url, {"body": comment.body, "status": HELD})

    comment.refresh_from_db()
    assert comment.status == HELD
    assert comment.held_reason.startswith("Held by ")
