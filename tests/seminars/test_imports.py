"""Importing talks from CSV and iCalendar files, exporting them, and the talk actions.

Import is upload, preview, confirm; these tests go through the admin pages as an
organiser would. What another series' organiser may not do is in test_admin_scoping.
"""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from icalendar import Calendar

from seminars import imports
from seminars.models import Speaker, Tag, Talk
from tests.factories import (
    OrganisedSeriesFactory,
    OrganiserFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
IMPORT_URL = "admin:seminars_talk_import"
CSV_HEADER = "title,start,end,speakers,tags,venue,online_url,abstract,status\n"


@pytest.fixture
def organiser():
    return OrganiserFactory()


@pytest.fixture
def series(organiser):
    return OrganisedSeriesFactory(organisers=[organiser], timezone="Europe/London")


@pytest.fixture
def admin_client(client, organiser):
    client.force_login(organiser)
    return client


def upload(client, series, content, name="talks.csv"):
    """Step one: the preview (or the errors)."""
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse(IMPORT_URL), {"series": series.pk, "file": SimpleUploadedFile(name, data)}
    )


def confirm(client, preview):
    return client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})


def import_file(client, series, content, name="talks.csv"):
    preview = upload(client, series, content, name)
    assert preview.status_code == 200
    assert "plan" in preview.context, preview.context.get("errors")
    response = confirm(client, preview)
    assert response.status_code == 302
    return preview.context["plan"]


def errors_of(response) -> list[str]:
    assert response.status_code == 200
    return response.context["errors"]


def csv_text(*rows, header=CSV_HEADER):
    return header + "".join(row + "\n" for row in rows)


# CSV


def test_a_csv_file_is_previewed_and_saves_nothing_until_confirmed(admin_client, series):
    content = csv_text(
        "Knots,2030-07-01 16:00,2030-07-01 17:30,Ada Lovelace; Emmy Noether,Topology,Room 1,,"
        "About $x$,published",
        "Braids,2030-07-08 16:00,,,,,meet.example.org/braids,,",
    )

    preview = upload(admin_client, series, content)

    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert (plan.created, plan.updated, plan.unchanged) == (2, 0, 0)
    assert plan.new_speakers == ["Ada Lovelace", "Emmy Noether"]
    assert plan.new_tags == ["Topology"]
    page = preview.content.decode()
    assert "Knots" in page
    assert "2030-07-01 16:00" in page  # in the series' zone, as typed
    assert not Talk.objects.exists()
    assert not Speaker.objects.exists()


def test_confirming_creates_the_talks_in_the_series_zone(admin_client, series):
    content = csv_text(
        "Knots,2030-07-01 16:00,2030-07-01 17:30,Ada Lovelace; Emmy Noether,Topology,Room 1,,"
        "About $x$,published",
        "Braids,2030-07-08 16:00,,,,,meet.example.org/braids,,",
    )

    response = confirm(admin_client, upload(admin_client, series, content))

    assert response.status_code == 302
    knots = Talk.objects.get(title="Knots")
    assert knots.series == series
    assert knots.start == datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON)
    assert knots.end == datetime.datetime(2030, 7, 1, 17, 30, tzinfo=LONDON)
    assert sorted(s.name for s in knots.speakers.all()) == ["Ada Lovelace", "Emmy Noether"]
    assert [t.name for t in knots.tags.all()] == ["Topology"]
    assert (knots.venue, knots.status, knots.slug) == ("Room 1", "published", "knots")
    assert "<" in knots.abstract_html  # rendered on save like any talk
    assert "Ada Lovelace" in knots.search_names  # found by search under its speakers
    braids = Talk.objects.get(title="Braids")
    assert braids.end - braids.start == datetime.timedelta(hours=1)
    assert braids.status == Talk.Status.DRAFT
    assert braids.online_url == "https://meet.example.org/braids"


