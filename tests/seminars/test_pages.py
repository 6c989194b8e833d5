"""The public pages: what each shows, in what order, and what the public never sees."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from seminars.models import Comment, Talk
from seminars.views import HOME_RECENT
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)
from tests.html import parse

pytestmark = pytest.mark.django_db

HOME_UPCOMING = 10  # the issue: "upcoming talks (next 10)"
PER_PAGE = 20  # the issue: "paginated (20 a page)"
UTC = datetime.UTC


def talk_on_day(days, **fields):
    """A talk starting `days` from now (negative: in the past)."""
    return TalkFactory(start=timezone.now() + datetime.timedelta(days=days), **fields)


def linked_talks(response, talks):
    """Those of `talks` the page links to, in the order it first links them."""
    content = response.content.decode()
    positions = {talk: content.find(f'href="{talk.get_absolute_url()}"') for talk in talks}
    return sorted((talk for talk in talks if positions[talk] >= 0), key=positions.get)


def card_for(response, talk):
    """The HTML of the listing card that links to `talk`."""
    cards = response.content.decode().split('<article class="talk-card')[1:]
    return next(card for card in cards if f'href="{talk.get_absolute_url()}"' in card)


def shown_counts(response):
    """{link: count} for every link the page follows with a count, in page order."""
    pairs = re.findall(
        r'href="([^"]+)"[^>]*>[^<]*</a>\s*<span[^>]*>\s*(\d+)', response.content.decode()
    )
    return {url: int(count) for url, count in pairs}


def shown_count(response, tag):
    """The talk count the page shows next to `tag`'s link, or None if the tag is not listed."""
    return shown_counts(response).get(tag.get_absolute_url())


def expected_listing(talks):
    """Upcoming talks soonest first, then past talks most recent first."""
    now = timezone.now()
    upcoming = sorted((talk for talk in talks if talk.start >= now), key=lambda t: t.start)
    past = sorted((talk for talk in talks if talk.start < now), key=lambda t: t.start)
    return upcoming + past[::-1]


def template_names(response):
    return [template.name for template in response.templates]


# --- Every page answers ---------------------------------------------------------------

# The URL layout is a contract that outside tests use, so these paths are written out.
PAGES = {
    "home": lambda talk: ("/", talk.title),
    "talk-list": lambda talk: ("/talks/", talk.title),
    "talk-detail": lambda talk: (f"/talks/{talk.slug}/", talk.title),
    "tag-list": lambda talk: ("/tags/", talk.tags.get().name),
    "tag-detail": lambda talk: (f"/tags/{talk.tags.get().slug}/", talk.title),
    "speaker-detail": lambda talk: (f"/speakers/{talk.speakers.get().slug}/", talk.title),
    "series-list": lambda talk: ("/series/", talk.series.name),
    "series-detail": lambda talk: (f"/series/{talk.series.slug}/", talk.title),
}


@pytest.fixture
def talk():
    return TalkFactory(speakers=[SpeakerFactory()], tags=[TagFactory()])


@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_answers_with_its_content(client, talk, page):
    url, expected_text = PAGES[page](talk)
    response = client.get(url)
    assert response.status_code == 200
    assert "base.html" in template_names(response)
    assert expected_text in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/talks/no-such-talk/",
        "/tags/no-such-tag/",
        "/speakers/no-such-speaker/",
        "/series/no-such-series/",
        "/talks/%C3%BCber/",
        "/no-such-page/",
    ],
)
def test_unknown_addresses_get_the_sites_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert "base.html" in template_names(response)
    assert f'href="{reverse("seminars:talk-list")}"' in response.content.decode()


def test_pages_only_answer_get(client, talk):
    response = client.post(talk.get_absolute_url())
    assert response.status_code == 405


# --- Pagination -----------------------------------------------------------------------

PAGINATED = {
    "talk-list": lambda tag, speaker, series: reverse("seminars:talk-list"),
    "tag-detail": lambda tag, speaker, series: tag.get_absolute_url(),
    "speaker-detail": lambda tag, speaker, series: speaker.get_absolute_url(),
    "series-detail": lambda tag, speaker, series: series.get_absolute_url(),
}


