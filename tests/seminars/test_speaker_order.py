"""Speakers keep the order they are given, and two speakers may share a name.

"Noor Haddad; Ada Okafor" is not alphabetical: every page, feed, calendar and
API answer shows it as given, whether the admin or an import gave it.
"""

import datetime
import json
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from seminars.models import Speaker, Talk
from tests.factories import (
    OrganisedSeriesFactory,
    OrganiserFactory,
    SpeakerFactory,
    TalkFactory,
)
from tests.html import parse

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
GIVEN = ["Noor Haddad", "Ada Okafor"]


@pytest.fixture
def organiser():
    return OrganiserFactory()


@pytest.fixture
def series(organiser):
    return OrganisedSeriesFactory(organisers=[organiser])


def names(talk) -> list[str]:
    return [speaker.name for speaker in Talk.objects.for_talk_page().get(pk=talk.pk).speakers.all()]


def first_positions(text: str) -> list[int]:
    return [text.index(name) for name in GIVEN]


@pytest.fixture
def public_talk():
    noor, ada = SpeakerFactory(name=GIVEN[0]), SpeakerFactory(name=GIVEN[1])
    return TalkFactory(
        speakers=[noor, ada],
        status=Talk.Status.PUBLISHED,
        start=timezone.now() + datetime.timedelta(days=3),
    )


@pytest.mark.parametrize(
    "where",
    ["talk page", "talk list", "series page", "feed", "talk calendar", "api list", "api talk"],
)
def test_every_page_shows_the_speakers_in_the_given_order(client, public_talk, where):
    url = {
        "talk page": lambda: public_talk.get_absolute_url(),
        "talk list": lambda: reverse("seminars:talk-list"),
        "series page": lambda: public_talk.series.get_absolute_url(),
        "feed": lambda: reverse("syndication:feed"),
        "talk calendar": lambda: reverse("syndication:talk-calendar", args=[public_talk.slug]),
        "api list": lambda: reverse("api:talk-list"),
        "api talk": lambda: reverse("api:talk-detail", args=[public_talk.slug]),
    }[where]()
    response = client.get(url)

    assert response.status_code == 200
    if where.startswith("api"):
        data = json.loads(response.content)
        talk = data["items"][0] if "items" in data else data
        assert [speaker["name"] for speaker in talk["speakers"]] == GIVEN
    else:
        positions = first_positions(response.content.decode())
        assert positions == sorted(positions)


# The admin


def talk_form(series, speakers):
    return {
        "series": series.pk,
        "title": "Knots and braids",
        "slug": "knots-and-braids",
        "status": Talk.Status.DRAFT,
        "speakers": [speaker.pk for speaker in speakers],
        "start_0": "2030-07-01",
        "start_1": "16:00",
        "end_0": "2030-07-01",
        "end_1": "17:00",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }


