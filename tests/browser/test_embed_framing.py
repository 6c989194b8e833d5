"""Another site frames an embedded list of talks, and cannot frame any other page."""

import http.server
import threading

import pytest
from django.urls import reverse

from tests.factories import SeriesFactory, TalkFactory


@pytest.fixture
def department_site():
    """Another origin on this machine (Chromium keeps public pages from framing local
    servers): serves one page, whose HTML the test sets, at its root."""
    pages = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get("html", "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield pages, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_another_site_may_frame_an_embedded_list_and_nothing_else(
    page, live_server, department_site
):
    series = SeriesFactory(slug="fluids")
    talk = TalkFactory(title="Vortex rings", series=series)
    embed = live_server.url + reverse("syndication:series-embed", args=[series.slug])
    other = live_server.url + talk.get_absolute_url()
    pages, department = department_site
    pages["html"] = (
        "<!doctype html><title>Seminars</title>"
        f'<iframe name="embed" src="{embed}" title="embed"></iframe>'
        f'<iframe name="other" src="{other}" title="other"></iframe>'
    )

    page.goto(department)
    page.wait_for_load_state("load")
    frames = {frame.name: frame for frame in page.frames}

    assert "Vortex rings" in frames["embed"].locator("body").inner_text()
    # A refused frame shows the browser's error page, never the talk.
    assert "Vortex rings" not in frames["other"].content()
