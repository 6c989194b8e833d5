"""Tasks queued before the email tasks moved to accounts.tasks still run after it."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("accounts.migrations.0004_tasks_moved_to_accounts")


def queued(task_path, status="READY") -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=task_path,
        status=status,
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


def test_unfinished_tasks_point_at_the_new_module_and_can_be_found():
    waiting = queued("seminars.tasks.send_digest_email")
    done = queued("seminars.tasks.send_reply_email", status="SUCCESSFUL")

    MIGRATION.forwards(apps, schema_editor=None)

    waiting.refresh_from_db()
    done.refresh_from_db()
    assert waiting.task_path == "accounts.tasks.send_digest_email"
    assert waiting.task.name == "send_digest_email"
    assert done.task_path == "seminars.tasks.send_reply_email"


def test_going_back_points_them_at_the_old_module():
    waiting = queued("accounts.tasks.send_digest_email")

    MIGRATION.backwards(apps, schema_editor=None)

    waiting.refresh_from_db()
    assert waiting.task_path == "seminars.tasks.send_digest_email"
