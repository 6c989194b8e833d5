from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import calendars, feeds, views
from .sitemaps import SITEMAPS, robots_txt

app_name = "seminars"

urlpatterns = [
    path("", views.home, name="home"),
    path("talks/", views.talk_list, name="talk-list"),
    path("talks/archive/<int:year>/", views.talk_archive, name="talk-archive"),
    path("talks/<slug:slug>/", views.talk_detail, name="talk-detail"),
    path("talks/<slug:slug>/comments/", views.comment_create, name="comment-create"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
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
    path("feed/", feeds.TalkFeed(), name="feed"),
    path("tags/<slug:slug>/feed/", feeds.TagTalkFeed(), name="tag-feed"),
    path("series/<slug:slug>/feed/", feeds.SeriesTalkFeed(), name="series-feed"),
    path("talks/<slug:slug>/comments/feed/", feeds.CommentFeed(), name="comment-feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]
