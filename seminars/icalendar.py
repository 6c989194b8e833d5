"""iCalendar (RFC 5545) files of talks: the calendars, the admin's export.

Times are written in UTC, so no VTIMEZONE is needed, and each talk's UID is
fixed for good so clients update their copy of an event instead of adding a
second one.
"""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from .models import Talk

MAX_EVENTS = 500
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Subscription calendars (public and personal) hold the talks of the past 30 days
# and every upcoming one: cancelled talks stay in them, as cancelled, that long.
PAST_WINDOW = datetime.timedelta(days=30)


def talks_in_window():
    """Public talks from the last 30 days on, soonest first, with what an event shows.

    calendar_response takes the first MAX_EVENTS.
    """
    since = timezone.now() - PAST_WINDOW
    return Talk.objects.public().filter(start__gte=since).for_talk_page().order_by("start", "id")


def prodid() -> str:
    return f"-//{settings.SITE_NAME}//Talks//EN"


def talk_uid(talk) -> str:
    return f"talk-{talk.pk}@{settings.CALENDAR_UID_DOMAIN}"


def talk_description(talk, url: str) -> str:
    """Plain text: speakers, abstract, online link and the talk's page."""
    parts = []
    speakers = ", ".join(speaker.name for speaker in talk.speakers.all())
    if speakers:
        parts.append(f"Speakers: {speakers}")
    if talk.abstract:
        parts.append(talk.abstract)
    if talk.online_url:
        parts.append(f"Join online: {talk.online_url}")
    parts.append(url)
    return "\n\n".join(parts)


def talk_alarm(talk, minutes: int) -> Alarm:
    """A reminder `minutes` before the talk, shown by the calendar app."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", talk.title)
    alarm.add("trigger", -datetime.timedelta(minutes=minutes))
    return alarm


def talk_event(talk, request, alarm_minutes: int = 0) -> Event:
    url = request.build_absolute_uri(talk.get_absolute_url())
    event = Event()
    event.add("uid", talk_uid(talk))
    # Without METHOD, DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2).
    event.add("dtstamp", talk.updated.astimezone(datetime.UTC))
    event.add("created", talk.created.astimezone(datetime.UTC))
    event.add("last-modified", talk.updated.astimezone(datetime.UTC))
    event.add("sequence", talk.sequence)
    event.add("dtstart", talk.start.astimezone(datetime.UTC))
    event.add("dtend", talk.end.astimezone(datetime.UTC))
    # Several clients ignore STATUS:CANCELLED, so the summary says it too.
    event.add("summary", talk.headline)
    event.add("description", talk_description(talk, url))
    event.add("status", "CANCELLED" if talk.is_cancelled else "CONFIRMED")
    event.add("url", url)
    location = talk.venue or talk.online_url
    if location:
        event.add("location", location)
    tag_names = [tag.name for tag in talk.tags.all()]
    if tag_names:
        event.add("categories", tag_names)
    if alarm_minutes and not talk.is_cancelled:
        event.add_component(talk_alarm(talk, alarm_minutes))
    return event


def calendar_response(
    request, name: str, talks, filename: str = "", alarm_minutes: int = 0
) -> HttpResponse:
    """The calendar of `talks` (the first MAX_EVENTS), each with an alarm `alarm_minutes`
    before it if not 0 (personal calendars)."""
    calendar = Calendar()
    calendar.add("prodid", prodid())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # icalendar writes X- properties verbatim, so a line break in a title could
    # start a property of its own: the name is kept to one line.
    calendar.add("x-wr-calname", " ".join(name.split()))
    for talk in talks[:MAX_EVENTS]:
        calendar.add_component(talk_event(talk, request, alarm_minutes))
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