def test_known_speakers_and_tags_are_reused_whatever_their_case(admin_client, series):
    speaker = SpeakerFactory(name="Ada Lovelace")
    tag = TagFactory(name="Topology")
    content = csv_text("Knots,2030-07-01 16:00,,ada lovelace,TOPOLOGY,,,,")

    preview = upload(admin_client, series, content)
    assert preview.context["plan"].new_speakers == []
    confirm(admin_client, preview)

    talk = Talk.objects.get()
    assert list(talk.speakers.all()) == [speaker]
    assert list(talk.tags.all()) == [tag]
    assert (Speaker.objects.count(), Tag.objects.count()) == (1, 1)


def test_new_talks_get_unique_slugs(admin_client, series):
    TalkFactory(slug="knots")
    content = csv_text("Knots,2030-07-01 16:00,,,,,,,", "Knots,2030-07-08 16:00,,,,,,,")

    import_file(admin_client, series, content)

    slugs = set(Talk.objects.filter(series=series).values_list("slug", flat=True))
    assert slugs == {"knots-2", "knots-3"}


def test_times_with_an_offset_are_taken_as_written(admin_client, series):
    import_file(admin_client, series, csv_text("Knots,2030-07-01 16:00+09:00,,,,,,,"))
    assert Talk.objects.get().start == datetime.datetime(2030, 7, 1, 16, 0, tzinfo=TOKYO)


def test_reimporting_the_same_file_changes_nothing(admin_client, series):
    content = csv_text("Knots,2030-07-01 16:00,,Ada,Topology,Room 1,,,published")
    import_file(admin_client, series, content)
    talk = Talk.objects.get()

    plan = import_file(admin_client, series, content)

    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 1)
    assert Talk.objects.get().updated == talk.updated


def test_reimporting_an_edited_file_updates_the_talk_matched_by_title_and_start(
    admin_client, series
):
    import_file(admin_client, series, csv_text("Knots,2030-07-01 16:00,,Ada,Topology,Room 1,,,"))
    talk = Talk.objects.get()
    talk.status = Talk.Status.PUBLISHED
    talk.save()

    plan = import_file(
        admin_client, series, csv_text("Knots,2030-07-01 16:00,,Ada; Bo,Topology,Room 2,,,")
    )

    assert (plan.created, plan.updated) == (0, 1)
    assert plan.talks[0].changes == ["venue", "speakers"]
    talk.refresh_from_db()
    assert talk.venue == "Room 2"
    assert sorted(s.name for s in talk.speakers.all()) == ["Ada", "Bo"]
    assert talk.status == Talk.Status.PUBLISHED  # an empty status keeps the talk's
    assert talk.sequence == 2  # published, then moved: calendars see both


def test_a_uid_matches_even_when_the_title_and_time_changed(admin_client, series):
    header = "uid,title,start\n"
    import_file(
        admin_client, series, csv_text("ev-1@example.org,Knots,2030-07-01 16:00", header=header)
    )

    plan = import_file(
        admin_client,
        series,
        csv_text("ev-1@example.org,Knots and braids,2030-07-02 10:00", header=header),
    )

    assert plan.updated == 1
    talk = Talk.objects.get()
    assert (talk.title, talk.import_uid) == ("Knots and braids", "ev-1@example.org")
    assert talk.start == datetime.datetime(2030, 7, 2, 10, 0, tzinfo=LONDON)


def test_a_talk_moved_by_a_file_without_ends_keeps_its_length(admin_client, series):
    start = datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON)
    TalkFactory(
        series=series,
        import_uid="ev-1",
        start=start,
        end=start + datetime.timedelta(minutes=90),
    )

    import_file(admin_client, series, "uid,title,start\nev-1,Knots,2030-07-08 16:00\n")

    talk = Talk.objects.get()
    assert talk.start == start + datetime.timedelta(weeks=1)
    assert talk.end - talk.start == datetime.timedelta(minutes=90)


