"""Apply defaults to future talks: after a series' default changes, its coming talks
that still have the old value get the new one.

Past talks are history and never change. A talk whose value differs from the
old default was set by hand for that talk and is left alone. The organiser sees
the changes first; applying recomputes them the same way, so the preview is
what happens (a talk edited in between simply drops out).
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import recurrence
from .models import Talk

# The defaults that flow into existing talks, with how they are kept in the session.
APPLIED = ("default_venue", "default_online_url", "default_start_time", "default_duration")


def remembered(old: dict) -> dict:
    """The old values of changed defaults as JSON for the session."""
    kept = {}
    for name, value in old.items():
        if isinstance(value, datetime.time):
            value = value.isoformat()
        elif isinstance(value, datetime.timedelta):
            value = value.total_seconds()
        kept[name] = value
    return kept


def recalled(kept: dict) -> dict:
    old = {}
    for name, value in kept.items():
        if name == "default_start_time" and value is not None:
            value = datetime.time.fromisoformat(value)
        elif name == "default_duration" and value is not None:
            value = datetime.timedelta(seconds=value)
        old[name] = value
    return old


@dataclass
class TalkChange:
    talk: Talk
    # field name -> (old value, new value), as the preview shows them
    fields: dict = field(default_factory=dict)


def planned(series, old: dict, now=None) -> list[TalkChange]:
    """The series' upcoming talks that still have an old default, and what changes."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(series.timezone)
    changes = []
    for talk in series.talks.filter(start__gte=now).order_by("start", "id"):
        change = TalkChange(talk)
        if "default_venue" in old and talk.venue == old["default_venue"]:
            change.fields["venue"] = (talk.venue, series.default_venue)
        if "default_online_url" in old and talk.online_url == old["default_online_url"]:
            change.fields["online_url"] = (talk.online_url, series.default_online_url)
        start, length = talk.start, talk.end - talk.start
        local = talk.start.astimezone(zone)
        old_time, new_time = old.get("default_start_time"), series.default_start_time
        moved = "default_start_time" in old and None not in (old_time, new_time)
        if moved and local.time() == old_time:
            start = recurrence.at_wall_clock(local.date(), new_time, series.timezone)
            change.fields["start"] = (talk.start, start)
        if "default_duration" in old and length == old["default_duration"]:
            length = series.default_duration
        if start + length != talk.end:
            change.fields["end"] = (talk.end, start + length)
        if change.fields:
            changes.append(change)
    return changes


@transaction.atomic
def apply(changes: list[TalkChange]) -> int:
    for change in changes:
        for name, (_, new) in change.fields.items():
            setattr(change.talk, name, new)
        # save(): the calendar SEQUENCE goes up, the cached pages are outdated.
        change.talk.save(update_fields=[*change.fields, "updated"])
    return len(changes)
