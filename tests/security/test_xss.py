"""Every hostile input, in every field a user or organiser writes, stays text.

For each payload of the corpus: what the forms store (exactly what was typed,
or nothing with a clear message), the sanitized HTML stored for Markdown
fields, and every page, feed, calendar and API answer that shows it, read back
with a parser. tests/browser/test_xss.py loads the same text in Chromium.

Each test goes through the whole corpus itself (see each_payload), each payload
on the same fresh database, and names every payload that fails in one message.
"""

import datetime
import json
import re
from urllib.parse import quote
from xml.etree import ElementTree

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from seminars.models import Comment, Series, Speaker, Tag, Talk
from seminars.pagination import TALKS_PER_PAGE
from seminars.plaintext import title_as_text
from seminars.rendering import render_abstract, render_comment
from tests.factories import (
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    SuperuserFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)
from tests.html import parse

from .clients import new_client
from .hostile_inputs import HOSTILE_INPUTS, RUNS_IF_UNESCAPED, fit
from .hostile_site import SEARCH_WORD, build_hostile_site
from .html_safety import (
    SCRIPT_SCHEMES,
    assert_no_injection,
    attribute_values,
    attributes_of,
    injection_problems,
    scheme_of,
    shows_text,
)

pytestmark = pytest.mark.django_db

# What sanitized Markdown may contain: text formatting and MathML presentation
# elements (MathML Core), nothing that links out, loads, or runs anything.
SAFE_MARKUP = {
    "a", "blockquote", "br", "code", "em", "hr", "li", "ol", "p", "pre", "strong", "ul",
    "math", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover",
    "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt",
    "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder",
    "munderover", "none",
    # A display formula's scroll box (class, role, tabindex and aria-label only).
    "span",
}  # fmt: skip
LINK_SCHEMES = ("http:", "https:", "mailto:")
COMMENT_LIMIT = 5000
REASON_LIMIT = 300
ATOM = "{http://www.w3.org/2005/Atom}"
# Characters XML 1.0 cannot hold at all: feeds must drop them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def each_payload(check, names=tuple(HOSTILE_INPUTS)) -> None:
    """Run `check(payload)` for each named payload of the corpus (all by default).

    Each runs in a savepoint that is rolled back, so each meets the database (and
    the cache table, with its rate limits) as the test found it. Every failing
    payload is named, with what failed, in one assertion message.
    """
    failures = []
    for name in names:
        try:
            with transaction.atomic():
                check(HOSTILE_INPUTS[name])
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 (reported below, with the payload's name)
            failures.append(f"[{name}] {type(error).__name__}: {str(error)[:1000]}")
    assert not failures, f"{len(failures)} of {len(names)} payloads failed:\n" + "\n".join(failures)


def fits(text: str, max_length: int, required: bool = True) -> bool:
    """Whether a form accepts `text` for a field: no NUL, not too long, not blank if required."""
    stripped = text.strip()
    return "\x00" not in text and len(stripped) <= max_length and (stripped or not required)


def assert_sanitized(html: str) -> None:
    elements = list(parse(html).iter())
    assert not injection_problems(html)
    assert {element.tag for element in elements} <= SAFE_MARKUP
    for element in elements:
        attributes = attributes_of(element)
        assert not {"style", "src", "srcdoc", "xlink:href"} & attributes.keys()
        if "href" in attributes:
            assert element.tag == "a" and attributes["href"].lower().startswith(LINK_SCHEMES)


def assert_refused_with_message(response, status=200):
    """The form came back with its errors shown, so the writer knows what to fix."""
    assert response.status_code == status
    errors = [error for errors in response.context["form"].errors.values() for error in errors]
    assert errors
    page_text = parse(response).text_outside_scripts
    assert all(error in page_text for error in errors)


# --- The checks themselves ----------------------------------------------------------


def unescaped_contexts(payload: str) -> list[str]:
    return [
        f"<p>{payload}</p>",
        f'<input value="{payload}">',
        f"<input value='{payload}'>",
        f"<input value={payload}>",
        f'<script type="application/ld+json">{{"name": "{payload}"}}</script>',
    ]


def test_the_checks_catch_each_payload_left_unescaped():
    def check(payload):
        assert any(injection_problems(html) for html in unescaped_contexts(payload))

    each_payload(check, RUNS_IF_UNESCAPED)


# --- The renderers -------------------------------------------------------------------


def test_markdown_renderers_keep_only_safe_markup():
    def check(payload):
        assert_sanitized(render_abstract(payload))
        assert_sanitized(render_comment(payload))

    each_payload(check)


# --- Public pages, with the payload in every field -------------------------------------


def hostile_talk(payload):
    """A public talk whose series, speaker, tag and own fields all hold the payload."""
    series = SeriesFactory(name=fit(payload, 200), description=fit(payload))
    return TalkFactory(
        series=series,
        title=fit(payload, 300),
        abstract=f"{fit(payload)}\n\n{SEARCH_WORD}",
        venue=fit(payload, 300),
        # Three days ago: still in the calendars, which reach back 30 days.
        start=timezone.now() - datetime.timedelta(days=3),
        speakers=[SpeakerFactory(name=fit(payload, 200), affiliation=fit(payload, 200))],
        tags=[TagFactory(name=fit(payload, 100), description=fit(payload))],
    )


def enter_profile(client, user, payload):
    """The user types the payload as their name and affiliation."""
    name_before = user.display_name
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": payload, "affiliation": payload, "timezone": ""},
    )
    user.refresh_from_db()
    if fits(payload, 100):
        assert response.status_code == 302
        assert user.display_name == user.affiliation == payload.strip()
    else:
        assert_refused_with_message(response)
        assert user.display_name == name_before
        User.objects.filter(pk=user.pk).update(display_name=fit(payload, 100))
        user.refresh_from_db()


