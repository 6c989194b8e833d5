import functools
import zoneinfo

from django.core.exceptions import ValidationError


@functools.cache
def known_timezones() -> frozenset[str]:
    # available_timezones() reads the whole time zone database from disk on every
    # call (about 0.1 s); the set cannot change while the process runs.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str) -> None:
    if name not in known_timezones():
        raise ValidationError(f"“{name}” is not a known time zone (use a name like Europe/London).")
