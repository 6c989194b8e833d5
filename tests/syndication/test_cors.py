"""Cross-origin reads of the JSON API (syndication.cors): allowed for anyone, without
credentials; not on the API's docs page nor on any other page."""

import pytest
from django.urls import reverse

from tests.factories import TalkFactory, UserFactory

pytestmark = pytest.mark.django_db

ELSEWHERE = "https://maths.example.edu"


@pytest.fixture
def talk():
    return TalkFactory(slug="vortex-rings")


def api_urls():
    return [
        reverse("api:talk-list"),
        reverse("api:talk-detail", args=["vortex-rings"]),
        reverse("api:tag-list"),
        reverse("api:series-list"),
        reverse("api:openapi-json"),
    ]


@pytest.mark.parametrize("url", api_urls())
def test_api_reads_are_allowed_from_any_origin_without_credentials(client, talk, url):
    response = client.get(url, headers={"Origin": ELSEWHERE})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "ETag"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_signed_in_visitor_gets_no_credentialed_answer_either(client, talk):
    client.force_login(UserFactory())
    response = client.get(reverse("api:talk-list"), headers={"Origin": ELSEWHERE})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_revalidation_by_etag_is_readable_across_origins_too(client, talk):
    """A 304 carries no Content-Type; without the header the browser calls it an error."""
    url = reverse("api:talk-detail", args=["vortex-rings"])
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"Origin": ELSEWHERE, "If-None-Match": etag})

    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "*"


def test_api_errors_are_readable_across_origins_too(client):
    response = client.get(reverse("api:talk-detail", args=["no-such-talk"]))
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_is_answered_for_reads(client, talk):
    response = client.options(
        reverse("api:talk-list"),
        headers={
            "Origin": ELSEWHERE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response["Access-Control-Allow-Headers"] == "If-None-Match"
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    "url",
    [
        reverse("api:openapi-view"),
        reverse("seminars:home"),
        reverse("syndication:feed"),
        reverse("syndication:calendar"),
        "/talks/vortex-rings/",
    ],
)
def test_no_other_page_is_readable_across_origins(client, talk, url):
    response = client.get(url, headers={"Origin": ELSEWHERE})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    preflight = client.options(
        url, headers={"Origin": ELSEWHERE, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight
