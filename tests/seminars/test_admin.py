"""The organisers' admin: who may open which page, search and filters, comment
moderation, talk times in the series' zone, and the allauth-guarded, rate-limited login."""

import datetime
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats

from seminars.models import Comment, Series, Speaker, Tag, Talk
from tests.factories import (
    PASSWORD,
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    SuperuserFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)
from tests.html import parse

pytestmark = pytest.mark.django_db

UTC = datetime.UTC

FACTORIES = {
    "talk": TalkFactory,
    "series": SeriesFactory,
    "speaker": SpeakerFactory,
    "tag": TagFactory,
    "comment": CommentFactory,
}
STAFF = {"superuser": SuperuserFactory, "organiser": OrganiserFactory}
# Objects of a series the user organises (speakers and tags belong to every series);
# other series' objects are tested in test_admin_scoping.
OWN = {
    "talk": lambda user: TalkFactory(series=OrganisedSeriesFactory(organisers=[user])),
    "series": lambda user: OrganisedSeriesFactory(organisers=[user]),
    "speaker": lambda user: SpeakerFactory(),
    "tag": lambda user: TagFactory(),
    "comment": lambda user: CommentFactory(talk__series=OrganisedSeriesFactory(organisers=[user])),
}

# The spec: superusers may do anything except add or delete comments (comments come from
# the site and are only ever removed). Organisers add talks, speakers and tags, add and edit
# series, and delete nothing.
ALLOWED = {
    "superuser": {
        "talk": {"changelist", "add", "change", "delete"},
        "series": {"changelist", "add", "change", "delete"},
        "speaker": {"changelist", "add", "change", "delete"},
        "tag": {"changelist", "add", "change", "delete"},
        "comment": {"changelist", "change"},
    },
    "organiser": {
        "talk": {"changelist", "add", "change"},
        "series": {"changelist", "add", "change"},
        "speaker": {"changelist", "add", "change"},
        "tag": {"changelist", "add", "change"},
        "comment": {"changelist", "change"},
    },
}


def admin_url(model, page, obj=None):
    args = [] if obj is None else [obj.pk]
    return reverse(f"admin:seminars_{model}_{page}", args=args)


