"""The sitemap, robots.txt, and OpenGraph and schema.org Event data on talk pages."""

import datetime
import json
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seminars.models import Talk
from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory
from tests.html import meta_property, parse, scripts, tags

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SCHEMA = "https://schema.org/"


def absolute(obj) -> str:
    return f"http://testserver{obj.get_absolute_url()}"


def sitemap_locations(response) -> list[str]:
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own test response)
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


# --- sitemap.xml ---


def test_the_sitemap_lists_public_talks_and_what_they_belong_to(client):
    tag, speaker, series = TagFactory(), SpeakerFactory(), SeriesFactory()
    published = TalkFactory(tags=[tag], speakers=[speaker], series=series)
    cancelled = TalkFactory(status=Talk.Status.CANCELLED)

    locations = sitemap_locations(client.get(reverse("syndication:sitemap")))

    for obj in [published, cancelled, tag, speaker, series]:
        assert absolute(obj) in locations
    assert f"http://testserver{reverse('seminars:home')}" in locations


def test_the_sitemap_leaves_out_drafts_and_what_only_drafts_use(client):
    draft_tag, draft_speaker, draft_series = TagFactory(), SpeakerFactory(), SeriesFactory()
    draft = TalkFactory(
        status=Talk.Status.DRAFT, tags=[draft_tag], speakers=[draft_speaker], series=draft_series
    )

    locations = sitemap_locations(client.get(reverse("syndication:sitemap")))

    for obj in [draft, draft_tag, draft_speaker, draft_series]:
        assert absolute(obj) not in locations


def test_the_sitemap_gives_a_talks_last_change(client):
    talk = TalkFactory()
    root = ET.fromstring(client.get(reverse("syndication:sitemap")).content)  # noqa: S314
    (entry,) = [url for url in root if url.findtext(f"{SITEMAP}loc") == absolute(talk)]

    assert entry.findtext(f"{SITEMAP}lastmod") == talk.updated.date().isoformat()


@pytest.mark.parametrize("page", ["0", "abc", "99"])
def test_a_bad_sitemap_page_gives_404(client, page):
    TalkFactory()

    assert client.get(reverse("syndication:sitemap"), {"p": page}).status_code == 404


# --- robots.txt ---


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_areas(client):
    response = client.get(reverse("syndication:robots"))
    lines = response.content.decode().splitlines()
    sitemap_url = f"http://testserver{reverse('syndication:sitemap')}"

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines
    assert f"Sitemap: {sitemap_url}" in lines
    assert client.get(sitemap_url).status_code == 200


def test_robots_txt_lets_crawlers_read_talks(client):
    lines = client.get(reverse("syndication:robots")).content.decode().splitlines()

    assert "Disallow: /" not in lines
    assert not any(line.startswith("Disallow: /talks") for line in lines)


# --- OpenGraph ---


def test_a_talk_page_has_opengraph_tags(client):
    talk = TalkFactory(title="Turbulence", abstract="Eddies all the way down.")
    response = client.get(talk.get_absolute_url())

    assert meta_property(response, "og:title") == "Turbulence"
    assert meta_property(response, "og:url") == absolute(talk)
    assert meta_property(response, "og:description") == "Eddies all the way down."
    assert meta_property(response, "og:type") == "website"
    assert tags(response, "link", rel="canonical") == [{"rel": "canonical", "href": absolute(talk)}]


def test_opengraph_tags_escape_user_text(client):
    title = '"><script>alert("og")</script>'
    talk = TalkFactory(title=title, abstract='Quote " and <b>bold</b>')
    response = client.get(talk.get_absolute_url())

    assert meta_property(response, "og:title") == title
    assert meta_property(response, "og:description") == 'Quote " and <b>bold</b>'
    assert b'<script>alert("og")' not in response.content


def test_a_cancelled_talk_says_so_in_its_opengraph_title(client):
    talk = TalkFactory(title="Called off", status=Talk.Status.CANCELLED)
    og_title = meta_property(client.get(talk.get_absolute_url()), "og:title")

    assert "Cancelled" in og_title
    assert "Called off" in og_title


@pytest.mark.parametrize(
    ("kind", "og_type", "description"),
    [
        ("series", "website", "Talks in {}."),
        ("tag", "website", "Talks tagged {}."),
        ("speaker", "profile", "Talks by {}."),
    ],
)
def test_tag_series_and_speaker_pages_have_opengraph_tags(client, kind, og_type, description):
    name = 'Fluids & "flows" <i>'
    owner = {"series": SeriesFactory, "tag": TagFactory, "speaker": SpeakerFactory}[kind](name=name)
    TalkFactory(**{"series": owner} if kind == "series" else {f"{kind}s": [owner]})
    response = client.get(owner.get_absolute_url())

    assert meta_property(response, "og:title") == name
    assert meta_property(response, "og:type") == og_type
    assert meta_property(response, "og:url") == absolute(owner)
    assert meta_property(response, "og:description") == description.format(name)
    assert meta_property(response, "og:site_name") == "Seminar portal"
    assert tags(response, "meta", property="og:image") == []
    (twitter_card,) = parse(response).find_all("meta", name="twitter:card")
    assert twitter_card.attrs["content"] == "summary"


