from django.contrib.sitemaps.views import sitemap
from django.urls import path

from pagecache.pages import cache_public_page

from . import calendars, embeds, feeds, share_cards
from .sitemaps import SITEMAPS, robots_txt

app_name = "syndication"

# Talk feeds show times in a signed-in reader's zone, and nothing else of theirs.
talk_feed = cache_public_page(same_per_time_zone=True)

urlpatterns = [
    # Calendars (iCalendar), Atom feeds, and discovery for search engines.
    path("calendar.ics", calendars.all_talks_calendar, name="calendar"),
    path(
        "tags/<slug:slug>/calendar.ics",
        calendars.group_calendar,
        {"kind": "tag"},
        name="tag-calendar",
    ),
    path(
        "series/<slug:slug>/calendar.ics",
        calendars.group_calendar,
        {"kind": "series"},
        name="series-calendar",
    ),
    path(
        "speakers/<slug:slug>/calendar.ics",
        calendars.group_calendar,
        {"kind": "speaker"},
        name="speaker-calendar",
    ),
    path("talks/<slug:slug>/calendar.ics", calendars.talk_calendar, name="talk-calendar"),
    # Feeds are served from the anonymous page cache (calendars are decorated).
    path("feed/", talk_feed(feeds.TalkFeed()), name="feed"),
    path("tags/<slug:slug>/feed/", talk_feed(feeds.TagTalkFeed()), name="tag-feed"),
    path("series/<slug:slug>/feed/", talk_feed(feeds.SeriesTalkFeed()), name="series-feed"),
    path(
        "talks/<slug:slug>/comments/feed/",
        cache_public_page(thread_kwarg="slug", same_for_everyone=True)(feeds.CommentFeed()),
        name="comment-feed",
    ),
    # A talk's link-preview image (og:image), its version in the address.
    path(
        "talks/<slug:slug>/share/<slug:version>.png",
        share_cards.talk_share_card,
        name="talk-share-card",
    ),
    # Lists of talks for other sites' <iframe>s: the only framable pages.
    path("embed/series/<slug:slug>/", embeds.group_embed, {"kind": "series"}, name="series-embed"),
    path("embed/tags/<slug:slug>/", embeds.group_embed, {"kind": "tag"}, name="tag-embed"),
    path(
        "embed/speakers/<slug:slug>/",
        embeds.group_embed,
        {"kind": "speaker"},
        name="speaker-embed",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]
