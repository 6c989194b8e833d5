"""The email tasks moved from seminars.tasks to accounts.tasks: tasks queued before the
move (waiting digests, scheduled retries) name the old path, which the worker could no
longer import. Finished tasks keep the path they ran under."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr

OLD, NEW = "seminars.tasks.", "accounts.tasks."
UNFINISHED = ("READY", "RUNNING")


def point_at(apps, old: str, new: str):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path__startswith=old, status__in=UNFINISHED).update(
        task_path=Concat(Value(new), Substr("task_path", len(old) + 1))
    )


def forwards(apps, schema_editor):
    point_at(apps, OLD, NEW)


def backwards(apps, schema_editor):
    point_at(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_digest"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
