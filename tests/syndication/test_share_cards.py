"""Share cards (syndication.share_cards): a talk's 1200×630 PNG, named by its page's
og:image and JSON-LD, drawn once per change of what it shows."""

import datetime
import io
import json
import zoneinfo

import pytest
from django.urls import reverse
from PIL import Image

from seminars.models import Talk
from seminars.queries import speakers_in_order
from syndication.share_cards import CardText, draw_card
from tests.factories import SeriesFactory, SpeakerFactory, TalkFactory
from tests.html import meta_property, scripts

pytestmark = pytest.mark.django_db

DANGER = (0xA3, 0x26, 0x2A)


def card_url(client, talk) -> str:
    """The card's address as the talk's page names it (og:image), without the host."""
    url = meta_property(client.get(talk.get_absolute_url()), "og:image")
    assert url.startswith("http://testserver/")
    return url.removeprefix("http://testserver")


def card_image(client, talk) -> Image.Image:
    response = client.get(card_url(client, talk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def colours(image) -> set:
    return {colour for _, colour in image.getcolors(maxcolors=WIDE)}


WIDE = 1200 * 630


def test_a_talk_has_a_1200_by_630_png(client):
    image = card_image(client, TalkFactory())
    assert image.format == "PNG"
    assert image.size == (1200, 630)


def test_the_page_names_the_card_for_previews_and_search_engines(client):
    talk = TalkFactory()
    response = client.get(talk.get_absolute_url())
    url = meta_property(response, "og:image")
    assert meta_property(response, "og:image:width") == "1200"
    assert meta_property(response, "og:image:height") == "630"
    assert talk.title in meta_property(response, "og:image:alt")
    (payload,) = scripts(response, "application/ld+json")
    assert json.loads(payload)["image"] == [url]


def test_a_new_title_is_a_new_card_at_a_new_address(client):
    talk = TalkFactory(title="Vortex rings")
    first_url, first = card_url(client, talk), client.get(card_url(client, talk)).content
    talk.title = "Vortex streets"
    talk.save()
    second_url = card_url(client, talk)

    assert second_url != first_url
    assert client.get(second_url).content != first
    # The old address, still held by link previews, leads to the current card.
    old = client.get(first_url)
    assert old.status_code == 302
    assert old["Location"] == second_url


def test_the_card_follows_its_speakers_series_and_time():
    series = SeriesFactory(name="Fluids", timezone="Europe/Berlin")
    start = datetime.datetime(2030, 7, 1, 14, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    talk = TalkFactory(
        title="Bounds for $\\ell_2$ losses",
        series=series,
        start=start,
        end=start + datetime.timedelta(hours=1, minutes=30),
        speakers=[SpeakerFactory(name="Sofia Kovalevskaya"), SpeakerFactory(name="Ada Lovelace")],
    )
    talk = Talk.objects.prefetch_related(speakers_in_order()).get(pk=talk.pk)
    assert CardText.of(talk) == CardText(
        title="Bounds for ℓ₂ losses",
        # In the order given (test_speaker_order), as on the talk's page.
        speakers="Sofia Kovalevskaya, Ada Lovelace",
        series="Fluids",
        when="Mon 1 Jul 2030, 14:00–15:30 CEST",
        cancelled=False,
    )


def test_the_page_names_the_cards_current_address_whatever_the_speakers_order(client):
    """The page and the card read the speakers in one order: else the page would name
    an outdated version, which always redirects (and a redirect is never stored)."""
    talk = TalkFactory(
        speakers=[SpeakerFactory(name="Noor Haddad"), SpeakerFactory(name="Ada Okafor")]
    )

    response = client.get(card_url(client, talk))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_cancelled_talks_card_says_so_in_red(client):
    talk = TalkFactory(title="Called off")
    assert DANGER not in colours(card_image(client, talk).convert("RGB"))
    talk.status = Talk.Status.CANCELLED
    talk.save()
    assert DANGER in colours(card_image(client, talk).convert("RGB"))


def test_a_title_of_any_length_stays_on_the_card():
    long_words = "Pneumonoultramicroscopicsilicovolcanoconiosis " * 30
    for title in ("x", long_words, "W" * 300):
        card = CardText(title=title, speakers="A" * 200, series="S" * 200, when="", cancelled=True)
        assert Image.open(io.BytesIO(draw_card(card))).size == (1200, 630)


def test_the_card_is_stored_once_drawn(client):
    url = card_url(client, TalkFactory())
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_drafts_and_unknown_talks_have_no_card(client):
    draft = TalkFactory(status=Talk.Status.DRAFT)
    version = CardText.of(draft).version
    for slug in (draft.slug, "no-such-talk"):
        url = reverse("syndication:talk-share-card", args=[slug, version])
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("speakers", [1, 5])
def test_query_count(client, speakers, django_assert_num_queries):
    talk = TalkFactory(speakers=SpeakerFactory.create_batch(speakers))
    url = card_url(client, talk)
    client.get(url)  # the card drawn once: the count below is a hit's, and then a miss's
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
    TalkFactory()  # a change anywhere outdates stored pages
    # The talk with its series; its speakers.
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
