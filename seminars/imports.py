"""Importing talks into a series from a CSV file or an iCalendar (.ics) file.

The organiser uploads a file in the admin, sees which talks would be created or
updated, and confirms. Between the two steps the file's text waits in the
session (on the server, never on disk); confirming reads it again, so what is
saved is checked against the database as it is then. Nothing is saved unless
every row is valid, and the saving is one transaction.

CSV: UTF-8, a header row naming the columns (any order; only title and start
are required; a column left out of the file leaves that field of an updated
talk as it is):

    uid         the talk's calendar UID, so that a re-import updates the talk
    title       required
    start       "2030-07-01 16:00" in the series' time zone, or with an
                offset: "2030-07-01 16:00+01:00"
    end         the same; empty: one hour after the start
    speakers    names separated by ";" (a name not yet known becomes a new speaker)
    tags        names separated by ";" (likewise)
    venue, online_url, abstract
    status      draft, published or cancelled; empty: a new talk is a draft,
                an updated one keeps its status

iCalendar: each VEVENT is a talk. SUMMARY is the title; DTSTART and DTEND (or
DURATION; neither: one hour) the times, floating times being in the series'
zone; LOCATION the venue, or the online link when it is a web address;
DESCRIPTION the abstract, whose first line, if it reads "Speakers: A, B", names
the speakers; CATEGORIES the tags; STATUS:CANCELLED cancels the talk. Other
talks are imported as drafts for the organiser to publish. All-day events are
refused (a talk has a time). A weekly or monthly RRULE with an end (COUNT or
UNTIL) makes one talk per occurrence, less its EXDATEs and the occurrences
that events of their own (RECURRENCE-ID) replace; each occurrence's UID is the
event's with its start added, so re-importing updates it. Other repeats and
RDATEs are refused.

Matching: a row updates the series' talk whose import UID is the row's UID, or
whose own calendar UID it is (a file this portal exported), or else the
series' talk with the same title and start. Any other row creates a talk.
"""

import csv
import dataclasses
import datetime
import io
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import PurePath

from dateutil import rrule
from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from icalendar import Calendar

from pagecache.versions import site_changed

from .models import Series, Speaker, Tag, Talk
from .queries import talk_card_prefetches
from .search import refresh_search_names

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# Listing more errors than this helps no one; the count of the rest is given.
MAX_ERRORS_SHOWN = 50
DEFAULT_LENGTH = datetime.timedelta(hours=1)
CSV_COLUMNS = (
    "uid",
    "title",
    "start",
    "end",
    "speakers",
    "tags",
    "venue",
    "online_url",
    "abstract",
    "status",
)
REQUIRED_COLUMNS = ("title", "start")
# The talk's own fields a row sets (speakers, tags and status are handled apart).
TALK_FIELDS = ("title", "start", "end", "venue", "online_url", "abstract")
NAME_SEPARATOR = ";"
# Spreadsheets run a cell starting with one of these as a formula; exports put
# a quote in front (OWASP's advice) and imports take it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
OWN_UID = re.compile(r"talk-(\d+)@" + re.escape(settings.CALENDAR_UID_DOMAIN))
TOO_MANY_ROWS = f"The file has more than {MAX_ROWS} talks; split it into smaller files."
SPEAKERS_LINE = re.compile(r"\ASpeakers?:[ \t]*(?P<names>[^\n]*)\n*", re.IGNORECASE)


