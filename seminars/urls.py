from django.urls import path

from . import formatting, views

app_name = "seminars"

urlpatterns = [
    path("", views.home, name="home"),
    path("talks/", views.talk_list, name="talk-list"),
    path("talks/archive/<int:year>/", views.talk_archive, name="talk-archive"),
    path("tags/", views.tag_list, name="tag-list"),
    path("tags/<slug:slug>/", views.group_detail, {"kind": "tag"}, name="tag-detail"),
    path("speakers/<slug:slug>/", views.group_detail, {"kind": "speaker"}, name="speaker-detail"),
    path("series/", views.series_list, name="series-list"),
    path("series/<slug:slug>/", views.group_detail, {"kind": "series"}, name="series-detail"),
    path("search/", views.search, name="search"),
    path("help/formatting/", formatting.formatting_help, name="formatting-help"),
]
