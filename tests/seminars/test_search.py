"""Search: /search/?q= over titles, abstracts, speaker and tag names.

Runs on SQLite (word search) and PostgreSQL (full-text search); a few tests
check what only one of them does.
"""

import datetime
import html
import importlib
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from seminars.models import Talk
from seminars.search import (
    MARK_START,
    MARK_STOP,
    MAX_QUERY_LENGTH,
    SearchForm,
    highlight_words,
    render_marked,
    search_talks,
)
from tests.factories import SpeakerFactory, TagFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL only"
)
fallback_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the word-search fallback runs without PostgreSQL"
)

SEARCH_URL = reverse("seminars:search")


def search(client, query, **params):
    return client.get(SEARCH_URL, {"q": query, **params})


def found(response) -> list[Talk]:
    return [hit.talk for hit in response.context["hits"]]


# The hint and the messages


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_empty_query_shows_a_hint_and_no_results(client, params):
    TalkFactory(title="Vortex rings")
    response = client.get(SEARCH_URL, params)
    assert response.status_code == 200
    assert "hits" not in response.context
    assertContains(response, 'class="hint"')
    assertNotContains(response, "Vortex rings")


def test_query_at_the_length_limit_is_searched(client):
    talk = TalkFactory(title="Vortex rings")
    query = "vortex " + "x" * (MAX_QUERY_LENGTH - len("vortex "))
    response = search(client, query)
    assert response.status_code == 200
    # Every word must match, and no talk holds the long one.
    assert talk not in found(response)


def test_query_over_the_length_limit_gets_a_clear_message(client):
    TalkFactory(title="Vortex rings")
    response = search(client, "vortex " + "x" * MAX_QUERY_LENGTH)
    assert response.status_code == 400
    assert "hits" not in response.context
    assertContains(response, f"limited to {MAX_QUERY_LENGTH} characters", status_code=400)
    assertContains(response, 'role="alert"', status_code=400)


def test_nul_byte_gets_a_clear_message(client):
    response = client.get(SEARCH_URL + "?q=vortex%00rings")
    assert response.status_code == 400
    assertContains(response, "Null characters are not allowed", status_code=400)


@pytest.mark.parametrize(
    "raw_query",
    [
        "%ED%A0%80",  # a lone surrogate, UTF-8 encoded
        "%C0%80",  # an overlong NUL
        "%FF%FE",  # not UTF-8 at all
    ],
)
def test_undecodable_bytes_never_give_a_500(client, raw_query):
    response = client.get(f"{SEARCH_URL}?q={raw_query}")
    assert response.status_code in (200, 400)


def test_form_refuses_lone_surrogates():
    form = SearchForm({"q": "vortex \ud800"})
    assert not form.is_valid()
    assert "not valid text" in form.errors["q"][0]


