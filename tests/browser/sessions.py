"""Signing a browser in without its sign-in form, for tests about other pages."""

from django.conf import settings
from django.test import Client


def sign_in(page, live_server, user):
    """Give the browser a real session of `user` (the sign-in form has tests of its own)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
