"""Two app servers share one cache and database: a change made anywhere shows on the
other server's very next answer, though that server had the page cached; a personal
calendar link revoked through one server is refused by the other at once.

Server A serves anonymous pages from the shared cache (the database table, as
without Redis). A comment posted and a comment removed through server B, and a
talk and a tag edited by a third process, must show on A's next answer. Both
servers run as production does (gunicorn, DEBUG off) on a database of the test's
own: a SQLite file, or a new database on DATABASE_URL's PostgreSQL server. About
15 seconds, most of it starting the servers.
"""

import json
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests

from tests.html import parse
from tests.reliability.servers import AppServer, stop_servers
from tests.reliability.site import MATH, NEVER_SHOWN, collectstatic, production_env, run_python
from tests.reliability.traffic import forms_in, new_comment_form

pytestmark = pytest.mark.real_processes

TIMEOUT = 10


def own_database(directory: Path, cleanup: ExitStack) -> str:
    """A database for this test alone; dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{directory / 'db.sqlite3'}"
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_page_cache_{os.getpid()}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    cleanup.callback(drop)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Site:
    env: dict[str, str]
    seeded: dict
    a: AppServer
    b: AppServer

    def change(self, *command: str):
        """Run a tests.caching.site_changes command in a process of its own."""
        run_python(self.env, "-m", "tests.caching.site_changes", *command)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("two-servers")
    with ExitStack() as cleanup:
        env = production_env(
            own_database(directory, cleanup),
            STATIC_ROOT=str(directory / "static"),
            # The tests tell a stored page from a rendered one by it.
            PAGE_CACHE_HEADER="true",
        )
        with ThreadPoolExecutor(2) as pool:
            collected = pool.submit(collectstatic, env, left_out=(*NEVER_SHOWN, *MATH))
            seeded = json.loads(run_python(env, "-m", "tests.caching.site_changes", "seed"))
            collected.result()
        servers = [AppServer(name, env, directory / f"{name}.log") for name in ("a", "b")]
        cleanup.callback(stop_servers, servers)
        for server in servers:
            server.start()
        for server in servers:
            server.wait_until_ready()
        yield Site(env, seeded, *servers)


def anonymous_get(server, path) -> requests.Response:
    response = requests.get(server.url + path, timeout=TIMEOUT)
    assert response.status_code == 200, (path, response.status_code)
    return response


def warm(server, path):
    """Ask until `server` answers `path` from the cache."""
    anonymous_get(server, path)
    assert anonymous_get(server, path).headers["X-Page-Cache"] == "hit", path


def next_answer(server, path) -> str:
    response = anonymous_get(server, path)
    assert response.headers["X-Page-Cache"] == "miss", path
    return response.text


class Member:
    """A signed-in person with a browser's cookies."""

    def __init__(self, server, email, password):
        self.server = server
        self.session = requests.Session()
        login = self.get("/accounts/login/")
        form = next(form for form in forms_in(login.text) if "password" in form.fields)
        response = self.post(
            "/accounts/login/", {**form.fields, "login": email, "password": password}
        )
        assert response.status_code == 302, response.text[:300]

    def get(self, path) -> requests.Response:
        return self.request("get", path)

    def post(self, path, data) -> requests.Response:
        return self.request("post", path, data=data)

    def request(self, method, path, **kwargs) -> requests.Response:
        response = self.session.request(
            method, self.server.url + path, allow_redirects=False, timeout=TIMEOUT, **kwargs
        )
        # Production's cookies are Secure, for the TLS proxy these loopback servers lack.
        for cookie in self.session.cookies:
            cookie.secure = False
        return response


def test_a_comment_posted_through_b_shows_on_a_at_once(site):
    talk = site.seeded["talk"]
    warm(site.a, talk)
    author = Member(site.b, site.seeded["author"], site.seeded["password"])

    form = new_comment_form(author.get(talk).text)
    posted = author.post(form.action, {**form.fields, "body": "Posted through B"})

    assert posted.status_code == 302
    assert "Posted through B" in next_answer(site.a, talk)


def test_a_comment_removed_through_b_disappears_from_a_at_once(site):
    talk, comment = site.seeded["talk"], site.seeded["comment"]
    warm(site.a, talk)
    organiser = Member(site.b, site.seeded["organiser"], site.seeded["password"])

    removal = next(
        form
        for form in forms_in(organiser.get(talk).text)
        if form.action == f"/comments/{comment}/remove/"
    )
    removed = organiser.post(removal.action, {**removal.fields, "reason": "Off topic"})

    assert removed.status_code == 302
    page = next_answer(site.a, talk)
    assert "A first remark" not in page
    assert "Comment removed by an organiser." in page


def test_a_talk_edited_elsewhere_shows_on_a_at_once(site):
    talk = site.seeded["talk"]
    for path in (talk, "/talks/", "/feed/", "/calendar.ics"):
        warm(site.a, path)

    site.change("rename-talk", site.seeded["talk_slug"], "Smoke rings")

    for path in (talk, "/talks/", "/feed/", "/calendar.ics"):
        assert "Smoke rings" in next_answer(site.a, path)


def test_a_renamed_tag_shows_on_a_at_once(site):
    talk = site.seeded["talk"]
    warm(site.a, talk)
    warm(site.a, "/tags/")

    site.change("rename-tag", site.seeded["tag_slug"], "Fluid dynamics")

    assert "Fluid dynamics" in next_answer(site.a, talk)
    assert "Fluid dynamics" in next_answer(site.a, "/tags/")


def test_a_calendar_link_revoked_through_b_is_refused_by_a_at_once(site):
    """No app server keeps personal calendar tokens: A asks the database each time."""
    owner = Member(site.b, site.seeded["author"], site.seeded["password"])
    links = "/accounts/calendars/"
    create = next(form for form in forms_in(owner.get(links).text) if "label" in form.fields)
    made = owner.post(create.action, {**create.fields, "label": "phone", "alarm_minutes": "30"})
    assert made.status_code == 200, made.text[:300]
    [address] = [
        field.attrs["value"] for field in parse(made.text).find_all("input", id="calendar-address")
    ]
    calendar = urlsplit(address).path
    for _ in range(2):
        assert requests.get(site.a.url + calendar, timeout=TIMEOUT).status_code == 200

    revoke = next(
        form for form in forms_in(owner.get(links).text) if form.action.endswith("/revoke/")
    )
    assert owner.post(revoke.action, revoke.fields).status_code == 302

    assert requests.get(site.a.url + calendar, timeout=TIMEOUT).status_code == 404