def enter_comment(client, talk, author, payload) -> Comment:
    """The user posts the payload as a comment; refused ones are stored as the form could."""
    response = client.post(
        reverse("discussion:comment-create", args=[talk.slug]), {"body": payload}
    )
    if fits(payload, COMMENT_LIMIT):
        assert response.status_code == 302
        comment = Comment.objects.get()
        assert comment.body == payload.strip()
    else:
        assert_refused_with_message(response, status=400)
        assert not Comment.objects.exists()
        comment = CommentFactory(talk=talk, author=author, body=fit(payload, COMMENT_LIMIT))
    assert_sanitized(comment.body_html)
    return comment


def pages_showing(comment):
    """The pages that show a comment and its author: each puts them in another context."""
    return [
        comment.talk.get_absolute_url(),
        reverse("discussion:comment-reply", args=[comment.pk]),
        reverse("discussion:comment-edit", args=[comment.pk]),
        reverse("users:user-detail", args=[comment.author_id]),
    ]


def test_user_entries_and_the_talk_page_show_hostile_text_as_text():
    def check(payload):
        talk = hostile_talk(payload)
        assert_sanitized(talk.abstract_html)
        author = UserFactory(display_name="Commenter")
        client = new_client()
        client.force_login(author)
        enter_profile(client, author, payload)
        comment = enter_comment(client, talk, author, payload)

        responses = {url: client.get(url) for url in pages_showing(comment)}
        for url, response in responses.items():
            assert response.status_code == 200, url
            assert_no_injection(response, url)
        talk_page = responses[talk.get_absolute_url()]
        speaker = talk.speakers.get()
        shown = [talk.title, talk.venue, talk.series.name, talk.tags.get().name]
        shown += [speaker.name, speaker.affiliation, author.display_name]
        assert all(shows_text(talk_page, text) for text in shown)

    each_payload(check)


def test_moderation_notes_show_hostile_text_as_text():
    """Blocked words (quoted in held notes) and removal reasons, for author and organiser."""
    each_payload(check_moderation_notes)


def check_moderation_notes(payload):
    client = new_client()
    organiser = OrganiserFactory()
    talk = TalkFactory(series=SeriesFactory(blocked_words=fit(payload)))
    talk.series.organisers.add(organiser)
    author = UserFactory()
    removed = CommentFactory(talk=talk, author=author)
    client.force_login(author)
    # Held, quoting the blocked word, when the text fits in a comment.
    client.post(reverse("discussion:comment-create", args=[talk.slug]), {"body": fit(payload)})

    client.force_login(organiser)
    response = client.post(
        reverse("discussion:comment-remove", args=[removed.pk]), {"reason": payload}
    )
    removed.refresh_from_db()
    if fits(payload, REASON_LIMIT):
        assert response.status_code == 302
        assert removed.removal_reason == payload.strip()
    else:
        assert response.status_code == 400
        assert_no_injection(response, "refused removal")
        assert not removed.removed
    for user in (organiser, author):
        client.force_login(user)
        assert_no_injection(client.get(talk.get_absolute_url()), f"talk page for {user}")