def test_columns_left_out_leave_an_updated_talk_as_it_is(admin_client, series):
    talk = TalkFactory(
        series=series,
        title="Knots",
        start=datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON),
        venue="Room 1",
        speakers=[SpeakerFactory(name="Ada")],
    )

    plan = import_file(admin_client, series, "title,start,abstract\nKnots,2030-07-01 16:00,New\n")

    assert plan.talks[0].talk == talk
    talk.refresh_from_db()
    assert (talk.abstract, talk.venue) == ("New", "Room 1")
    assert [s.name for s in talk.speakers.all()] == ["Ada"]


def test_talks_of_other_series_are_never_matched(admin_client, series):
    other = TalkFactory(title="Knots", start=datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON))

    plan = import_file(admin_client, series, "title,start\nKnots,2030-07-01 16:00\n")

    assert plan.created == 1
    assert Talk.objects.filter(title="Knots").count() == 2
    other.refresh_from_db()
    assert other.series != series


# Bad files


def test_bad_rows_are_reported_with_their_line_numbers_and_nothing_is_saved(admin_client, series):
    content = (
        CSV_HEADER
        + "Good,2030-07-01 16:00,,,,,,,\n"
        # A quoted abstract over three lines: the next record starts on line 6.
        + 'Also good,2030-07-02 16:00,,,,,,"one\ntwo\nthree",\n'
        + ",2030-07-03 16:00,,,,,,,\n"
        + "Bad time,next Tuesday,,,,,,,\n"
        + "Backwards,2030-07-04 16:00,2030-07-04 15:00,,,,,,\n"
        + "Bad status,2030-07-05 16:00,,,,,,,postponed\n"
    )

    response = upload(admin_client, series, content)

    errors = errors_of(response)
    assert errors[0].startswith("line 6, title:")
    assert errors[1].startswith("line 7, start:")
    assert errors[2] == "line 8: the talk must end after it starts."
    assert errors[3].startswith("line 9, status:")
    assert len(errors) == 4
    assert "Nothing was imported" in response.content.decode()
    assert not Talk.objects.exists()
    assert "token" not in response.context


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,when\nKnots,2030-07-01 16:00\n", "unknown column(s) name, when"),
        ("title,venue\nKnots,Room 1\n", "the column(s) start are required"),
        ("title,start,title\nKnots,2030-07-01 16:00,K\n", "title appear more than once"),
        ("title,start\n", "The file holds no talks."),
        ("title,start\nKnots,2030-07-01\n", "has no time of day"),
        ("title,start\nKnots,0999-07-01 10:00\n", "the year must be between"),
        ("title,start\nKnots,2030-07-01 16:00,extra\n", "3 values, but the header names 2"),
        ("title,start\nKnots,2030-07-01 16:00\nKnots,2030-07-01 16:00\n", "same talk as line 2"),
        ('title,start\n"Knots,2030-07-01 16:00\n', "cannot be read"),
    ],
)
def test_malformed_csv_files_get_a_clear_message(admin_client, series, content, message):
    errors = errors_of(upload(admin_client, series, content))
    assert any(message in error for error in errors), errors
    assert not Talk.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("talks.xlsx", b"title,start\n", "Upload a .csv or an .ics file."),
        ("talks.csv", b"", "The submitted file is empty."),
        ("talks.csv", "title,start\nCaf\u00e9,2030-07-01 16:00\n".encode("latin-1"), "not UTF-8"),
        ("talks.csv", b"title,start\nA\x00,2030-07-01 16:00\n", "NUL characters"),
    ],
)
def test_unreadable_uploads_get_a_clear_message(admin_client, series, name, data, message):
    response = upload(admin_client, series, data, name=name)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert not Talk.objects.exists()


def test_files_over_the_size_limit_are_refused(admin_client, series):
    data = CSV_HEADER.encode() + b"x" * imports.MAX_BYTES
    response = upload(admin_client, series, data)
    assert "the limit is 2 MB" in str(response.context["form"].errors["file"])