def talk_form_data(series, start=None, **fields):
    """A complete Talk admin form, times written as an organiser types them."""
    start = start or datetime.datetime(2030, 7, 1, 9, 30)
    end = start + datetime.timedelta(hours=1)
    data = {
        "series": series.pk,
        "title": "Knots and braids",
        "slug": "knots-and-braids",
        "status": Talk.Status.PUBLISHED,
        "start_0": start.date().isoformat(),
        "start_1": start.time().isoformat(),
        "end_0": end.date().isoformat(),
        "end_1": end.time().isoformat(),
        "venue": "",
        "online_url": "",
        "abstract": "",
        "recording_url": "",
        "slides_url": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def results(response):
    return set(response.context["cl"].result_list)


@pytest.mark.parametrize("page", ["changelist", "add", "change", "delete"])
@pytest.mark.parametrize("model", FACTORIES)
@pytest.mark.parametrize("role", STAFF)
def test_staff_pages(client, role, model, page):
    user = STAFF[role]()
    client.force_login(user)
    obj = OWN[model](user)
    url = admin_url(model, page, obj if page in ("change", "delete") else None)

    # follow: adding a talk starts by choosing its series, skipped for one series.
    response = client.get(url, follow=True)

    assert response.status_code == (200 if page in ALLOWED[role][model] else 403)


@pytest.mark.parametrize("page", ["change", "delete"])
@pytest.mark.parametrize("model", FACTORIES)
def test_an_empty_to_field_is_refused_not_a_server_error(client, model, page):
    """Django's admin looks up a field named "" for ?_to_field= (config.security)."""
    user = STAFF["superuser"]()
    client.force_login(user)

    response = client.get(admin_url(model, page, OWN[model](user)), {"_to_field": ""})

    assert response.status_code == 400


@pytest.mark.parametrize("page", ["change", "delete"])
@pytest.mark.parametrize("model", FACTORIES)
def test_an_empty_to_field_posted_is_refused_not_a_server_error(client, model, page):
    """The admin reads _to_field from a posted form before the query (found by test_fuzz)."""
    user = STAFF["superuser"]()
    client.force_login(user)

    response = client.post(admin_url(model, page, OWN[model](user)), {"_to_field": ""})

    assert response.status_code == 400


@pytest.mark.parametrize("role", STAFF)
def test_staff_cannot_delete_by_posting_either(client, role):
    client.force_login(STAFF[role]())
    comment = CommentFactory()
    response = client.post(admin_url("comment", "delete", comment), {"post": "yes"})
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_organiser_cannot_delete_a_series_by_posting(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    series = OrganisedSeriesFactory(organisers=[organiser])
    response = client.post(admin_url("series", "delete", series), {"post": "yes"})
    assert response.status_code == 403
    assert Series.objects.filter(pk=series.pk).exists()


def test_deleting_a_talk_would_delete_its_comments_so_even_a_superuser_cannot(client):
    client.force_login(SuperuserFactory())
    comment = CommentFactory()
    response = client.post(admin_url("talk", "delete", comment.talk), {"post": "yes"})
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("role", STAFF)
def test_organiser_and_superuser_add_a_talk(client, role):
    user = STAFF[role]()
    client.force_login(user)
    series = OrganisedSeriesFactory(organisers=[user])
    speaker = SpeakerFactory()
    tag = TagFactory()
    data = talk_form_data(series, speakers=[speaker.pk], tags=[tag.pk])

    response = client.post(admin_url("talk", "add"), data)

    assert response.status_code == 302
    talk = Talk.objects.get(slug=data["slug"])
    assert list(talk.speakers.all()) == [speaker]
    assert list(talk.tags.all()) == [tag]


@pytest.mark.parametrize("model", FACTORIES)
def test_changelists_do_not_query_per_row(client, django_assert_num_queries, model):
    client.force_login(SuperuserFactory())
    url = admin_url(model, "changelist")
    FACTORIES[model]()
    client.get(url)  # warms the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    FACTORIES[model].create_batch(19)

    with django_assert_num_queries(len(one_row)):
        response = client.get(url)

    assert response.context["cl"].result_count == 20


# Finding talks


def test_talk_search_finds_a_talk_by_speaker_name(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    series = OrganisedSeriesFactory(organisers=[organiser])
    noether = SpeakerFactory(name="Emmy Noether")
    wanted = TalkFactory(series=series, speakers=[noether, SpeakerFactory()])
    TalkFactory(series=series, speakers=[SpeakerFactory(name="Felix Klein")])

    response = client.get(admin_url("talk", "changelist"), {"q": "Noether"})

    assert response.status_code == 200
    assert results(response) == {wanted}
    assert response.context["cl"].result_count == 1


def test_talk_filters(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    series = OrganisedSeriesFactory(organisers=[organiser])
    other = OrganisedSeriesFactory(organisers=[organiser])
    tag = TagFactory()
    draft = TalkFactory(status=Talk.Status.DRAFT, series=series)
    cancelled = TalkFactory(status=Talk.Status.CANCELLED, series=other, tags=[tag])
    TalkFactory(series=other)
    url = admin_url("talk", "changelist")

    by_status = client.get(url, {"status__exact": Talk.Status.DRAFT})
    by_series = client.get(url, {"series__id__exact": series.pk})
    by_tag = client.get(url, {"tags__id__exact": tag.pk})

    assert results(by_status) == {draft}
    assert results(by_series) == {draft}
    assert results(by_tag) == {cancelled}


def test_a_nonsense_filter_is_not_a_server_error(client):
    client.force_login(OrganiserFactory())
    response = client.get(admin_url("talk", "changelist"), {"series__id__exact": "abc"})
    assert response.status_code == 200


# Comment moderation


def run_action(client, action, comments, **fields):
    return client.post(
        admin_url("comment", "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in comments], **fields},
    )


@pytest.mark.parametrize("role", STAFF)
def test_bulk_remove_and_restore(client, role):
    moderator = STAFF[role]()
    client.force_login(moderator)
    talk = TalkFactory(series=OrganisedSeriesFactory(organisers=[moderator]))
    chosen = CommentFactory.create_batch(2, talk=talk)
    untouched = CommentFactory(talk=talk)

    response = run_action(client, "remove_comments", chosen, apply="yes", reason="Spam")

    assert response.status_code == 302
    for comment in chosen:
        comment.refresh_from_db()
        assert (comment.removed, comment.removed_by) == (True, moderator)
    untouched.refresh_from_db()
    assert (untouched.removed, untouched.removed_by) == (False, None)

    run_action(client, "restore_comments", chosen)

    for comment in chosen:
        comment.refresh_from_db()
        assert (comment.removed, comment.removed_by) == (False, None)
    assert Comment.objects.count() == 3


@pytest.mark.parametrize("role", STAFF)
def test_comments_have_no_delete_action(client, role):
    user = STAFF[role]()
    client.force_login(user)
    comment = OWN["comment"](user)

    changelist = client.get(admin_url("comment", "changelist"))
    run_action(client, "delete_selected", [comment])

    actions = {value for value, _ in changelist.context["action_form"].fields["action"].choices}
    assert {"remove_comments", "restore_comments"} <= actions
    assert "delete_selected" not in actions
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_unticking_removed_in_the_form_restores_and_ticking_records_who(client):
    moderator = OrganiserFactory()
    client.force_login(moderator)
    comment = OWN["comment"](moderator)
    form = {"body": comment.body, "status": Comment.Status.PUBLISHED}

    client.post(
        admin_url("comment", "change", comment),
        {**form, "removed": "on", "removal_reason": "Spam"},
    )
    comment.refresh_from_db()
    assert (comment.removed, comment.removed_by, comment.removal_reason) == (
        True,
        moderator,
        "Spam",
    )

    client.post(admin_url("comment", "change", comment), form)
    comment.refresh_from_db()
    assert (comment.removed, comment.removed_by, comment.removal_reason) == (False, None, "")


def test_talk_page_lists_its_comments_without_delete_boxes(client):
    client.force_login(SuperuserFactory())
    comment = CommentFactory(body="Inline me")
    response = client.get(admin_url("talk", "change", comment.talk))
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in formset.forms] == [comment]
    assert not formset.can_delete


# Talk times in the series' zone


def input_values(response):
    """Each named <input>'s value, by name."""
    attributes = [element.attrs for element in parse(response).iter("input")]
    return {attrs["name"]: attrs.get("value", "") for attrs in attributes if "name" in attrs}


def parse_date(value):
    for date_format in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise AssertionError(f"{value!r} is not a date")


def test_talk_times_are_shown_in_the_series_zone(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    # 20:00 UTC is 05:00 the next morning in Tokyo: the date and the hour both move.
    talk = TalkFactory(
        series=OrganisedSeriesFactory(timezone="Asia/Tokyo", organisers=[organiser]),
        start=datetime.datetime(2030, 1, 15, 20, 0, tzinfo=UTC),
    )
    local = talk.start.astimezone(tokyo)

    response = client.get(admin_url("talk", "change", talk))

    values = input_values(response)
    assert parse_date(values["start_0"]) == local.date()
    assert datetime.time.fromisoformat(values["start_1"]) == local.time()
    assert "Asia/Tokyo" in response.content.decode()


def test_talk_times_are_parsed_in_the_series_zone_on_change(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    series = OrganisedSeriesFactory(timezone="Asia/Tokyo", organisers=[organiser])
    talk = TalkFactory(series=series)
    typed = datetime.datetime(2030, 7, 1, 9, 30)

    response = client.post(
        admin_url("talk", "change", talk), talk_form_data(series, typed, slug=talk.slug)
    )

    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.start == typed.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))


def test_talk_times_are_parsed_in_the_chosen_series_zone_on_add(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    OrganisedSeriesFactory(timezone="Europe/London", organisers=[organiser])
    new_york = OrganisedSeriesFactory(timezone="America/New_York", organisers=[organiser])
    typed = datetime.datetime(2030, 1, 10, 16, 0)

    response = client.post(admin_url("talk", "add"), talk_form_data(new_york, typed))

    assert response.status_code == 302
    talk = Talk.objects.get()
    assert talk.start == typed.replace(tzinfo=zoneinfo.ZoneInfo("America/New_York"))


def test_moving_a_talk_to_another_series_reads_the_times_in_the_new_zone(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    talk = TalkFactory(
        series=OrganisedSeriesFactory(timezone="Europe/London", organisers=[organiser])
    )
    tokyo = OrganisedSeriesFactory(timezone="Asia/Tokyo", organisers=[organiser])
    typed = datetime.datetime(2030, 3, 5, 18, 0)

    client.post(admin_url("talk", "change", talk), talk_form_data(tokyo, typed, slug=talk.slug))

    talk.refresh_from_db()
    assert talk.series == tokyo
    assert talk.start == typed.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))


def test_a_talk_ending_before_it_starts_is_refused(client):
    organiser = OrganiserFactory()
    client.force_login(organiser)
    data = talk_form_data(OrganisedSeriesFactory(organisers=[organiser]))
    data["end_1"] = "08:00:00"

    response = client.post(admin_url("talk", "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Talk.objects.exists()


def test_links_typed_without_a_scheme_are_read_as_https(client):
    client.force_login(OrganiserFactory())
    speaker = SpeakerFactory()
    data = {
        "name": speaker.name,
        "slug": speaker.slug,
        "affiliation": "",
        "homepage": "example.org",
    }

    client.post(admin_url("speaker", "change", speaker), data)

    speaker.refresh_from_db()
    assert speaker.homepage == "https://example.org"


# Who gets into the admin at all


@pytest.mark.parametrize("url_name", ["admin:index", "admin:seminars_talk_changelist"])
def test_a_normal_user_gets_no_admin(client, url_name):
    client.force_login(UserFactory())
    response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_site_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    final_path = response.redirect_chain[-1][0]
    assert urlsplit(final_path).path == reverse("account_login")
    assert response.status_code == 200


def test_the_admin_login_form_cannot_be_used_to_get_round_allauth(client):
    admin = SuperuserFactory()
    response = client.post(
        reverse("admin:login"), {"username": admin.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("account_login")
    assert not client.get(reverse("seminars:home")).wsgi_request.user.is_authenticated


def test_staff_log_in_through_allauth_and_land_in_the_admin(client):
    admin = SuperuserFactory()
    login_url = client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0]
    assert parse_qs(urlsplit(login_url).query)["next"]

    response = client.post(login_url, {"login": admin.email, "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:index")


def test_repeated_failed_admin_logins_are_rate_limited(client):
    admin = SuperuserFactory()
    login_url = client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0]
    statuses = []
    while 429 not in statuses and len(statuses) < 100:
        response = client.post(login_url, {"login": admin.email, "password": "wrong"})
        statuses.append(response.status_code)

    assert statuses[0] == 200
    assert statuses[-1] == 429
    # Once limited, even the right password is turned away.
    response = client.post(login_url, {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 429
    assert not client.get(reverse("seminars:home")).wsgi_request.user.is_authenticated


def test_admin_index_lists_the_seminar_models(client):
    client.force_login(SuperuserFactory())
    content = client.get(reverse("admin:index")).content.decode()
    for model in (Talk, Series, Speaker, Tag, Comment):
        assert str(model._meta.verbose_name_plural).capitalize() in content
