from django.urls import path

from . import calendars, schedule, views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("preferences/", views.preferences, name="preferences"),
    path("delete/", views.delete_account, name="delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    # <kind> is "tag", "series" or "speaker" (accounts.follows.FOLLOWABLE).
    path("follow/<str:kind>/<slug:slug>/", views.follow, {"following": True}, name="follow"),
    path("unfollow/<str:kind>/<slug:slug>/", views.follow, {"following": False}, name="unfollow"),
    path("talks/", schedule.my_talks, name="my-talks"),
    path("talks/<slug:slug>/save/", schedule.save, {"saving": True}, name="save-talk"),
    path("talks/<slug:slug>/unsave/", schedule.save, {"saving": False}, name="unsave-talk"),
    path("calendars/", calendars.calendar_links, name="calendars"),
    path("calendars/<int:pk>/regenerate/", calendars.regenerate_link, name="calendar-regenerate"),
    path("calendars/<int:pk>/revoke/", calendars.revoke_link, name="calendar-revoke"),
]
