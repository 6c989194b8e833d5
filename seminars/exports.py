"""A series' talks as a CSV file (which the importer reads back) or an iCalendar file.

The CSV holds every talk, drafts included, in the importer's columns (see
seminars.imports), with times in the series' zone and its UTC offset, so the
file reads naturally and still means one instant at daylight-saving changes.
The iCalendar file is the series' public calendar without its 30-day window:
drafts stay out, as their events would link to pages the public cannot open.
"""

import csv
import io
import zoneinfo

from django.http import HttpResponse
from django.utils.text import slugify

from .icalendar import calendar_response, talk_uid
from .imports import CSV_COLUMNS, NAME_SEPARATOR, quote_formula
from .models import Talk


def series_talks(series):
    return Talk.objects.filter(series=series).for_talk_page().order_by("start", "id")


def wall_clock(moment, zone) -> str:
    """The moment in the series' zone with its offset: to the minute when that is
    exact, else to the second (or microsecond), so that importing it back is exact."""
    local = moment.astimezone(zone)
    exact_minute = not (local.second or local.microsecond)
    return local.isoformat(sep=" ", timespec="minutes" if exact_minute else "auto")


def talk_record(talk, zone) -> dict:
    return {
        # A talk imported from another calendar keeps that calendar's UID.
        "uid": talk.import_uid or talk_uid(talk),
        "title": talk.title,
        "start": wall_clock(talk.start, zone),
        "end": wall_clock(talk.end, zone),
        "speakers": f"{NAME_SEPARATOR} ".join(speaker.name for speaker in talk.speakers.all()),
        "tags": f"{NAME_SEPARATOR} ".join(tag.name for tag in talk.tags.all()),
        "venue": talk.venue,
        "online_url": talk.online_url,
        "abstract": talk.abstract,
        "status": talk.status,
    }


def csv_response(series) -> HttpResponse:
    zone = zoneinfo.ZoneInfo(series.timezone)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for talk in series_talks(series):
        record = talk_record(talk, zone)
        writer.writerow({name: quote_formula(value) for name, value in record.items()})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_stem(series)}.csv"'
    return response


def ics_response(request, series) -> HttpResponse:
    talks = series_talks(series).public()
    return calendar_response(request, series.name, talks, filename=f"{file_stem(series)}.ics")


def file_stem(series) -> str:
    # Slugs are ASCII letters, digits, hyphens and underscores: safe in the header.
    return f"{slugify(series.slug)}-talks"
