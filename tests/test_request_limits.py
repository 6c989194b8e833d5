"""Oversized bodies and uploads are refused unread, with a page that says why.

Limits: DATA_UPLOAD_MAX_MEMORY_SIZE for form text, MAX_REQUEST_SIZE for the
whole body (uploads included), DATA_UPLOAD_MAX_NUMBER_FIELDS and _FILES.
"""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from seminars.models import Comment
from tests.factories import TalkFactory
from tests.test_settings import read_settings

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def talk():
    return TalkFactory()


def post_comment(client, talk, **data):
    return client.post(reverse("discussion:comment-create", args=[talk.slug]), data)


def upload(size, name="talks.ics"):
    return SimpleUploadedFile(name, b"x" * size, content_type="text/calendar")


def test_the_limits_are_set_deliberately():
    # A comment of 5,000 four-byte characters, percent-encoded, fits in a form;
    # an import file of a few MB fits in a request.
    assert 5000 * 4 * 3 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= MB
    assert settings.MAX_REQUEST_SIZE == 5 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.MAX_REQUEST_SIZE


def test_an_operator_can_change_the_request_limit():
    values = read_settings({"MAX_REQUEST_SIZE": str(20 * MB)}, "MAX_REQUEST_SIZE")
    assert values == {"MAX_REQUEST_SIZE": 20 * MB}


def test_an_oversized_form_is_refused_with_a_413_page_in_the_site_layout(
    client, signed_in_user, talk
):
    response = post_comment(client, talk, body="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))

    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1>Request too large</h1>" in page
    assert "nothing was saved" in page
    assert "A comment may be up to 5,000 characters long." in page
    assert "Forms may hold up to 512.0\xa0KB of text, and uploads up to 5.0\xa0MB." in page
    # The site's layout for error pages.
    assert 'class="site-header"' in page
    assert "Error 413" in page
    assert not Comment.objects.exists()


def test_a_body_over_the_request_limit_is_refused_even_as_an_upload(client, signed_in_user, talk):
    # Django streams uploaded files to disk without a size limit of its own.
    response = post_comment(client, talk, body="Hello", file=upload(settings.MAX_REQUEST_SIZE))

    assert response.status_code == 413
    assert "<h1>Request too large</h1>" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_request_limit_refuses_before_login_or_csrf_are_checked(client, talk):
    response = client.post(
        reverse("account_login"),
        {"login": "a@example.org", "file": upload(settings.MAX_REQUEST_SIZE)},
    )
    assert response.status_code == 413


def test_an_upload_of_a_few_megabytes_gets_through(client, signed_in_user, talk):
    # The admin import takes files this size.
    response = post_comment(client, talk, body="Hello", file=upload(4 * MB))

    assert response.status_code == 302
    assert Comment.objects.get().body == "Hello"


def test_a_comment_of_the_longest_allowed_length_in_four_byte_characters_fits(
    client, signed_in_user, talk
):
    response = post_comment(client, talk, body="𝔸" * 5000)
    assert response.status_code == 302
    assert Comment.objects.get().body == "𝔸" * 5000


def test_too_many_fields_are_refused_with_a_clear_page(client, signed_in_user, talk):
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = post_comment(client, talk, body="Hello", **fields)

    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>Too many fields</h1>" in page
    assert "nothing was saved" in page
    assert not Comment.objects.exists()


def test_too_many_files_are_refused_with_a_clear_page(client, signed_in_user, talk):
    files = {
        f"file{n}": upload(10, f"{n}.ics") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    }

    response = post_comment(client, talk, body="Hello", **files)

    assert response.status_code == 400
    assert "<h1>Too many fields</h1>" in response.content.decode()
    assert not Comment.objects.exists()


def test_other_bad_requests_keep_the_plain_400_page(client):
    response = client.get(reverse("seminars:home"), headers={"host": "evil.example.com"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Error 400" in page
    assert "Too many fields" not in page
    assert "too large" not in page
