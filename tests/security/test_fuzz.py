"""Arbitrary query parameters, path segments and form data never break a page.

Hypothesis sends them to the URLs of the access matrix, as a role that gets
past the log-in checks (so the view itself meets the input): the answer is a
page or a 4xx, never a 5xx, and a refused form saves nothing.

Each test is one property over every URL: Hypothesis picks the URL as well as
the input, so its examples go where they find most and a failure shrinks to
the simplest URL and input. Every URL is also sent one fixed hostile input (an
explicit example), so each run reaches them all. Runs are random, not
derandomized: each tries new inputs, and a failure prints the seed that
reproduces it (`pytest --hypothesis-seed=N`).
"""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
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


def fuzz(max_examples: int):
    """Random examples beyond the explicit ones; no example database, so a run
    neither depends on nor leaves files from earlier runs."""
    return settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        print_blob=True,
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


# One input every URL gets, whatever Hypothesis draws: a NUL (which PostgreSQL cannot
# store) under every name the views read.
HOSTILE_PARAMETERS = dict.fromkeys(KNOWN_NAMES, "\x00")


def with_examples(examples: list[dict]):
    """Explicit examples (each a dict of arguments), tried before the random ones."""

    def decorate(test):
        for arguments in examples:
            test = example(**arguments)(test)
        return test

    return decorate


ROWS = one_row_per_pattern()
# Found by this test: Django's admin answers 500 to an empty ?_to_field= on every
# change and delete page (ModelAdmin.get_object looks up a field named ""). An
# explicit example, so every run checks it, until the admin refuses it with a 400.
EMPTY_TO_FIELD = {
    "row": next(
        row for row in ROWS if row.pattern == "admin/seminars/talk/<path:object_id>/change/"
    ),
    "parameters": {"_to_field": ""},
}


def test_query_parameters_never_break_a_page():
    world = build_world()

    @fuzz(max_examples=300)
    @with_examples(
        [{"row": row, "parameters": HOSTILE_PARAMETERS} for row in ROWS] + [EMPTY_TO_FIELD]
    )
    @given(row=st.sampled_from(ROWS), parameters=PARAMETERS)
    def check(row, parameters):
        with rolled_back():
            client = client_for(world, answering_role(row))
            address = row.url(world)
            assert_no_server_error(client.get(address, parameters), address)

    check()


def fill_route(route: str, segments: list) -> str:
    """The route with each argument replaced by the next segment, percent-encoded."""
    values = iter(segments)
    path = ROUTE_ARGUMENT.sub(lambda match: quote(next(values), safe=""), route)
    return "/" + path.replace("^", "").replace("$", "")


def arguments_in(route: str) -> int:
    return len(ROUTE_ARGUMENT.findall(route))


ROUTES = sorted({row.pattern for row in all_rows() if ROUTE_ARGUMENT.search(row.pattern)})


@st.composite
def route_and_segments(draw):
    route = draw(st.sampled_from(ROUTES))
    arguments = arguments_in(route)
    return route, draw(st.lists(SEGMENTS, min_size=arguments, max_size=arguments))


def test_arbitrary_path_segments_never_break_a_page():
    world = build_world()
    nuls = [{"case": (route, ["\x00"] * arguments_in(route))} for route in ROUTES]

    @fuzz(max_examples=200)
    @with_examples(nuls)
    @given(case=route_and_segments())
    def check(case):
        route, segments = case
        with rolled_back():
            client = client_for(world, "superuser")
            address = fill_route(route, segments)
            assert_no_server_error(client.get(address), address)

    check()


# Endpoints whose every POST is accepted with 200: the unsubscribe link (its token
# is the input) and the admin's log-out page.
ACCEPTS_ANY_POST = {"accounts/unsubscribe/<str:token>/", "admin/logout/"}
# Endpoints that answer a change they accepted with 200, not a redirect: a new
# personal calendar address is shown once, on the page answering the POST.
ACCEPTED_WITH_200 = {"accounts/calendars/", "accounts/calendars/<int:pk>/regenerate/"}


def acting_role(row) -> str:
    for role, expected in zip(ROLES, row.post, strict=True):
        if not refusal(expected):
            return role
    return "superuser"


POST_ROWS = [row for row in all_rows() if row.post]


def test_arbitrary_form_data_never_breaks_a_form_and_refused_forms_save_nothing():
    world = build_world()

    @fuzz(max_examples=100)
    @with_examples([{"row": row, "data": HOSTILE_PARAMETERS} for row in POST_ROWS])
    @given(row=st.sampled_from(POST_ROWS), data=PARAMETERS)
    def check(row, data):
        with rolled_back():
            # A fresh client each time: a POST may log out or rotate the session.
            client = client_for(world, acting_role(row))
            address = row.url(world)
            before = snapshot()
            response = client.post(address, data)
            assert_no_server_error(response, address)
            accepted = (
                300 <= response.status_code < 400
                or row.pattern in ACCEPTS_ANY_POST
                or (row.pattern in ACCEPTED_WITH_200 and response.status_code == 200)
            )
            assert accepted or snapshot() == before, f"{address}: refused but saved"

    check()