def test_every_page_shows_the_whole_corpus_as_text(client):
    """Each kind of page, loaded once with every payload in every field it shows."""
    site = build_hostile_site()
    client.force_login(site.organiser)
    pages_of_talks = range(1, len(HOSTILE_INPUTS) // TALKS_PER_PAGE + 2)
    past_year = timezone.localtime(Talk.objects.earliest("start").start).year
    urls = [
        reverse("seminars:home"),
        *(f"{reverse('seminars:talk-list')}?page={number}" for number in pages_of_talks),
        reverse("seminars:talk-archive", args=[past_year]),
        *(f"{reverse('seminars:search')}?q={SEARCH_WORD}&page={n}" for n in pages_of_talks),
        site.showcase.get_absolute_url(),
        reverse("seminars:tag-list"),
        site.tag.get_absolute_url(),
        reverse("seminars:series-list"),
        site.series.get_absolute_url(),
        site.speaker.get_absolute_url(),
        reverse("accounts:profile"),
        reverse("accounts:preferences"),
    ]
    for url in urls:
        # Search may find fewer pages than the talk list has: a page past its end
        # is redirected to its last (pagecache.pages.NotCanonical).
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_no_injection(response, url)


def test_reflected_query_text_stays_text():
    """Search words and ?next=, which pages echo back."""

    def check(payload):
        client = new_client()
        response = client.get(reverse("seminars:search"), {"q": payload})
        assert_no_injection(response, "search")
        if fits(payload, 200, required=False):
            assert response.status_code == 200
            assert payload in attribute_values(response.content, "input", "value")
        else:
            assert_refused_with_message(response, status=400)
        response = client.get(reverse("account_login"), {"next": payload})
        assert response.status_code == 200
        assert_no_injection(response, "log-in page")

    each_payload(check)


# --- Feeds, calendars and the API carry the text as data --------------------------------


def one_line_breaks(text: str) -> str:
    """XML and iCalendar readers turn every line break into one kind."""
    return re.sub(r"\r\n?", "\n", text)


def xml_text(text: str) -> str:
    """`text` as an XML parser reads it back: without what XML cannot hold, one line break."""
    return one_line_breaks(NOT_XML.sub("", text))


def ical_text(text) -> str:
    # icalendar drops a leading byte-order mark (an invisible character) from values.
    return str(text).replace("\ufeff", "")


def feed_entries(response) -> list[ElementTree.Element]:
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    return feed.findall(f"{ATOM}entry")


def entry_field(entry, name) -> str:
    return entry.find(f"{ATOM}{name}").text or ""


def check_feeds(client, talk, comment):
    (entry,) = feed_entries(client.get(reverse("syndication:series-feed", args=[talk.series.slug])))
    # Titles are plain text, their formulas read as text (seminars.plaintext).
    assert entry_field(entry, "title") == xml_text(title_as_text(talk.title))
    assert not injection_problems(entry_field(entry, "summary"))
    (entry,) = feed_entries(client.get(reverse("syndication:comment-feed", args=[talk.slug])))
    assert not injection_problems(entry_field(entry, "summary"))
    assert xml_text(comment.author_name) in entry_field(entry, "title")


def check_calendars(client, talk):
    response = client.get(reverse("syndication:talk-calendar", args=[talk.slug]))
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [component.name for component in calendar.walk()] == ["VCALENDAR", "VEVENT"]
    (event,) = calendar.walk("VEVENT")
    assert ical_text(event["summary"]) == ical_text(one_line_breaks(talk.title))
    assert ical_text(event["location"]) == ical_text(one_line_breaks(talk.venue))

    response = client.get(reverse("syndication:series-calendar", args=[talk.series.slug]))
    calendar = icalendar.Calendar.from_ical(response.content)
    assert len(calendar.walk("VEVENT")) == 1
    assert ical_text(calendar["x-wr-calname"]) == ical_text(" ".join(talk.series.name.split()))


def check_api(client, talk, comment):
    response = client.get(reverse("api:talk-detail", args=[talk.slug]))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert data["title"] == talk.title
    assert data["abstract"] == talk.abstract
    assert data["speakers"][0]["name"] == talk.speakers.get().name
    assert data["tags"][0]["name"] == talk.tags.get().name
    assert data["comments"][0]["body"] == comment.body
    assert data["comments"][0]["author"] == comment.author_name
    assert_sanitized(data["abstract_html"])
    assert_sanitized(data["comments"][0]["body_html"])


def test_feeds_calendars_and_api_carry_hostile_text_as_data():
    def check(payload):
        client = new_client()
        talk = hostile_talk(payload)
        author = UserFactory(display_name=fit(payload, 100))
        comment = CommentFactory(talk=talk, author=author, body=fit(payload, COMMENT_LIMIT))
        check_feeds(client, talk, comment)
        check_calendars(client, talk)
        check_api(client, talk, comment)

    each_payload(check)


# --- Organisers type the payload into the admin ------------------------------------------


def talk_form_data(series, payload, **fields):
    start = timezone.localtime() + datetime.timedelta(days=7)
    end = start + datetime.timedelta(hours=1)
    return {
        "series": series.pk,
        "title": payload,
        "slug": "hostile-talk",
        "status": Talk.Status.PUBLISHED,
        "start_0": start.date().isoformat(),
        "start_1": start.time().strftime("%H:%M"),
        "end_0": end.date().isoformat(),
        "end_1": end.time().strftime("%H:%M"),
        "venue": payload,
        "abstract": payload,
        "online_url": "",
        "recording_url": "",
        "slides_url": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        **fields,
    }


def series_form_data(series, payload, organiser):
    return {
        "name": payload,
        "slug": series.slug,
        "description": payload,
        "timezone": series.timezone,
        "organisers": [organiser.pk],
        "comment_moderation": series.comment_moderation,
        "max_links": series.max_links,
        "default_duration": "1:00:00",
        "blocked_words": payload,
    }


def admin_post(client, model, url_name, data, *args):
    return client.post(reverse(f"admin:seminars_{model}_{url_name}", args=args), data)


def assert_saved_as_typed(response, obj, fields, payload):
    assert response.status_code == 302
    obj.refresh_from_db()
    assert {name: getattr(obj, name) for name in fields} == dict.fromkeys(fields, payload.strip())


def assert_admin_refused(response):
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors
    page_text = parse(response).text_outside_scripts
    assert all(error in page_text for field_errors in errors.values() for error in field_errors)


def test_organisers_talks_are_saved_as_typed_or_refused():
    def check(payload):
        client = new_client()
        organiser = OrganiserFactory()
        series = SeriesFactory()
        series.organisers.add(organiser)
        client.force_login(organiser)
        response = admin_post(client, "talk", "add", talk_form_data(series, payload))
        if fits(payload, 300):
            talk = Talk.objects.get()
            assert_saved_as_typed(response, talk, ["title", "venue", "abstract"], payload)
            assert_sanitized(talk.abstract_html)
        else:
            assert_admin_refused(response)
            assert not Talk.objects.exists()

    each_payload(check)


# Tags' and series' forms hold the same kinds of field as talks' (with other lengths).
ENTRY_SAMPLE = ["script", "attr-double-quote", "control-characters", "nul", "overlong-plain"]


def test_organisers_tags_and_series_are_saved_as_typed_or_refused():
    each_payload(check_tag_and_series_entry, ENTRY_SAMPLE)


def check_tag_and_series_entry(payload):
    client = new_client()
    organiser = OrganiserFactory()
    series = SeriesFactory()
    series.organisers.add(organiser)
    client.force_login(organiser)

    data = {"name": payload, "slug": "hostile", "description": payload}
    response = admin_post(client, "tag", "add", data)
    if fits(payload, 100):
        assert_saved_as_typed(response, Tag.objects.get(), ["name", "description"], payload)
    else:
        assert_admin_refused(response)
        assert not Tag.objects.exists()

    before = Series.objects.values().get()
    data = series_form_data(series, payload, organiser)
    response = admin_post(client, "series", "change", data, series.pk)
    if fits(payload, 200):
        fields = ["name", "description", "blocked_words"]
        assert_saved_as_typed(response, series, fields, payload)
        assert_sanitized(series.description_html)
        assert_no_injection(client.get(series.get_absolute_url()), "series page")
    else:
        assert_admin_refused(response)
        assert Series.objects.values().get() == before


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        '//evil.example/"><script>alert(1)</script>',
        'https://example.org/"><script>alert(1)</script>',
    ],
)
def test_link_fields_refuse_script_urls_and_show_the_rest_inert(client, url):
    organiser = OrganiserFactory()
    series = SeriesFactory()
    series.organisers.add(organiser)
    client.force_login(organiser)
    links = dict.fromkeys(("online_url", "recording_url", "slides_url"), url)
    talk_response = admin_post(client, "talk", "add", talk_form_data(series, "L", **links))
    speaker = {"name": "Someone", "slug": "someone", "affiliation": "", "homepage": url}
    speaker_response = admin_post(client, "speaker", "add", speaker)
    series_data = {**series_form_data(series, "S", organiser), "homepage": url}
    series_response = admin_post(client, "series", "change", series_data, series.pk)

    if scheme_of(url) in SCRIPT_SCHEMES:
        assert_admin_refused(talk_response)
        assert_admin_refused(speaker_response)
        assert_admin_refused(series_response)
        assert not Talk.objects.exists()
        assert not Speaker.objects.exists()
        series.refresh_from_db()
        assert series.homepage == ""
    else:
        # Other links are kept (with https:// when typed without a scheme) and escaped.
        talk = Talk.objects.get()
        assert talk.online_url.startswith("https://")
        assert_no_injection(client.get(talk.get_absolute_url()), "talk page")
        assert_no_injection(client.get(Speaker.objects.get().get_absolute_url()), "speaker")
        series.refresh_from_db()
        assert series.homepage.startswith("https://")
        assert_no_injection(client.get(series.get_absolute_url()), "series page")


