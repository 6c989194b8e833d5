"""Formatting for talk pages."""

import zoneinfo

from django import template
from django.utils import dateformat
from django.utils.html import format_html

from seminars import plaintext

register = template.Library()

DATE_FORMATS = {"short": "D j M Y, H:i", "long": "l j F Y, H:i"}
# The visitor's time sits next to the series' time, so it drops the year;
# static/js/localtime.js writes the same layout for the browser's zone.
VIEWER_DATE_FORMAT = "D j M, H:i"
UTC = zoneinfo.ZoneInfo("UTC")


@register.simple_tag(takes_context=True)
def talk_time(context, talk, style="short"):
    """A talk's start and end in its series' zone, and in the visitor's when it differs.

    The <time> element carries the instant in UTC for machines and scripts. A
    signed-in visitor's chosen zone is rendered here; otherwise `data-localize`
    asks static/js/localtime.js to add the browser's zone.
    """
    zone = zoneinfo.ZoneInfo(talk.series.timezone)
    start = talk.start.astimezone(zone)
    end = talk.end.astimezone(zone)
    end_format = "H:i" if end.date() == start.date() else DATE_FORMATS[style]
    viewer_zone = chosen_zone(context.get("user"))
    series_time = format_html(
        '<time datetime="{}" data-end="{}" data-zone="{}" title="{} time"{}>{}–{} {}</time>',
        machine_time(talk.start),
        machine_time(talk.end),
        talk.series.timezone,
        talk.series.timezone,
        "" if viewer_zone else " data-localize",
        dateformat.format(start, DATE_FORMATS[style]),
        dateformat.format(end, end_format),
        start.tzname(),
    )
    if viewer_zone is None:
        return series_time
    return format_html("{}{}", series_time, viewer_time(start, end, viewer_zone))


@register.filter
def machine_time(moment):
    """An instant for `<time datetime>`: UTC, to the second (HTML allows at most three
    digits of a second's fraction, and isoformat() writes six)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def chosen_zone(user):
    """The zone a signed-in user picked, or None to leave it to the browser.

    A stored name that tzdata no longer knows falls back to the browser
    rather than breaking every page the user opens.
    """
    name = getattr(user, "timezone", "")
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def viewer_time(start, end, zone):
    """The talk (`start`, `end` in the series' zone) in the visitor's `zone`.

    Nothing when the visitor's clock reads the same. The start carries its date
    when the day differs from the series', the end when it differs from the
    start's: an evening talk in New York reads as the next morning in Tokyo.
    """
    local_start = start.astimezone(zone)
    local_end = end.astimezone(zone)
    if wall_clock(local_start) == wall_clock(start) and wall_clock(local_end) == wall_clock(end):
        return ""
    start_format = "H:i" if local_start.date() == start.date() else VIEWER_DATE_FORMAT
    end_format = "H:i" if local_end.date() == local_start.date() else VIEWER_DATE_FORMAT
    return format_html(
        ' <span class="local-time muted" title="{} time">({}–{} {} your time)</span>',
        zone.key,
        dateformat.format(local_start, start_format),
        dateformat.format(local_end, end_format),
        local_start.tzname(),
    )


def wall_clock(moment):
    return moment.replace(tzinfo=None)


@register.filter
def math_as_text(source):
    """Markdown and LaTeX as plain text, for where HTML is not the medium (seminars.plaintext)."""
    return plaintext.math_as_text(source)


@register.filter
def title_as_text(title):
    """A title with its formulas as plain text (seminars.plaintext)."""
    return plaintext.title_as_text(title)
