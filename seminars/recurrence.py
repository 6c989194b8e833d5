"""Dates of a recurring series, and a talk's times from its series' defaults.

Times are wall-clock times in the series' zone: a seminar at 16:00 in London is
at 16:00 BST in June and 16:00 GMT in December, so its UTC time moves with the
clocks. Every date is made into a moment here, once, with the zone's rules for
that date.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

WEEK = datetime.timedelta(weeks=1)


def at_wall_clock(day: datetime.date, at: datetime.time, zone_name: str) -> datetime.datetime:
    """`day` at `at` on the clocks of `zone_name` (an aware datetime)."""
    return datetime.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(zone_name))


def next_weekday(on_or_after: datetime.date, weekday: int) -> datetime.date:
    return on_or_after + datetime.timedelta(days=(weekday - on_or_after.weekday()) % 7)


def next_default_start(series, now: datetime.datetime) -> datetime.datetime | None:
    """The series' next usual slot after `now`: its weekday (any day if it has none)
    at its usual time, in its zone. None without a usual time."""
    if series.default_start_time is None:
        return None
    today = now.astimezone(zoneinfo.ZoneInfo(series.timezone)).date()
    day = today if series.default_weekday is None else next_weekday(today, series.default_weekday)
    start = at_wall_clock(day, series.default_start_time, series.timezone)
    while start <= now:
        day += WEEK if series.default_weekday is not None else datetime.timedelta(days=1)
        start = at_wall_clock(day, series.default_start_time, series.timezone)
    return start


# Patterns of dates (Generate talks)

WEEKLY = "weekly"
MONTHLY = "monthly"


@dataclass(frozen=True)
class Pattern:
    """Every `interval` weeks on `weekday`, or the `ordinal`-th `weekday` of each month."""

    kind: str  # WEEKLY or MONTHLY
    weekday: int  # 0 = Monday
    interval: int = 1  # weeks between talks (WEEKLY)
    ordinal: int = 1  # 1st to 5th (MONTHLY); months without a 5th are passed over


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> datetime.date | None:
    """The `ordinal`-th `weekday` of the month, or None when the month has fewer."""
    first = next_weekday(datetime.date(year, month, 1), weekday)
    day = first + (ordinal - 1) * WEEK
    return day if day.month == month else None


def pattern_dates(pattern: Pattern, first: datetime.date):
    """The pattern's dates from `first` on (an endless generator)."""
    if pattern.kind == WEEKLY:
        day = next_weekday(first, pattern.weekday)
        while True:
            yield day
            day += pattern.interval * WEEK
    year, month = first.year, first.month
    while True:
        day = nth_weekday(year, month, pattern.weekday, pattern.ordinal)
        if day is not None and day >= first:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def dates_between(
    pattern: Pattern,
    first: datetime.date,
    *,
    last: datetime.date | None = None,
    count: int | None = None,
    skip: frozenset = frozenset(),
    limit: int,
) -> list[datetime.date]:
    """The pattern's dates from `first` up to `last`, or the first `count` of them, less
    the `skip` dates (a skipped date does not count towards `count`).

    At most `limit` + 1 dates are made, so that a caller can tell "too many" apart
    from "exactly the limit" without running to the end of a long range.
    """
    if (last is None) == (count is None):
        raise ValueError("give either a last date or a count")
    dates = []
    for day in pattern_dates(pattern, first):
        if (last is not None and day > last) or (count is not None and len(dates) == count):
            break
        if day in skip:
            continue
        dates.append(day)
        if len(dates) > limit:
            break
    return dates