# --- schema.org Event JSON-LD ---


def event_data(client, talk) -> dict:
    response = client.get(talk.get_absolute_url())
    (payload,) = scripts(response, "application/ld+json")
    return json.loads(payload)


def test_a_talk_page_describes_the_talk_as_an_event(client):
    start = datetime.datetime(2031, 3, 30, 15, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    talk = TalkFactory(
        title="Spectral methods",
        abstract="Chebyshev everywhere.",
        start=start,
        end=start + datetime.timedelta(hours=1),
        speakers=[
            SpeakerFactory(name="Ada Lovelace", affiliation="Analytical Engines Ltd"),
            SpeakerFactory(name="Carl Gauss", affiliation=""),
        ],
    )
    data = event_data(client, talk)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Spectral methods"
    assert data["url"] == absolute(talk)
    assert data["description"] == "Chebyshev everywhere."
    assert datetime.datetime.fromisoformat(data["startDate"]) == start
    assert datetime.datetime.fromisoformat(data["endDate"]) == start + datetime.timedelta(hours=1)
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["performer"] == [
        {
            "@type": "Person",
            "name": "Ada Lovelace",
            "url": absolute(talk.speakers.get(name="Ada Lovelace")),
            "affiliation": {"@type": "Organization", "name": "Analytical Engines Ltd"},
        },
        {
            "@type": "Person",
            "name": "Carl Gauss",
            "url": absolute(talk.speakers.get(name="Carl Gauss")),
        },
    ]
    assert data["organizer"]["name"] == talk.series.name


def test_a_cancelled_talk_is_a_cancelled_event(client):
    data = event_data(client, TalkFactory(status=Talk.Status.CANCELLED))

    assert data["eventStatus"] == SCHEMA + "EventCancelled"


VENUE = "Room 101, Maths Institute"
ONLINE = "https://meet.example.org/room"


@pytest.mark.parametrize(
    "venue, online_url, mode, location",
    [
        (
            VENUE,
            "",
            "OfflineEventAttendanceMode",
            {"@type": "Place", "name": VENUE, "address": VENUE},
        ),
        ("", ONLINE, "OnlineEventAttendanceMode", {"@type": "VirtualLocation", "url": ONLINE}),
        (
            VENUE,
            ONLINE,
            "MixedEventAttendanceMode",
            [
                {"@type": "Place", "name": VENUE, "address": VENUE},
                {"@type": "VirtualLocation", "url": ONLINE},
            ],
        ),
    ],
)
def test_the_event_says_where_and_how_to_attend(client, venue, online_url, mode, location):
    data = event_data(client, TalkFactory(venue=venue, online_url=online_url))

    assert data["eventAttendanceMode"] == SCHEMA + mode
    assert data["location"] == location


def test_a_talk_with_no_place_or_link_claims_no_attendance_mode(client):
    data = event_data(client, TalkFactory(venue="", online_url=""))

    assert "eventAttendanceMode" not in data
    assert "location" not in data


def test_json_ld_cannot_be_broken_out_of(client):
    title = "</script><script>alert('x')</script><!--"
    talk = TalkFactory(title=title, abstract="a & b < c > d", venue="</SCRIPT>")
    response = client.get(talk.get_absolute_url())
    (payload,) = scripts(response, "application/ld+json")
    data = json.loads(payload)

    assert data["name"] == title
    assert data["description"] == "a & b < c > d"
    assert data["location"]["name"] == "</SCRIPT>"
    assert "<" not in payload
    assert b"<script>alert('x')" not in response.content


# --- Queries ---

ROWS = pytest.mark.parametrize("rows", [1, 20])


@ROWS
def test_sitemap_queries(client, django_assert_num_queries, rows):
    for _ in range(rows):
        TalkFactory(series=SeriesFactory(), speakers=[SpeakerFactory()], tags=[TagFactory()])
    # A count and a page of rows for each of talks, tags, speakers and series.
    with django_assert_num_queries(8):
        locations = sitemap_locations(client.get(reverse("syndication:sitemap")))
    assert len(locations) == 4 + 4 * rows


def test_robots_txt_queries(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("syndication:robots")).status_code == 200


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_opengraph_and_json_ld_add_no_queries_per_speaker(client):
    # The talk page's own count is locked in test_query_counts; here the head
    # data must not grow with the speakers it lists.
    one = TalkFactory(speakers=[SpeakerFactory()])
    twenty = TalkFactory(speakers=SpeakerFactory.create_batch(20))

    assert queries_for(client, one.get_absolute_url()) == queries_for(
        client, twenty.get_absolute_url()
    )