def test_the_admin_keeps_the_order_speakers_are_chosen_in(client, organiser, series):
    # Created in alphabetical order, so that neither id nor name order is the given one.
    ada, noor = SpeakerFactory(name="Ada Okafor"), SpeakerFactory(name="Noor Haddad")
    client.force_login(organiser)

    response = client.post(reverse("admin:seminars_talk_add"), talk_form(series, [noor, ada]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    talk = Talk.objects.get()
    assert names(talk) == GIVEN
    # The change form lists them so, and select2 posts them in the order listed.
    page = parse(client.get(reverse("admin:seminars_talk_change", args=[talk.pk])).content)
    (select,) = page.find_all("select", name="speakers")
    assert [option.text for option in select.find_all("option")] == GIVEN

    # Reordered: saved in the new order.
    client.post(
        reverse("admin:seminars_talk_change", args=[talk.pk]), talk_form(series, [ada, noor])
    )
    assert names(talk) == list(reversed(GIVEN))


def test_duplicating_keeps_the_speakers_order(client, organiser, series):
    talk = TalkFactory(
        series=series, speakers=[SpeakerFactory(name=GIVEN[0]), SpeakerFactory(name=GIVEN[1])]
    )
    client.force_login(organiser)
    client.post(
        reverse("admin:seminars_talk_changelist"),
        {"action": "duplicate_talks", "_selected_action": [talk.pk]},
    )

    copy = Talk.objects.exclude(pk=talk.pk).get()
    assert names(copy) == GIVEN


# Imports


def import_csv(client, series, text):
    url = reverse("admin:seminars_talk_import")
    file = SimpleUploadedFile("talks.csv", text.encode())
    preview = client.post(url, {"series": series.pk, "file": file})
    assert "plan" in preview.context, preview.context.get("errors")
    assert client.post(url, {"token": preview.context["token"]}).status_code == 302
    return preview.context["plan"]


def test_an_import_keeps_the_files_order_and_a_new_order_is_a_change(client, organiser, series):
    SpeakerFactory(name="Ada Okafor")  # known already, and first by name and id
    client.force_login(organiser)

    import_csv(
        client, series, "title,start,speakers\nKnots,2030-07-01 16:00,Noor Haddad;Ada Okafor\n"
    )
    talk = Talk.objects.get()
    assert names(talk) == GIVEN

    plan = import_csv(
        client, series, "title,start,speakers\nKnots,2030-07-01 16:00,Ada Okafor;Noor Haddad\n"
    )
    assert plan.talks[0].changes == ["speakers"]
    assert names(talk) == list(reversed(GIVEN))


# The migration that added the order


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_link_and_numbers_them_by_name():
    executor = MigrationExecutor(connection)
    executor.migrate([("seminars", "0011_organisers_add_series")])
    old = executor.loader.project_state([("seminars", "0011_organisers_add_series")]).apps
    series = old.get_model("seminars", "Series").objects.create(name="S", slug="s")
    Speaker_ = old.get_model("seminars", "Speaker")
    zed, bea = (Speaker_.objects.create(name=name, slug=name.lower()) for name in ("Zed", "Bea"))
    start = datetime.datetime(2030, 7, 1, 15, tzinfo=datetime.UTC)
    talk = old.get_model("seminars", "Talk").objects.create(
        series=series, title="T", slug="t", start=start, end=start + datetime.timedelta(hours=1)
    )
    talk.speakers.set([zed, bea])

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    links = Talk.objects.get(slug="t").speaker_links.select_related("speaker")
    assert [(link.speaker.name, link.position) for link in links] == [("Bea", 0), ("Zed", 1)]
    assert Speaker.objects.count() == 2


# Two speakers with one name


def test_a_second_speaker_of_the_same_name_gets_a_slug_of_their_own(client, organiser):
    first = SpeakerFactory(name="Ada Okafor", slug="ada-okafor")
    client.force_login(organiser)

    response = client.post(
        reverse("admin:seminars_speaker_add"),
        {"name": "Ada Okafor", "slug": "ada-okafor", "affiliation": "Lagos", "homepage": ""},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    second = Speaker.objects.exclude(pk=first.pk).get()
    assert (second.name, second.slug, second.affiliation) == ("Ada Okafor", "ada-okafor-2", "Lagos")
    first.refresh_from_db()
    assert first.slug == "ada-okafor"


def test_editing_a_speaker_onto_a_taken_slug_is_still_refused(client, organiser):
    SpeakerFactory(name="Ada Okafor", slug="ada-okafor")
    other = SpeakerFactory(name="Bo Li", slug="bo-li")
    client.force_login(organiser)

    response = client.post(
        reverse("admin:seminars_speaker_change", args=[other.pk]),
        {"name": "Bo Li", "slug": "ada-okafor", "affiliation": "", "homepage": ""},
    )

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    other.refresh_from_db()
    assert other.slug == "bo-li"


def test_an_imported_name_whose_slug_is_taken_becomes_a_speaker_of_its_own(
    client, organiser, series
):
    # "Ada O'Kafor" and "Ada Okafor" make the same slug; they are different people.
    SpeakerFactory(name="Ada O'Kafor", slug="ada-okafor")
    client.force_login(organiser)

    import_csv(client, series, "title,start,speakers\nKnots,2030-07-01 16:00,Ada Okafor\n")

    speaker = Talk.objects.get().speakers.get()
    assert (speaker.name, speaker.slug) == ("Ada Okafor", "ada-okafor-2")
