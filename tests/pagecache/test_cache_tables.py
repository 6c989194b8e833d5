"""The database caches' tables: `migrate` makes them, and a missing one is a deploy error.

Without Redis, rate limits live in `django_cache` and pages in `django_page_cache`
(settings.CACHES). pagecache.apps creates both after every `migrate`, so a deploy
needs no separate `createcachetable`. A deploy that skipped `migrate` anyway must
show as what it is, an error in the logs and a 500, not as the 503 "Back in a
moment" page of a database outage (config.resilience), which would have the
operators wait for a database that is fine.
"""

import logging
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CACHE_TABLES = ("django_cache", "django_page_cache")
OUTAGE_PAGE = "Back in a moment"


def existing_tables() -> set[str]:
    return set(connection.introspection.table_names())


@contextmanager
def dropped(*tables):
    """The tables gone for the block; made again afterwards for the tests that follow."""
    try:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")  # noqa: S608
        assert not existing_tables() & set(tables)
        yield
    finally:
        call_command("createcachetable", verbosity=0)


def test_migrate_alone_creates_both_cache_tables():
    with dropped(*CACHE_TABLES):
        call_command("migrate", verbosity=0)

        assert existing_tables() >= set(CACHE_TABLES)


def test_a_missing_page_cache_table_is_not_answered_as_an_outage(caplog):
    client = Client(raise_request_exception=False)
    with dropped("django_page_cache"), caplog.at_level(logging.ERROR):
        response = client.get(reverse("seminars:home"))

    assert response.status_code != 503
    assert OUTAGE_PAGE not in response.content.decode()
    # Served uncached (or refused): either way the log names the missing table,
    # on SQLite ("no such table") as on PostgreSQL ("relation ... does not exist").
    assert "django_page_cache" in caplog.text


def test_a_missing_rate_limit_table_is_a_deploy_error_not_an_outage(caplog):
    user = UserFactory()
    client = Client(raise_request_exception=False)
    with dropped("django_cache"), caplog.at_level(logging.ERROR):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )

    assert response.status_code == 500
    assert OUTAGE_PAGE not in response.content.decode()
    if connection.vendor == "sqlite":
        # SQLite reports the missing table as an OperationalError, like an outage.
        assert "Deploy error" in caplog.text
    else:
        assert caplog.records
