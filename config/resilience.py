"""A database outage answers with a friendly 503 page, never a traceback or a bare 500.

While PostgreSQL restarts or is unreachable, every query raises OperationalError
(InterfaceError on a connection that died under a request). That is no bug in
the page, so visitors get a short "back in a moment" page with Retry-After,
load balancers see 503, and nothing needs restarting: Django's persistent
connections (CONN_HEALTH_CHECKS) and psycopg's pool both reconnect on their own
once the database answers again. Any other exception is still a 500.

An outage surfaces in one of two places, so both are covered:

- in a view or a template (this includes request.user and the session, which
  load lazily there): DatabaseOutageMiddleware.process_exception answers, and
  logs one line. Without it handler500 would answer too, but Django logs a full
  traceback with every request that reaches handler500: a flood in an outage.
- in a middleware (allauth's, the session's on saving) or the database cache
  used there: Django turns the exception into a response through handler500,
  which is `server_error` below.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

# The errors of a database that does not answer, as Django raises them for every
# backend (and for the database cache). IntegrityError, ProgrammingError and
# the like are bugs or bad data, and stay 500s.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)

# Seconds a client (a crawler, a monitor) should wait before trying again:
# about as long as a database restart or a failover takes.
RETRY_AFTER_SECONDS = 30


# SQLite reports a missing table or column as an OperationalError too: that is a
# deploy that skipped `migrate`, not an outage, and must not hide behind a 503.
SCHEMA_ERRORS = ("no such table", "no such column")


def is_schema_error(exception) -> bool:
    return isinstance(exception, DATABASE_OUTAGE_ERRORS) and str(exception).startswith(
        SCHEMA_ERRORS
    )


def is_database_outage(exception) -> bool:
    return isinstance(exception, DATABASE_OUTAGE_ERRORS) and not is_schema_error(exception)


def database_outage_response(exception) -> HttpResponse:
    """The 503 page. Rendered without the request, since context processors
    would load the session and the user from the database that is down."""
    logger.warning("Database unavailable, answering 503: %s", str(exception).strip())
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Neither browsers nor proxies may keep the outage page once it is over.
    add_never_cache_headers(response)
    return response


class DatabaseOutageMiddleware:
    """Answers a view's or a template's database outage with the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return database_outage_response(exception)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the 503 page when the error is a database outage.

    Django calls it while handling the exception, so sys.exception() is that
    exception. This catches outages raised outside views, in middleware.
    """
    exception = sys.exception()
    if is_database_outage(exception):
        return database_outage_response(exception)
    if is_schema_error(exception):
        # Every error reaches this handler once, from a view or a middleware.
        logger.error("Deploy error: the database schema is incomplete (run migrate): %s", exception)
    return defaults.server_error(request, template_name)
