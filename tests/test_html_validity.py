"""The Nu Html Checker (vnu.jar, from npm: package.json) on every page type, signed out
and signed in: no errors.

All pages go to one Java process (it takes seconds to start), with a page known to
be invalid among them, so that a checker that reports nothing fails the test.
"""

import json
import subprocess  # nosec B404: runs the pinned checker on files this test wrote
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.page_types import make_site, signed_in_pages, signed_out_pages

pytestmark = pytest.mark.django_db

VNU_JAR = Path(__file__).resolve().parents[1] / "node_modules/vnu-jar/build/dist/vnu.jar"
# Microseconds in <time datetime>, and a role lists may not have.
CANARY = (
    b'<!doctype html><html lang="en"><title>Canary</title>'
    b'<p><time datetime="2030-01-01T10:00:00.123456+00:00">then</time></p>'
    b'<ul role="status"><li>one</li></ul>'
)


def nu_errors(documents: dict[str, bytes], folder: Path) -> dict[str, list[str]]:
    """Each document's errors by name, from one run of the checker."""
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `make node_modules/.installed` (npm ci)")
    files = {}
    for number, (name, content) in enumerate(documents.items()):
        path = folder / f"page-{number}.html"
        path.write_bytes(content)
        files[str(path)] = name
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    errors = {}
    for message in json.loads(result.stderr)["messages"]:
        # The checker names files "file:/tmp/...".
        url = message.get("url", "")
        name = files.get(url.removeprefix("file:"), url)
        where = message.get("extract", "").strip()
        errors.setdefault(name, []).append(f"{message['message']} at {where!r}")
    return errors


def rendered(client, pages: dict[str, str], prefix: str) -> dict[str, bytes]:
    documents = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "404" else 200), (name, response)
        documents[f"{prefix}: {name}"] = response.content
    return documents


def test_every_page_type_has_no_html_errors(tmp_path):
    site = make_site()
    signed_out = {**signed_out_pages(site), "API docs": reverse("api:openapi-view")}
    documents = rendered(Client(), signed_out, "signed out")
    organiser = Client()
    organiser.force_login(site["organiser"])
    documents |= rendered(organiser, signed_in_pages(site), "signed in")
    # A page showing a message ("You follow ..."), where the follow redirects.
    follow = reverse("accounts:follow", args=["tag", site["tag"].slug])
    documents["signed in: a message"] = organiser.post(follow, follow=True).content

    errors = nu_errors({**documents, "canary": CANARY}, tmp_path)

    assert len(errors.pop("canary", [])) == 2
    assert errors == {}