ODD_QUERIES = [
    "'",
    '"',
    '"unterminated phrase',
    "vortex & rings",
    "vortex | rings",
    "!vortex",
    "-vortex",
    "vortex:*",
    "(vortex",
    "vortex <-> rings",
    "vortex <2> rings",
    "\\",
    "%",
    "_",
    "' OR 1=1 --",
    "'); DROP TABLE seminars_talk; --",
    "🙂",
    "ﬁeld",  # a ligature
    "e\u0301te",  # a combining accent
    "\u202evortex",  # right-to-left override
    "vor\u200btex",  # zero-width space
    "𝔳𝔬𝔯𝔱𝔢𝔵",  # mathematical letters
    "\ufdd0vortex\ufdd1",  # the highlighter's own markers
    "\ufeff",
    "\u0007\u001b[31m",
    "ǅ ΐ ß İ",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_give_a_page_of_results_or_none(client, query):
    talk = TalkFactory(title="Vortex rings")
    response = search(client, query)
    assert response.status_code == 200
    assert set(found(response)) <= {talk}
    # The table is still there, and the query is shown escaped.
    assert Talk.objects.filter(pk=talk.pk).exists()
    assert escape(query) in response.content.decode()


def test_query_is_echoed_escaped(client):
    response = search(client, '<script>alert("q")</script>')
    assert response.status_code == 200
    assertNotContains(response, "<script>alert")
    assertContains(response, "&lt;script&gt;alert")


def test_query_without_words_finds_nothing(client):
    TalkFactory(title="Vortex rings")
    response = search(client, "!!! --- ???")
    assert response.status_code == 200
    assert found(response) == []
    assertContains(response, 'class="empty"')


# What is searched


MATCH_PLACES = {
    "title": lambda: TalkFactory(title="Turbulent vortex rings"),
    "abstract": lambda: TalkFactory(abstract="We study the vortex ring in a viscous fluid."),
    "speaker": lambda: TalkFactory(speakers=[SpeakerFactory(name="Ada Vortex")]),
    "tag": lambda: TalkFactory(tags=[TagFactory(name="Vortex dynamics")]),
}


@pytest.mark.parametrize("place", MATCH_PLACES)
def test_finds_words_in_titles_abstracts_speakers_and_tags(client, place):
    talk = MATCH_PLACES[place]()
    TalkFactory(title="Something else entirely", abstract="Unrelated.")
    assert found(search(client, "vortex")) == [talk]


def test_every_word_must_match(client):
    both = TalkFactory(title="Vortex rings in fluids")
    TalkFactory(title="Vortex sheets")
    TalkFactory(title="Ring theory")
    assert found(search(client, "vortex rings")) == [both]


def test_search_is_case_insensitive(client):
    talk = TalkFactory(title="Vortex rings")
    assert found(search(client, "VORTEX")) == [talk]


def test_only_public_talks_are_found(client):
    published = TalkFactory(title="Vortex published", status=Talk.Status.PUBLISHED)
    cancelled = TalkFactory(title="Vortex cancelled", status=Talk.Status.CANCELLED)
    TalkFactory(title="Vortex draft", status=Talk.Status.DRAFT)
    response = search(client, "vortex")
    assert set(found(response)) == {published, cancelled}
    assertNotContains(response, "Vortex draft")
    assertContains(response, "badge-cancelled", count=1)


@postgres_only
def test_full_text_search_matches_other_forms_of_a_word(client):
    talk = TalkFactory(title="A vortex ring")
    assert found(search(client, "rings")) == [talk]


@postgres_only
def test_full_text_search_understands_phrases_and_exclusions(client):
    rings = TalkFactory(title="Vortex rings", abstract="")
    rings_and_fluids = TalkFactory(title="Vortex rings and fluids", abstract="")
    TalkFactory(title="Rings of vortex", abstract="")
    assert set(found(search(client, '"vortex rings"'))) == {rings, rings_and_fluids}
    assert found(search(client, '"vortex rings" -fluids')) == [rings]


@postgres_only
def test_full_text_search_ranks_title_matches_first(client):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    in_abstract = TalkFactory(title="Fluids", abstract="About a vortex.")
    in_title = TalkFactory(title="Vortex", abstract="About fluids.", start=long_ago)
    assert found(search(client, "vortex")) == [in_title, in_abstract]


@fallback_only
def test_word_search_lists_newest_first(client):
    older = TalkFactory(title="Vortex", start=timezone.now() - datetime.timedelta(days=30))
    newer = TalkFactory(title="Fluids", abstract="A vortex.")
    assert found(search(client, "vortex")) == [newer, older]


# Highlighting


def test_matched_words_are_marked_and_the_rest_escaped(client):
    TalkFactory(
        title="<em>Vortex</em> rings",
        abstract="On <script>alert(1)</script> vortex dynamics & more.",
        speakers=[SpeakerFactory(name="Ada <b>Vortex</b>")],
        tags=[TagFactory(name="Vortex & waves")],
    )
    response = search(client, "vortex")
    content = response.content.decode()
    for raw in ("<script>alert(1)", "<em>Vortex", "<b>Vortex"):
        assert raw not in content
    hit = response.context["hits"][0]
    assert str(hit.title) == "&lt;em&gt;<mark>Vortex</mark>&lt;/em&gt; rings"
    assert "<mark>vortex</mark> dynamics &amp; more" in str(hit.excerpt)
    assert [str(name) for _, name in hit.speakers] == ["Ada &lt;b&gt;<mark>Vortex</mark>&lt;/b&gt;"]
    assert [str(name) for _, name in hit.tags] == ["<mark>Vortex</mark> &amp; waves"]
    # Title, speaker and tag; the abstract's match is lower-case.
    assertInHTML("<mark>Vortex</mark>", content, count=3)


def test_marks_every_matched_word(client):
    TalkFactory(title="Vortex rings meet vortex sheets")
    hit = search(client, "vortex sheets").context["hits"][0]
    assert str(hit.title).count("<mark>") == 3


def test_excerpt_starts_near_the_first_match(client):
    filler = " ".join(f"filler{n}" for n in range(200))
    TalkFactory(title="A talk", abstract=f"{filler} the vortex appears here")
    hit = search(client, "vortex").context["hits"][0]
    assert "<mark>vortex</mark>" in str(hit.excerpt)
    assert "filler0 " not in str(hit.excerpt)


def test_highlight_words_escapes_text_and_marks_words():
    marked = highlight_words("Fish & <chips> & FISH", ["fish"])
    assert str(marked) == "<mark>Fish</mark> &amp; &lt;chips&gt; &amp; <mark>FISH</mark>"


def test_highlight_words_drops_marker_characters_from_the_text():
    marked = highlight_words(f"{MARK_START}fish{MARK_STOP} {MARK_STOP}chips", ["chips"])
    assert str(marked) == "fish <mark>chips</mark>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{MARK_START}a{MARK_STOP} & b", "<mark>a</mark> &amp; b"),
        (f"{MARK_START}<a>{MARK_STOP}", "<mark>&lt;a&gt;</mark>"),
        (f"{MARK_START}a", "a"),
        (f"a{MARK_STOP}{MARK_STOP}", "a"),
        (f"{MARK_START}{MARK_START}a{MARK_STOP}", "<mark>a</mark>"),
        ("", ""),
    ],
)
def test_render_marked_always_gives_balanced_escaped_markup(text, expected):
    assert str(render_marked(text)) == expected


