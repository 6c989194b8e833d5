import pytest

from .clients import new_client


@pytest.fixture
def client():
    """pytest-django's client, sharing one request handler (see clients.py)."""
    return new_client()
