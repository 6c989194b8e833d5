"""/healthz, for load balancers: 200 "ok" while the database answers, 503 when it does not."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Django's test Client in a fresh interpreter, so DATABASE_URL can point anywhere.
GET_HEALTHZ = """
import json, django
django.setup()
from django.test import Client
from django.urls import reverse
response = Client().get(reverse("healthz"), HTTP_HOST="localhost")
print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
"""

# Nothing listens on the discard port, so connecting is refused at once.
CLOSED_POSTGRES = "postgres://x@127.0.0.1:9/x"


def get_healthz_with(database_url):
    process = subprocess.run(  # noqa: S603 (a fixed script run by this interpreter)
        [sys.executable, "-c", GET_HEALTHZ],
        cwd=Path(settings.BASE_DIR),
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "CRITICAL",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout.splitlines()[-1])


def test_healthz_answers_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_is_never_cached(client):
    # A cached "ok" would hide an outage from the load balancer.
    assert "no-store" in client.get(reverse("healthz"))["Cache-Control"]


def test_healthz_answers_head_requests(client):
    assert client.head(reverse("healthz")).status_code == 200


def test_healthz_answers_503_when_the_database_does_not():
    result = get_healthz_with(CLOSED_POSTGRES)
    assert result["status"] == 503
    assert result["body"] != "ok"


def test_healthz_in_a_subprocess_answers_ok_with_a_working_database(tmp_path):
    # The same harness against a database that answers, so the 503 above means what it says.
    result = get_healthz_with(f"sqlite:///{tmp_path / 'health.sqlite3'}")
    assert result == {"status": 200, "body": "ok"}