class ImportRejected(Exception):
    """The file cannot be imported; `errors` says why, each naming its line or event."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class TalkRow:
    """One talk as the file gives it, validated."""

    where: str  # "line 4" or "event 2": what error messages and the preview name
    title: str
    start: datetime.datetime
    end: datetime.datetime
    uid: str = ""
    speakers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    venue: str = ""
    online_url: str = ""
    abstract: str = ""
    status: str = ""  # empty: new talks are drafts, updated ones keep theirs
    # The fields the file gives; the others of an updated talk stay as they are.
    given: frozenset = frozenset()


# Reading files


@dataclass
class Upload:
    kind: str  # "csv" or "ics"
    name: str
    text: str


class ImportForm(forms.Form):
    """Step one: which series, which file."""

    series = forms.ModelChoiceField(queryset=Series.objects.none())
    file = forms.FileField(
        help_text=f"A .csv or .ics file of at most {MAX_BYTES // (1024 * 1024)} MB "
        f"and {MAX_ROWS} talks."
    )

    def __init__(self, *args, series_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series_choices

    def clean_file(self) -> Upload:
        uploaded = self.cleaned_data["file"]
        kind = PurePath(uploaded.name).suffix.lower().lstrip(".")
        if kind not in ("csv", "ics"):
            raise forms.ValidationError("Upload a .csv or an .ics file.")
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {uploaded.size / (1024 * 1024):.1f} MB; the limit is "
                f"{MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
            )
        return Upload(kind, uploaded.name, decode(uploaded.read()))


def decode(data: bytes) -> str:
    try:
        # utf-8-sig drops the byte-order mark that spreadsheets put first.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(
            f"The file is not UTF-8 text (byte {error.start + 1} is not); "
            "save it as UTF-8 (in spreadsheets: “CSV UTF-8”)."
        ) from None
    if "\x00" in text:
        raise forms.ValidationError("The file contains NUL characters, so it is not text.")
    return text


def read_rows(kind: str, text: str, zone: zoneinfo.ZoneInfo) -> list[TalkRow]:
    """The file's talks, or ImportRejected listing every problem found."""
    rows, errors = (read_csv if kind == "csv" else read_ics)(text, zone)
    if not rows and not errors:
        errors = ["The file holds no talks."]
    if errors:
        raise ImportRejected(errors)
    return rows


class RowForm(forms.Form):
    """The checks every talk passes, from either kind of file."""

    uid = forms.CharField(max_length=255, required=False)
    title = forms.CharField(max_length=300)
    venue = forms.CharField(max_length=300, required=False)
    online_url = forms.URLField(max_length=200, required=False, assume_scheme="https")
    abstract = forms.CharField(required=False)
    status = forms.ChoiceField(choices=[("", "")] + Talk.Status.choices, required=False)
    speakers = forms.CharField(required=False)
    tags = forms.CharField(required=False)

    NAME_LENGTHS = {"speakers": 200, "tags": 100}

    def clean_speakers(self):
        return self.names("speakers")

    def clean_tags(self):
        return self.names("tags")

    def names(self, name) -> list[str]:
        names = split_names(self.cleaned_data[name])
        limit = self.NAME_LENGTHS[name]
        too_long = [each for each in names if len(each) > limit]
        if too_long:
            raise forms.ValidationError(f"{too_long[0][:40]}… is longer than {limit} characters.")
        return names


def split_names(text: str) -> list[str]:
    """Names separated by ";", without blanks or repeats (ignoring case)."""
    names = {}
    for name in text.split(NAME_SEPARATOR):
        name = " ".join(name.split())
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


