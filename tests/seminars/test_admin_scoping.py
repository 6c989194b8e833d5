"""Per-series organisers: who sees and changes what in the admin.

The matrix: anonymous, a plain user, the organiser of series A, the organiser
of series B, and a superuser, over every admin page and action that touches
series A's objects. Speakers and tags are shared, and stay so.
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seminars.admin import OrganisedSeriesFilter
from seminars.models import Comment, Series, Talk
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SuperuserFactory,
    TalkFactory,
    UserFactory,
)
from tests.seminars.test_admin import talk_form_data

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "user", "organiser_a", "organiser_b", "superuser"]


class World:
    """Two series with a talk and a held comment each, and one person per role."""

    def __init__(self):
        self.organiser_a = OrganiserFactory()
        self.organiser_b = OrganiserFactory()
        self.series_a = OrganisedSeriesFactory(organisers=[self.organiser_a])
        self.series_b = OrganisedSeriesFactory(organisers=[self.organiser_b])
        self.talk_a = TalkFactory(series=self.series_a, status=Talk.Status.DRAFT)
        self.talk_b = TalkFactory(series=self.series_b, status=Talk.Status.DRAFT)
        self.comment_a = CommentFactory(talk=self.talk_a, status=Comment.Status.HELD)
        self.comment_b = CommentFactory(talk=self.talk_b, status=Comment.Status.HELD)
        self.people = {
            "anonymous": None,
            "user": UserFactory(),
            "organiser_a": self.organiser_a,
            "organiser_b": self.organiser_b,
            "superuser": SuperuserFactory(),
        }


@pytest.fixture
def world():
    return World()


def log_in(client, world, role):
    if world.people[role] is not None:
        client.force_login(world.people[role])
    return client


def client_of(world, role):
    """A fresh client per role, so one test (and one World) covers a row of the matrix."""
    return log_in(Client(), world, role)


# Pages about series A's objects: (name, URL). Every role that may manage series A
# gets the page; organiser B finds no such object; the rest are sent to log in.
PAGES = {
    "talk change": lambda w: reverse("admin:seminars_talk_change", args=[w.talk_a.pk]),
    "talk history": lambda w: reverse("admin:seminars_talk_history", args=[w.talk_a.pk]),
    "series change": lambda w: reverse("admin:seminars_series_change", args=[w.series_a.pk]),
    "comment change": lambda w: reverse("admin:seminars_comment_change", args=[w.comment_a.pk]),
    "export csv": lambda w: reverse("admin:seminars_series_export_csv", args=[w.series_a.pk]),
    "export ics": lambda w: reverse("admin:seminars_series_export_ics", args=[w.series_a.pk]),
}
# What organiser B gets for series A's objects: the admin's "does not exist"
# redirect for its own pages, 404 for the exports.
HIDDEN = {
    "talk change": 302,
    "talk history": 302,
    "series change": 302,
    "comment change": 302,
    "export csv": 404,
    "export ics": 404,
}


def is_login_redirect(response):
    return response.status_code == 302 and "login" in urlsplit(response.url).path


@pytest.mark.parametrize("page", PAGES)
def test_pages_of_series_a(world, page):
    url = PAGES[page](world)
    responses = {role: client_of(world, role).get(url) for role in ROLES}

    for role in ("anonymous", "user"):
        assert is_login_redirect(responses[role]), role
    assert responses["organiser_b"].status_code == HIDDEN[page]
    if HIDDEN[page] == 302:
        assert responses["organiser_b"].url == reverse("admin:index")
    assert responses["organiser_a"].status_code == 200
    assert responses["superuser"].status_code == 200


CHANGELISTS = {
    "talk": ("talk_a", "talk_b"),
    "series": ("series_a", "series_b"),
    "comment": ("comment_a", "comment_b"),
}
SEES = {
    "organiser_a": {"a"},
    "organiser_b": {"b"},
    "superuser": {"a", "b"},
}


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_list_only_the_series_one_organises(world, model):
    url = reverse(f"admin:seminars_{model}_changelist")
    a_name, b_name = CHANGELISTS[model]
    objects = {"a": getattr(world, a_name), "b": getattr(world, b_name)}

    for role in ("anonymous", "user"):
        assert is_login_redirect(client_of(world, role).get(url)), role
    for role, letters in SEES.items():
        response = client_of(world, role).get(url)
        assert response.status_code == 200, role
        listed = set(response.context["cl"].result_list)
        assert listed == {objects[letter] for letter in letters}, role


@pytest.mark.parametrize("role", ["anonymous", "user"])
@pytest.mark.parametrize("url_name", ["admin:seminars_talk_import", "admin:seminars_comment_queue"])
def test_outsiders_get_no_tools(client, world, role, url_name):
    log_in(client, world, role)
    assert is_login_redirect(client.get(reverse(url_name)))


@pytest.mark.parametrize("model", ["talk", "comment"])
def test_the_series_filter_offers_only_ones_own_series(client, world, model):
    # With one choice the filter is not shown at all; with two it is.
    other_b = OrganisedSeriesFactory(organisers=[world.organiser_b])
    log_in(client, world, "organiser_b")
    response = client.get(reverse(f"admin:seminars_{model}_changelist"))
    (series_filter,) = [
        spec
        for spec in response.context["cl"].filter_specs
        if isinstance(spec, OrganisedSeriesFilter)
    ]
    assert {pk for pk, _ in series_filter.lookup_choices} == {world.series_b.pk, other_b.pk}


# Talks


def test_the_talk_form_offers_only_ones_own_series(client, world):
    log_in(client, world, "organiser_b")
    # One series: the choice of series is skipped, straight to the form.
    response = client.get(reverse("admin:seminars_talk_add"), follow=True)
    choices = response.context["adminform"].form.fields["series"].queryset
    assert list(choices) == [world.series_b]


def test_a_crafted_post_cannot_add_a_talk_to_another_series(client, world):
    log_in(client, world, "organiser_b")

    response = client.post(reverse("admin:seminars_talk_add"), talk_form_data(world.series_a))

    assert response.status_code == 200
    assert "series" in response.context["adminform"].form.errors
    assert not Talk.objects.filter(slug="knots-and-braids").exists()


def test_a_talk_cannot_be_moved_into_another_series(client, world):
    log_in(client, world, "organiser_b")
    data = talk_form_data(world.series_a, slug=world.talk_b.slug)

    response = client.post(reverse("admin:seminars_talk_change", args=[world.talk_b.pk]), data)

    assert response.status_code == 200
    world.talk_b.refresh_from_db()
    assert world.talk_b.series == world.series_b


def test_another_series_talk_cannot_be_changed_by_posting(client, world):
    log_in(client, world, "organiser_b")
    data = talk_form_data(world.series_b, slug=world.talk_a.slug, title="Hijacked")

    client.post(reverse("admin:seminars_talk_change", args=[world.talk_a.pk]), data)

    world.talk_a.refresh_from_db()
    assert world.talk_a.title != "Hijacked"
    assert world.talk_a.series == world.series_a


@pytest.mark.parametrize("action", ["duplicate_talks", "publish_talks"])
def test_talk_actions_skip_other_series_talks(client, world, action):
    log_in(client, world, "organiser_b")

    client.post(
        reverse("admin:seminars_talk_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [world.talk_a.pk]},
    )

    assert Talk.objects.filter(series=world.series_a).count() == 1
    world.talk_a.refresh_from_db()
    assert world.talk_a.status == Talk.Status.DRAFT


def test_the_superuser_duplicates_any_series_talks(client, world):
    log_in(client, world, "superuser")
    client.post(
        reverse("admin:seminars_talk_changelist"),
        {"action": "duplicate_talks", ACTION_CHECKBOX_NAME: [world.talk_a.pk, world.talk_b.pk]},
    )
    assert Talk.objects.count() == 4


# Import and export


def import_post(client, series):
    upload = SimpleUploadedFile("talks.csv", b"title,start\nPlanted,2030-07-01 16:00\n")
    return client.post(reverse("admin:seminars_talk_import"), {"series": series.pk, "file": upload})


def test_import_into_another_series_is_refused(client, world):
    log_in(client, world, "organiser_b")

    response = import_post(client, world.series_a)

    assert response.status_code == 200
    assert "series" in response.context["form"].errors
    assert "token" not in response.context
    assert not Talk.objects.filter(title="Planted").exists()


def test_the_import_form_offers_only_ones_own_series(client, world):
    log_in(client, world, "organiser_b")
    response = client.get(reverse("admin:seminars_talk_import"))
    assert list(response.context["form"].fields["series"].queryset) == [world.series_b]


def test_an_organiser_removed_from_a_series_cannot_confirm_its_import(client, world):
    log_in(client, world, "organiser_b")
    preview = import_post(client, world.series_b)
    world.series_b.organisers.clear()

    response = client.post(
        reverse("admin:seminars_talk_import"), {"token": preview.context["token"]}
    )

    assert response.status_code == 403
    assert not Talk.objects.filter(title="Planted").exists()


@pytest.mark.parametrize("role", ["organiser_a", "superuser"])
def test_those_who_manage_a_series_import_into_it(client, world, role):
    log_in(client, world, role)
    preview = import_post(client, world.series_a)
    client.post(reverse("admin:seminars_talk_import"), {"token": preview.context["token"]})
    assert Talk.objects.get(title="Planted").series == world.series_a


# Series and their organisers


def series_form(series, organisers):
    return {
        "name": series.name,
        "slug": series.slug,
        "description": "",
        "timezone": series.timezone,
        "organisers": [user.pk for user in organisers],
        "comment_moderation": series.comment_moderation,
        "max_links": series.max_links,
        "default_duration": "1:00:00",
        "blocked_words": "",
    }


def test_an_organiser_adds_a_fellow_organiser_to_their_series(client, world):
    log_in(client, world, "organiser_a")
    colleague = OrganiserFactory()
    url = reverse("admin:seminars_series_change", args=[world.series_a.pk])

    response = client.post(url, series_form(world.series_a, [world.organiser_a, colleague]))

    assert response.status_code == 302
    assert set(world.series_a.organisers.all()) == {world.organiser_a, colleague}


def test_only_organiser_accounts_can_be_chosen(client, world):
    log_in(client, world, "organiser_a")
    plain = world.people["user"]
    url = reverse("admin:seminars_series_change", args=[world.series_a.pk])

    page = client.get(url)
    response = client.post(url, series_form(world.series_a, [world.organiser_a, plain]))

    choices = page.context["adminform"].form.fields["organisers"].queryset
    assert plain not in choices
    assert world.organiser_b in choices
    assert "organisers" in response.context["adminform"].form.errors
    assert list(world.series_a.organisers.all()) == [world.organiser_a]


def test_an_organiser_cannot_add_themselves_to_another_series(client, world):
    log_in(client, world, "organiser_b")
    url = reverse("admin:seminars_series_change", args=[world.series_a.pk])

    client.post(url, series_form(world.series_a, [world.organiser_a, world.organiser_b]))

    assert list(world.series_a.organisers.all()) == [world.organiser_a]


def test_current_organisers_stay_listed_even_without_organiser_rights(client, world):
    """Saving the form must not silently drop someone the choices would not offer."""
    former = UserFactory()
    world.series_a.organisers.add(former)
    log_in(client, world, "organiser_a")
    url = reverse("admin:seminars_series_change", args=[world.series_a.pk])

    response = client.post(url, series_form(world.series_a, [world.organiser_a, former]))

    assert response.status_code == 302
    assert set(world.series_a.organisers.all()) == {world.organiser_a, former}


def test_an_organiser_who_adds_a_series_organises_it(client, world):
    log_in(client, world, "organiser_a")
    data = series_form(Series(name="Number theory", slug="number-theory", timezone="UTC"), [])

    response = client.post(reverse("admin:seminars_series_add"), data)

    assert response.status_code == 302
    series = Series.objects.get(slug="number-theory")
    assert list(series.organisers.all()) == [world.organiser_a]
    # Now theirs to manage: its talks can be added to it.
    choose_series = client.get(reverse("admin:seminars_talk_add"))
    assert series in choose_series.context["form"].fields["series"].queryset


def test_an_organiser_who_adds_a_series_with_a_colleague_organises_it_too(client, world):
    log_in(client, world, "organiser_a")
    series = Series(name="Number theory", slug="number-theory", timezone="UTC")

    client.post(reverse("admin:seminars_series_add"), series_form(series, [world.organiser_b]))

    added = Series.objects.get(slug="number-theory")
    assert set(added.organisers.all()) == {world.organiser_a, world.organiser_b}


def test_a_series_homepage_typed_without_a_scheme_is_read_as_https(client, world):
    log_in(client, world, "organiser_a")
    data = series_form(world.series_a, [world.organiser_a]) | {"homepage": "maths.example.org"}

    client.post(reverse("admin:seminars_series_change", args=[world.series_a.pk]), data)

    world.series_a.refresh_from_db()
    assert world.series_a.homepage == "https://maths.example.org"


def test_a_superuser_who_adds_a_series_is_not_made_its_organiser(client, world):
    log_in(client, world, "superuser")
    data = series_form(Series(name="Number theory", slug="number-theory", timezone="UTC"), [])

    client.post(reverse("admin:seminars_series_add"), data)

    assert not Series.objects.get(slug="number-theory").organisers.exists()


# Comments


def run_comment_action(client, action, comments, **fields):
    return client.post(
        reverse("admin:seminars_comment_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in comments], **fields},
    )


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("approve_comments", {}),
        ("remove_comments", {"apply": "yes", "reason": "Spam"}),
        ("restore_comments", {}),
    ],
)
def test_comment_actions_on_other_series_comments_do_nothing(client, world, action, fields):
    world.comment_a.removed = action == "restore_comments"
    world.comment_a.removed_by = world.organiser_a if world.comment_a.removed else None
    world.comment_a.save()
    before = Comment.objects.values().get(pk=world.comment_a.pk)
    log_in(client, world, "organiser_b")

    run_comment_action(client, action, [world.comment_a], **fields)

    assert Comment.objects.values().get(pk=world.comment_a.pk) == before


def test_select_all_reaches_only_ones_own_series(client, world):
    log_in(client, world, "organiser_b")

    client.post(
        reverse("admin:seminars_comment_changelist"),
        {"action": "approve_comments", "select_across": "1", ACTION_CHECKBOX_NAME: ["0"]},
    )

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {world.comment_a.pk: "held", world.comment_b.pk: "published"}


def test_another_series_comment_cannot_be_removed_through_its_form(client, world):
    log_in(client, world, "organiser_b")
    url = reverse("admin:seminars_comment_change", args=[world.comment_a.pk])
    data = {"body": "x", "status": "published", "removed": "on", "removal_reason": "Spam"}

    client.post(url, data)

    world.comment_a.refresh_from_db()
    assert not world.comment_a.removed
    assert world.comment_a.body != "x"


# Query counts: organisers' changelists are filtered by a join, never per row.


# One more row of each changelist, in the organiser's (first) series.
ADD_ROW = {
    "talk": lambda organiser, series: TalkFactory(series=series),
    "series": lambda organiser, series: OrganisedSeriesFactory(organisers=[organiser]),
    "comment": lambda organiser, series: CommentFactory(talk=TalkFactory(series=series)),
}


@pytest.mark.parametrize("model", ADD_ROW)
def test_organiser_changelists_do_not_query_per_row(client, django_assert_num_queries, model):
    organiser = OrganiserFactory()
    series = OrganisedSeriesFactory(organisers=[organiser])  # the series changelist's row 1
    ADD_ROW[model](OrganiserFactory(), OrganisedSeriesFactory())  # someone else's
    if model != "series":
        ADD_ROW[model](organiser, series)
    client.force_login(organiser)
    url = reverse(f"admin:seminars_{model}_changelist")
    client.get(url)  # warms the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as one_row:
        first = client.get(url)
    for _ in range(19):
        ADD_ROW[model](organiser, series)

    with django_assert_num_queries(len(one_row)):
        response = client.get(url)

    assert first.context["cl"].result_count == 1
    assert response.context["cl"].result_count == 20


def test_the_date_hierarchy_spans_only_ones_own_talks(client, world):
    TalkFactory(series=world.series_a, start=datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC))
    log_in(client, world, "organiser_b")
    response = client.get(reverse("admin:seminars_talk_changelist"))
    assert "2001" not in response.content.decode()
