"""Every POST needs the CSRF token: without it the site refuses and saves nothing.

Each URL of the access matrix is posted to, with the data that would change
something, by a visitor and by the role the matrix lets do it, from a client
that checks CSRF tokens as browsers' requests are checked. The same POST with
the token then gets the matrix's answer: the token was all that was missing.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from .access import (
    ROLES,
    all_rows,
    answer,
    build_world,
    client_for,
    refusal,
    rolled_back,
    snapshot,
)

pytestmark = pytest.mark.django_db

# Patterns that take a POST without a token, and why that is safe.
WITHOUT_TOKEN = {
    # RFC 8058 one-click unsubscribe: mail clients post with no session or token;
    # the signed token in the address is the authority, and it only switches one
    # kind of email off.
    "accounts/unsubscribe/<str:token>/",
}
# The JSON API is read-only: its operations answer a POST with 405 (they skip the
# CSRF check, having nothing to protect); its documents are guarded like pages.
READ_ONLY = "api/"


def acting_role(row) -> str:
    """The role whose POST the matrix lets through, else the superuser."""
    for role, expected in zip(ROLES, row.post or (), strict=False):
        if not refusal(expected):
            return role
    return "superuser"


def post_without_token(world, role, row) -> list[str]:
    client = client_for(world, role, enforce_csrf_checks=True)
    with rolled_back():
        address = row.url(world)
        before = snapshot()
        response = client.post(address, row.data(world))
        changed = snapshot() != before
    problems = []
    refused_for_csrf = "403_csrf.html" in {template.name for template in response.templates}
    read_only = row.pattern.startswith(READ_ONLY) and response.status_code == 405
    if not (refused_for_csrf or read_only):
        problems.append(f"{address} as {role}: {response.status_code} without the CSRF page")
    if changed:
        problems.append(f"{address} as {role}: saved something without a token")
    return problems


def test_posts_without_a_token_are_refused_and_change_nothing():
    world = build_world()
    rows = [row for row in all_rows() if row.pattern not in WITHOUT_TOKEN]
    problems = [
        problem
        for row in rows
        for role in {"anonymous", acting_role(row)}
        for problem in post_without_token(world, role, row)
    ]
    assert not problems, "\n".join(problems)


def with_token(client, data: dict, role: str) -> dict:
    """The form data with the CSRF token a page of the site hands out."""
    # A page with a form sets the cookie: the log-in form, or the log-out button.
    client.get(reverse("account_login" if role == "anonymous" else "seminars:home"))
    return {**data, "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value}


@pytest.mark.parametrize("row", [row for row in all_rows() if row.post], ids=lambda row: row.id)
def test_the_same_post_with_the_token_gets_the_matrix_answer(row):
    world = build_world()
    role = acting_role(row)
    client = client_for(world, role, enforce_csrf_checks=True)
    with rolled_back():
        response = client.post(row.url(world), with_token(client, row.data(world), role))
    assert answer(response) == row.post[ROLES.index(role)]


def test_a_token_from_another_session_is_refused():
    world = build_world()
    (row,) = [row for row in all_rows() if row.pattern == "comments/<int:pk>/edit/"]
    stranger = client_for(world, "other_user", enforce_csrf_checks=True)
    foreign = with_token(stranger, row.data(world), "other_user")
    author = client_for(world, "user", enforce_csrf_checks=True)
    author.get(reverse("seminars:home"))
    before = snapshot()
    response = author.post(row.url(world), foreign)
    assert response.status_code == 403
    assert snapshot() == before
