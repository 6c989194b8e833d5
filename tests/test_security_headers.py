"""Security headers on every kind of response, and the cookies' flags in production.

The production values (HSTS, Secure cookies) are read from config.settings in a
subprocess with the production environment, then applied to this test server, so
what is checked here is what production sends.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, SuperuserFactory, TalkFactory, UserFactory
from tests.test_settings import PRODUCTION, read_settings

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 60 * 60

PRODUCTION_SECURITY_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


@pytest.fixture(scope="module")
def production_values():
    return read_settings(PRODUCTION, *PRODUCTION_SECURITY_SETTINGS)


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, value)
    return settings


def page_urls():
    """One URL of each kind of response the site sends; the admin one needs a superuser."""
    talk = TalkFactory()
    return {
        "html": reverse("discussion:talk-detail", args=[talk.slug]),
        "admin": reverse("admin:seminars_talk_changelist"),
        "feed": reverse("syndication:feed"),
        "calendar": reverse("syndication:calendar"),
        "json": reverse("api:talk-list"),
        "static": "/static/css/site.css",
        "404": "/no-such-page/",
    }


KINDS = {
    "html": (200, "text/html"),
    "admin": (200, "text/html"),
    "feed": (200, "application/atom+xml"),
    "calendar": (200, "text/calendar"),
    "json": (200, "application/json"),
    "static": (200, "text/css"),
    "404": (404, "text/html"),
}


def parse_csp(header):
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_response_carries_the_security_headers(client, production, kind):
    client.force_login(SuperuserFactory())
    url = page_urls()[kind]

    response = client.get(url, secure=True)
    response.close()  # the static file is streamed from an open file

    status, content_type = KINDS[kind]
    assert response.status_code == status
    assert response["Content-Type"].startswith(content_type)
    csp = parse_csp(response["Content-Security-Policy"])
    assert {name: csp.get(name) for name in EXPECTED_CSP} == EXPECTED_CSP
    assert response["Strict-Transport-Security"] == (
        f"max-age={ONE_YEAR}; includeSubDomains; preload"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"].split(", ")
    assert {f"{feature}=()" for feature in DENIED_FEATURES} <= set(permissions)


def test_no_policy_allows_inline_code_or_eval(client):
    response = client.get(reverse("seminars:home"))
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "unsafe-hashes" not in header


def test_only_the_api_docs_page_allows_data_images(client):
    # Swagger UI's stylesheet draws its icons as data: SVG images.
    docs = parse_csp(client.get("/api/docs")["Content-Security-Policy"])
    home = parse_csp(client.get(reverse("seminars:home"))["Content-Security-Policy"])
    assert docs["img-src"] == ["'self'", "data:"]
    assert home["img-src"] == ["'self'"]
    assert {k: v for k, v in docs.items() if k != "img-src"} == {
        k: v for k, v in home.items() if k != "img-src"
    }


def test_html_pages_cannot_be_framed(client):
    response = client.get(reverse("seminars:home"))
    assert response["X-Frame-Options"] == "DENY"


def test_production_redirects_plain_http_to_https(client, production):
    response = client.get(reverse("seminars:home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_hsts_is_sent_only_over_https(client, production):
    # Browsers ignore it over HTTP; sending it there would only advertise a lie.
    production.SECURE_SSL_REDIRECT = False
    response = client.get(reverse("seminars:home"))
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


def test_development_sends_no_hsts_and_allows_plain_http(client):
    # Development settings, as the test suite itself runs.
    response = client.get(reverse("seminars:home"), secure=True)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


def cookie_flags(cookie):
    return {
        "secure": bool(cookie["secure"]),
        "httponly": bool(cookie["httponly"]),
        "samesite": cookie["samesite"],
    }


PRODUCTION_COOKIE = {"secure": True, "httponly": True, "samesite": "Lax"}


def test_production_csrf_cookie_is_secure_http_only_and_lax(client, production):
    response = client.get(reverse("account_login"), secure=True)
    assert cookie_flags(response.cookies["csrftoken"]) == PRODUCTION_COOKIE


def test_production_session_cookie_is_secure_http_only_and_lax(client, production):
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    assert cookie_flags(response.cookies["sessionid"]) == PRODUCTION_COOKIE


def test_forms_work_with_an_http_only_csrf_cookie():
    """The token travels in the form, so a CSRF-checking client can still post."""
    csrf_client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    login_page = csrf_client.get(reverse("account_login"))
    assert login_page.cookies["csrftoken"]["httponly"]
    token = login_page.context["csrf_token"]
    response = csrf_client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def oversized_post(client):
    return client.post(
        reverse("account_login"), data=b"x", content_type="text/plain", CONTENT_LENGTH=10**9
    )


# Responses made above Django's XFrameOptionsMiddleware: whitenoise's static files,
# CommonMiddleware's slash redirects, a bad Host's 400 and an oversized body's 413.
FRAMED_ELSEWHERE = {
    "static": (lambda client: client.get("/static/css/site.css"), 200),
    "slash redirect": (lambda client: client.get("/talks"), 301),
    "bad host": (lambda client: client.get("/", HTTP_HOST="evil.example"), 400),
    "too big": (oversized_post, 413),
}


@pytest.mark.parametrize("kind", FRAMED_ELSEWHERE)
def test_no_response_can_be_framed(client, kind):
    request, status = FRAMED_ELSEWHERE[kind]
    response = request(client)
    response.close()
    assert response.status_code == status
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.get("Content-Security-Policy", "")
