"""`manage.py dumpdata` and `loaddata` carry a populated site over whole.

The restore goes into the suite's own database (PostgreSQL or SQLite): it is
emptied with `flush`, which leaves the tables as a fresh `migrate` would, less
the rows that migrations add (those come back from the dump). The site is
compared row by row through the ORM, not through dumpdata's own output, so a
field that the dump dropped would show.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from seminars.models import Comment, Talk
from tests.factories import (
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)

# loaddata and flush manage their own transactions. serialized_rollback puts back
# what migrations made (the Organisers group), which an earlier flush removed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The backup command README gives: content types and permissions are made by
# migrate, and are referred to by natural keys (app label and model name).
DUMP_OPTIONS = {
    "natural_foreign": True,
    "exclude": ["contenttypes", "auth.permission"],
}
# Made by migrate, so not in the dump; rows that point to them are compared by natural key.
MADE_BY_MIGRATE = (ContentType, Permission)


def populate_site():
    """Series with organisers, talks with speakers and tags, a thread with replies,
    a held comment, a removed one, and one whose author deleted their account."""
    organiser = OrganiserFactory(display_name="Ada Organiser")
    series = SeriesFactory(
        name="Analysis seminar", comment_moderation="first_time", blocked_words="spam\nscam"
    )
    series.organisers.add(organiser)
    tags = [TagFactory(name="PDE"), TagFactory(name="Probability")]
    speakers = [SpeakerFactory(name="Émilie du Châtelet"), SpeakerFactory(name="Sofia K.")]
    talk = TalkFactory(
        series=series,
        abstract="We prove $\\int_0^1 f = F(1) - F(0)$ **again**.",
        speakers=speakers,
        tags=tags,
        import_uid="event-1@other.example.org",
    )
    TalkFactory(series=series, status=Talk.Status.CANCELLED, tags=tags[:1])
    TalkFactory(status=Talk.Status.DRAFT, start=timezone.now() - datetime.timedelta(days=400))
    reader = UserFactory(display_name="Reader", email_weekly_digest=False, timezone="Asia/Tokyo")
    reader.followed_tags.add(tags[0])
    reader.followed_series.add(series)
    question = CommentFactory(talk=talk, author=reader, body="Why does $F' = f$?")
    CommentFactory(talk=talk, author=organiser, parent=question, body="By the definition.")
    CommentFactory(talk=talk, status=Comment.Status.HELD, held_reason="first comment")
    removed = CommentFactory(talk=talk, body="Buy now")
    soft_delete(removed, by=organiser)
    Comment.objects.filter(pk=removed.pk).update(removal_reason="Advertising")
    gone = UserFactory(display_name="Leaving soon")
    CommentFactory(talk=talk, author=gone, body="I was here")
    gone.delete()


def natural_keys() -> dict:
    return {
        (type(obj), obj.pk): obj.natural_key()
        for model in MADE_BY_MIGRATE
        for obj in model.objects.all()
    }


def site_snapshot() -> dict[str, list[dict]]:
    """Every row of every table, by model, in a form a faithful restore keeps."""
    keys = natural_keys()
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        if model in MADE_BY_MIGRATE:
            continue
        rows = [comparable(row) for row in model._base_manager.order_by("pk").values()]
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in MADE_BY_MIGRATE:
                for row in rows:
                    row[field.attname] = keys.get((field.related_model, row[field.attname]))
        if model._meta.auto_created:
            # Many-to-many links are dumped with their object and made anew on
            # loading: their own ids change, their pairs must not.
            rows = sorted(({**row, "id": None} for row in rows), key=repr)
        snapshot[model._meta.label] = rows
    return snapshot


def comparable(row: dict) -> dict:
    # dumpdata's JSON keeps times to the millisecond (DjangoJSONEncoder), finer
    # than anything the portal shows or sorts by alone.
    return {
        name: value.replace(microsecond=value.microsecond // 1000 * 1000)
        if isinstance(value, datetime.datetime)
        else value
        for name, value in row.items()
    }


def test_dumpdata_and_loaddata_restore_the_same_site(tmp_path):
    populate_site()
    before = site_snapshot()
    backup = tmp_path / "backup.json"
    call_command("dumpdata", output=str(backup), verbosity=0, **DUMP_OPTIONS)

    call_command("flush", interactive=False, verbosity=0)
    assert not Talk.objects.exists()
    assert not Comment.objects.exists()

    call_command("loaddata", str(backup), verbosity=0)
    assert site_snapshot() == before


def test_the_snapshot_sees_the_populated_site():
    # Guards the comparison above against comparing two empty sites.
    populate_site()
    snapshot = site_snapshot()
    assert len(snapshot["seminars.Comment"]) == 5
    assert len(snapshot["seminars.TalkSpeaker"]) == 2
    assert len(snapshot["accounts.User_followed_series"]) == 1
    assert any(row["parent_id"] for row in snapshot["seminars.Comment"])
    assert any(row["author_id"] is None for row in snapshot["seminars.Comment"])


def test_new_rows_after_a_restore_get_fresh_ids(tmp_path):
    # loaddata keeps the dumped ids; PostgreSQL's sequences must move past them.
    populate_site()
    newest = Comment.objects.order_by("pk").last()
    backup = tmp_path / "backup.json"
    call_command("dumpdata", output=str(backup), verbosity=0, **DUMP_OPTIONS)
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(backup), verbosity=0)

    comment = CommentFactory(talk=newest.talk)
    assert comment.pk > newest.pk