# Pagination and query counts


def test_results_are_paginated_and_page_links_keep_the_query(client):
    query = "vortex & <rings>"
    for day in range(25):
        TalkFactory(
            title=f"Vortex rings {day}", start=timezone.now() + datetime.timedelta(days=day)
        )
    first = search(client, query)
    assert len(first.context["hits"]) == 20
    assert first.context["page"].paginator.count == 25
    next_link = html.escape("?" + urlencode({"q": query, "page": 2}))
    assertContains(first, f'href="{next_link}"', count=1)
    second = search(client, query, page=2)
    assert len(second.context["hits"]) == 5
    assert not set(found(first)) & set(found(second))


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1.5", "\u0661"])
def test_bad_page_numbers_lead_to_a_sensible_page(client, page):
    TalkFactory(title="Vortex rings")
    response = client.get(SEARCH_URL, {"q": "vortex", "page": page}, follow=True)
    assert response.redirect_chain == [(f"{SEARCH_URL}?q=vortex", 302)]
    assert response.status_code == 200
    assert len(found(response)) == 1


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("rows", [1, 20])
def test_query_count_is_the_same_for_1_and_20_results(
    client, rows, signed_in, django_assert_num_queries
):
    for day in range(rows):
        TalkFactory(
            title=f"Vortex {day}",
            start=timezone.now() + datetime.timedelta(days=day),
            speakers=[SpeakerFactory(), SpeakerFactory()],
            tags=[TagFactory(), TagFactory()],
        )
    if signed_in:
        client.force_login(UserFactory())
    # [session, user;] count for the paginator; talks with their series; speakers; tags.
    with django_assert_num_queries(4 + (2 if signed_in else 0)):
        response = search(client, "vortex")
    assert len(response.context["hits"]) == rows


# The navigation's search box


def test_every_page_has_a_labelled_search_box(client):
    response = client.get(reverse("seminars:talk-list"))
    assertInHTML(
        f'<form class="nav-search" role="search" method="get" action="{SEARCH_URL}">'
        '<label for="nav-search-q">Search talks</label>'
        '<input id="nav-search-q" type="search" name="q" maxlength="200" required>'
        '<button type="submit">Search</button></form>',
        response.content.decode(),
    )


def test_search_page_has_one_labelled_search_box(client):
    response = search(client, "vortex")
    content = response.content.decode()
    assert 'id="nav-search-q"' not in content
    assertContains(response, '<label for="search-q">', count=1)
    assertContains(response, 'id="search-q"', count=1)
    assertContains(response, 'value="vortex"', count=1)


# Keeping the copied names in step


