"""Every URL pattern against every role: the answer each must get (see access.py).

Each request runs in a savepoint that is rolled back, so every one meets the same
world; a refused POST must leave every table as it was.
"""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from .access import (
    ROLES,
    all_rows,
    answer,
    build_world,
    client_for,
    refusal,
    rolled_back,
    send,
    snapshot,
    url_patterns,
)
from .clients import new_client

pytestmark = pytest.mark.django_db


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    patterns = set(url_patterns())
    covered = {row.pattern for row in all_rows()}
    assert sorted(patterns - covered) == [], "URL patterns without a row in access.py"
    assert sorted(covered - patterns) == [], "rows for URL patterns that no longer exist"


def clients_by_role(world) -> Callable[[str], Client]:
    """A maker of fresh clients for a role, all carrying one session made up front."""
    sessions = {
        role: client_for(world, role).cookies.get(settings.SESSION_COOKIE_NAME) for role in ROLES
    }

    def fresh(role):
        # A new client each time: a request may log out or rotate the session.
        client = new_client()
        if sessions[role] is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role].value
        return client

    return fresh


def mismatches_of(row, world, client) -> list[str]:
    with rolled_back():  # objects made for this row's address go with it
        address = row.url(world)
        found = []
        for method, answers in (("GET", row.get), ("POST", row.post)):
            for role, expected in zip(ROLES, answers or (), strict=False):
                with rolled_back():
                    before = snapshot() if method == "POST" and refusal(expected) else None
                    got = answer(send(client(role), method, address, row.data(world)))
                    if got != expected:
                        found.append(f"{row.id}: {method} {address} as {role}: {expected} != {got}")
                    elif before is not None and snapshot() != before:
                        found.append(f"{row.id}: {method} {address} as {role}: refused, but saved")
        return found


def test_each_role_gets_its_answer_from_every_url():
    world = build_world()
    client = clients_by_role(world)
    mismatches = [problem for row in all_rows() for problem in mismatches_of(row, world, client)]
    assert not mismatches, "\n".join(mismatches)
