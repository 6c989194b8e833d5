"""The client's address behind proxies, and allauth's rate limits keyed on it.

X-Forwarded-For is trusted only as far as TRUSTED_PROXY_COUNT says: a client
that writes the header itself must not pick the address its requests count
against.
"""

import pytest
from django.urls import reverse

from config.security import client_ip
from tests.test_settings import read_settings

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.23"


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "proxies", "expected"),
    [
        # No proxies: the header is the client's own words and is ignored.
        (CLIENT, "192.0.2.1", 0, CLIENT),
        (CLIENT, "", 0, CLIENT),
        # One proxy: the entry it appended, whatever the client wrote before it.
        (PROXY, CLIENT, 1, CLIENT),
        (PROXY, f"192.0.2.1, {CLIENT}", 1, CLIENT),
        (PROXY, f"not an address, 192.0.2.1,{CLIENT}", 1, CLIENT),
        (PROXY, f"  {CLIENT}  ", 1, CLIENT),
        # Two proxies: the outer one saw the client, the inner one saw the outer.
        (PROXY, f"192.0.2.1, {CLIENT}, 10.0.0.1", 2, CLIENT),
        # IPv6, normalised, so one client is one rate-limit key.
        (PROXY, "2001:DB8:0:0::1", 1, "2001:db8::1"),
        # Too few entries for the proxies configured: not through our proxies.
        (PROXY, CLIENT, 2, PROXY),
        # Malformed or missing: the proxy's own address is all we know.
        (PROXY, "", 1, PROXY),
        (PROXY, "garbage", 1, PROXY),
        (PROXY, f"{CLIENT}, ", 1, PROXY),
        (PROXY, f"{CLIENT}:4711", 1, PROXY),
        (PROXY, "999.1.1.1", 1, PROXY),
        (PROXY, ",,,", 1, PROXY),
    ],
)
def test_client_ip(remote_addr, forwarded_for, proxies, expected):
    assert client_ip(remote_addr, forwarded_for, proxies) == expected


@pytest.mark.parametrize(("env", "expected"), [({}, 0), ({"TRUSTED_PROXY_COUNT": "2"}, 2)])
def test_the_proxy_count_comes_from_the_environment_and_defaults_to_none(env, expected):
    assert read_settings(env, "TRUSTED_PROXY_COUNT") == {"TRUSTED_PROXY_COUNT": expected}


def address_seen(client, **headers):
    """REMOTE_ADDR as the views (and allauth) see it after the middleware."""
    response = client.get(reverse("healthz"), **headers)
    assert response.status_code == 200
    return response.wsgi_request.META["REMOTE_ADDR"]


@pytest.mark.django_db
def test_without_proxies_a_forwarded_for_header_changes_nothing(client):
    seen = address_seen(client, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert seen == CLIENT


@pytest.mark.django_db
def test_behind_one_proxy_the_views_see_the_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    seen = address_seen(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {CLIENT}")
    assert seen == CLIENT


# allauth's default: 10 failed logins a minute per address (and 5 per account).
FAILED_LOGINS_PER_ADDRESS = 10
TOO_MANY = "Too many failed login attempts"


def fail_to_log_in(client, attempt, **headers):
    """A wrong password for a new address each time, so only the per-address limit applies."""
    response = client.post(
        reverse("account_login"),
        {"login": f"nobody{attempt}@example.org", "password": "wrong"},
        **headers,
    )
    assert response.status_code == 200
    return response.content.decode()


def exhaust_failed_logins(client, spoofed_headers):
    for attempt in range(FAILED_LOGINS_PER_ADDRESS):
        page = fail_to_log_in(client, attempt, **spoofed_headers(attempt))
        assert TOO_MANY not in page


@pytest.mark.django_db
def test_rate_limit_holds_however_a_direct_client_fills_forwarded_for(client):
    def spoofed(attempt):
        return {"REMOTE_ADDR": CLIENT, "HTTP_X_FORWARDED_FOR": f"192.0.2.{attempt}"}

    exhaust_failed_logins(client, spoofed)
    assert TOO_MANY in fail_to_log_in(client, "next", **spoofed(99))


@pytest.mark.django_db
def test_rate_limit_behind_a_proxy_ignores_spoofed_entries(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def spoofed(attempt):
        return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.{attempt}, {CLIENT}"}

    exhaust_failed_logins(client, spoofed)
    assert TOO_MANY in fail_to_log_in(client, "next", **spoofed(99))


@pytest.mark.django_db
def test_rate_limit_behind_a_proxy_is_per_client_not_per_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    exhaust_failed_logins(
        client, lambda attempt: {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": CLIENT}
    )
    # Another visitor through the same proxy is not locked out by the first.
    page = fail_to_log_in(client, "other", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)
    assert TOO_MANY not in page


@pytest.mark.django_db
def test_a_malformed_header_behind_a_proxy_is_not_a_server_error(client, settings):
    # allauth's own X-Forwarded-For parsing raises ImproperlyConfigured (a 500) here.
    settings.TRUSTED_PROXY_COUNT = 2
    page = fail_to_log_in(client, 0, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="<script>")
    assert "The email address and/or password you specified are not correct." in page
