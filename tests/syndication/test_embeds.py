"""The embeddable lists of talks (/embed/...): what they show, their options, their
canonical addresses, that other sites may frame them and nothing else, and the
"Embed this list" snippet on the pages of tags, series and speakers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from seminars.models import Talk
from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory, UserFactory
from tests.html import parse, tags

pytestmark = pytest.mark.django_db

ROWS = pytest.mark.parametrize("rows", [1, 20])


def days_from_now(days, hour=None):
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0) if hour is not None else moment


def embed_url(kind, slug, query=""):
    url = reverse(f"syndication:{kind}-embed", args=[slug])
    return f"{url}?{query}" if query else url


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [link.text for link in parse(response).find_all("a", class_="title")]


def csp_directive(response, name) -> list[str]:
    for directive in response["Content-Security-Policy"].split(";"):
        directive_name, *sources = directive.split()
        if directive_name == name:
            return sources
    raise AssertionError(f"no {name} in the policy")


@pytest.fixture
def series():
    return SeriesFactory(slug="analysis", name="Analysis", timezone="Europe/London")


@pytest.mark.parametrize("kind", ["series", "tag", "speaker"])
def test_an_embed_lists_the_groups_upcoming_public_talks_soonest_first(client, kind):
    tag, speaker = TagFactory(slug="pde"), SpeakerFactory(slug="emmy", name="Emmy Noether")
    series = SeriesFactory(slug="analysis")
    mine = {"series": series, "tags": [tag], "speakers": [speaker]}
    TalkFactory(title="Later", start=days_from_now(9), **mine)
    TalkFactory(title="Sooner", start=days_from_now(2), **mine)
    TalkFactory(title="A draft", status=Talk.Status.DRAFT, start=days_from_now(3), **mine)
    TalkFactory(title="Last week", start=days_from_now(-7), **mine)
    TalkFactory(title="Someone else's", start=days_from_now(4))
    slug = {"series": "analysis", "tag": "pde", "speaker": "emmy"}[kind]

    response = client.get(embed_url(kind, slug))

    assert titles(response) == ["Sooner", "Later"]
    assert "Emmy Noether" in parse(response).text


def test_the_past_month_is_added_on_request_latest_first(client, series):
    TalkFactory(title="Upcoming", series=series, start=days_from_now(2))
    TalkFactory(title="Last week", series=series, start=days_from_now(-7))
    TalkFactory(title="Yesterday", series=series, start=days_from_now(-1))
    TalkFactory(title="Two months ago", series=series, start=days_from_now(-60))

    assert titles(client.get(embed_url("series", "analysis", "past=1"))) == [
        "Upcoming",
        "Yesterday",
        "Last week",
    ]


def test_limit_takes_the_soonest_talks(client, series):
    for day in range(1, 8):
        TalkFactory(title=f"Day {day}", series=series, start=days_from_now(day))
    response = client.get(embed_url("series", "analysis", "limit=3"))
    assert titles(response) == ["Day 1", "Day 2", "Day 3"]
    # The default is ten.
    assert len(titles(client.get(embed_url("series", "analysis")))) == 7


def test_times_are_in_the_series_zone_unless_a_zone_is_asked_for(client):
    series = SeriesFactory(slug="analysis", timezone="Europe/London")
    # 16:00 in London on a winter day is 01:00 the next morning in Tokyo.
    start = datetime.datetime(2030, 1, 15, 16, 0, tzinfo=datetime.UTC)
    TalkFactory(series=series, start=start)

    london = parse(client.get(embed_url("series", "analysis"))).find_all("time")[0]
    tokyo = parse(client.get(embed_url("series", "analysis", "tz=Asia/Tokyo"))).find_all("time")[0]

    assert london.text == "Tue 15 Jan 2030, 16:00–17:00 GMT"
    assert tokyo.text == "Wed 16 Jan 2030, 01:00–02:00 JST"
    assert london.attrs["datetime"] == tokyo.attrs["datetime"] == "2030-01-15T16:00:00+00:00"


def test_speakers_show_in_the_order_given(client, series):
    speakers = [SpeakerFactory(name="Noor Haddad"), SpeakerFactory(name="Ada Okafor")]
    TalkFactory(series=series, speakers=speakers)
    text = " ".join(parse(client.get(embed_url("series", "analysis"))).text.split())
    assert text.index("Noor Haddad") < text.index("Ada Okafor")


def test_links_open_the_portal_in_a_new_tab(client, series):
    talk = TalkFactory(series=series)
    links = tags(client.get(embed_url("series", "analysis")), "a")
    assert {link["href"] for link in links} >= {talk.get_absolute_url(), series.get_absolute_url()}
    assert all(link["target"] == "_blank" and link["rel"] == "noopener" for link in links)


def test_a_cancelled_talk_is_marked(client, series):
    TalkFactory(series=series, status=Talk.Status.CANCELLED)
    page = parse(client.get(embed_url("series", "analysis")))
    (item,) = page.find_all("li", class_="cancelled")
    assert "Cancelled" in item.text


@pytest.mark.parametrize(
    ("theme", "html_class", "color_scheme"),
    [
        ("", "theme-auto", "light dark"),
        ("dark", "theme-dark", "dark"),
        ("light", "theme-light", "light"),
    ],
)
def test_the_theme(client, series, theme, html_class, color_scheme):
    response = client.get(embed_url("series", "analysis", f"theme={theme}" if theme else ""))
    page = parse(response)
    assert page.find_all("html")[0].attrs["class"] == html_class
    assert page.find_all("meta", name="color-scheme")[0].attrs["content"] == color_scheme


def test_the_page_has_no_script(client, series):
    TalkFactory(series=series)
    assert not tags(client.get(embed_url("series", "analysis")), "script")


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        # Bad values: the default, by a redirect (never a 500, never a stored page of its own).
        ("limit=0", ""),
        ("limit=51", ""),
        ("limit=abc", ""),
        ("limit=%EF%BC%93", ""),  # a full-width digit 3: isdigit(), not ASCII
        ("tz=Not/AZone", ""),
        ("tz=asia/tokyo", ""),
        ("tz=..%2F..%2Fetc%2Fpasswd", ""),
        ("theme=purple", ""),
        ("past=yes", ""),
        ("unknown=1", ""),
        # Defaults spelled out, and another order: the one canonical spelling.
        ("limit=10&theme=auto", ""),
        ("theme=dark&limit=5", "limit=5&theme=dark"),
        ("tz=Asia/Tokyo&past=1", "past=1&tz=Asia/Tokyo"),
        ("tz=Asia%2FTokyo", "tz=Asia/Tokyo"),
    ],
)
def test_every_other_spelling_is_redirected_to_the_canonical_address(
    client, series, query, canonical
):
    response = client.get(embed_url("series", "analysis", query))
    assert response.status_code == 302
    assert response["Location"] == embed_url("series", "analysis", canonical)
    assert client.get(response["Location"]).status_code == 200


def test_an_unknown_group_is_a_404(client):
    assert client.get(embed_url("tag", "no-such-tag")).status_code == 404
    # A tag with only drafts is no public tag.
    TalkFactory(status=Talk.Status.DRAFT, tags=[TagFactory(slug="hidden")])
    assert client.get(embed_url("tag", "hidden")).status_code == 404


def test_any_site_may_frame_an_embed_from_the_cache_too(client, series):
    TalkFactory(series=series)
    url = embed_url("series", "analysis", "limit=5")
    for outcome in ("miss", "hit"):
        response = client.get(url)
        assert response["X-Page-Cache"] == outcome
        assert csp_directive(response, "frame-ancestors") == ["*"]
        assert "X-Frame-Options" not in response
        # The rest of the policy stands.
        assert csp_directive(response, "script-src") == ["'self'"]


def test_no_other_page_may_be_framed(client, series):
    talk = TalkFactory(series=series)
    for url in (series.get_absolute_url(), talk.get_absolute_url(), reverse("seminars:home")):
        response = client.get(url)
        assert csp_directive(response, "frame-ancestors") == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"


def test_a_stored_embed_is_outdated_by_a_new_talk(client, series):
    TalkFactory(title="First", series=series, start=days_from_now(3))
    url = embed_url("series", "analysis")
    assert titles(client.get(url)) == ["First"]
    assert client.get(url)["X-Page-Cache"] == "hit"
    TalkFactory(title="Second", series=series, start=days_from_now(5))
    assert titles(client.get(url)) == ["First", "Second"]


def at(moment, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_stored_embed_lasts_until_its_first_talk_starts(client, series, monkeypatch):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    TalkFactory(title="Soon", series=series, start=start)
    url = embed_url("series", "analysis")
    client.get(url)

    at(start - datetime.timedelta(seconds=1), monkeypatch)
    assert client.get(url)["X-Page-Cache"] == "hit"

    at(start + datetime.timedelta(seconds=1), monkeypatch)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert titles(response) == []


def test_a_stored_embed_lasts_until_its_oldest_talk_leaves_the_month(client, series, monkeypatch):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30, hours=-1)
    TalkFactory(title="A month ago", series=series, start=start)
    url = embed_url("series", "analysis", "past=1")
    assert titles(client.get(url)) == ["A month ago"]

    at(start + datetime.timedelta(days=30, seconds=-1), monkeypatch)
    assert client.get(url)["X-Page-Cache"] == "hit"

    at(start + datetime.timedelta(days=30, seconds=1), monkeypatch)
    assert titles(client.get(url)) == []


@pytest.mark.parametrize("kind", ["series", "tag", "speaker"])
def test_the_group_page_offers_the_code_and_a_preview(client, kind):
    tag, speaker = TagFactory(slug="pde"), SpeakerFactory(slug="emmy")
    talk = TalkFactory(series=SeriesFactory(slug="analysis"), tags=[tag], speakers=[speaker])
    owner = {"series": talk.series, "tag": tag, "speaker": speaker}[kind]
    absolute = "http://testserver" + embed_url(kind, owner.slug)

    page = parse(client.get(owner.get_absolute_url()))

    (code,) = page.find_all("textarea", class_="embed-code")
    assert "readonly" in code.attrs
    snippet = parse(code.text)
    (iframe,) = snippet.find_all("iframe")
    assert iframe.attrs["src"] == absolute
    assert iframe.attrs["loading"] == "lazy"
    (preview,) = page.find_all("iframe", class_="embed-preview")
    assert preview.attrs["src"] == absolute
    assert preview.attrs["loading"] == "lazy"


def test_the_snippet_escapes_the_name(client):
    series = SeriesFactory(slug="quoted", name='"Quoted" <b>series</b>')
    TalkFactory(series=series)
    page = parse(client.get(series.get_absolute_url()))
    (code,) = page.find_all("textarea", class_="embed-code")
    (iframe,) = parse(code.text).find_all("iframe")
    assert iframe.attrs["title"] == 'Talks in "Quoted" <b>series</b>'


@ROWS
@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(("query", "lists"), [("", 1), ("past=1", 2)])
def test_query_counts(client, signed_in, rows, query, lists, django_assert_num_queries):
    series = SeriesFactory(slug="analysis")
    for day in range(rows):
        speakers = [SpeakerFactory(), SpeakerFactory()]
        TalkFactory(series=series, start=days_from_now(day + 1), speakers=speakers)
        TalkFactory(series=series, start=days_from_now(-day - 1), speakers=speakers)
    if signed_in:
        client.force_login(UserFactory())
    # (The session and the user, signed in;) the series; upcoming talks with their
    # series; (the past month's;) their speakers.
    with django_assert_num_queries(2 * signed_in + 1 + lists + 1):
        response = client.get(
            embed_url("series", "analysis", "&".join(filter(None, ["limit=50", query])))
        )
    assert len(titles(response)) == rows * lists
