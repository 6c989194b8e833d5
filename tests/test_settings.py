"""config.settings read in fresh interpreters, each with a chosen environment.

Settings are computed once at import, so each case imports them in a subprocess
whose environment holds only the variables the case sets.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as test_settings

PROJECT_DIR = Path(test_settings.BASE_DIR)

PRINT_SETTINGS = """
import json, sys
from config import settings
print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}, default=str))
"""

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "a-production-secret-that-is-long-enough-to-be-plausible",
    "ALLOWED_HOSTS": "seminars.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def import_settings(env, *names):
    """Import config.settings with only `env` set; the completed process."""
    return subprocess.run(  # noqa: S603 (a fixed script run by this interpreter)
        [sys.executable, "-c", PRINT_SETTINGS, *names],
        cwd=PROJECT_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def read_settings(env, *names):
    process = import_settings(env, *names)
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_without_a_required_variable_fails_loudly(missing):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}
    process = import_settings(env, "DEBUG")
    assert process.returncode != 0
    assert "ImproperlyConfigured" in process.stderr
    assert missing in process.stderr.splitlines()[-1]


@pytest.mark.parametrize("value", ["maybe", "1", "yes"])
def test_debug_must_be_true_or_false(value):
    process = import_settings({"DJANGO_DEBUG": value}, "DEBUG")
    assert process.returncode != 0
    assert "ImproperlyConfigured" in process.stderr
    assert "DJANGO_DEBUG" in process.stderr.splitlines()[-1]


@pytest.mark.parametrize("value", ["true", "True", " TRUE "])
def test_debug_true_is_read_whatever_its_case(value):
    assert read_settings({"DJANGO_DEBUG": value}, "DEBUG") == {"DEBUG": True}


def test_production_settings():
    values = read_settings(
        PRODUCTION,
        "DEBUG",
        "ACCOUNT_EMAIL_VERIFICATION",
        "STORAGES",
        "MIDDLEWARE",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    )
    assert values["DEBUG"] is False
    assert values["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"
    assert (
        values["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]


@pytest.mark.parametrize("env", [{}, PRODUCTION], ids=["development", "production"])
def test_whitenoise_sits_right_after_the_security_middleware(env):
    middleware = read_settings(env, "MIDDLEWARE")["MIDDLEWARE"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    # whitenoise, less the manifest and source maps (config.security).
    assert middleware[security + 1] == "config.security.StaticFilesMiddleware"


def test_development_defaults_to_sqlite_in_the_project_folder():
    database = read_settings({}, "DATABASES")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]).parent == PROJECT_DIR


def test_postgres_url_gives_postgresql_with_health_checks():
    env = {"DATABASE_URL": "postgres://portal:pw@db.example.org:5432/seminars"}
    database = read_settings(env, "DATABASES")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example.org",
        5432,
        "seminars",
    )
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0


def test_postgres_pool_replaces_persistent_connections():
    env = {"DATABASE_URL": "postgres://portal:pw@db.example.org/seminars", "DATABASE_POOL": "true"}
    database = read_settings(env, "DATABASES")["DATABASES"]["default"]
    assert database["OPTIONS"]["pool"]
    assert database["CONN_MAX_AGE"] == 0


def test_redis_url_gives_djangos_redis_cache_with_one_client_per_pool():
    env = {"REDIS_URL": "redis://cache.example.org:6379/1"}
    cache = read_settings(env, "CACHES")["CACHES"]["default"]
    assert cache["BACKEND"] == "config.redis_cache.RedisCache"
    assert cache["LOCATION"] == "redis://cache.example.org:6379/1"


def test_the_redis_cache_reuses_its_client():
    from config.redis_cache import RedisCache

    cache = RedisCache("redis://cache.example.org:6379/1", {})
    # No connection is made until a command runs.
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_with_redis_sessions_are_read_from_it_and_kept_in_the_database():
    env = {"REDIS_URL": "redis://cache.example.org:6379/1"}
    engine = read_settings(env, "SESSION_ENGINE")["SESSION_ENGINE"]
    assert engine == "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize("env", [{}, PRODUCTION], ids=["development", "production"])
def test_without_redis_the_cache_is_shared_by_processes(env):
    # Rate limits live in the cache; a per-process cache would let each app server
    # count on its own.
    cache = read_settings(env, "CACHES")["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert "locmem" not in cache["BACKEND"].lower()


def test_the_join_window_is_read_in_minutes_and_never_negative():
    assert read_settings({}, "JOIN_WINDOW_MINUTES") == {"JOIN_WINDOW_MINUTES": 15}
    assert read_settings({"JOIN_WINDOW_MINUTES": "30"}, "JOIN_WINDOW_MINUTES") == {
        "JOIN_WINDOW_MINUTES": 30
    }
    for value in ("-5", "soon"):
        process = import_settings({"JOIN_WINDOW_MINUTES": value})
        assert process.returncode != 0 and "JOIN_WINDOW_MINUTES" in process.stderr


EMAIL_LINK = """
import django
django.setup()
from django.urls import reverse
from accounts.tasks import absolute_url
print(absolute_url(reverse("accounts:preferences")))
"""


def test_make_run_on_another_port_sends_emails_linking_to_that_port():
    """`make run PORT=8731`: the task worker, which writes the emails, links to :8731."""
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8731"],  # noqa: S607 (make from PATH, as a user runs it)
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    worker = next(line for line in dry_run.splitlines() if "db_worker" in line)
    assignment = worker.split()[0]
    name, value = assignment.split("=", 1)
    assert name == "SITE_URL"

    process = subprocess.run(  # noqa: S603 (a fixed script run by this interpreter)
        [sys.executable, "-c", EMAIL_LINK],
        cwd=PROJECT_DIR,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", name: value},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "http://127.0.0.1:8731/accounts/preferences/"
