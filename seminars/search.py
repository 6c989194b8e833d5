"""Search over public talks: titles, abstracts, speaker names and tag names.

Design. Speaker and tag names live in many-to-many tables; joining them into a
search would multiply rows and rule out an index. So each talk carries a copy
of its speakers' and tags' names in ``Talk.search_names``, and the signal
handlers below keep that copy in step when a talk's speakers or tags change
(from either side of the relation) and when a speaker or tag is renamed or
deleted. Code that bypasses signals (``QuerySet.update``, ``bulk_create``)
must call ``refresh_search_names`` itself.

A search is then one query over the talk table, plus the paginator's count and
the usual prefetches of speakers and tags:

- PostgreSQL: full-text search. The document is the title (weight A), the names
  (B) and the abstract (C) in the English configuration, so "rings" finds
  "ring". ``websearch_to_tsquery`` reads the visitor's words and accepts any
  input without syntax errors; results are ordered by ``ts_rank``. Migration
  0003 builds a GIN index on exactly ``search_document()`` on PostgreSQL only;
  change one and you must change the other, or the index goes unused.
  ``ts_headline`` tells which words matched.
- Other databases (SQLite in development): every word must appear,
  case-insensitively, in the title, abstract or names; newest first; matches
  are marked in Python.

Either way a page of results becomes ``SearchHit`` objects whose title and
excerpt are plain text (``seminars.plaintext``: formulas as Unicode, no LaTeX or
Markdown), escaped, and whose only markup is ``<mark>``.
"""

import re
from dataclasses import dataclass

from django import forms
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Q, signals
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

from .models import Speaker, Tag, Talk
from .plaintext import math_as_text, title_as_text

MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = "english"
EXCERPT_WORDS = 35
# Unicode noncharacters, reserved for a program's internal use: they bracket
# matched words until the text is escaped, then become <mark> elements.
MARK_START, MARK_STOP = "\ufdd0", "\ufdd1"
MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_STOP}]*){MARK_STOP}")
SENTINELS = re.compile(f"[{MARK_START}{MARK_STOP}]")


class SearchForm(forms.Form):
    # CharField already refuses NUL characters with a clear message.
    q = forms.CharField(
        label="Search talks",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "Searches are limited to %(limit_value)d characters "
            "(this one has %(show_value)d). Please shorten it."
        },
    )

    def clean_q(self):
        query = self.cleaned_data["q"]
        try:
            query.encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates: not text any database or page can hold.
            raise forms.ValidationError(
                "The search contains characters that are not valid text."
            ) from None
        return query


@dataclass
class SearchHit:
    """One talk in the results, with its matched words marked."""

    talk: Talk
    title: SafeString
    excerpt: SafeString
    speakers: list[tuple[Speaker, SafeString]]
    tags: list[tuple[Tag, SafeString]]


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


def search_talks(query: str):
    """Public talks matching `query`, best first, ready for a talk list page."""
    talks = Talk.objects.public().for_talk_page()
    if uses_full_text_search():
        return full_text_search(talks, query)
    return word_search(talks, query)


def search_hits(talks, query: str) -> list[SearchHit]:
    """The talks (a page of `search_talks` results) with matched words marked."""
    words = query_words(query)
    hits = []
    for talk in talks:
        title, excerpt = marked_title_and_excerpt(talk, words)
        speakers = [
            (speaker, highlight_words(speaker.name, words)) for speaker in talk.speakers.all()
        ]
        tags = [(tag, highlight_words(tag.name, words)) for tag in talk.tags.all()]
        hits.append(SearchHit(talk, title, excerpt, speakers, tags))
    return hits


def marked_title_and_excerpt(talk, words: list[str]) -> tuple[SafeString, SafeString]:
    """The title and an excerpt of the abstract as plain text (formulas as Unicode, not
    LaTeX or Markdown), with `words` marked."""
    if uses_full_text_search():
        # ts_headline marked the matches in the query: it knows which stems matched
        # ("rings" for "ring"). Those words are marked in the plain text here, since
        # a headline of the source could cut a formula in half.
        words = matched_words(talk.marked_title, talk.marked_excerpt) or words
    excerpt = excerpt_around(math_as_text(talk.abstract), words)
    return highlight_words(title_as_text(talk.title), words), highlight_words(excerpt, words)


def matched_words(*headlines: str) -> list[str]:
    """The distinct words ts_headline marked in `headlines`."""
    return list(dict.fromkeys(word for text in headlines for word in MARKED.findall(text)))


def search_document():
    """The weighted text a talk is found by; migration 0003 indexes this very expression."""
    return (
        SearchVector("title", config=SEARCH_CONFIG, weight="A")
        + SearchVector("search_names", config=SEARCH_CONFIG, weight="B")
        + SearchVector("abstract", config=SEARCH_CONFIG, weight="C")
    )


