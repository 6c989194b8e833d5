"""iCalendar (RFC 5545) files: every talk, a tag's, a series', a speaker's, or one talk.

Subscription feeds hold the past 30 days and the upcoming talks, at most
MAX_EVENTS of them (the soonest), which keeps them far under calendar
clients' size caps. Times are written in UTC, so no
VTIMEZONE is needed, and each talk's UID is fixed for good so clients update
their copy of an event instead of adding a second one.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from pagecache.pages import cache_public_page
from seminars.groups import GROUPS
from seminars.icalendar import PAST_WINDOW, calendar_response, talks_in_window
from seminars.models import Talk


def window_moves(now):
    """When the oldest talk in the window leaves it (30 days after it started)."""
    in_window = Talk.objects.public().filter(start__gte=now - PAST_WINDOW).order_by("start")
    first_start = in_window.values_list("start", flat=True).first()
    return first_start + PAST_WINDOW if first_start else None


# The calendars of many talks: served from the anonymous page cache until the window moves.
subscription_calendar = cache_public_page(expires=window_moves, same_for_everyone=True)


@require_GET
@subscription_calendar
def all_talks_calendar(request):
    return calendar_response(request, f"{settings.SITE_NAME}: all talks", talks_in_window())


@require_GET
@subscription_calendar
def group_calendar(request, slug, kind):
    """A tag's, a speaker's or a series' calendar (seminars.groups)."""
    group = GROUPS[kind]
    owner = get_object_or_404(group.public(), slug=slug)
    talks = talks_in_window().filter(**{group.lookup: owner})
    return calendar_response(request, group.calendar_name(owner), talks)


@require_GET
@cache_public_page(same_for_everyone=True)
def talk_calendar(request, slug):
    """One talk, whenever it is: the "add to calendar" download."""
    talk = get_object_or_404(Talk.objects.public().for_talk_page(), slug=slug)
    # Slugs are ASCII letters, digits, hyphens and underscores: safe in the header.
    return calendar_response(request, talk.title, [talk], filename=f"{talk.slug}.ics")
