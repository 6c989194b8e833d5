"""Generate talks: a series' coming talks on a pattern, as "TBA" drafts with its defaults.

The organiser picks a pattern (every week, every 2, 3 or 4 weeks, or the Nth
weekday of each month), a first date and a last date or a count, and dates to
skip; previews the dates; then creates them. Times are wall-clock times in the
series' zone (seminars.recurrence). A slot the series already has a talk in
(same series, same start) is left alone, so running it again over an
overlapping range adds only what is missing.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext_lazy as _

from . import recurrence
from .imports import unique_slug
from .models import Series, Talk
from .search import refresh_search_names

MAX_TALKS = 200
TITLE = "TBA"
MONTHLY_PREFIX = "month-"
ORDINALS = {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth"), 5: _("fifth")}
REPEAT_CHOICES = [
    ("1", _("Every week")),
    ("2", _("Every 2 weeks")),
    ("3", _("Every 3 weeks")),
    ("4", _("Every 4 weeks")),
    *[
        # format_lazy: translated when shown, not when this module is imported.
        (f"{MONTHLY_PREFIX}{n}", format_lazy(_("Each month, the {} weekday chosen below"), word))
        for n, word in ORDINALS.items()
    ],
]


# Browsers offer a date picker; the value is ISO (YYYY-MM-DD) whatever the locale.
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GenerateTalksForm(forms.Form):
    repeat = forms.ChoiceField(
        choices=REPEAT_CHOICES,
        help_text=_("A fifth weekday is skipped in months without one."),
    )
    weekday = forms.TypedChoiceField(choices=Series.Weekday.choices, coerce=int)
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In the series' time zone, on every date."),
    )
    duration = forms.DurationField(
        label=_("Length"), help_text=_("Hours and minutes, e.g. 1:00:00.")
    )
    first_date = forms.DateField(
        widget=ISO_DATE,
        label=_("From"),
        help_text=_("YYYY-MM-DD; the first talk is on or after it."),
    )
    last_date = forms.DateField(
        widget=ISO_DATE,
        label=_("Until"),
        required=False,
        help_text=_("YYYY-MM-DD, or give a number of talks instead."),
    )
    count = forms.IntegerField(
        label=_("Number of talks"), required=False, min_value=1, max_value=MAX_TALKS
    )
    skip = forms.CharField(
        label=_("Skip these dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 20}),
        help_text=_("Holidays and breaks: one date (YYYY-MM-DD) a line."),
    )

    def __init__(self, *args, series: Series, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = series

    # Dates far enough out to reach the calendar's end (year 9999) would fail there.
    EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)

    def clean_first_date(self):
        return self.within_years(self.cleaned_data["first_date"])

    def clean_last_date(self):
        return self.within_years(self.cleaned_data["last_date"])

    def within_years(self, day):
        if day is not None and not self.EARLIEST <= day <= self.LATEST:
            raise forms.ValidationError(_("Give a date between the years 1900 and 2999."))
        return day

    def clean_skip(self) -> frozenset:
        dates, errors = set(), []
        for number, line in enumerate(self.cleaned_data["skip"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                dates.add(datetime.date.fromisoformat(line))
            except ValueError:
                errors.append(
                    _("Line %(n)d, “%(text)s”, is not a date like 2030-12-25.")
                    % {"n": number, "text": line[:40]}
                )
        if errors:
            raise forms.ValidationError(errors)
        return frozenset(dates)

    def clean_duration(self):
        duration = self.cleaned_data["duration"]
        if not datetime.timedelta(0) < duration <= datetime.timedelta(hours=24):
            raise forms.ValidationError(_("A talk lasts more than no time and at most a day."))
        return duration

    def clean(self):
        cleaned = super().clean()
        first, last, count = (cleaned.get(name) for name in ("first_date", "last_date", "count"))
        if (
            (last is None) == (count is None)
            and not self.has_error("last_date")
            and not self.has_error("count")
        ):
            raise forms.ValidationError(
                _("Give either a last date or a number of talks (not both).")
            )
        if first and last and last < first:
            self.add_error("last_date", _("The last date is before the first."))
        if self.errors or not {"repeat", "weekday", "first_date", "skip"} <= cleaned.keys():
            return cleaned
        dates = recurrence.dates_between(
            self.pattern(), first, last=last, count=count, skip=cleaned["skip"], limit=MAX_TALKS
        )
        if len(dates) > MAX_TALKS:
            raise forms.ValidationError(
                _(
                    "That makes more than %(max)d talks; at most %(max)d are made at once. "
                    "Choose an earlier last date, or make them in parts."
                )
                % {"max": MAX_TALKS}
            )
        if not dates:
            raise forms.ValidationError(_("No date falls in that range."))
        cleaned["dates"] = dates
        return cleaned

    def pattern(self) -> recurrence.Pattern:
        repeat, weekday = self.cleaned_data["repeat"], self.cleaned_data["weekday"]
        if repeat.startswith(MONTHLY_PREFIX):
            ordinal = int(repeat.removeprefix(MONTHLY_PREFIX))
            return recurrence.Pattern(recurrence.MONTHLY, weekday, ordinal=ordinal)
        return recurrence.Pattern(recurrence.WEEKLY, weekday, interval=int(repeat))


def initial_for(series: Series) -> dict:
    """The form as it opens: the series' usual weekday, time and length, ten weekly talks."""
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(series.timezone)).date()
    return {
        "repeat": "1",
        "weekday": series.default_weekday
        if series.default_weekday is not None
        else today.weekday(),
        "start_time": series.default_start_time,
        "duration": series.default_duration,
        "first_date": today,
        "count": 10,
    }


@dataclass
class Slot:
    start: datetime.datetime
    end: datetime.datetime
    taken: bool  # the series has a talk starting then already: left alone


def plan(series: Series, data: dict) -> list[Slot]:
    """The talks the form's dates would make, each marked if its slot is taken."""
    starts = [
        recurrence.at_wall_clock(day, data["start_time"], series.timezone) for day in data["dates"]
    ]
    taken = set(series.talks.filter(start__in=starts).values_list("start", flat=True))
    return [Slot(start, start + data["duration"], start in taken) for start in starts]


@transaction.atomic
def create(series: Series, data: dict) -> tuple[list[Talk], int]:
    """Make the planned talks as drafts titled TBA with the series' defaults; the new
    talks and how many slots were taken. The series' row is locked meanwhile, so two
    runs at once cannot both fill a slot."""
    list(Series.objects.select_for_update().filter(pk=series.pk).values_list("pk"))
    slots = plan(series, data)
    zone = zoneinfo.ZoneInfo(series.timezone)
    talks = []
    for slot in slots:
        if slot.taken:
            continue
        day = slot.start.astimezone(zone).date().isoformat()
        talk = Talk.objects.create(
            series=series,
            title=TITLE,
            slug=unique_slug(Talk, f"{slugify(series.slug)[:180]}-{day}"),
            start=slot.start,
            end=slot.end,
            venue=series.default_venue,
            online_url=series.default_online_url,
            status=Talk.Status.DRAFT,
        )
        talks.append(talk)
    tags = list(series.default_tags.all())
    Talk.tags.through.objects.bulk_create(
        Talk.tags.through(talk=talk, tag=tag) for talk in talks for tag in tags
    )
    # Links written without signals; drafts are not public, so no page is outdated.
    refresh_search_names([talk.pk for talk in talks])
    return talks, sum(slot.taken for slot in slots)
