"""The culling test: a full page cache evicts pages, never a rate limit.

Without Redis both caches are database tables, and a DatabaseCache past its
MAX_ENTRIES deletes a third of its rows in key order, whatever they hold. Rate
limits (allauth's login failures, the comment limits) live in "default" and
pages in "pages" (pagecache.versions.PAGE_CACHE) so that anyone who can make
many distinct pages cached (a talk page each) cannot cull a lockout away.

Both tables get a small MAX_ENTRIES here so that filling is quick and so that,
were pages stored with the rate limits, the shared table would overflow too.
No django_assert_num_queries: it swaps the database caches for per-process ones.
"""

import time

import pytest
from django.db import connection
from django.urls import reverse

from discussion.ratelimits import RateLimit, limit_reached
from pagecache.versions import page_cache
from tests.factories import PASSWORD, TalkFactory, UserFactory
from tests.pagecache.test_pages import get, warm

pytestmark = pytest.mark.django_db

MAX_ENTRIES = 50
# allauth 65's default login_failed limit: "10/m/ip,5/300s/key" (the key is the address).
LOGIN_ATTEMPTS_LIMIT = 5
LOCKED_OUT = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def small_database_caches(settings):
    caches = {alias: {**options} for alias, options in settings.CACHES.items()}
    for alias in ("default", "pages"):
        assert caches[alias]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        caches[alias]["OPTIONS"] = {**caches[alias].get("OPTIONS", {}), "MAX_ENTRIES": MAX_ENTRIES}
    settings.CACHES = caches


def fill_page_cache(client, pages=MAX_ENTRIES + 10):
    """Have the cache store more distinct pages than it may hold, as a visitor could:
    the pages of as many talks. Returns the address of the last one stored."""
    talks = TalkFactory.create_batch(pages)
    for talk in talks:
        response = get(client, talk.get_absolute_url())
        assert response["X-Page-Cache"] == "miss"
    # The table did overflow: it was culled, not merely filled.
    assert page_rows() <= MAX_ENTRIES + 1  # culled before each insert
    return talks[-1].get_absolute_url()


def page_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_page_cache")
        return cursor.fetchone()[0]


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def locked_out_user(client):
    user = UserFactory()
    for _ in range(LOGIN_ATTEMPTS_LIMIT):
        response = log_in(client, user.email, "wrong password")
        assert response.status_code == 200
        assert LOCKED_OUT not in response.content.decode()
    response = log_in(client, user.email, PASSWORD)
    assert LOCKED_OUT in response.content.decode()
    return user


def test_a_login_lockout_survives_a_full_page_cache(client):
    user = locked_out_user(client)

    fill_page_cache(client)

    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert LOCKED_OUT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_login_lockout_survives_a_page_cache_filled_directly(client):
    user = locked_out_user(client)
    cache = page_cache()
    for number in range(MAX_ENTRIES * 3):
        cache.set(f"pages:page:filler:{number}", b"x" * 100)
    assert page_rows() <= MAX_ENTRIES + 1

    response = log_in(client, user.email, PASSWORD)
    assert LOCKED_OUT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_comment_rate_limit_survives_a_full_page_cache(client, settings):
    settings.COMMENT_RATE_LIMITS = [(1, "d")]
    user = UserFactory()
    # The start of today's window (UTC), so the slot outlives the test.
    today = (time.time() // 86400) * 86400 + 1
    assert limit_reached(user, now=today) is None
    assert limit_reached(user, now=today) == RateLimit(1, "d")

    fill_page_cache(client)

    assert limit_reached(user, now=today) == RateLimit(1, "d")


def test_a_culled_page_cache_still_serves_pages(client):
    TalkFactory(title="Vortex rings")
    last_stored = fill_page_cache(client)

    response = warm(client, reverse("seminars:talk-list"))
    assert "Vortex rings" in response.content.decode()
    # And the pages stored last, after the cull, are still there.
    last = get(client, last_stored)
    assert last["X-Page-Cache"] == "hit"