def test_files_over_the_row_limit_are_refused(admin_client, series):
    rows = [f"Talk {n},2030-07-01 16:00" for n in range(imports.MAX_ROWS + 1)]
    errors = errors_of(upload(admin_client, series, csv_text(*rows, header="title,start\n")))
    assert errors == [imports.TOO_MANY_ROWS]


def test_a_byte_order_mark_from_a_spreadsheet_is_ignored(admin_client, series):
    import_file(admin_client, series, "\ufefftitle,start\nKnots,2030-07-01 16:00\n".encode())
    assert Talk.objects.get().title == "Knots"


def test_saving_is_one_transaction(series):
    """A failure while saving (here the database's own check) leaves nothing behind."""
    start = datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON)
    good = imports.TalkRow("line 2", "Good", start, start + datetime.timedelta(hours=1))
    good.speakers = ["New speaker"]
    good.given = frozenset({"speakers"})
    # Past the validation, which would have refused it: ends before it starts.
    bad = imports.TalkRow("line 3", "Bad", start, start - datetime.timedelta(hours=1))
    plan = imports.ImportPlan(
        series, [imports.PlannedTalk(good, None), imports.PlannedTalk(bad, None)], [], []
    )

    with pytest.raises(IntegrityError):
        imports.apply_import(plan)

    assert not Talk.objects.exists()
    assert not Speaker.objects.exists()


# The preview and the confirmation


def test_a_preview_is_confirmed_once(admin_client, series):
    preview = upload(admin_client, series, "title,start\nKnots,2030-07-01 16:00\n")
    confirm(admin_client, preview)

    again = admin_client.post(reverse(IMPORT_URL), {"token": preview.context["token"]}, follow=True)

    assert Talk.objects.count() == 1
    assert "has expired" in again.content.decode()


def test_a_forged_token_imports_nothing(admin_client, series):
    upload(admin_client, series, "title,start\nKnots,2030-07-01 16:00\n")
    response = admin_client.post(reverse(IMPORT_URL), {"token": "not-the-token"})
    assert response.status_code == 302
    assert not Talk.objects.exists()


def test_the_confirmation_checks_the_file_again(admin_client, series):
    """Talks that changed after the preview are matched as they are at confirmation."""
    preview = upload(admin_client, series, "title,start\nKnots,2030-07-01 16:00\n")
    TalkFactory(
        series=series, title="Knots", start=datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON)
    )

    confirm(admin_client, preview)

    assert Talk.objects.count() == 1