def names_of(talk) -> str:
    return Talk.objects.get(pk=talk.pk).search_names


def test_names_follow_changes_from_the_talks_side():
    ada, tag = SpeakerFactory(name="Ada"), TagFactory(name="Fluids")
    talk = TalkFactory(speakers=[ada])
    assert names_of(talk).split("\n") == ["Ada"]
    talk.tags.add(tag)
    assert set(names_of(talk).split("\n")) == {"Ada", "Fluids"}
    talk.speakers.remove(ada)
    assert names_of(talk) == "Fluids"
    talk.tags.clear()
    assert names_of(talk) == ""


def test_names_follow_changes_from_the_speakers_and_tags_side():
    talks = [TalkFactory(), TalkFactory()]
    ada, tag = SpeakerFactory(name="Ada"), TagFactory(name="Fluids")
    ada.talks.add(*talks)
    tag.talks.set(talks)
    assert [set(names_of(talk).split("\n")) for talk in talks] == [{"Ada", "Fluids"}] * 2
    ada.talks.remove(talks[0])
    assert names_of(talks[0]) == "Fluids"
    tag.talks.clear()
    assert [names_of(talk) for talk in talks] == ["", "Ada"]


def test_renaming_a_speaker_or_tag_updates_its_talks(client):
    ada, tag = SpeakerFactory(name="Ada"), TagFactory(name="Fluids")
    talk = TalkFactory(speakers=[ada], tags=[tag])
    ada.name = "Grace"
    ada.save()
    tag.name = "Waves"
    tag.save(update_fields=["name"])
    assert set(names_of(talk).split("\n")) == {"Grace", "Waves"}
    assert found(search(client, "grace waves")) == [talk]
    assert found(search(client, "ada")) == []


def test_saving_other_fields_of_a_speaker_leaves_talks_alone(django_assert_num_queries):
    ada = SpeakerFactory(name="Ada")
    TalkFactory(speakers=[ada])
    ada.affiliation = "Elsewhere"
    with django_assert_num_queries(1):  # the speaker's own UPDATE
        ada.save(update_fields=["affiliation"])


def test_deleting_a_speaker_or_tag_updates_its_talks(client):
    ada, tag = SpeakerFactory(name="Ada"), TagFactory(name="Fluids")
    talk = TalkFactory(speakers=[ada], tags=[tag])
    ada.delete()
    assert names_of(talk) == "Fluids"
    tag.delete()
    assert names_of(talk) == ""
    assert found(search(client, "ada")) == []


def test_copying_names_leaves_updated_and_sequence_alone():
    talk = TalkFactory()
    before = Talk.objects.values("updated", "sequence").get(pk=talk.pk)
    talk.speakers.add(SpeakerFactory())
    assert Talk.objects.values("updated", "sequence").get(pk=talk.pk) == before


def test_migration_copies_names_of_existing_talks():
    talk = TalkFactory(speakers=[SpeakerFactory(name="Ada")], tags=[TagFactory(name="Fluids")])
    Talk.objects.update(search_names="")
    migration = importlib.import_module("seminars.migrations.0003_talk_search")
    migration.copy_names(apps, None)
    assert set(names_of(talk).split("\n")) == {"Ada", "Fluids"}


# The index behind full-text search


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Talk._meta.db_table)
    return {name for name, details in constraints.items() if details["index"]}


@postgres_only
# Committed, so that VACUUM can run (never inside a transaction).
@pytest.mark.django_db(transaction=True)
def test_full_text_search_uses_the_gin_index():
    """The query's expression must be the index's, or the index goes unused.

    The table is vacuumed first, as autovacuum keeps a real one: on a test database
    the index holds every rolled-back test's rows until then, and by the end of the
    suite the planner rightly preferred reading the table.
    """
    assert "talk_search_idx" in index_names()
    talk = TalkFactory(title="Vortex rings")
    Talk.objects.bulk_create(
        Talk(
            series=talk.series,
            title=f"Filler {n}",
            slug=f"filler-{n}",
            start=talk.start,
            end=talk.end,
            status=Talk.Status.PUBLISHED,
        )
        for n in range(1000)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE seminars_talk")
    assert "Bitmap Index Scan on talk_search_idx" in search_talks("vortex").explain()


@fallback_only
def test_no_full_text_index_without_postgres():
    assert "talk_search_idx" not in index_names()
