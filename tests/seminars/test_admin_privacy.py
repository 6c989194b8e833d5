"""Organisers never learn a commenter's email address from the admin.

Superusers may search and see addresses; organisers (staff, not superusers)
see public names only: in the comment list, its search, the comment form, the
talk form's comment inline, the series form's organiser picker and the CSV
export.
"""

import pytest
from django.urls import reverse

from seminars.models import Comment, Talk
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SuperuserFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:seminars_comment_changelist"


@pytest.fixture
def organiser():
    return OrganiserFactory(email="organiser-private@example.org")


@pytest.fixture
def series(organiser):
    return OrganisedSeriesFactory(organisers=[organiser])


@pytest.fixture
def commenter():
    # No display name: anything that falls back on str(user) would show the address.
    return UserFactory(display_name="", email="commenter-private@example.org")


@pytest.fixture
def comment(series, commenter):
    talk = TalkFactory(series=series, status=Talk.Status.PUBLISHED)
    return CommentFactory(talk=talk, author=commenter, body="A question about the proof.")


def search(client, term):
    response = client.get(reverse(CHANGELIST), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_an_organiser_cannot_find_comments_by_email(client, organiser, comment):
    client.force_login(organiser)
    assert search(client, "commenter-private@example.org") == []
    assert search(client, "commenter-private") == []


def test_an_organiser_finds_comments_by_name_and_text(client, organiser, comment):
    comment.author.display_name = "Ada Lovelace"
    comment.author.save()
    client.force_login(organiser)
    assert search(client, "Lovelace") == [comment]
    assert search(client, "the proof") == [comment]


def test_a_superuser_finds_comments_by_email(client, comment):
    client.force_login(SuperuserFactory())
    assert search(client, "commenter-private@example.org") == [comment]


def test_the_organisers_admin_pages_show_no_commenter_address(client, organiser, comment):
    # The commenter deleted their own comment, so the form shows who removed it.
    comment.removed = True
    comment.removed_by = comment.author
    comment.save()
    # A former organiser, now only a commenter, stays listed in the series' picker.
    comment.talk.series.organisers.add(comment.author)
    client.force_login(organiser)
    pages = [
        reverse(CHANGELIST),
        reverse("admin:seminars_comment_change", args=[comment.pk]),
        reverse("admin:seminars_talk_change", args=[comment.talk.pk]),
        reverse("admin:seminars_series_change", args=[comment.talk.series.pk]),
        reverse("admin:seminars_series_export_csv", args=[comment.talk.series.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        content = response.content.decode()
        assert "commenter-private" not in content, page
        assert "organiser-private" not in content, page


def test_a_superuser_sees_organisers_addresses_in_the_picker(client, organiser, series):
    client.force_login(SuperuserFactory())
    response = client.get(reverse("admin:seminars_series_change", args=[series.pk]))
    assert "organiser-private@example.org" in response.content.decode()


def test_the_comment_form_names_who_removed_it_by_public_name(client, organiser, comment):
    comment.removed = True
    comment.removed_by = comment.author
    comment.save()
    client.force_login(organiser)
    response = client.get(reverse("admin:seminars_comment_change", args=[comment.pk]))
    assert comment.author.public_name in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).removed_by == comment.author