@pytest.fixture
def two_pages():
    """One talk more than a page, all sharing a tag, a speaker and a series.

    Created out of date order, 12 upcoming and 9 past, so the listing has to sort them.
    """
    tag, speaker, series = TagFactory(), SpeakerFactory(), SeriesFactory()
    days = [5, -3, 1, 12, -40, 7, -1, 3, 30, -8, 2, -20, 9, 4, -2, 60, -5, 6, -90, 8, -4]
    talks = [talk_on_day(day, tags=[tag], speakers=[speaker], series=series) for day in days]

    def url(page):
        return PAGINATED[page](tag, speaker, series)

    return url, expected_listing(talks)


@pytest.mark.parametrize("page", PAGINATED)
def test_lists_are_paginated_upcoming_first_then_most_recent_past(client, two_pages, page):
    url, listing = two_pages
    first = client.get(url(page))
    second = client.get(url(page), {"page": 2})
    assert linked_talks(first, listing) == listing[:PER_PAGE]
    assert linked_talks(second, listing) == listing[PER_PAGE:]
    assert 'href="?page=2"' in first.content.decode()
    assert 'href="?page=1"' in second.content.decode()


# Django's Paginator.get_page: not a number gives the first page, out of range the last.
BAD_PAGES = [
    ("abc", 1),
    ("", 1),
    ("1.5", 1),
    ("1e3", 1),
    ("%00", 1),
    ("9" * 5000, 1),  # more digits than Python converts to an int
    ("0", 2),
    ("-1", 2),
    ("99999", 2),
    ("9" * 40, 2),
]


@pytest.mark.parametrize("page", PAGINATED)
@pytest.mark.parametrize(("value", "shown_page"), BAD_PAGES, ids=lambda value: str(value)[:10])
def test_a_bad_page_number_gives_a_sensible_page(client, two_pages, page, value, shown_page):
    url, listing = two_pages
    response = client.get(url(page), {"page": value}, follow=True)
    # Redirected to the page shown, so that no junk address is stored in the page cache.
    canonical = url(page) if shown_page == 1 else f"{url(page)}?page={shown_page}"
    assert response.redirect_chain == [(canonical, 302)]
    assert response.status_code == 200
    assert response.context["page"].number == shown_page
    expected = listing[:PER_PAGE] if shown_page == 1 else listing[PER_PAGE:]
    assert linked_talks(response, listing) == expected


# A tag or speaker with no public talk has no page at all (test_draft_only).
@pytest.mark.parametrize("page", ["talk-list", "series-detail"])
def test_an_empty_list_says_so(client, page):
    tag, speaker, series = TagFactory(), SpeakerFactory(), SeriesFactory()
    response = client.get(PAGINATED[page](tag, speaker, series), {"page": 3}, follow=True)
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()


@pytest.mark.parametrize("page", ["tag-detail", "speaker-detail"])
def test_a_tag_or_speaker_without_public_talks_has_no_page(client, page):
    tag, speaker, series = TagFactory(), SpeakerFactory(), SeriesFactory()
    assert client.get(PAGINATED[page](tag, speaker, series)).status_code == 404


# --- Drafts and cancelled talks ---------------------------------------------------------


@pytest.fixture
def shared():
    """A published, a cancelled and two draft talks (one past) on one tag, speaker, series."""
    tag, speaker, series = TagFactory(), SpeakerFactory(), SeriesFactory()
    common = {"tags": [tag], "speakers": [speaker], "series": series}
    return {
        "tag": tag,
        "speaker": speaker,
        "series": series,
        "published": talk_on_day(2, title="Published talk", **common),
        "cancelled": talk_on_day(
            3, title="Rings and knots", status=Talk.Status.CANCELLED, **common
        ),
        "drafts": [
            talk_on_day(1, title="Secret upcoming draft", status=Talk.Status.DRAFT, **common),
            talk_on_day(-1, title="Secret past draft", status=Talk.Status.DRAFT, **common),
        ],
    }


def listing_urls(shared):
    return [
        reverse("seminars:home"),
        reverse("seminars:talk-list"),
        shared["tag"].get_absolute_url(),
        shared["speaker"].get_absolute_url(),
        shared["series"].get_absolute_url(),
    ]