def full_text_search(talks, query: str):
    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    document = search_document()
    marks = {"config": SEARCH_CONFIG, "start_sel": MARK_START, "stop_sel": MARK_STOP}
    return (
        # alias, not annotate: the document is matched against, never sent back.
        talks.alias(document=document)
        .filter(document=search_query)
        .annotate(
            rank=SearchRank(document, search_query),
            marked_title=SearchHeadline("title", search_query, highlight_all=True, **marks),
            marked_excerpt=SearchHeadline(
                "abstract",
                search_query,
                max_words=EXCERPT_WORDS,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
        .order_by("-rank", "-start", "id")
    )


def query_words(query: str) -> list[str]:
    """The distinct words of a query, lower-cased; punctuation and operators dropped."""
    return list(dict.fromkeys(word.lower() for word in re.findall(r"\w+", query)))


def word_search(talks, query: str):
    words = query_words(query)
    if not words:
        return talks.none()
    matches_every_word = Q()
    for word in words:
        matches_every_word &= (
            Q(title__icontains=word) | Q(abstract__icontains=word) | Q(search_names__icontains=word)
        )
    return talks.filter(matches_every_word).order_by("-start", "id")


def words_pattern(words: list[str]) -> re.Pattern:
    """A pattern matching any of `words` (and nothing when there are none)."""
    # Longest first, so "fluids" is marked whole rather than as "fluid" + "s".
    alternatives = sorted(words, key=len, reverse=True)
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile("|".join(re.escape(word) for word in alternatives), re.IGNORECASE)


def highlight_words(text: str, words: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of `words` in a <mark>."""
    text = SENTINELS.sub("", text)
    text = words_pattern(words).sub(lambda match: MARK_START + match[0] + MARK_STOP, text)
    return render_marked(text)


def render_marked(text: str) -> SafeString:
    """`text` escaped, with each sentinel-bracketed stretch in a <mark>.

    Stray sentinels are dropped, so the markup is always balanced.
    """
    pairs = []
    position = 0
    for match in MARKED.finditer(text):
        pairs.append((SENTINELS.sub("", text[position : match.start()]), match[1]))
        position = match.end()
    tail = escape(SENTINELS.sub("", text[position:]))
    return format_html_join("", "{}<mark>{}</mark>", pairs) + tail


def excerpt_around(text: str, words: list[str], length: int = EXCERPT_WORDS) -> str:
    """About `length` words of `text`, starting a little before the first match."""
    tokens = text.split()
    pattern = words_pattern(words)
    first_match = next((index for index, token in enumerate(tokens) if pattern.search(token)), 0)
    start = max(0, first_match - 5)
    excerpt = " ".join(tokens[start : start + length])
    before = "… " if start > 0 else ""
    after = " …" if start + length < len(tokens) else ""
    return f"{before}{excerpt}{after}"


# Keeping Talk.search_names in step.


def names_of(talk) -> str:
    names = [speaker.name for speaker in talk.speakers.all()]
    names += [tag.name for tag in talk.tags.all()]
    return "\n".join(names)


def refresh_search_names(talk_ids) -> None:
    """Copy speaker and tag names onto the talks with these ids (a list or a queryset)."""
    talks = list(
        Talk.objects.filter(pk__in=talk_ids).only("pk").prefetch_related("speakers", "tags")
    )
    for talk in talks:
        talk.search_names = names_of(talk)
    # bulk_update skips save(): the copy changes no calendar SEQUENCE or `updated`.
    Talk.objects.bulk_update(talks, ["search_names"])


def talk_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A talk's speakers or tags changed, from the talk's side or the speaker's/tag's."""
    if pk_set == set():
        return  # add() or remove() that changed nothing
    if not reverse:
        if action.startswith("post_"):
            refresh_search_names([instance.pk])
    elif action == "pre_clear":
        # After the clear the talks can no longer be found from `instance`.
        instance._search_talk_ids = list(instance.talks.values_list("pk", flat=True))
    elif action == "post_clear":
        refresh_search_names(instance._search_talk_ids)
    elif action in ("post_add", "post_remove"):
        refresh_search_names(pk_set)


def name_saved(sender, instance, created, update_fields, **kwargs):
    """A speaker or tag was saved: its name may have changed."""
    if created or (update_fields is not None and "name" not in update_fields):
        return
    refresh_search_names(instance.talks.values("pk"))


def name_deleting(sender, instance, **kwargs):
    # The links to talks are deleted with the speaker or tag; note them first.
    instance._search_talk_ids = list(instance.talks.values_list("pk", flat=True))


def name_deleted(sender, instance, **kwargs):
    refresh_search_names(instance._search_talk_ids)


def speaker_link_loaded(sender, instance, raw, **kwargs):
    """loaddata writes a talk's speaker links as rows of their own (TalkSpeaker), with
    no m2m_changed: the talk's copy of the names follows them here."""
    if raw:
        refresh_search_names([instance.talk_id])


def connect_signals() -> None:
    """Called from the app's ready()."""
    for relation in (Talk.speakers, Talk.tags):
        signals.m2m_changed.connect(
            talk_relations_changed,
            sender=relation.through,
            dispatch_uid=f"search-{relation.field.name}",
        )
    signals.post_save.connect(
        speaker_link_loaded, sender=Talk.speakers.through, dispatch_uid="search-speaker-link"
    )
    for model in (Speaker, Tag):
        uid = f"search-{model.__name__}"
        signals.post_save.connect(name_saved, sender=model, dispatch_uid=uid)
        signals.pre_delete.connect(name_deleting, sender=model, dispatch_uid=uid)
        signals.post_delete.connect(name_deleted, sender=model, dispatch_uid=uid)
