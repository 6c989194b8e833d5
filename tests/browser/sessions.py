"""Signing a browser in without its sign-in form, for tests about other pages."""

from django.conf import settings

from tests.security.clients import new_client


def session_cookie(user, url: str) -> dict:
    """A cookie holding a real session of `user`, for Playwright's add_cookies."""
    client = new_client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}


def sign_in(page, live_server, user):
    """Give the browser a real session of `user` (the sign-in form has tests of its own)."""
    page.context.add_cookies([session_cookie(user, live_server.url)])
