"""Real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright.

`playwright install` cannot download browsers here, so these fixtures launch the
system browser. A missing browser is an error, never a skip: CI must not pass
without the browser tests having run.
"""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # This machine's network is closed: no QUIC probes, no background fetches.
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
SCREENSHOTS = RESULTS / "screenshots"
TRACES = RESULTS / "traces"
# Each test's reports by phase ("setup", "call"), so its fixtures can tell whether it failed.
PHASE_REPORTS = pytest.StashKey[dict]()

# Playwright's sync API runs an event loop in this thread; the test's own ORM
# calls (setting up data, reading the outbox) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


def failed(item):
    return any(report.failed for report in item.stash.get(PHASE_REPORTS, {}).values())


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A fresh browser context (no cookies) on the live test server.

    Its Playwright trace is kept only when the test fails, as
    test-results/traces/<test>/trace.zip (open with `playwright show-trace`).
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.tracing.start(screenshots=True, snapshots=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    trace_dir = TRACES / request.node.name
    if failed(request.node):
        context.tracing.stop(path=trace_dir / "trace.zip")
    else:
        context.tracing.stop()
        # A trace left by an earlier failure would only mislead now.
        shutil.rmtree(trace_dir, ignore_errors=True)
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-results/screenshots/<test>-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_page(browser, live_server, transactional_db):
    """A browser page with axe-core loaded in every document it opens.

    Its own context: the shared `page` fixture records a trace, which doubles the time.
    """
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(path=AXE_FILE_PATH)
    yield context.new_page()
    context.close()