def build_row(where: str, values: dict, start, end, given) -> tuple[TalkRow | None, list[str]]:
    """Validate one talk's values; `start` and `end` are already datetimes (or None)."""
    # The status is checked in lower case, as files spell it either way.
    values = {**values, "status": values.get("status", "").strip().lower()}
    form = RowForm(values)
    errors = [
        f"{where}, {name}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]
    if start is not None and end is not None and end <= start:
        errors.append(f"{where}: the talk must end after it starts.")
    if errors or start is None or end is None:
        return None, errors
    row = TalkRow(where=where, start=start, end=end, given=frozenset(given), **form.cleaned_data)
    return row, []


def in_zone(moment: datetime.datetime, zone) -> datetime.datetime:
    """A naive (floating) time is in the series' zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


# CSV


def read_csv(text: str, zone) -> tuple[list[TalkRow], list[str]]:
    # strict: an unclosed quote is an error rather than a field running to the end.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return [], []
        columns, errors = read_header(header)
        if errors:
            return [], errors
        rows, records = [], 0
        next_line = reader.line_num + 1
        for cells in reader:
            # A record may span lines (a quoted abstract); it starts where the last one ended.
            where, next_line = f"line {next_line}", reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            records += 1
            if records > MAX_ROWS:
                return [], [
                    f"The file has more than {MAX_ROWS} talks; split it into smaller files."
                ]
            row, row_errors = read_csv_record(where, columns, cells, zone)
            errors += row_errors
            if row:
                rows.append(row)
    except csv.Error as error:
        return [], [f"line {reader.line_num}: the CSV cannot be read: {error}."]
    return rows, errors


def read_header(header: list[str]) -> tuple[list[str], list[str]]:
    columns = [name.strip().lower() for name in header]
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    errors = []
    if unknown:
        errors.append(
            f"line 1: unknown column(s) {', '.join(unknown)}; "
            f"the columns are {', '.join(CSV_COLUMNS)}."
        )
    if missing:
        errors.append(f"line 1: the column(s) {', '.join(missing)} are required.")
    if repeated:
        errors.append(f"line 1: the column(s) {', '.join(repeated)} appear more than once.")
    return columns, errors


def read_csv_record(where, columns, cells, zone) -> tuple[TalkRow | None, list[str]]:
    if len(cells) > len(columns):
        return None, [f"{where}: {len(cells)} values, but the header names {len(columns)} columns."]
    values = dict.fromkeys(columns, "")
    values.update(zip(columns, (unquote_formula(cell) for cell in cells), strict=False))
    errors = []
    start = end = None
    try:
        start = parse_moment(values["start"], zone)
    except ValueError as error:
        errors.append(f"{where}, start: {error}.")
    try:
        if values.get("end", "").strip():
            end = parse_moment(values["end"], zone)
        elif start:
            end = start + DEFAULT_LENGTH
    except ValueError as error:
        errors.append(f"{where}, end: {error}.")
    row, row_errors = build_row(where, values, start, end, given=columns)
    return row, errors + row_errors


def parse_moment(text: str, zone) -> datetime.datetime:
    text = text.strip()
    example = "a date and time such as 2030-07-01 16:00"
    if not text:
        raise ValueError(f"this field is required: {example}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"“{text}” has no time of day; give {example}")
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not {example}") from None
    return in_zone(moment, zone)


# What a spreadsheet would take for a formula gets a leading apostrophe on export
# (CSV injection); so does a text that itself starts with one, so that reading
# the file back removes exactly the apostrophe the export added.
QUOTED_STARTS = (*FORMULA_STARTS, "'")


def unquote_formula(cell: str) -> str:
    if cell[:1] == "'" and cell[1:2] and cell[1:2] in QUOTED_STARTS:
        return cell[1:]
    return cell


def quote_formula(cell: str) -> str:
    return "'" + cell if cell[:1] and cell[:1] in QUOTED_STARTS else cell


# iCalendar


def read_ics(text: str, zone) -> tuple[list[TalkRow], list[str]]:
    # On malformed input icalendar raises ValueError, but also AttributeError,
    # TypeError or OSError (a TZID naming a folder of zoneinfo): any exception
    # from it means the file is broken, and the organiser is told so.
    try:
        calendar = Calendar.from_ical(text)
        events = calendar.walk("VEVENT")
    except Exception as error:
        return [], [f"The file is not a valid iCalendar file: {error}"]
    if len(events) > MAX_ROWS:
        return [], [TOO_MANY_ROWS]
    rows, errors = [], []
    try:
        moved = moved_occurrences(events, zone)
    except Exception as error:
        return [], [f"A changed occurrence (RECURRENCE-ID) cannot be read: {error}"]
    for number, event in enumerate(events, start=1):
        where = f"event {number}"
        try:
            event_rows, event_errors = read_event(where, event, zone, moved)
        except Exception as error:
            event_rows, event_errors = [], [f"{where}: it cannot be read: {error}"]
        errors += event_errors
        rows += event_rows
        if len(rows) > MAX_ROWS:
            return [], [TOO_MANY_ROWS]
    return rows, errors


def read_event(where, event, zone, moved: dict) -> tuple[list[TalkRow], list[str]]:
    """The event's talk, or one talk per occurrence of a weekly or monthly RRULE."""
    broken = [f"{where}, {name}: {message}" for name, message in event.errors]
    if broken:
        return [], broken
    if "RDATE" in event:
        return [], [f"{where}: extra dates (RDATE) are not imported; list those talks as events."]
    try:
        start, end = event_times(event, zone)
        starts = occurrences(event, start, zone, moved) if "RRULE" in event else [start]
    except ValueError as error:
        return [], [f"{where}: {error}."]
    values = event_values(event)
    given = {"uid", "title", "start", "end", "venue", "online_url", "abstract", "tags"}
    if values["speakers"]:
        given.add("speakers")
    if values["status"]:
        given.add("status")
    if "RECURRENCE-ID" in event:
        values["uid"] = occurrence_uid(values["uid"], in_zone(event["RECURRENCE-ID"].dt, zone))
    if "RRULE" not in event:
        row, errors = build_row(where, values, start, end, given)
        return [row] if row else [], errors
    rows, errors = [], []
    for number, occurrence in enumerate(starts, start=1):
        row, row_errors = build_row(
            f"{where}, occurrence {number}",
            {**values, "uid": occurrence_uid(values["uid"], occurrence)},
            occurrence,
            occurrence + (end - start),
            given,
        )
        errors += row_errors
        if row:
            rows.append(row)
    return rows, errors


# Repeating events: weekly and monthly rules, expanded here into one talk each.
REPEATS = ("WEEKLY", "MONTHLY")


def occurrence_uid(uid: str, start: datetime.datetime) -> str:
    """One occurrence's UID: a re-import finds its talk again by it."""
    return f"{uid}#{start.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" if uid else ""


def moved_occurrences(events, zone) -> dict[str, set]:
    """By UID, the occurrences that an event of their own (RECURRENCE-ID) replaces."""
    moved = {}
    for event in events:
        if "RECURRENCE-ID" in event:
            moment = in_zone(event["RECURRENCE-ID"].dt, zone)
            moved.setdefault(str(event.get("UID", "")).strip(), set()).add(moment)
    return moved


def occurrences(event, start: datetime.datetime, zone, moved: dict) -> list[datetime.datetime]:
    """The starts of a repeating event, less its EXDATEs and the occurrences moved to
    events of their own; wall-clock times in the event's zone (so 16:00 stays
    16:00 across a clock change). At most MAX_ROWS + 1, for read_ics to refuse."""
    rule = event["RRULE"]
    frequency = (rule.get("FREQ") or [""])[0].upper()
    if frequency not in REPEATS:
        raise ValueError(
            f"only weekly and monthly repeats are imported, not {frequency.lower() or 'this one'}"
        )
    if "COUNT" not in rule and "UNTIL" not in rule:
        raise ValueError("a repeating event needs an end (COUNT or UNTIL)")
    try:
        expanded = rrule.rrulestr(rule.to_ical().decode(), dtstart=start)
    except (ValueError, TypeError) as error:
        raise ValueError(f"its repeat rule cannot be read: {error}") from None
    skipped = moved.get(str(event.get("UID", "")).strip(), set())
    skipped_days = set()
    exdates = event.get("EXDATE", [])
    for listed in exdates if isinstance(exdates, list) else [exdates]:
        for moment in (each.dt for each in listed.dts):
            if isinstance(moment, datetime.datetime):
                skipped.add(in_zone(moment, zone))
            else:
                skipped_days.add(moment)
    starts = []
    for moment in expanded:
        if moment in skipped or moment.date() in skipped_days:
            continue
        starts.append(moment)
        if len(starts) > MAX_ROWS:
            break
    return starts


def event_times(event, zone) -> tuple[datetime.datetime, datetime.datetime]:
    if "DTSTART" not in event:
        raise ValueError("it has no start (DTSTART)")
    start = event["DTSTART"].dt
    if not isinstance(start, datetime.datetime):
        raise ValueError("all-day events are not imported; give the talk a start time")
    start = in_zone(start, zone)
    if "DTEND" in event:
        end = event["DTEND"].dt
        if not isinstance(end, datetime.datetime):
            raise ValueError("its end (DTEND) has no time of day")
        return start, in_zone(end, zone)
    if "DURATION" in event:
        return start, start + event["DURATION"].dt
    return start, start + DEFAULT_LENGTH


def event_values(event) -> dict:
    status = "cancelled" if str(event.get("STATUS", "")).upper() == "CANCELLED" else ""
    title = str(event.get("SUMMARY", "")).strip()
    if status:
        # Calendars (this portal's too) mark cancelled talks in the title as well.
        title = re.sub(r"\A(cancell?ed)\s*:\s*", "", title, flags=re.IGNORECASE)
    location = str(event.get("LOCATION", "")).strip()
    is_link = location.lower().startswith(("https://", "http://"))
    description = str(event.get("DESCRIPTION", "")).strip()
    speakers_line = SPEAKERS_LINE.match(description)
    speakers = ""
    if speakers_line:
        speakers = speakers_line["names"].replace(",", NAME_SEPARATOR)
        description = description[speakers_line.end() :]
    return {
        "uid": str(event.get("UID", "")).strip(),
        "title": title,
        "venue": "" if is_link else location,
        "online_url": location if is_link else "",
        "abstract": description,
        "speakers": speakers,
        "tags": NAME_SEPARATOR.join(str(name) for name in event.categories),
        "status": status,
    }


# Matching rows to talks


@dataclass
class PlannedTalk:
    row: TalkRow
    talk: Talk | None  # the talk the row updates; None when it creates one
    changes: list[str] = field(default_factory=list)  # for an update: the fields it changes


@dataclass
class ImportPlan:
    series: Series
    talks: list[PlannedTalk]
    new_speakers: list[str]
    new_tags: list[str]

    @property
    def created(self) -> int:
        return sum(1 for planned in self.talks if planned.talk is None)

    @property
    def updated(self) -> int:
        return sum(1 for planned in self.talks if planned.talk is not None and planned.changes)

    @property
    def unchanged(self) -> int:
        return len(self.talks) - self.created - self.updated


class TalkMatcher:
    """Finds the series' talk a row is about (see the module docstring)."""

    def __init__(self, talks):
        self.by_import_uid = {talk.import_uid: talk for talk in talks if talk.import_uid}
        self.by_pk = {talk.pk: talk for talk in talks}
        self.by_title_start = {(talk.title, talk.start): talk for talk in talks}

    def match(self, row: TalkRow) -> Talk | None:
        if row.uid in self.by_import_uid:
            return self.by_import_uid[row.uid]
        own = OWN_UID.fullmatch(row.uid)
        if own and int(own[1]) in self.by_pk:
            return self.by_pk[int(own[1])]
        return self.by_title_start.get((row.title, row.start))


def plan_import(series: Series, rows: list[TalkRow]) -> ImportPlan:
    """What importing `rows` into `series` would do; ImportRejected if two rows are one talk."""
    talks = series.talks.prefetch_related(*talk_card_prefetches())
    matcher = TalkMatcher(list(talks))
    planned, errors, seen = [], [], {}
    for row in rows:
        talk = matcher.match(row)
        if talk is not None and "end" not in row.given:
            # A file without ends moves a talk and keeps its length.
            row = dataclasses.replace(
                row, end=row.start + (talk.end - talk.start), given=row.given | {"end"}
            )
        for key in identity_keys(row, talk):
            if key in seen:
                errors.append(f"{row.where}: the same talk as {seen[key]}.")
                break
            seen[key] = row.where
        planned.append(PlannedTalk(row, talk, changed_fields(talk, row) if talk else []))
    if errors:
        raise ImportRejected(errors)
    return ImportPlan(
        series,
        planned,
        new_speakers=unknown_names(Speaker, [name for row in rows for name in row.speakers]),
        new_tags=unknown_names(Tag, [name for row in rows for name in row.tags]),
    )


def identity_keys(row: TalkRow, talk: Talk | None) -> list[tuple]:
    if talk is not None:
        return [("talk", talk.pk)]
    keys = [("title-start", row.title, row.start)]
    if row.uid:
        keys.append(("uid", row.uid))
    return keys


def changed_fields(talk: Talk, row: TalkRow) -> list[str]:
    """The fields the row would change, in the file's terms."""
    changes = [
        name
        for name in TALK_FIELDS
        if name in row.given and getattr(talk, name) != getattr(row, name)
    ]
    # Speakers in order (the file's order is the talk's); tags as a set.
    speakers = [speaker.name for speaker in talk.speakers.all()]
    if "speakers" in row.given and speakers != row.speakers:
        changes.append("speakers")
    tags = sorted(tag.name for tag in talk.tags.all())
    if "tags" in row.given and tags != sorted(row.tags):
        changes.append("tags")
    if row.status and row.status != talk.status:
        changes.append("status")
    if row.uid and not OWN_UID.fullmatch(row.uid) and row.uid != talk.import_uid:
        changes.append("uid")
    return changes


def known_by_name(model, names: list[str]) -> dict:
    """The existing speakers or tags with these names (ignoring case), by lower-cased name."""
    lowered = {name.lower() for name in names}
    if not lowered:
        return {}
    # Both lookups: SQLite lower-cases ASCII only, so exact names are asked for too.
    found = model.objects.annotate(lower_name=Lower("name")).filter(
        Q(lower_name__in=lowered) | Q(name__in=names)
    )
    known = {}
    for obj in found.order_by("pk"):
        known.setdefault(obj.name.lower(), obj)
    return known


def unknown_names(model, names: list[str], known: dict | None = None) -> list[str]:
    """The names no speaker (or tag) has yet, each once."""
    if known is None:
        known = known_by_name(model, names)
    return list({name.lower(): name for name in names if name.lower() not in known}.values())


# Saving


def unique_slug(model, base: str) -> str:
    """`base`, or `base-2`, `base-3`…: the first slug no row of `model` has yet."""
    max_length = model._meta.get_field("slug").max_length
    # Room for a suffix; a title with no ASCII letters leaves the model's name.
    base = base[: max_length - 6].strip("-") or model._meta.model_name
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    suffix = 1
    while (slug := base if suffix == 1 else f"{base}-{suffix}") in taken:
        suffix += 1
    return slug


def names_to_objects(model, names: list[str]) -> dict:
    """Speakers or tags for these names, by lower-cased name, creating the missing ones."""
    known = known_by_name(model, names)
    for name in unknown_names(model, names, known):
        known[name.lower()] = model.objects.create(
            name=name, slug=unique_slug(model, slugify(name))
        )
    return known


@transaction.atomic
def apply_import(plan: ImportPlan) -> ImportPlan:
    """Create and update the planned talks, all or nothing."""
    speakers = names_to_objects(Speaker, [name for p in plan.talks for name in p.row.speakers])
    tags = names_to_objects(Tag, [name for p in plan.talks for name in p.row.tags])
    saved = []
    for planned in plan.talks:
        if planned.talk is not None and not planned.changes:
            continue
        talk = save_talk(plan.series, planned)
        saved.append((talk, planned.row))
    set_relations(Talk.speakers.through, "speaker", saved, "speakers", speakers)
    set_relations(Talk.tags.through, "tag", saved, "tags", tags)
    refresh_search_names([talk.pk for talk, _ in saved])
    # The links were written without signals: outdate the cached pages that show them.
    site_changed()
    return plan


def save_talk(series: Series, planned: PlannedTalk) -> Talk:
    row = planned.row
    talk = planned.talk
    if talk is None:
        talk = Talk(
            series=series, slug=unique_slug(Talk, slugify(row.title))
        )  # a draft unless the row says otherwise
        fields = TALK_FIELDS
    else:
        fields = [name for name in planned.changes if name in TALK_FIELDS]
    for name in fields:
        setattr(talk, name, getattr(row, name))
    if row.status:
        talk.status = row.status
    if row.uid and not OWN_UID.fullmatch(row.uid):
        talk.import_uid = row.uid
    # save() renders the abstract and raises the calendar SEQUENCE of changed talks.
    talk.save()
    return talk


def set_relations(through, target: str, saved, attribute: str, objects: dict) -> None:
    """Give each saved talk the speakers (or tags) its row names, in two queries.

    The links are rewritten directly rather than through `talk.speakers.set()`,
    which would refresh the search copy once per talk; apply_import refreshes
    it once for all of them. Speakers keep the file's order (TalkSpeaker.position);
    tags have none.
    """
    rewritten = [talk for talk, row in saved if attribute in row.given]
    through.objects.filter(talk__in=rewritten).delete()
    ordered = any(field.name == "position" for field in through._meta.get_fields())
    through.objects.bulk_create(
        through(
            talk=talk,
            **{target: objects[name.lower()]},
            **({"position": position} if ordered else {}),
        )
        for talk, row in saved
        if attribute in row.given
        for position, name in enumerate(getattr(row, attribute))
    )
