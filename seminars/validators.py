import zoneinfo

from django.core.exceptions import ValidationError


def validate_timezone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(f"“{name}” is not a known time zone (use a name like Europe/London).")