def test_the_import_page_explains_the_columns(admin_client, series):
    response = admin_client.get(reverse(IMPORT_URL), {"series": series.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"]["series"].value() == str(series.pk)
    for column in imports.CSV_COLUMNS:
        assert column in page


# iCalendar


def ics(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Elsewhere//EN\r\n{body}END:VCALENDAR\r\n"


def event(*lines: str) -> str:
    return "\r\n".join(lines)


def test_an_ics_calendar_is_imported(admin_client, series):
    content = ics(
        event(
            "UID:abc@elsewhere.example",
            "SUMMARY:Random matrices",
            "DTSTART;TZID=Asia/Tokyo:20300701T170000",
            "DURATION:PT90M",
            "LOCATION:https://meet.example.org/rm",
            "DESCRIPTION:Speakers: Ada Lovelace, Emmy Noether\\n\\nWe count eigenvalues.",
            "CATEGORIES:Probability,Algebra",
        ),
        event(
            "UID:def@elsewhere.example",
            "SUMMARY:Cancelled: Fluids",
            "STATUS:CANCELLED",
            "DTSTART:20300708T150000",  # floating: the series' zone
            "DTEND:20300708T160000",
            "LOCATION:Room 2",
        ),
    )

    import_file(admin_client, series, content, name="elsewhere.ics")

    matrices = Talk.objects.get(import_uid="abc@elsewhere.example")
    assert matrices.title == "Random matrices"
    assert matrices.start == datetime.datetime(2030, 7, 1, 17, 0, tzinfo=TOKYO)
    assert matrices.end - matrices.start == datetime.timedelta(minutes=90)
    assert (matrices.online_url, matrices.venue) == ("https://meet.example.org/rm", "")
    assert matrices.abstract == "We count eigenvalues."
    assert sorted(s.name for s in matrices.speakers.all()) == ["Ada Lovelace", "Emmy Noether"]
    assert sorted(t.name for t in matrices.tags.all()) == ["Algebra", "Probability"]
    assert matrices.status == Talk.Status.DRAFT
    fluids = Talk.objects.get(import_uid="def@elsewhere.example")
    assert (fluids.title, fluids.status, fluids.venue) == ("Fluids", "cancelled", "Room 2")
    assert fluids.start == datetime.datetime(2030, 7, 8, 15, 0, tzinfo=LONDON)


def test_reimporting_a_calendar_updates_by_uid(admin_client, series):
    first = event("UID:abc", "SUMMARY:Old title", "DTSTART:20300701T150000Z")
    import_file(admin_client, series, ics(first), name="c.ics")
    moved = event("UID:abc", "SUMMARY:New title", "DTSTART:20300702T150000Z")

    plan = import_file(admin_client, series, ics(moved), name="c.ics")

    assert (plan.created, plan.updated) == (0, 1)
    talk = Talk.objects.get()
    assert talk.title == "New title"
    assert talk.start == datetime.datetime(2030, 7, 2, 15, 0, tzinfo=datetime.UTC)


def test_bad_events_are_reported_by_their_position(admin_client, series):
    content = ics(
        event("UID:1", "SUMMARY:Fine", "DTSTART:20300701T150000Z"),
        event("UID:2", "SUMMARY:All day", "DTSTART;VALUE=DATE:20300702"),
        event("UID:3", "SUMMARY:Weekly", "DTSTART:20300703T150000Z", "RRULE:FREQ=WEEKLY"),
        event("UID:4", "SUMMARY:Broken", "DTSTART:2030-07-04"),
        event("UID:5", "DTSTART:20300705T150000Z"),
        event("UID:6", "SUMMARY:No start"),
    )

    errors = errors_of(upload(admin_client, series, content, name="c.ics"))

    assert errors[0].startswith("event 2: all-day events")
    assert errors[1] == "event 3: a repeating event needs an end (COUNT or UNTIL)."
    assert errors[2].startswith("event 4, DTSTART:")
    assert errors[3].startswith("event 5, title:")
    assert errors[4] == "event 6: it has no start (DTSTART)."
    assert len(errors) == 5
    assert not Talk.objects.exists()


@pytest.mark.parametrize(
    "content", ["not a calendar", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "BEGIN:VEVENT\r\n"]
)
def test_a_file_that_is_no_calendar_gets_a_clear_message(admin_client, series, content):
    errors = errors_of(upload(admin_client, series, content, name="c.ics"))
    assert len(errors) == 1
    assert not Talk.objects.exists()


# Export, and back


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def export_url(kind, series):
    return reverse(f"admin:seminars_series_export_{kind}", args=[series.pk])


def test_the_csv_export_lists_every_talk_in_the_importers_columns(admin_client, series):
    TalkFactory(
        series=series,
        title="=HYPERLINK(evil)",
        start=datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON),
        speakers=[SpeakerFactory(name="Bo"), SpeakerFactory(name="Ada")],
        status=Talk.Status.DRAFT,
    )
    TalkFactory()  # another series'

    response = admin_client.get(export_url("csv", series))

    (row,) = csv_rows(response)
    assert list(row) == list(imports.CSV_COLUMNS)
    assert row["start"] == "2030-07-01 16:00+01:00"
    assert row["speakers"] == "Bo; Ada"
    assert row["status"] == "draft"
    # A spreadsheet would run it as a formula; the quote makes it text.
    assert row["title"] == "'=HYPERLINK(evil)"
    assert f'filename="{series.slug}-talks.csv"' in response["Content-Disposition"]


def test_a_csv_export_imports_into_another_series_and_back_unchanged(admin_client, series):
    original = TalkFactory(
        series=series,
        title="-adic numbers",
        start=datetime.datetime(2030, 11, 3, 9, 15, tzinfo=LONDON),
        end=datetime.datetime(2030, 11, 3, 10, 0, tzinfo=LONDON),
        speakers=[SpeakerFactory(name="Kurt Hensel")],
        tags=[TagFactory(name="Number theory")],
        venue='Room 3, the "old" building',
        online_url="https://meet.example.org/p",
        abstract="Line one,\nline two; $\\mathbb{Q}_p$.",
        status=Talk.Status.CANCELLED,
    )
    exported = admin_client.get(export_url("csv", series)).content
    copy_series = OrganisedSeriesFactory(organisers=[series.organisers.get()])

    unchanged = import_file(admin_client, series, exported)
    copied = import_file(admin_client, copy_series, exported)

    assert (unchanged.created, unchanged.updated, unchanged.unchanged) == (0, 0, 1)
    assert copied.created == 1
    copy = Talk.objects.get(series=copy_series)
    for name in ("title", "start", "end", "venue", "online_url", "abstract", "status"):
        assert getattr(copy, name) == getattr(original, name)
    assert list(copy.speakers.all()) == list(original.speakers.all())
    assert list(copy.tags.all()) == list(original.tags.all())
    # The copy remembers where it came from, so importing the file again updates it.
    again = import_file(admin_client, copy_series, exported)
    assert (again.created, again.unchanged) == (0, 1)


# Texts a CSV round trip must keep exactly: ordinary ones, formula starts, and texts
# that themselves start with the apostrophe an export adds.
ROUND_TRIP_TEXTS = [
    "Knots and three-manifolds",
    "=SUM(A1:A9)",
    "+1 for topology",
    "-adic numbers",
    "@mentions",
    "'=not a formula",
    "'+quoted",
    "''double",
    "'plain apostrophe",
    "'",
    'Quotes "inside", commas, and; semicolons',
    "Ünïcödé ∞ — $x^2$",
]


@pytest.mark.parametrize("text", ROUND_TRIP_TEXTS)
def test_a_csv_export_read_back_keeps_every_field_exactly(admin_client, series, text):
    original = TalkFactory(
        series=series,
        title=text,
        venue=text,
        abstract=f"{text}\nsecond line",
        # Seconds and microseconds, which a typed time never has but an import may.
        start=datetime.datetime(2030, 3, 29, 23, 59, 30, 250000, tzinfo=LONDON),
        end=datetime.datetime(2030, 3, 30, 1, 0, 5, tzinfo=LONDON),
    )
    exported = admin_client.get(export_url("csv", series)).content
    copy_series = OrganisedSeriesFactory(organisers=[series.organisers.get()])

    import_file(admin_client, copy_series, exported)

    copy = Talk.objects.get(series=copy_series)
    for name in ("title", "venue", "abstract", "start", "end"):
        assert getattr(copy, name) == getattr(original, name), name


def test_the_ics_export_holds_the_series_public_talks(admin_client, series, settings):
    published = TalkFactory(series=series, status=Talk.Status.PUBLISHED)
    TalkFactory(series=series, status=Talk.Status.DRAFT)
    TalkFactory(status=Talk.Status.PUBLISHED)  # another series'
    # Long past: a subscription feed drops it, an export keeps it.
    old = TalkFactory(
        series=series, start=datetime.datetime(2001, 1, 1, 12, 0, tzinfo=datetime.UTC)
    )

    response = admin_client.get(export_url("ics", series))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="{series.slug}-talks.ics"' in response["Content-Disposition"]
    uids = {str(e["uid"]) for e in Calendar.from_ical(response.content).events}
    domain = settings.CALENDAR_UID_DOMAIN
    assert uids == {f"talk-{published.pk}@{domain}", f"talk-{old.pk}@{domain}"}


def test_an_ics_export_reimported_matches_the_talks_it_came_from(admin_client, series):
    TalkFactory(series=series, title="Knots", status=Talk.Status.PUBLISHED)
    exported = admin_client.get(export_url("ics", series)).content

    plan = import_file(admin_client, series, exported, name="series.ics")

    assert plan.created == 0
    assert Talk.objects.count() == 1


# Talk actions: duplicate and publish


def run_talk_action(client, action, talks):
    return client.post(
        reverse("admin:seminars_talk_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [talk.pk for talk in talks]},
    )


def test_duplicate_copies_talks_one_week_later_as_drafts(admin_client, series):
    speakers, tags = [SpeakerFactory()], [TagFactory(), TagFactory()]
    weekly = TalkFactory(
        series=series,
        slug="colloquium-2030-07-01",
        start=datetime.datetime(2030, 7, 1, 16, 0, tzinfo=LONDON),
        speakers=speakers,
        tags=tags,
        venue="Room 1",
        recording_url="https://video.example.org/1",
    )

    response = run_talk_action(admin_client, "duplicate_talks", [weekly])

    assert response.status_code == 302
    copy = Talk.objects.exclude(pk=weekly.pk).get()
    assert copy.slug == "colloquium-2030-07-08"
    assert (copy.series, copy.venue) == (series, "Room 1")
    # Named for its date, so the list tells the copies apart.
    assert copy.title == f"{weekly.title} (8 Jul 2030)"
    assert copy.start == datetime.datetime(2030, 7, 8, 16, 0, tzinfo=LONDON)
    assert copy.end - copy.start == weekly.end - weekly.start
    assert copy.status == Talk.Status.DRAFT
    assert copy.recording_url == ""  # belongs to the talk that was given
    assert list(copy.speakers.all()) == speakers
    assert set(copy.tags.all()) == set(tags)


def test_duplicating_twice_makes_one_copy_and_says_why_not_another(admin_client, series):
    talk = TalkFactory(series=series, slug="colloquium", title="Colloquium")
    run_talk_action(admin_client, "duplicate_talks", [talk])

    response = run_talk_action(admin_client, "duplicate_talks", [talk])

    assert Talk.objects.count() == 2
    shown = [str(message) for message in response.wsgi_request._messages]
    assert any("Not copied" in message and "Colloquium" in message for message in shown)


def test_a_copy_of_a_copy_has_one_date_and_keeps_the_wall_clock_across_a_clock_change(
    admin_client, series
):
    # 16:00 GMT on Monday 20 March 2028; the clocks go forward on the 26th.
    talk = TalkFactory(
        series=series,
        title="Colloquium (13 Mar 2028)",
        slug="colloquium-2028-03-13",
        start=datetime.datetime(2028, 3, 20, 16, 0, tzinfo=LONDON),
    )

    run_talk_action(admin_client, "duplicate_talks", [talk])

    copy = Talk.objects.exclude(pk=talk.pk).get()
    assert copy.title == "Colloquium (27 Mar 2028)"
    assert copy.slug == "colloquium-2028-03-27"
    assert copy.start.astimezone(LONDON).hour == 16
    assert copy.start.astimezone(LONDON).tzname() == "BST"
    assert copy.end - copy.start == talk.end - talk.start


def test_publish_publishes_drafts_and_tells_calendars(admin_client, series):
    draft = TalkFactory(series=series, status=Talk.Status.DRAFT)
    cancelled = TalkFactory(series=series, status=Talk.Status.CANCELLED)

    run_talk_action(admin_client, "publish_talks", [draft, cancelled])

    draft.refresh_from_db()
    cancelled.refresh_from_db()
    assert (draft.status, draft.sequence) == (Talk.Status.PUBLISHED, 1)
    assert cancelled.status == Talk.Status.CANCELLED


# Repeating events


def london_starts():
    return [talk.start.astimezone(LONDON) for talk in Talk.objects.order_by("start")]


def test_a_weekly_rule_makes_a_talk_per_occurrence_at_the_same_wall_clock(admin_client, series):
    content = ics(
        event(
            "UID:weekly@elsewhere.example",
            "SUMMARY:Colloquium",
            # Tuesdays at 16:00 in London; the clocks go forward on 28 March 2027.
            "DTSTART;TZID=Europe/London:20270316T160000",
            "DTEND;TZID=Europe/London:20270316T170000",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXDATE;TZID=Europe/London:20270323T160000",
        )
    )

    plan = import_file(admin_client, series, content, name="c.ics")

    assert plan.created == 3
    starts = london_starts()
    assert [start.date() for start in starts] == [
        datetime.date(2027, 3, 16),
        datetime.date(2027, 3, 30),
        datetime.date(2027, 4, 6),
    ]
    assert {(start.hour, start.tzname()) for start in starts[1:]} == {(16, "BST")}
    assert starts[0].tzname() == "GMT" and starts[0].hour == 16
    assert all(talk.end - talk.start == datetime.timedelta(hours=1) for talk in Talk.objects.all())
    assert Talk.objects.values("import_uid").distinct().count() == 3

    again = import_file(admin_client, series, content, name="c.ics")

    assert (again.created, again.updated) == (0, 0)
    assert Talk.objects.count() == 3


def test_a_monthly_rule_on_the_second_tuesday_until_a_date(admin_client, series):
    content = ics(
        event(
            "UID:monthly",
            "SUMMARY:Number theory day",
            "DTSTART;TZID=Europe/London:20270112T140000",
            "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270430T230000Z",
        )
    )

    import_file(admin_client, series, content, name="c.ics")

    # March 2027 has five Tuesdays; its second is the 9th.
    assert [start.date() for start in london_starts()] == [
        datetime.date(2027, 1, 12),
        datetime.date(2027, 2, 9),
        datetime.date(2027, 3, 9),
        datetime.date(2027, 4, 13),
    ]


def test_an_occurrence_moved_to_an_event_of_its_own_is_imported_once(admin_client, series):
    content = ics(
        event(
            "UID:weekly",
            "SUMMARY:Colloquium",
            "DTSTART:20300702T150000Z",
            "RRULE:FREQ=WEEKLY;COUNT=3",
        ),
        event(
            "UID:weekly",
            "RECURRENCE-ID:20300709T150000Z",
            "SUMMARY:Colloquium (moved to Wednesday)",
            "DTSTART:20300710T150000Z",
        ),
    )

    import_file(admin_client, series, content, name="c.ics")

    titles = list(Talk.objects.order_by("start").values_list("title", flat=True))
    assert titles == ["Colloquium", "Colloquium (moved to Wednesday)", "Colloquium"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("RRULE:FREQ=DAILY;COUNT=3", "event 1: only weekly and monthly repeats are imported"),
        ("RRULE:FREQ=WEEKLY", "event 1: a repeating event needs an end (COUNT or UNTIL)."),
        ("RRULE:FREQ=WEEKLY;COUNT=2001", imports.TOO_MANY_ROWS),
    ],
)
def test_other_repeats_and_too_many_occurrences_are_refused(admin_client, series, rule, message):
    content = ics(event("UID:r", "SUMMARY:Repeats", "DTSTART:20300702T150000Z", rule))

    errors = errors_of(upload(admin_client, series, content, name="c.ics"))

    assert errors[0].startswith(message)
    assert not Talk.objects.exists()
