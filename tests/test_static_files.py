"""Static files as production serves them, and what a first visit to /talks/ downloads.

Production (DJANGO_DEBUG=false) serves collectstatic's output through
whitenoise: hashed names cached for good, Brotli or gzip copies made at
collectstatic. Settings are read once, at import, so that part runs in a
subprocess. The first-visit weight is measured in this process: the page as
GZipMiddleware sends it, and each file it loads as whitenoise would send it,
Brotli-compressed.
"""

import datetime
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from urllib.parse import urljoin

import brotli
import pytest
from django.utils import timezone

from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory
from tests.html import parse
from tests.test_settings import PRODUCTION, PROJECT_DIR

FIRST_VISIT_BUDGET = 60 * 1024
# What the site loads only on pages that show math: out of the budget (issue 5).
MATH_FONT = re.compile(r"/fonts/STIXTwoMath")

# Collects our own files only: the admin's, the API docs' and the math font
# take a minute to compress and prove nothing more.
SERVE_STATIC = """
import json, django, django.conf
django.setup()
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

call_command("collectstatic", interactive=False, verbosity=0,
             ignore_patterns=["admin", "ninja", "STIXTwoMath*", "css/math.css"])
url = static("css/site.css")
# A source map as third-party bundles ship them, beside the manifest collectstatic wrote.
root = django.conf.settings.STATIC_ROOT
(root / "css" / "bundle.css.map").write_text("{}")
client = Client()
unserved = {
    name: client.get(f"/static/{name}").status_code
    for name in ("staticfiles.json", "css/bundle.css.map")
}
answers = {}
for encoding in ("br", "gzip", "identity"):
    response = client.get(url, headers={"Accept-Encoding": encoding})
    answers[encoding] = {
        "status": response.status_code,
        "encoding": response.get("Content-Encoding"),
        "cache_control": response.get("Cache-Control"),
        "vary": response.get("Vary"),
        "size": len(b"".join(response.streaming_content)),
    }
print(json.dumps({"url": url, "answers": answers, "unserved": unserved}))
"""


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    env = {
        "PATH": os.environ["PATH"],
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(root),
        # Never opened: static files need no database.
        "DATABASE_URL": f"sqlite:///{root / 'unused.sqlite3'}",
    }
    process = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", SERVE_STATIC],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


def test_pages_link_to_hashed_names(production_static):
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", production_static["url"])


def test_the_manifest_and_source_maps_are_not_served(production_static):
    assert production_static["unserved"] == {"staticfiles.json": 404, "css/bundle.css.map": 404}


def test_hashed_files_are_cached_for_good(production_static):
    for answer in production_static["answers"].values():
        assert answer["status"] == 200
        assert answer["cache_control"] == "max-age=315360000, public, immutable"
        assert "Accept-Encoding" in answer["vary"]


def test_static_files_come_brotli_or_gzip_compressed(production_static):
    answers = production_static["answers"]

    assert answers["br"]["encoding"] == "br"
    assert answers["gzip"]["encoding"] == "gzip"
    assert answers["identity"]["encoding"] is None
    assert answers["br"]["size"] < answers["gzip"]["size"] < answers["identity"]["size"] / 3


@dataclass
class Resources:
    """What a browser fetches for a page: stylesheets, scripts, icons, images, preloads."""

    urls: list[str] = field(default_factory=list)
    blocking_scripts: list[str] = field(default_factory=list)


def resources_of(response) -> Resources:
    resources = Resources()
    for element in parse(response).iter():
        tag, attributes = element.tag, element.attrs
        if tag == "link" and {"stylesheet", "icon", "preload"} & set(
            (attributes.get("rel") or "").split()
        ):
            resources.urls.append(attributes["href"])
        elif tag in ("script", "img") and attributes.get("src"):
            resources.urls.append(attributes["src"])
            if tag == "script" and not {"defer", "async"} & attributes.keys():
                resources.blocking_scripts.append(attributes["src"])
    return resources


def downloaded_size(client, url: str) -> int:
    """The file as whitenoise sends it to a browser that takes Brotli."""
    response = client.get(url)
    assert response.status_code == 200, url
    return len(brotli.compress(b"".join(response.streaming_content)))


def css_references(client, url: str) -> list[str]:
    css = b"".join(client.get(url).streaming_content).decode()
    return [urljoin(url, ref) for ref in re.findall(r"url\(['\"]?([^'\")]+)", css)]


@pytest.mark.django_db
def test_a_first_visit_to_the_talk_list_weighs_under_60_kb(client):
    # A full page of talks, each with the names and tags a card shows.
    start = timezone.now() + datetime.timedelta(days=1)
    for day in range(20):
        TalkFactory(
            title=f"On the long-time behaviour of vortex rings in stratified fluids, part {day}",
            start=start + datetime.timedelta(days=day),
            series=SeriesFactory(),
            speakers=SpeakerFactory.create_batch(2),
            tags=TagFactory.create_batch(3),
        )

    page = client.get("/talks/", headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    resources = resources_of(client.get("/talks/"))
    files = resources.urls + [
        ref for url in resources.urls if url.endswith(".css") for ref in css_references(client, url)
    ]
    counted = [url for url in files if not MATH_FONT.search(url)]
    weight = len(page.content) + sum(downloaded_size(client, url) for url in counted)

    assert {"/static/css/site.css", "/static/js/localtime.js"} <= set(files)
    assert weight < FIRST_VISIT_BUDGET, f"{weight} bytes: {counted}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/talks/", "/tags/", "/series/", "/search/?q=rings"])
def test_pages_load_nothing_from_other_sites_and_no_script_blocks_rendering(client, url):
    TalkFactory(title="Vortex rings", tags=[TagFactory()], speakers=[SpeakerFactory()])

    resources = resources_of(client.get(url))

    assert resources.urls
    assert all(found.startswith("/static/") for found in resources.urls), resources.urls
    assert resources.blocking_scripts == []
