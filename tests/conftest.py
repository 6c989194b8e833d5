import pytest
from django.core.cache import caches

from tests.factories import OrganiserFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def page_cache_header(settings):
    """Tests read X-Page-Cache to tell a cached page from a rendered one."""
    settings.PAGE_CACHE_HEADER = True


@pytest.fixture(autouse=True)
def empty_cache(request, django_db_blocker):
    """Rate limits live in the cache; each test that can reach it starts with none.

    The default cache is a database table, so only tests with database access clear it
    (before their own database fixtures run, hence the unblocking).
    """
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_database:
        with django_db_blocker.unblock():
            for cache in caches.all():
                cache.clear()


def pytest_collection_modifyitems(items):
    """Tests that flush the database restore what migrations put there afterwards.

    Live-server and other transactional tests end with a flush, which would take
    away rows made by data migrations (the Organisers group) from later tests.
    Serialized rollback puts them back.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None:
            if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
                rollback = pytest.mark.django_db(**marker.kwargs, serialized_rollback=True)
                item.add_marker(rollback, append=False)
        elif {"transactional_db", "live_server"} & set(item.fixturenames):
            item.fixturenames.append("django_db_serialized_rollback")


@pytest.fixture
def signed_in_user(client):
    """A new user, signed in on `client` (the sign-in itself has tests of its own)."""
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def signed_in_organiser(client):
    """A new organiser (staff in the Organisers group, no series yet), signed in on `client`."""
    organiser = OrganiserFactory()
    client.force_login(organiser)
    return organiser


@pytest.fixture
def per_process_cache(settings):
    """Caches of this process's own instead of the database tables.

    Production shares Redis, which runs no SQL; with the tables, each cache read
    and write (rate limits, the page cache's versions and pages) would be
    counted as a query of the page. tests/seminars/test_caching.py checks the
    table's own cost.
    """
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "pages")
    }
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, per_process_cache):
    """Counts the database work of what runs, without the cache's (see per_process_cache)."""
    return django_assert_num_queries


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries, per_process_cache):
    return django_assert_max_num_queries
