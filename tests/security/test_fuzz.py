"""Arbitrary query parameters, path segments and form data never break a page.

Hypothesis sends them to every URL of the access matrix, as a role that gets
past the log-in checks (so the view itself meets the input): the answer is a
page or a 4xx, never a 5xx, and a refused form saves nothing. Derandomized and
small, so each run tries the same inputs and stays quick.
"""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .access import (
    ROLES,
    all_rows,
    build_world,
    client_for,
    refusal,
    rolled_back,
    snapshot,
)

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=3,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# The parameter and field names the site's views and forms read, so that the
# fuzzer reaches the code that parses them, and a few names nothing reads.
KNOWN_NAMES = [
    "page", "q", "when", "next", "year", "tag", "series", "speaker", "updated_since",
    "limit", "offset", "term", "app_label", "model_name", "field_name", "o", "p", "e",
    "all", "_changelist_filters", "_popup", "_to_field", "moderation", "status__exact",
    "series__id__exact", "start__year", "start__month", "action", "_selected_action",
    "index", "post", "body", "reason", "submission_token", "display_name", "affiliation",
    "timezone", "email", "password", "password1", "password2", "oldpassword", "login",
    "followed_tags", "followed_series", "email_on_reply", "token", "file", "title",
    "name", "slug", "start_0", "start_1", "comments-TOTAL_FORMS", "csrfmiddlewaretoken",
]  # fmt: skip
TEXT = st.text(max_size=40)
NAMES = st.one_of(st.sampled_from(KNOWN_NAMES), st.text(min_size=1, max_size=12))
VALUES = st.one_of(TEXT, st.lists(TEXT, max_size=3))
PARAMETERS = st.dictionaries(NAMES, VALUES, max_size=5)
# Path segments: any text, or bytes that are not UTF-8 at all.
SEGMENTS = st.one_of(st.text(max_size=30), st.binary(max_size=30))

# Arguments in a route, as <converter:name> or as a regular expression group.
ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def answering_role(row) -> str:
    """A role the row's GET lets in (past the log-in checks), else the superuser."""
    for role, expected in zip(ROLES, row.get, strict=True):
        if expected == 200:
            return role
    return "superuser"


def one_row_per_pattern():
    rows = {}
    for row in all_rows():
        rows.setdefault(row.pattern, row)
    return list(rows.values())


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


def query_fuzzer(world, row):
    @FUZZ
    @given(parameters=PARAMETERS)
    def check(parameters):
        with rolled_back():
            client = client_for(world, answering_role(row))
            address = row.url(world)
            assert_no_server_error(client.get(address, parameters), address)

    return check


def test_query_parameters_never_break_a_page():
    world = build_world()
    for row in one_row_per_pattern():
        query_fuzzer(world, row)()


def fill_route(route: str, segments: list) -> str:
    """The route with each argument replaced by the next segment, percent-encoded."""
    values = iter(segments)
    path = ROUTE_ARGUMENT.sub(lambda match: quote(next(values), safe=""), route)
    return "/" + path.replace("^", "").replace("$", "")


def path_fuzzer(world, route):
    arguments = len(ROUTE_ARGUMENT.findall(route))

    @FUZZ
    @given(segments=st.lists(SEGMENTS, min_size=arguments, max_size=arguments))
    def check(segments):
        with rolled_back():
            client = client_for(world, "superuser")
            address = fill_route(route, segments)
            assert_no_server_error(client.get(address), address)

    return check


def test_arbitrary_path_segments_never_break_a_page():
    world = build_world()
    for route in sorted({row.pattern for row in all_rows() if ROUTE_ARGUMENT.search(row.pattern)}):
        path_fuzzer(world, route)()


# Endpoints whose every POST is accepted with 200: the unsubscribe link (its token
# is the input) and the admin's log-out page.
ACCEPTS_ANY_POST = {"accounts/unsubscribe/<str:token>/", "admin/logout/"}


def acting_role(row) -> str:
    for role, expected in zip(ROLES, row.post, strict=True):
        if not refusal(expected):
            return role
    return "superuser"


def form_fuzzer(world, row):
    @FUZZ
    @given(data=PARAMETERS)
    def check(data):
        with rolled_back():
            # A fresh client each time: a POST may log out or rotate the session.
            client = client_for(world, acting_role(row))
            address = row.url(world)
            before = snapshot()
            response = client.post(address, data)
            assert_no_server_error(response, address)
            accepted = 300 <= response.status_code < 400 or row.pattern in ACCEPTS_ANY_POST
            assert accepted or snapshot() == before, f"{address}: refused but saved"

    return check


def test_arbitrary_form_data_never_breaks_a_form_and_refused_forms_save_nothing():
    world = build_world()
    for row in [row for row in all_rows() if row.post]:
        form_fuzzer(world, row)()
