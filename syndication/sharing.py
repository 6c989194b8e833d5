"""What lets people and machines pick a talk up elsewhere.

"Add to Google Calendar" links, webcal:// subscription links, and the
schema.org Event that search engines read from a talk page.
"""

import datetime
import json
import zoneinfo
from urllib.parse import urlencode

from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from seminars.plaintext import math_as_text, title_as_text

GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
SCHEMA = "https://schema.org/"

# Inside <script> only "</script" or "<!--" could end the element early, and
# JSON may spell any character as \uXXXX: escaping <, > and & rules both out.
SCRIPT_SAFE_JSON = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


def google_calendar_url(talk, talk_url: str) -> str:
    """A link that opens Google Calendar's "new event" form filled in with the talk."""
    return f"{GOOGLE_CALENDAR_URL}?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": talk.headline,
            "dates": f"{utc_stamp(talk.start)}/{utc_stamp(talk.end)}",
            "details": talk_url,
            "location": talk.venue or talk.online_url,
        }
    )


def talk_when(talk, zone) -> str:
    """The talk in `zone`, as in "Tue 8 Dec 2026, 16:00–17:00 GMT"."""
    start, end = talk.start.astimezone(zone), talk.end.astimezone(zone)
    end_format = "H:i" if end.date() == start.date() else "D j M Y, H:i"
    return (
        f"{dateformat.format(start, 'D j M Y, H:i')}–{dateformat.format(end, end_format)}"
        f" {start.tzname()}"
    )


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def webcal_url(absolute_url: str) -> str:
    """The same address with the webcal scheme, which calendar apps open as a subscription."""
    return "webcal://" + absolute_url.split("://", 1)[1]


def google_subscribe_url(absolute_url: str) -> str:
    """Google Calendar's "add by URL" page for a calendar subscription."""
    query = urlencode({"cid": webcal_url(absolute_url)})
    return f"https://calendar.google.com/calendar/render?{query}"


def talk_event_data(talk, request, image_url: str) -> dict:
    """The talk as a schema.org Event (for JSON-LD), with its share card as `image_url`."""
    zone = zoneinfo.ZoneInfo(talk.series.timezone)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        # Plain text: search engines show these as they are.
        "name": title_as_text(talk.title),
        "url": request.build_absolute_uri(talk.get_absolute_url()),
        "startDate": talk.start.astimezone(zone).isoformat(),
        "endDate": talk.end.astimezone(zone).isoformat(),
        "eventStatus": SCHEMA + ("EventCancelled" if talk.is_cancelled else "EventScheduled"),
        "performer": [speaker_data(speaker, request) for speaker in talk.speakers.all()],
        "organizer": {
            "@type": "Organization",
            "name": talk.series.name,
            "url": request.build_absolute_uri(talk.series.get_absolute_url()),
        },
    }
    if talk.abstract:
        data["description"] = math_as_text(talk.abstract)
    data["image"] = [image_url]
    data.update(attendance_data(talk))
    return data


def speaker_data(speaker, request) -> dict:
    person = {
        "@type": "Person",
        "name": speaker.name,
        "url": request.build_absolute_uri(speaker.get_absolute_url()),
    }
    if speaker.affiliation:
        person["affiliation"] = {"@type": "Organization", "name": speaker.affiliation}
    return person


def attendance_data(talk) -> dict:
    """eventAttendanceMode and location; nothing when the talk names neither place nor link."""
    place = {"@type": "Place", "name": talk.venue, "address": talk.venue}
    online = {"@type": "VirtualLocation", "url": talk.online_url}
    if talk.attendance is None:
        return {}
    mode, location = {
        talk.Attendance.HYBRID: ("MixedEventAttendanceMode", [place, online]),
        talk.Attendance.IN_PERSON: ("OfflineEventAttendanceMode", place),
        talk.Attendance.ONLINE: ("OnlineEventAttendanceMode", online),
    }[talk.attendance]
    return {"eventAttendanceMode": SCHEMA + mode, "location": location}


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> that no string in `data` can break out of."""
    payload = json.dumps(data, ensure_ascii=False).translate(SCRIPT_SAFE_JSON)
    # Safe: SCRIPT_SAFE_JSON has escaped everything that could close the script element.
    safe_payload = mark_safe(payload)  # noqa: S308  # nosec B308, B703
    return format_html('<script type="application/ld+json">{}</script>', safe_payload)
