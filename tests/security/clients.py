"""Test clients that share one request handler.

Django's test client builds its own handler, which loads the middleware on its
first request; whitenoise's middleware then indexes every static file (about
0.1 s). These tests make thousands of requests from fresh clients, so they
share a handler, made once per process for each CSRF setting.
"""

import functools

from django.test import Client
from django.test.client import ClientHandler


@functools.cache
def shared_handler(enforce_csrf_checks: bool) -> ClientHandler:
    return ClientHandler(enforce_csrf_checks)


def new_client(enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.handler = shared_handler(enforce_csrf_checks)
    return client
