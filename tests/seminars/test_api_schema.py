"""Schemathesis against the API's own OpenAPI document, in-process through WSGI.

It generates valid and invalid requests for every operation and checks that none
gives a 500 and that every response matches the document. Examples are few and
derandomized so the run is short and the same on every machine.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, settings

from seminars.models import Talk
from tests.factories import (
    CommentFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)

pytestmark = pytest.mark.django_db

bounded = settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    # The database fixture is function-scoped on purpose: the API only reads it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def keep_the_test_transaction():
    """Stop each WSGI request from closing the test's connection, as django.test.Client does.

    Without it PostgreSQL loses the test transaction mid-test (SQLite's in-memory
    database hides this).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def public_talk():
    """A talk with every kind of related row, next to a draft and a removed comment."""
    tag = TagFactory()
    talk = TalkFactory(speakers=SpeakerFactory.create_batch(2), tags=[tag], venue="Room 1")
    CommentFactory(talk=talk, author=UserFactory(display_name=""))
    soft_delete(CommentFactory(talk=talk), by=None)
    TalkFactory(status=Talk.Status.CANCELLED, tags=[tag])
    TalkFactory(status=Talk.Status.DRAFT, tags=[tag])
    return talk


# Loaded once at collection: serving the OpenAPI document reads no database.
# (schemathesis.pytest.from_fixture would load it per test, but does not run
# under pytest 9.)
schema = schemathesis.openapi.from_wsgi(reverse("api:openapi-json"), WSGIHandler())
# schemathesis' WSGI client asks for gzip but does not decompress what it gets.
UNCOMPRESSED = {"Accept-Encoding": "identity"}


@schema.parametrize()
@bounded
def test_api_never_fails_and_matches_its_schema(case, public_talk):
    case.call_and_validate(headers=UNCOMPRESSED)


def test_a_full_talk_detail_matches_the_schema(public_talk):
    """Generated slugs almost never exist, so check a real, fully populated talk too."""
    case = schema["/api/talks/{slug}"]["GET"].Case(path_parameters={"slug": public_talk.slug})

    response = case.call_and_validate(headers=UNCOMPRESSED)

    assert response.status_code == 200
    assert response.json()["comments"]