def test_drafts_appear_in_no_listing(client, shared):
    for url in listing_urls(shared):
        response = client.get(url)
        content = response.content.decode()
        assert linked_talks(response, shared["drafts"]) == [], url
        assert "Secret" not in content, url
        assert linked_talks(response, [shared["published"]]) == [shared["published"]], url


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_draft_talk_page_is_not_found(client, shared, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    for draft in shared["drafts"]:
        response = client.get(draft.get_absolute_url())
        assert response.status_code == 404
        assert "404.html" in template_names(response)
        assert draft.title not in response.content.decode()


def test_cancelled_talks_are_listed_and_marked_cancelled(client, shared):
    for url in listing_urls(shared):
        response = client.get(url)
        assert "Cancelled" in card_for(response, shared["cancelled"]), url
        assert "Cancelled" not in card_for(response, shared["published"]), url


def test_a_cancelled_talks_page_says_it_is_cancelled(client, shared):
    cancelled = client.get(shared["cancelled"].get_absolute_url())
    published = client.get(shared["published"].get_absolute_url())
    assert cancelled.status_code == 200
    assert "cancelled" in strip_tags(cancelled.content.decode()).lower()
    assert "cancelled" not in published.content.decode().lower()


def test_tag_counts_include_cancelled_talks_and_leave_out_drafts(client, shared):
    drafts_only = TagFactory()
    TalkFactory(status=Talk.Status.DRAFT, tags=[drafts_only])
    tag_list = client.get(reverse("seminars:tag-list"))
    home = client.get(reverse("seminars:home"))
    assert shown_count(tag_list, shared["tag"]) == 2
    assert shown_count(home, shared["tag"]) == 2
    # What only drafts use is not public (test_draft_only).
    assert shown_count(tag_list, drafts_only) is None
    assert shown_count(home, drafts_only) is None


def test_tag_list_names_talk_counts_in_words(client):
    one, two = TagFactory(), TagFactory()
    TalkFactory(tags=[one, two])
    TalkFactory(tags=[two])
    text = strip_tags(client.get(reverse("seminars:tag-list")).content.decode())
    assert re.search(rf"{one.name}\s+1 talk(?!s)", text)
    assert re.search(rf"{two.name}\s+2 talks", text)


# --- Home -------------------------------------------------------------------------------


def test_home_lists_the_next_ten_upcoming_then_the_most_recent_past(client):
    days = [9, 2, 14, 1, 30, 5, 12, 3, 8, 20, 4, 7, -6, -1, -30, -3, -2, -9, -4]
    talks = [talk_on_day(day) for day in days]
    listing = expected_listing(talks)
    upcoming = [talk for talk in listing if talk.start > timezone.now()]
    past = listing[len(upcoming) :]
    response = client.get(reverse("seminars:home"))
    assert linked_talks(response, talks) == upcoming[:HOME_UPCOMING] + past[:HOME_RECENT]


def test_home_lists_tags_with_talks_by_count(client):
    # Alphabetical order would put the quiet tag first.
    busy, quiet = TagFactory(name="Zoology"), TagFactory(name="Algebra")
    TalkFactory(tags=[busy, quiet])
    TalkFactory(tags=[busy])
    response = client.get(reverse("seminars:home"))
    assert list(shown_counts(response).items()) == [
        (busy.get_absolute_url(), 2),
        (quiet.get_absolute_url(), 1),
    ]


def test_home_with_nothing_yet_still_answers(client):
    response = client.get(reverse("seminars:home"))
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()


# --- Tag, speaker and series pages --------------------------------------------------------


def test_tag_speaker_and_series_pages_list_only_their_own_talks(client):
    tag, speaker, series = TagFactory(), SpeakerFactory(), SeriesFactory()
    ours = TalkFactory(tags=[tag], speakers=[speaker], series=series)
    other = TalkFactory(tags=[TagFactory()], speakers=[SpeakerFactory()])
    for owner in (tag, speaker, series):
        response = client.get(owner.get_absolute_url())
        assert linked_talks(response, [ours, other]) == [ours]


def test_tag_page_names_the_tag(client):
    tag = TagFactory(name="Machine learning", description="Learning from data.")
    TalkFactory(tags=[tag])
    response = client.get(tag.get_absolute_url())
    text = strip_tags(response.content.decode())
    assert parse(response).find_all("title")[0].text == "Machine learning · Seminar portal"
    assert "Machine learning" in parse(response).find_all("h1")[0].text
    assert "Learning from data." in text


def test_speaker_page_names_the_speaker_and_links_their_homepage(client):
    speaker = SpeakerFactory(affiliation="Imperial College", homepage="https://example.org/ada")
    TalkFactory(speakers=[speaker])
    content = client.get(speaker.get_absolute_url()).content.decode()
    assert speaker.name in content
    assert "Imperial College" in content
    assert 'href="https://example.org/ada"' in content


def test_series_page_names_its_time_zone(client):
    series = SeriesFactory(timezone="America/New_York")
    assert "America/New_York" in client.get(series.get_absolute_url()).content.decode()


def test_series_list_links_every_series(client):
    all_series = [SeriesFactory(), SeriesFactory()]
    content = client.get(reverse("seminars:series-list")).content.decode()
    for series in all_series:
        assert f'href="{series.get_absolute_url()}"' in content


# --- Escaping -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_names_and_titles_are_escaped_everywhere(client, page):
    talk = TalkFactory(
        title="<i>Bold</i> claims",
        speakers=[SpeakerFactory(name="<b>Ada</b>")],
        tags=[TagFactory(name="<script>alert(1)</script>")],
        series=SeriesFactory(name="<em>Series</em>"),
    )
    url, _ = PAGES[page](talk)
    content = client.get(url).content.decode()
    for raw in ("<i>Bold</i>", "<b>Ada</b>", "<script>alert(1)</script>", "<em>Series</em>"):
        assert raw not in content
    assert any(
        escaped in content
        for escaped in ("&lt;i&gt;Bold", "&lt;script&gt;alert(1)", "&lt;em&gt;Series")
    )


# --- The talk page ------------------------------------------------------------------------


def when_text(response):
    """The talk's date and time as the page words it, tags stripped, spaces collapsed."""
    match = re.search(r"<dt>When</dt>\s*<dd>(.*?)</dd>", response.content.decode(), re.S)
    return " ".join(strip_tags(match.group(1)).split())


@pytest.mark.parametrize(
    ("zone", "start", "abbreviation"),
    [
        ("Europe/London", datetime.datetime(2031, 1, 15, 14, 0, tzinfo=UTC), "GMT"),
        ("Europe/London", datetime.datetime(2031, 7, 15, 14, 0, tzinfo=UTC), "BST"),
        ("America/New_York", datetime.datetime(2031, 1, 15, 14, 0, tzinfo=UTC), "EST"),
        ("America/New_York", datetime.datetime(2031, 7, 15, 23, 30, tzinfo=UTC), "EDT"),
    ],
)
def test_talk_time_is_shown_in_the_series_zone_and_named(client, zone, start, abbreviation):
    end = start + datetime.timedelta(minutes=90)
    talk = TalkFactory(series=SeriesFactory(timezone=zone), start=start, end=end)
    local_start = start.astimezone(zoneinfo.ZoneInfo(zone))
    local_end = end.astimezone(zoneinfo.ZoneInfo(zone))
    assert local_start.tzname() == abbreviation  # the test's own dates are in the right season
    response = client.get(talk.get_absolute_url())
    text = when_text(response)
    assert f"{local_start.day} {local_start:%B %Y}" in text
    assert f"{local_start:%A}" in text
    assert f"{local_start:%H:%M}–{local_end:%H:%M} {abbreviation}" in text
    assert zone in text
    # Only London in winter shares UTC's clock; elsewhere the UTC time must not show.
    if local_start.utcoffset():
        assert f"{start:%H:%M}" not in text
    # Machines read the instant in UTC.
    assert f'datetime="{start.isoformat()}"' in response.content.decode()


def test_a_talk_over_midnight_shows_the_end_date(client):
    start = datetime.datetime(2031, 3, 1, 22, 0, tzinfo=UTC)
    end = start + datetime.timedelta(hours=3)
    talk = TalkFactory(series=SeriesFactory(timezone="UTC"), start=start, end=end)
    text = when_text(client.get(talk.get_absolute_url()))
    assert f"{end.day} {end:%B %Y}, {end:%H:%M}" in text


def test_talk_page_links_speakers_series_and_tags(client):
    speakers = [SpeakerFactory(), SpeakerFactory()]
    tags = [TagFactory(), TagFactory()]
    talk = TalkFactory(speakers=speakers, tags=tags)
    content = client.get(talk.get_absolute_url()).content.decode()
    assert f"<h1>{talk.title}</h1>" in content
    for linked in [*speakers, *tags, talk.series]:
        assert re.search(
            rf'href="{re.escape(linked.get_absolute_url())}"[^>]*>{linked}</a>', content
        )


def test_talk_page_shows_venue_and_links(client):
    talk = TalkFactory(
        venue="Room 101, Huxley Building",
        online_url="https://meet.example.org/seminar",
        recording_url="https://video.example.org/recording",
        slides_url="https://example.org/slides.pdf",
    )
    content = client.get(talk.get_absolute_url()).content.decode()
    assert "Room 101, Huxley Building" in content
    for url in (talk.online_url, talk.recording_url, talk.slides_url):
        assert f'href="{url}"' in content


def test_talk_page_without_venue_or_links_leaves_them_out(client):
    talk = TalkFactory(venue="")
    text = strip_tags(client.get(talk.get_absolute_url()).content.decode())
    assert "Where" not in text
    assert "Links" not in text


def test_abstract_is_escaped_and_keeps_its_paragraphs(client):
    talk = TalkFactory(abstract="We bound <script>alert(1)</script> the flow.\n\nThen it holds.")
    content = client.get(talk.get_absolute_url()).content.decode()
    assert "<script>alert" not in content
    assert re.search(r"<p>We bound &lt;script&gt;alert\(1\)&lt;/script&gt; the flow.</p>", content)
    assert "<p>Then it holds.</p>" in content


def test_comments_are_shown_oldest_first(client):
    talk = TalkFactory()
    comments = [CommentFactory(talk=talk) for _ in range(3)]
    # Make creation order differ from id order: the first comment becomes the newest.
    now = timezone.now()
    for comment, minutes_ago in zip(comments, [1, 30, 20], strict=True):
        Comment.objects.filter(pk=comment.pk).update(
            created=now - datetime.timedelta(minutes=minutes_ago)
        )
    content = client.get(talk.get_absolute_url()).content.decode()
    positions = [content.index(f'id="comment-{comment.pk}"') for comment in comments]
    assert positions[1] < positions[2] < positions[0]
    for comment in comments:
        assert comment.body in content
        assert comment.author.public_name in content


# A series' own page: what its organisers wrote about it, and who they are.


def series_about(response) -> dict[str, str]:
    """The series' facts (Organised by, Contact, Homepage) by their names."""
    facts = parse(response).find_all("dl", class_="facts")
    if not facts:
        return {}
    names = [dt.text for dt in facts[0].find_all("dt")]
    return dict(zip(names, facts[0].find_all("dd"), strict=True))


def test_a_series_page_names_its_organisers_and_links_its_homepage_and_contact(client):
    series = OrganisedSeriesFactory(
        organisers=[
            OrganiserFactory(display_name="Noor Haddad"),
            OrganiserFactory(display_name="Ada Okafor"),
        ],
        description="Fridays *at four*; on $\\mathbb{R}^n$.",
        homepage="https://maths.example.org/seminar",
        contact_email="seminar@example.org",
        show_contact_email=True,
    )

    response = client.get(series.get_absolute_url())

    about = series_about(response)
    assert about["Organised by"].text == "Ada Okafor, Noor Haddad"
    assert about["Contact"].find_all("a")[0].attrs["href"] == "mailto:seminar@example.org"
    assert about["Homepage"].find_all("a")[0].attrs["href"] == "https://maths.example.org/seminar"
    (lead,) = parse(response).find_all("div", class_="lead")
    assert [em.text for em in lead.find_all("em")] == ["at four"]
    assert lead.find_all("math")
    stylesheets = [
        link.attrs["href"] for link in parse(response).find_all("link", rel="stylesheet")
    ]
    assert any("/css/math" in href for href in stylesheets)


def test_a_hidden_contact_email_is_nowhere_on_the_series_page(client):
    series = SeriesFactory(contact_email="private@example.org", show_contact_email=False)

    response = client.get(series.get_absolute_url())

    assert "private@example.org" not in response.content.decode()
    assert series_about(response) == {}


def test_organisers_names_are_escaped_on_the_series_page(client):
    organiser = OrganiserFactory(display_name="<script>alert(1)</script>")
    series = OrganisedSeriesFactory(organisers=[organiser])

    response = client.get(series.get_absolute_url())

    assert series_about(response)["Organised by"].text == "<script>alert(1)</script>"
    assert "<script>alert(1)" not in response.content.decode()


# --- A talk's neighbours in its series ---


def series_neighbours(client, talk) -> dict:
    """The talk page's links to the series' previous and next talk, by rel, as (href, text)."""
    page = parse(client.get(talk.get_absolute_url()))
    navs = page.find_all("nav", class_="series-nav")
    if not navs:
        return {}
    return {link.attrs["rel"]: (link.attrs["href"], link.text) for link in navs[0].find_all("a")}


def test_a_talk_links_the_previous_and_next_public_talk_of_its_series(client):
    series = SeriesFactory()
    now = timezone.now()

    def talk(title, days, **extra):
        start = now + datetime.timedelta(days=days)
        return TalkFactory(title=title, series=series, start=start, **extra)

    first = talk("First", -14)
    talk("A draft between", -10, status=Talk.Status.DRAFT)
    TalkFactory(title="Another series'", start=now - datetime.timedelta(days=5))
    middle = talk("Middle", -7)
    last = talk("Last, cancelled", 7, status=Talk.Status.CANCELLED)

    assert series_neighbours(client, middle) == {
        "prev": (first.get_absolute_url(), "Previous in the series First"),
        "next": (last.get_absolute_url(), "Next in the series Last, cancelled"),
    }
    assert series_neighbours(client, first) == {
        "next": (middle.get_absolute_url(), "Next in the series Middle"),
    }
    assert series_neighbours(client, last) == {
        "prev": (middle.get_absolute_url(), "Previous in the series Middle"),
    }


def test_talks_at_the_same_time_follow_one_another_in_the_order_lists_show(client):
    series = SeriesFactory()
    start = timezone.now() + datetime.timedelta(days=3)
    one, two, three, four = (TalkFactory(series=series, start=start) for _ in range(4))
    assert series_neighbours(client, two) == {
        "prev": (one.get_absolute_url(), f"Previous in the series {one.title}"),
        "next": (three.get_absolute_url(), f"Next in the series {three.title}"),
    }
    assert series_neighbours(client, three) == {
        "prev": (two.get_absolute_url(), f"Previous in the series {two.title}"),
        "next": (four.get_absolute_url(), f"Next in the series {four.title}"),
    }


def test_a_talk_alone_in_its_series_has_no_neighbours(client):
    assert series_neighbours(client, TalkFactory()) == {}


# --- Richer cards ---


@pytest.mark.parametrize(
    ("venue", "online_url", "marker"),
    [
        ("Lecture Theatre 2", "", "In person"),
        ("", "https://meet.example.org/x", "Online"),
        ("Lecture Theatre 2", "https://meet.example.org/x", "Hybrid"),
        ("", "", None),
    ],
)
def test_cards_say_how_to_attend(client, venue, online_url, marker):
    TalkFactory(venue=venue, online_url=online_url)
    for url in (reverse("seminars:talk-list"), reverse("seminars:home")):
        (card,) = parse(client.get(url)).find_all("article")
        badges = [badge.text for badge in card.iter("span") if badge.has_class("badge-attendance")]
        assert badges == ([marker] if marker else [])


def test_cards_name_the_speakers_affiliations(client):
    TalkFactory(
        speakers=[
            SpeakerFactory(name="Emmy Noether", affiliation="University of Göttingen"),
            SpeakerFactory(name="Ada Lovelace", affiliation=""),
        ]
    )
    (card,) = parse(client.get(reverse("seminars:talk-list"))).find_all("article")
    (meta,) = card.find_all("p", class_="talk-meta")
    # In the order given (test_speaker_order).
    assert "Emmy Noether (University of Göttingen), Ada Lovelace ·" in " ".join(meta.text.split())
