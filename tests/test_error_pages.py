"""The error pages: friendly, in the site's layout, and never in need of the database.

This module is also the URLconf of its tests (the site's URLs, its error
handlers, and views that fail on purpose). Tests without the `db` fixture
run with database access blocked by pytest-django, so a page that touched
the database, through the session, the user or messages, would fail them.
"""

import pytest
from allauth.core.ratelimit import respond_429
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse
from django.views import defaults
from pytest_django.asserts import assertContains, assertInHTML

from config import urls as site_urls
from tests.factories import CommentFactory, UserFactory

FORBIDDEN_MESSAGE = "You can only change your own comments."


def bad_request(request):
    raise SuspiciousOperation("a malformed request")


def forbidden(request):
    raise PermissionDenied(FORBIDDEN_MESSAGE)


def too_many_attempts(request):
    return respond_429(request)  # what allauth answers past its rate limits


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("errors/400/", bad_request),
    path("errors/403/", forbidden),
    path("errors/429/", too_many_attempts),
    path("errors/500/", broken),
    *site_urls.urlpatterns,
]
handler400 = getattr(site_urls, "handler400", defaults.bad_request)
handler403 = getattr(site_urls, "handler403", defaults.permission_denied)
handler404 = getattr(site_urls, "handler404", defaults.page_not_found)
handler500 = getattr(site_urls, "handler500", defaults.server_error)

pytestmark = pytest.mark.urls(__name__)

# status, URL, the page's title and heading
ERROR_PAGES = [
    (400, "/errors/400/", "Bad request", "We could not understand that request"),
    (403, "/errors/403/", "Not allowed", "You cannot do that"),
    (404, "/no/such/page/", "Page not found", "We could not find that page"),
    (429, "/errors/429/", "Too many attempts", "Too many attempts"),
    (500, "/errors/500/", "Something went wrong", "Something went wrong on our side"),
]


def assert_site_layout(response, title, heading):
    assertContains(
        response, f"<title>{title} · Seminar portal</title>", status_code=response.status_code
    )
    content = response.content.decode()
    assertInHTML(f"<h1>{heading}</h1>", content, count=1)
    assert '<meta name="description" content="' in content
    assert '<a class="skip-link" href="#main">Skip to content</a>' in content
    assert '<nav class="nav" aria-label="Main">' in content
    assert 'href="/static/css/site.css"' in content
    assert '<footer class="site-footer">' in content


def test_the_database_is_blocked_in_these_tests(client):
    """The control: a page that reads the database cannot render here."""
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        client.get(reverse("seminars:home"))


@pytest.mark.parametrize(("status", "url", "title", "heading"), ERROR_PAGES)
def test_error_page_in_the_site_layout_without_the_database(status, url, title, heading):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == status
    assert_site_layout(response, title, heading)
    # Who is signed in would need the session: a neutral link replaces the account menu.
    assertInHTML(
        f'<a href="{reverse("accounts:profile")}">Your account</a>', response.content.decode()
    )


def test_404_names_the_missing_address(client):
    response = client.get("/no-such-page/")
    assertContains(response, "<code>/no-such-page/</code>", status_code=404)


def test_403_says_why(client):
    response = client.get("/errors/403/")
    assertContains(response, FORBIDDEN_MESSAGE, status_code=403)


def test_429_says_to_wait(client):
    response = client.get("/errors/429/")
    assertContains(response, "Please wait a few minutes, then try again.", status_code=429)


def test_failed_csrf_check_explains_without_the_database():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("discussion:comment-create", args=["any-talk"]), {"body": "Hi"})
    assert response.status_code == 403
    assert_site_layout(response, "Form expired", "Your form could not be sent")
    assertContains(response, "Nothing was saved.", status_code=403)


@pytest.mark.parametrize("template", ["500.html", "400.html", "403_csrf.html"])
def test_pages_django_renders_without_a_request_need_no_context(template):
    """Django renders these with an empty context: no request, no user."""
    content = render_to_string(template)
    assert "<h1>" in content
    assert 'href="/static/css/site.css"' in content


@pytest.mark.django_db
def test_a_real_forbidden_action_shows_the_403_page(client):
    comment = CommentFactory()
    client.force_login(UserFactory())
    response = client.get(reverse("discussion:comment-edit", args=[comment.pk]))
    assert response.status_code == 403
    assert_site_layout(response, "Not allowed", "You cannot do that")
    assertContains(response, FORBIDDEN_MESSAGE, status_code=403)
