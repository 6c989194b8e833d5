"""Two gunicorn servers share one PostgreSQL: concurrent comments, then a database restart.

driver.py does the work, at a small size here (the benchmark harness runs it at
500 comments): 20 signed-in users post 100 comments, half to each server, then
50 more while the database is stopped for three seconds and started again.
Each test checks one promise on the same run. About 30 seconds on an idle machine.
"""

import pytest
from django.conf import settings

from .driver import Scenario, run

pytestmark = [
    pytest.mark.real_processes,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="PostgreSQL only (DATABASE_URL is SQLite here): the test stops and restarts a "
        "database server of its own, and production runs on PostgreSQL",
    ),
]


@pytest.fixture(scope="module")
def report():
    report = run(Scenario(comments=100, outage_comments=50, users=20))
    # Shown by pytest only when a test fails.
    print(report.summary())
    for server, log in report.logs.items():
        print(f"--- server {server}, last lines ---\n{log}")
    return report


def test_exactly_the_acknowledged_comments_are_stored_once(report):
    assert report.steady.planned == 100
    assert report.storage_problems() == []


def test_each_comment_is_visible_from_the_other_server_on_its_next_request(report):
    assert report.visibility_problems() == []


def test_pages_get_the_friendly_503_page_while_the_database_is_down(report):
    assert report.outage_page_problems() == []


def test_healthz_reports_503_while_the_database_is_down(report):
    assert report.health_problems() == []


def test_both_servers_recover_without_a_restart(report):
    assert report.recovery_problems() == []
