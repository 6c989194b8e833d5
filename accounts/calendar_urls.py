"""Personal calendars' secret addresses, under /calendars/ (accounts.calendars)."""

from django.urls import path

from . import calendars

app_name = "calendars"

urlpatterns = [path("<str:token>.ics", calendars.personal_calendar, name="personal")]
