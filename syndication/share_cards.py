"""Share cards: the 1200×630 PNG that link previews show for a talk (its og:image).

Drawn on the server with Pillow: the series, the title (wrapped, smaller when
long), the speakers, and the date and time in the series' zone, in the site's
type as far as packaged fonts allow (Source Serif for the title, as abstracts
are set in a book face; Source Sans for the rest, standing in for the system
sans of the pages). A cancelled talk's card says so in the danger colour.

Each card's address carries a digest of what it shows (`CardText.version`), so
a card is drawn once per change: the page cache keeps it like any public page,
and link-preview services, which keep images for long, see a new address
whenever the card changes. An older address redirects to the current one.
"""

import functools
import hashlib
import io
import json
import zoneinfo
from dataclasses import asdict, dataclass

import font_source_sans_pro
import font_source_serif_pro
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw, ImageFont

from pagecache.pages import NotCanonical, cache_public_page
from seminars.models import Talk
from seminars.plaintext import title_as_text
from seminars.queries import speakers_in_order

from .sharing import talk_when

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TEXT_WIDTH = WIDTH - 2 * MARGIN
# site.css's light colours.
BACKGROUND = "#fbfaf7"
TEXT = "#1c1e21"
MUTED = "#585e68"
ACCENT = "#1b5a96"
LINE = "#dedbd3"
DANGER = "#a3262a"
DANGER_BG = "#fbeaea"
# Title sizes tried from the largest down, each with the lines it may take.
TITLE_SIZES = ((72, 3), (60, 3), (50, 4), (42, 5))
SERIF_SEMIBOLD = font_source_serif_pro.font_files_ttf["SourceSerifProSemibold"]
SANS = font_source_sans_pro.font_files_ttf["SourceSansPro"]
SANS_SEMIBOLD = font_source_sans_pro.font_files_ttf["SourceSansProSemibold"]


@dataclass(frozen=True)
class CardText:
    """Everything a card shows: the card is a function of this alone."""

    title: str
    speakers: str
    series: str
    when: str
    cancelled: bool

    @classmethod
    def of(cls, talk) -> "CardText":
        """From a talk with its series and speakers (as the talk page reads them)."""
        return cls(
            title=title_as_text(talk.title),
            speakers=", ".join(speaker.name for speaker in talk.speakers.all()),
            series=talk.series.name,
            when=talk_when(talk, zoneinfo.ZoneInfo(talk.series.timezone)),
            cancelled=talk.is_cancelled,
        )

    @property
    def version(self) -> str:
        drawn = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(drawn).hexdigest()[:16]


def share_card_path(talk) -> str:
    """The card's address, which changes whenever the card does."""
    return reverse("syndication:talk-share-card", args=[talk.slug, CardText.of(talk).version])


@functools.cache
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def wrap(text: str, face, width: int) -> list[str]:
    """`text` in lines no wider than `width`, broken between words (inside a word too long
    for a line)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if face.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while face.getlength(word) > width:
            cut = max(i for i in range(1, len(word) + 1) if face.getlength(word[:i]) <= width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line else lines


def fit_title(title: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title size whose lines fit; at the smallest, the lines cut with "…"."""
    for size, max_lines in TITLE_SIZES:
        face = font(SERIF_SEMIBOLD, size)
        lines = wrap(title, face, TEXT_WIDTH)
        if len(lines) <= max_lines:
            return face, lines
    last = lines[max_lines - 1]
    while last and face.getlength(last + " …") > TEXT_WIDTH:
        last = last[:-1]
    return face, [*lines[: max_lines - 1], last.rstrip() + " …"]


def ellipsized(text: str, face, width: int) -> str:
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_card(card: CardText) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=DANGER if card.cancelled else ACCENT)

    top = 70
    series_face = font(SANS_SEMIBOLD, 32)
    series_width = TEXT_WIDTH
    if card.cancelled:
        label, badge_face = _("Cancelled"), font(SANS_SEMIBOLD, 34)
        badge_width = badge_face.getlength(label) + 40
        left = WIDTH - MARGIN - badge_width
        draw.rounded_rectangle((left, top - 8, WIDTH - MARGIN, top + 48), 8, fill=DANGER_BG)
        draw.text((left + 20, top), label, font=badge_face, fill=DANGER)
        series_width -= badge_width + 24
    series = ellipsized(card.series, series_face, series_width)
    draw.text((MARGIN, top), series, font=series_face, fill=ACCENT)

    title_face, lines = fit_title(card.title)
    y = top + 80
    line_height = round(title_face.size * 1.18)
    for line in lines:
        draw.text((MARGIN, y), line, font=title_face, fill=TEXT)
        y += line_height

    y += 24
    if card.speakers:
        speakers_face = font(SANS_SEMIBOLD, 36)
        speakers = ellipsized(card.speakers, speakers_face, TEXT_WIDTH)
        draw.text((MARGIN, y), speakers, font=speakers_face, fill=TEXT)
        y += 52
    draw.text((MARGIN, y), card.when, font=font(SANS, 34), fill=MUTED)

    draw.line((MARGIN, HEIGHT - 84, WIDTH - MARGIN, HEIGHT - 84), fill=LINE, width=2)
    draw.text((MARGIN, HEIGHT - 66), "Seminar portal", font=font(SANS_SEMIBOLD, 30), fill=MUTED)

    png = io.BytesIO()
    image.save(png, "PNG", optimize=True)
    return png.getvalue()


@require_GET
@cache_public_page(same_for_everyone=True)
def talk_share_card(request, slug, version):
    """A talk's card; an older version's address redirects to the current one."""
    talks = Talk.objects.public().select_related("series").prefetch_related(speakers_in_order())
    talk = get_object_or_404(talks.defer("abstract", "abstract_html", "search_names"), slug=slug)
    card = CardText.of(talk)
    if version != card.version:
        raise NotCanonical(share_card_path(talk))
    return HttpResponse(draw_card(card), content_type="image/png")
