"""Management commands (make_organiser, load_demo) and the Organisers group migration."""

import importlib
import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from seminars.models import Comment, Series, Speaker, Tag, Talk
from seminars.roles import ORGANISERS_GROUP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

organisers_migration = importlib.import_module("seminars.migrations.0002_organisers_group")
series_grant_migration = importlib.import_module("seminars.migrations.0011_organisers_add_series")


def run(*args):
    """Run a command; its report goes to a buffer, not the test output."""
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# make_organiser


@pytest.mark.parametrize("typed", ["same", "upper"])
def test_make_organiser_makes_staff_in_the_group_but_not_superuser(typed):
    user = UserFactory(email="noether@example.org")
    email = user.email if typed == "same" else user.email.upper()

    run("make_organiser", email)

    user.refresh_from_db()
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [ORGANISERS_GROUP]


def test_make_organiser_twice_is_harmless():
    user = UserFactory()
    run("make_organiser", user.email)
    run("make_organiser", user.email)
    assert user.groups.count() == 1


def test_an_organiser_can_then_use_the_admin(client):
    user = UserFactory()
    run("make_organiser", user.email)
    client.force_login(user)
    assert client.get(reverse("admin:seminars_talk_add")).status_code == 200


def test_make_organiser_with_an_unknown_email_explains_itself():
    UserFactory(email="someone@example.org")
    with pytest.raises(CommandError) as error:
        run("make_organiser", "nobody@example.org")
    assert "nobody@example.org" in str(error.value)
    assert not User.objects.filter(is_staff=True).exists()


# The Organisers group


def test_organisers_group_has_exactly_the_migrations_permissions():
    granted = {
        f"{action}_{model}"
        for migration in (organisers_migration, series_grant_migration)
        for model, actions in migration.GRANTS.items()
        for action in actions
    }
    group = Group.objects.get(name=ORGANISERS_GROUP)

    permissions = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert permissions == {("seminars", codename) for codename in granted}


def test_organisers_may_delete_nothing_and_may_create_series():
    codenames = set(
        Group.objects.get(name=ORGANISERS_GROUP).permissions.values_list("codename", flat=True)
    )
    assert not {codename for codename in codenames if codename.startswith("delete_")}
    assert "add_series" in codenames
    assert {"add_talk", "change_talk", "change_comment"} <= codenames


# load_demo

DEMO_MODELS = [Series, Speaker, Tag, Talk, Comment, User, EmailAddress]


def row_counts():
    return {model.__name__: model.objects.count() for model in DEMO_MODELS}


def test_load_demo_is_idempotent():
    run("load_demo")
    first = row_counts()
    run("load_demo")
    assert row_counts() == first
    assert all(first.values())


def test_load_demo_keeps_existing_content():
    user = UserFactory()
    run("load_demo")
    assert User.objects.filter(pk=user.pk).exists()


def test_demo_has_upcoming_past_cancelled_and_draft_talks_with_latex():
    run("load_demo")
    public = Talk.objects.public()
    assert public.upcoming().exists()
    assert public.past().exists()
    assert Talk.objects.filter(status=Talk.Status.CANCELLED).exists()
    assert Talk.objects.filter(status=Talk.Status.DRAFT).exists()
    assert Talk.objects.filter(abstract__contains="$").exists()


def test_demo_users_cannot_log_in():
    run("load_demo")
    assert not any(user.has_usable_password() for user in User.objects.all())
