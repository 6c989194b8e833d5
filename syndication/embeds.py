"""Embeddable schedules: a tag's, a series' or a speaker's talks, for other sites' <iframe>s.

`/embed/series/<slug>/` (and tags/, speakers/) is a small page of its own, plain
HTML with embed.css and no script, which any site may frame (CSP
`frame-ancestors *`, no X-Frame-Options): the one kind of page that may be. Its
links open the portal in a new tab. Options, in the query string:

- `limit`: how many upcoming talks, 1 to MAX_LIMIT (default DEFAULT_LIMIT);
- `past=1`: also the talks of the past month, most recent first;
- `tz`: the IANA zone to show times in (default: each talk's series' zone);
- `theme`: light, dark or auto (the reader's system setting; the default).

A page's address is canonical: defaults left out, parameters in one order,
values spelled one way. Any other spelling (a bad value included) is redirected
to the canonical address (pagecache.NotCanonical), so junk addresses never
become stored pages and the page cache holds at most one copy per choice.
"""

import datetime
import functools
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from pagecache.pages import NotCanonical, cache_public_page
from seminars.groups import GROUPS
from seminars.models import Talk
from seminars.queries import speakers_in_order

from .sharing import talk_when

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
PAST_WINDOW = datetime.timedelta(days=30)
THEMES = ("auto", "light", "dark")
PARAMS = ("limit", "past", "tz", "theme")
# Spelled as the canonical address spells them: "5", not "05" or a full-width digit.
ALLOWED_LIMITS = frozenset(str(number) for number in range(1, MAX_LIMIT + 1))


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA names tzdata knows, spelled as it spells them (a zone's one spelling)."""
    return frozenset(zoneinfo.available_timezones())


@dataclass(frozen=True)
class EmbedOptions:
    limit: int = DEFAULT_LIMIT
    past: bool = False
    # An IANA name, or "" for each talk's series' zone.
    tz: str = ""
    theme: str = "auto"

    @classmethod
    def from_query(cls, query) -> "EmbedOptions":
        """The options a query string asks for; a value out of range or unknown is the default."""
        limit = query.get("limit", "")
        tz = query.get("tz", "")
        theme = query.get("theme", "")
        return cls(
            limit=int(limit) if limit in ALLOWED_LIMITS else DEFAULT_LIMIT,
            past=query.get("past") == "1",
            tz=tz if tz in known_zones() else "",
            theme=theme if theme in THEMES else "auto",
        )

    def query_string(self) -> str:
        """The canonical query string: the options that are not defaults, in PARAMS' order."""
        values = {
            "limit": str(self.limit) if self.limit != DEFAULT_LIMIT else None,
            "past": "1" if self.past else None,
            "tz": self.tz or None,
            "theme": self.theme if self.theme != "auto" else None,
        }
        # Zone names keep their slash: people type tz=Europe/Paris.
        chosen = {name: value for name, value in values.items() if value is not None}
        return urlencode(chosen, safe="/")

    def zone_for(self, talk) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.tz or talk.series.timezone)


def canonical_options(request) -> EmbedOptions:
    """The request's options; NotCanonical (a redirect) unless its address is canonical."""
    options = EmbedOptions.from_query(request.GET)
    canonical = options.query_string()
    if request.META.get("QUERY_STRING", "") != canonical:
        raise NotCanonical(f"{request.path}?{canonical}" if canonical else request.path)
    return options


def embed_talks(group, owner, options: EmbedOptions, now):
    """The upcoming talks (soonest first) and, if asked, the past month's (latest first),
    with their series and speakers: two queries, three with the past month."""
    talks = (
        Talk.objects.public()
        .filter(**{group.lookup: owner})
        .select_related("series")
        .defer("abstract", "abstract_html", "search_names")
    )
    upcoming = list(talks.filter(start__gte=now).order_by("start", "id")[: options.limit])
    past = []
    if options.past:
        recent = talks.filter(start__lt=now, start__gte=now - PAST_WINDOW)
        past = list(recent.order_by("-start", "-id")[: options.limit])
    prefetch_related_objects([*upcoming, *past], speakers_in_order())
    return upcoming, past


def list_changes_at(upcoming, past):
    """When the list next changes by itself: its first upcoming talk starts, or its
    oldest past talk leaves the month."""
    moments = [talk.start for talk in upcoming[:1]] + [
        talk.start + PAST_WINDOW for talk in past[-1:]
    ]
    return min(moments, default=None)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_GET
# Outside the page cache's decorator, so that stored pages are framable too: a stored
# page keeps the view's headers, and these two are added by middleware on the way out.
@cache_public_page(params=PARAMS, same_for_everyone=True)
def group_embed(request, slug, kind):
    """A tag's, a speaker's or a series' talks (seminars.groups), for an <iframe> elsewhere."""
    options = canonical_options(request)
    group = GROUPS[kind]
    now = timezone.now()
    owner = get_object_or_404(group.public(), slug=slug)
    upcoming, past = embed_talks(group, owner, options, now)
    context = {
        "kind": kind,
        "owner": owner,
        "options": options,
        "upcoming": [(talk, talk_when(talk, options.zone_for(talk))) for talk in upcoming],
        "past": [(talk, talk_when(talk, options.zone_for(talk))) for talk in past],
    }
    response = render(request, "syndication/embed.html", context)
    response.changes_at = functools.partial(list_changes_at, upcoming, past)
    return response


def embed_snippet(embed_url: str, title: str) -> str:
    """The <iframe> code a site pastes to show the list: text, which a page escapes again.
    `title` may be HTML already (a template's translated text)."""
    return (
        f'<iframe src="{escape(embed_url)}" title="{conditional_escape(title)}" width="100%"'
        ' height="480" loading="lazy"></iframe>'
    )
