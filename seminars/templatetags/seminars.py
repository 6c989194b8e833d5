"""Formatting for talk pages."""

import zoneinfo

from django import template
from django.utils import dateformat
from django.utils.html import format_html

register = template.Library()

DATE_FORMATS = {"short": "D j M Y, H:i", "long": "l j F Y, H:i"}


@register.simple_tag
def talk_time(talk, style="short"):
    """A talk's start and end in its series' zone, with the zone's abbreviation.

    The <time> element carries the instant in UTC for machines and scripts.
    """
    zone = zoneinfo.ZoneInfo(talk.series.timezone)
    start = talk.start.astimezone(zone)
    end = talk.end.astimezone(zone)
    end_format = "H:i" if end.date() == start.date() else DATE_FORMATS[style]
    return format_html(
        '<time datetime="{}">{}–{} {}</time>',
        talk.start.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat(),
        dateformat.format(start, DATE_FORMATS[style]),
        dateformat.format(end, end_format),
        start.tzname(),
    )