# The admin shows a search in its box, its result count and its filter links.
ADMIN_SEARCHES = ["attr-double-quote", "attr-close-tag", "close-textarea", "entities-named"]


def test_admin_pages_show_the_whole_corpus_as_text(client):
    site = build_hostile_site()
    client.force_login(site.organiser)
    comment = site.showcase.comments.first()
    pages = [
        reverse("admin:index"),
        reverse("admin:seminars_talk_changelist"),
        reverse("admin:seminars_talk_change", args=[site.showcase.pk]),
        reverse("admin:seminars_talk_history", args=[site.showcase.pk]),
        reverse("admin:seminars_comment_changelist"),
        reverse("admin:seminars_comment_change", args=[comment.pk]),
        reverse("admin:seminars_speaker_changelist"),
        reverse("admin:seminars_speaker_change", args=[site.speaker.pk]),
        reverse("admin:seminars_tag_changelist"),
        reverse("admin:seminars_tag_change", args=[site.tag.pk]),
        reverse("admin:seminars_series_changelist"),
        reverse("admin:seminars_series_change", args=[site.series.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_injection(response, url)
    for name in ADMIN_SEARCHES:
        # Cut to a length SQLite's LIKE accepts (see the report on admin searches).
        query = HOSTILE_INPUTS[name][:1000]
        response = client.get(reverse("admin:seminars_tag_changelist"), {"q": query})
        assert response.status_code == 200
        assert_no_injection(response, "admin search")
    client.force_login(SuperuserFactory())
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert_no_injection(response, "user changelist")


# --- Slugs ------------------------------------------------------------------------------

# An HTML page, a feed and a calendar that take a slug, and a number in a path.
SLUG_ROUTES = ["/talks/{}/", "/tags/{}/feed/", "/speakers/{}/calendar.ics", "/talks/archive/{}/"]


def test_hostile_slugs_are_invalid_and_their_paths_not_found():
    def check(payload):
        client = new_client()
        for model in (Series, Speaker, Tag, Talk):
            with pytest.raises(ValidationError):
                model._meta.get_field("slug").clean(payload, None)
        segment = quote(payload, safe="")
        for route in SLUG_ROUTES:
            response = client.get(route.format(segment))
            assert response.status_code == 404, route
            assert_no_injection(response, route)
        response = client.get(f"/api/talks/{segment}")
        assert response.status_code in (404, 422)

    each_payload(check)


def test_the_admin_refuses_hostile_slugs():
    def check(payload):
        client = new_client()
        client.force_login(OrganiserFactory())
        response = admin_post(client, "tag", "add", {"name": "Fine", "slug": payload})
        assert_admin_refused(response)
        assert "slug" in response.context["adminform"].form.errors
        assert not Tag.objects.exists()

    each_payload(check, ["script", "attr-double-quote", "direction-override", "nul"])
