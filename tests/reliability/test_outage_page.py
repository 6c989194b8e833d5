"""A database outage answers every request with the friendly 503 page.

The outage is real: a subprocess runs the portal in production settings with
DATABASE_URL pointing where nothing answers (tests/reliability/outage_requests.py).
"""

import json

import pytest
from django.db import IntegrityError, OperationalError, ProgrammingError
from django.test import RequestFactory

from config.resilience import DatabaseOutageMiddleware, server_error

from .outage_requests import RAISED_IN_MIDDLEWARE, REQUESTS
from .site import CLOSED_PORT, production_env, run_python

NO_DATABASE = f"postgres://nobody@127.0.0.1:{CLOSED_PORT}/nothing"


@pytest.fixture(scope="module")
def outage_responses():
    output = run_python(production_env(NO_DATABASE), "-m", "tests.reliability.outage_requests")
    responses = [json.loads(line) for line in output.splitlines()]
    return {response["name"]: response for response in responses}


@pytest.mark.parametrize("name", REQUESTS)
def test_every_kind_of_request_gets_the_friendly_503_page(outage_responses, name):
    response = outage_responses[name]
    assert response["status"] == 503
    assert response["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Back in a moment</h1>" in response["body"]
    assert "cannot reach its database just now" in response["body"]


@pytest.mark.parametrize("name", REQUESTS)
def test_the_503_page_shows_no_internals(outage_responses, name):
    body = outage_responses[name]["body"]
    for internal in ("Traceback", "OperationalError", "Connection refused", "port 9"):
        assert internal not in body


@pytest.mark.parametrize("name", REQUESTS)
def test_the_503_page_asks_clients_to_retry_and_is_never_cached(outage_responses, name):
    headers = outage_responses[name]["headers"]
    assert int(headers["Retry-After"]) > 0
    assert "no-store" in headers["Cache-Control"]


def test_an_outage_outside_views_is_answered_by_handler500(outage_responses):
    response = outage_responses[RAISED_IN_MIDDLEWARE]
    assert response["via_handler500"]
    assert response["status"] == 503


@pytest.mark.parametrize("name", [name for name in REQUESTS if name != RAISED_IN_MIDDLEWARE])
def test_an_outage_in_a_view_is_answered_before_handler500(outage_responses, name):
    # Django logs a traceback for each request that reaches handler500: a flood in an outage.
    assert not outage_responses[name]["via_handler500"]


def test_the_503_page_looks_like_the_site(outage_responses):
    body = outage_responses["home"]["body"]
    assert '<html lang="en">' in body
    assert '<link rel="stylesheet" href="/static/css/site.css">' in body
    assert '<a class="brand" href="/">Seminar portal</a>' in body
    assert "<title>Back in a moment · Seminar portal</title>" in body


@pytest.mark.django_db
def test_handler500_answers_503_while_handling_an_outage(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError:
            response = server_error(request)
    assert response.status_code == 503
    assert b"Back in a moment" in response.content


@pytest.mark.parametrize("error", [IntegrityError, ProgrammingError, ValueError])
def test_other_errors_stay_server_errors(error):
    request = RequestFactory().get("/")
    middleware = DatabaseOutageMiddleware(lambda request: None)
    assert middleware.process_exception(request, error("a bug, not an outage")) is None
    try:
        raise error("a bug, not an outage")
    except error:
        response = server_error(request)
    assert response.status_code == 500
    assert b"Back in a moment" not in response.content
