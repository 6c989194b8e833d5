from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import calendars, comment_views, feeds, views
from .caching import cache_public_page
from .sitemaps import SITEMAPS, robots_txt

app_name = "seminars"

urlpatterns = [
    path("", views.home, name="home"),
    path("talks/", views.talk_list, name="talk-list"),
    path("talks/archive/<int:year>/", views.talk_archive, name="talk-archive"),
    path("talks/<slug:slug>/", views.talk_detail, name="talk-detail"),
    path("talks/<slug:slug>/comments/", comment_views.comment_create, name="comment-create"),
    # A comment's lasting address: redirects to the thread page that shows it.
    path("comments/<int:pk>/", comment_views.comment_permalink, name="comment"),
    path("comments/<int:pk>/reply/", comment_views.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/edit/", comment_views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", comment_views.comment_delete, name="comment-delete"),
    # Moderation by the series' organisers (and superusers), from the talk page.
    path("comments/<int:pk>/approve/", comment_views.comment_approve, name="comment-approve"),
    path("comments/<int:pk>/remove/", comment_views.comment_remove, name="comment-remove"),
    path("comments/<int:pk>/restore/", comment_views.comment_restore, name="comment-restore"),
    path("tags/", views.tag_list, name="tag-list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker-detail"),
    path("series/", views.series_list, name="series-list"),
    path("series/<slug:slug>/", views.series_detail, name="series-detail"),
    path("search/", views.search, name="search"),
    # Calendars (iCalendar), Atom feeds, and discovery for search engines.
    path("calendar.ics", calendars.all_talks_calendar, name="calendar"),
    path("tags/<slug:slug>/calendar.ics", calendars.tag_calendar, name="tag-calendar"),
    path("series/<slug:slug>/calendar.ics", calendars.series_calendar, name="series-calendar"),
    path("speakers/<slug:slug>/calendar.ics", calendars.speaker_calendar, name="speaker-calendar"),
    path("talks/<slug:slug>/calendar.ics", calendars.talk_calendar, name="talk-calendar"),
    # Feeds are served from the anonymous page cache (views and calendars are decorated).
    path("feed/", cache_public_page()(feeds.TalkFeed()), name="feed"),
    path(
        "tags/<slug:slug>/feed/",
        cache_public_page()(feeds.TagTalkFeed()),
        name="tag-feed",
    ),
    path(
        "series/<slug:slug>/feed/",
        cache_public_page()(feeds.SeriesTalkFeed()),
        name="series-feed",
    ),
    path(
        "talks/<slug:slug>/comments/feed/",
        cache_public_page(thread_kwarg="slug", signed_in="same")(feeds.CommentFeed()),
        name="comment-feed",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]
