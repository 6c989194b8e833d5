"""Every kind of page works in Chromium under the Content-Security-Policy.

The policy allows no inline script or style and no eval, so a page that relied
on one would break silently in production. Each test records the browser's
CSP reports (securitypolicyviolation events and "Refused to ..." console
messages) and fails on any, after checking the page's scripts really ran.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, SpeakerFactory, SuperuserFactory, TalkFactory

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""

INJECT_INLINE_CODE = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
  document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
}"""

LOADED_FONTS = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter((font) => font.status === "loaded").map((font) => font.family);
}"""


@pytest.fixture
def violations(page):
    """CSP violations seen so far on the page; the test fails if it never looks."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if re.search(r"Refused to|Content Security Policy", message.text)
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)

    def seen():
        return console + page.evaluate("window.cspViolations")

    return seen


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("/")


def test_home_and_a_talk_with_math(page, violations):
    talk = TalkFactory(
        abstract=r"Euler: $e^{i\pi} + 1 = 0$, and $$\sum_{n=1}^\infty \frac{1}{n^2}$$",
        # Not this machine's zone, so localtime.js has a time to add.
        series__timezone="Pacific/Chatham",
    )

    page.goto("/")
    expect(page.get_by_text(talk.title).first).to_be_visible()
    assert violations() == []

    page.goto(talk.get_absolute_url())
    assert page.locator("main math").count() == 2
    # The page's script ran: localtime.js adds the time in the reader's zone.
    expect(page.locator("main .local-time").first).to_be_visible()
    # The math font (a font-src load from the math stylesheet) arrived.
    assert "STIX Two Math" in page.evaluate(LOADED_FONTS)
    assert violations() == []


def test_login_and_the_admin(page, violations):
    talk = TalkFactory()
    SpeakerFactory(name="Emmy Noether")
    log_in(page, SuperuserFactory())
    assert violations() == []

    page.goto("/admin/seminars/talk/")
    expect(page.locator("#result_list").get_by_text(talk.title)).to_be_visible()
    assert violations() == []

    page.goto(f"/admin/seminars/talk/{talk.pk}/change/")
    # The admin's scripts ran: the calendar and clock shortcuts are added by JavaScript,
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    # and the speakers' autocomplete (select2) asks the server as one types.
    page.locator(".field-speakers .select2-search__field").press_sequentially("Noether")
    expect(page.locator(".select2-results__option", has_text="Emmy Noether")).to_be_visible()
    assert violations() == []

    page.goto("/admin/seminars/talk/add/")
    page.locator("#id_title").press_sequentially("Knots and braids")
    # prepopulate.js filled the slug from the title.
    expect(page.locator("#id_slug")).to_have_value("knots-and-braids")
    assert violations() == []


def test_the_api_docs(page, violations):
    TalkFactory(title="A talk for the API")

    page.goto("/api/docs")
    # Swagger UI is built by script; its title comes from the OpenAPI document.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Seminar portal API")
    page.locator('.opblock-summary-control:has([data-path="/api/talks"])').click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    # The request went out (connect-src) and its answer is shown.
    expect(page.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(page.locator(".live-responses-table .highlight-code").first).to_contain_text(
        "A talk for the API"
    )

    assert violations() == []


def test_the_detector_sees_violations(page, violations):
    """Guards the tests above: an inline script and an inline style are reported."""
    page.goto("/")
    page.evaluate(INJECT_INLINE_CODE)
    page.wait_for_function("window.cspViolations.length >= 2")

    seen = violations()
    assert any("script-src" in violation for violation in seen)
    assert any("style-src" in violation for violation in seen)
    assert page.evaluate("window.injected") is None
