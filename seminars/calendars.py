"""iCalendar (RFC 5545) files: every talk, a tag's, a series', a speaker's, or one talk.

Subscription feeds hold the past 30 days and the upcoming talks, at most
MAX_EVENTS of them (the soonest), which keeps them far under calendar
clients' size caps. Times are written in UTC, so no
VTIMEZONE is needed, and each talk's UID is fixed for good so clients update
their copy of an event instead of adding a second one.
"""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from .caching import cache_public_page
from .models import Series, Speaker, Tag, Talk
from .sharing import SITE_NAME, headline

PAST_WINDOW = datetime.timedelta(days=30)
MAX_EVENTS = 500
PRODID = f"-//{SITE_NAME}//Talks//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def talks_in_window():
    """Public talks from the last 30 days on, soonest first, with what an event shows.

    calendar_response takes the first MAX_EVENTS.
    """
    since = timezone.now() - PAST_WINDOW
    return Talk.objects.public().filter(start__gte=since).for_list_page().order_by("start", "id")


def window_moves(now):
    """When the oldest talk in the window leaves it (30 days after it started)."""
    in_window = Talk.objects.public().filter(start__gte=now - PAST_WINDOW).order_by("start")
    first_start = in_window.values_list("start", flat=True).first()
    return first_start + PAST_WINDOW if first_start else None


# The calendars of many talks: served from the anonymous page cache until the window moves.
subscription_calendar = cache_public_page(expires=window_moves, signed_in="same")


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


def talk_event(talk, request) -> Event:
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
    event.add("summary", headline(talk))
    event.add("description", talk_description(talk, url))
    event.add("status", "CANCELLED" if talk.is_cancelled else "CONFIRMED")
    event.add("url", url)
    location = talk.venue or talk.online_url
    if location:
        event.add("location", location)
    tag_names = [tag.name for tag in talk.tags.all()]
    if tag_names:
        event.add("categories", tag_names)
    return event


def calendar_response(request, name: str, talks, filename: str = "") -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # icalendar writes X- properties verbatim, so a line break in a title could
    # start a property of its own: the name is kept to one line.
    calendar.add("x-wr-calname", " ".join(name.split()))
    for talk in talks[:MAX_EVENTS]:
        calendar.add_component(talk_event(talk, request))
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@subscription_calendar
def all_talks_calendar(request):
    return calendar_response(request, f"{SITE_NAME}: all talks", talks_in_window())


@require_GET
@subscription_calendar
def tag_calendar(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    talks = talks_in_window().filter(tags=tag)
    return calendar_response(request, f"{SITE_NAME}: {tag.name}", talks)


@require_GET
@subscription_calendar
def series_calendar(request, slug):
    series = get_object_or_404(Series, slug=slug)
    return calendar_response(request, series.name, talks_in_window().filter(series=series))


@require_GET
@subscription_calendar
def speaker_calendar(request, slug):
    speaker = get_object_or_404(Speaker, slug=slug)
    talks = talks_in_window().filter(speakers=speaker)
    return calendar_response(request, f"{SITE_NAME}: talks by {speaker.name}", talks)


@require_GET
@cache_public_page(signed_in="same")
def talk_calendar(request, slug):
    """One talk, whenever it is: the "add to calendar" download."""
    talk = get_object_or_404(Talk.objects.public().for_list_page(), slug=slug)
    # Slugs are ASCII letters, digits, hyphens and underscores: safe in the header.
    return calendar_response(request, talk.title, [talk], filename=f"{talk.slug}.ics")
