"""What driver.py's people do over HTTP: sign in, read a talk, post comments, probe health.

Every request is recorded as an Attempt, so the driver can tell afterwards what
each server answered during and after a database outage.
"""

import re
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

from tests.html import parse

# Seconds before a request is given up (the servers answer in milliseconds, a
# 503 at once), and the pause before trying again after a 503 or no answer.
REQUEST_TIMEOUT = 10
RETRY_PAUSE = 0.2
# What the friendly outage page says (templates/503.html).
OUTAGE_PAGE_TEXT = "Back in a moment"
COMMENT_POSTED = re.compile(r"#comment-(\d+)$")


@dataclass
class Attempt:
    server: str
    what: str
    status: int | None  # None: no answer (refused, reset, timed out)
    at: float
    friendly: bool = False  # a 503 that is the friendly page
    error: str = ""  # why there was no answer


@dataclass
class Posted:
    comment_id: int
    body: str


class Log:
    """Every attempt of every thread, in order; list.append is atomic."""

    def __init__(self):
        self.attempts: list[Attempt] = []


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    textareas: set[str] = field(default_factory=set)


def forms_in(html: str) -> list[Form]:
    """The forms of a page with their named inputs' values and their textareas."""
    forms = []
    for element in parse(html).iter("form"):
        form = Form(action=element.attrs.get("action") or "")
        for field_element in element.iter():
            name = field_element.attrs.get("name")
            if field_element.tag == "input" and name:
                form.fields[name] = field_element.attrs.get("value") or ""
            elif field_element.tag == "textarea" and name:
                form.textareas.add(name)
        forms.append(form)
    return forms


def new_comment_form(html: str) -> Form:
    """The talk page's form for a new top-level comment (not a reply's)."""
    for form in forms_in(html):
        if "body" in form.textareas and not form.fields.get("parent"):
            return form
    raise AssertionError("The talk page has no comment form")


class Visitor:
    """One signed-in person: posts to their home server, reads from the other."""

    def __init__(self, email, password, home, other, talk_path, log: Log):
        self.email = email
        self.password = password
        self.home = home
        self.other = other
        self.talk_path = talk_path
        self.log = log
        self.session = requests.Session()
        # A fresh connection per request. On a kept-alive one, a server that closes
        # it as idle while a request is on its way resets that request; browsers
        # resend it, requests does not, and the reset would look like a failure.
        self.session.headers["Connection"] = "close"
        self.unseen: list[int] = []  # comments the other server did not show

    def sign_in(self):
        """allauth's login form, as a browser fills it."""
        page = self.request(self.home, "login page", "get", "/accounts/login/", deadline=None)
        form = next(form for form in forms_in(page.text) if "password" in form.fields)
        data = {**form.fields, "login": self.email, "password": self.password}
        response = self.request(
            self.home, "login", "post", "/accounts/login/", deadline=None, data=data
        )
        if response.status_code != 302 or "/accounts/login/" in response.headers["Location"]:
            raise AssertionError(f"{self.email} could not sign in: {response.status_code}")

    def post_comments(self, count: int, label: str, deadline: float, posted: list[Posted]):
        """Post `count` comments, each followed by a read of the talk on the other server.

        Each comment acknowledged (302 to it) is appended to `posted` at once.
        """
        form = self.read_talk(deadline, expect=None)
        for number in range(count):
            body = f"{label} comment {number} by {self.email} ({uuid.uuid4().hex})"
            comment_id = self.submit(form, body, deadline)
            posted.append(Posted(comment_id, body))
            form = self.read_talk(deadline, expect=comment_id)

    def read_talk(self, deadline: float, expect: int | None) -> Form:
        """The talk page from the other server: its comment form, after checking that
        the comment just posted (`expect`) is shown."""
        page = self.request(self.other, "talk page", "get", self.talk_path, deadline)
        if page.status_code != 200:
            raise AssertionError(f"{self.other.name} answered the talk page {page.status_code}")
        if expect is not None and f'id="comment-{expect}"' not in page.text:
            self.unseen.append(expect)
        return new_comment_form(page.text)

    def submit(self, form: Form, body: str, deadline: float) -> int:
        """Post the form to the home server; the new comment's id.

        A 503 or no answer is retried with the same form, one-time token
        included, as a person pressing "Post" again would.
        """
        data = {**form.fields, "body": body}
        response = self.request(self.home, "comment post", "post", form.action, deadline, data=data)
        match = COMMENT_POSTED.search(response.headers.get("Location", ""))
        if response.status_code != 302 or not match:
            raise AssertionError(
                f"{self.home.name} answered a comment with {response.status_code}: "
                f"{response.text[:300]}"
            )
        return int(match[1])

    def request(self, server, what, method, path, deadline, **kwargs) -> requests.Response:
        """The server's answer, trying again after a 503 or no answer until `deadline`."""
        while True:
            try:
                response = self.session.request(
                    method,
                    server.url + path,
                    allow_redirects=False,
                    timeout=REQUEST_TIMEOUT,
                    **kwargs,
                )
            except requests.RequestException as error:
                response = error
            self.send_secure_cookies_over_http()
            self.log.attempts.append(attempt(server, what, response))
            response = response if isinstance(response, requests.Response) else None
            if response is not None and response.status_code != 503:
                return response
            if deadline is None or time.monotonic() > deadline:
                raise AssertionError(f"{server.name} gave no answer to {what} in time")
            time.sleep(RETRY_PAUSE)

    def send_secure_cookies_over_http(self):
        """Production's session and CSRF cookies are Secure, meant for the TLS proxy
        in front; these servers listen on loopback without one."""
        for cookie in self.session.cookies:
            cookie.secure = False


def attempt(server, what, answer: requests.Response | requests.RequestException) -> Attempt:
    if isinstance(answer, requests.RequestException):
        return Attempt(server.name, what, None, time.monotonic(), error=repr(answer))
    friendly = answer.status_code == 503 and OUTAGE_PAGE_TEXT in answer.text
    return Attempt(server.name, what, answer.status_code, time.monotonic(), friendly)


class HealthProbe(threading.Thread):
    """Asks a server's /healthz every tenth of a second, as a load balancer does.

    Told to stop, it goes on until the server says 200 again, for at most
    RECOVERY_SECONDS: a round can end while a worker is still reconnecting to
    the database, and a load balancer would keep asking too.
    """

    INTERVAL = 0.1
    RECOVERY_SECONDS = 15

    def __init__(self, server, log: Log):
        super().__init__(daemon=True)
        self.server = server
        self.log = log
        self.stopping = threading.Event()
        self.last_status = None

    def run(self):
        while not self.done():
            try:
                response = requests.get(f"{self.server.url}/healthz", timeout=REQUEST_TIMEOUT)
            except requests.RequestException as error:
                response = error
            probe = attempt(self.server, "healthz", response)
            self.log.attempts.append(probe)
            self.last_status = probe.status
            time.sleep(self.INTERVAL)

    def done(self) -> bool:
        return self.stopping.is_set() and (
            self.last_status == 200 or time.monotonic() > self.give_up_at
        )

    def stop(self):
        self.give_up_at = time.monotonic() + self.RECOVERY_SECONDS
        self.stopping.set()
        self.join(self.RECOVERY_SECONDS + REQUEST_TIMEOUT)
