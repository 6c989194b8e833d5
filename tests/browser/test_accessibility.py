"""axe-core in Chromium on every public page type: zero WCAG 2.2 AA violations.

Every page type is checked signed out (at 1280 px wide) and signed in (at
360 px, a small phone): with all of axe's WCAG 2.x A and AA rules and its best
practices in the light theme, then with its colour rules in the dark theme.
Every page must also have a title of its own and a meta description, and
none may scroll sideways at 360 px (WCAG 1.4.10, reflow).
"""

import pytest
from django.urls import reverse

from tests.browser.sessions import sign_in
from tests.page_types import make_site, signed_in_pages, signed_out_pages

# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
    "reporter": "no-passes",
}
DEFAULT_TITLE = "Seminars · Seminar portal"
PHONE_WIDTH = 360


@pytest.fixture
def site():
    return make_site()


def axe_violations(page, options):
    violations = page.evaluate("options => axe.run(document, options)", options)["violations"]
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in violations
    ]


def assert_axe_finds_a_violation(page):
    """A page with a known fault, so that a silently broken axe cannot pass everything."""
    page.set_content('<!doctype html><html lang="en"><title>Canary</title><img src="x.png">')
    assert "image-alt" in " ".join(axe_violations(page, AXE_OPTIONS))


def page_problems(page):
    """What is wrong with the open page: axe's violations, its head, its reflow."""
    problems = axe_violations(page, AXE_OPTIONS)
    title = page.title()
    if not title or title == DEFAULT_TITLE:
        problems.append(f"no title of its own: {title!r}")
    description = page.locator('meta[name="description"]').get_attribute("content") or ""
    if len(description.strip()) < 20:
        problems.append(f"no meta description: {description!r}")
    if overflow := sideways_overflow_at_phone_width(page):
        problems.append(f"scrolls sideways by {overflow}px at {PHONE_WIDTH}px")
    return problems


def sideways_overflow_at_phone_width(page):
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.set_viewport_size({"width": width, "height": 800})
    return overflow


# Contrast is all that differs between the themes: the dark run checks only that.
CONTRAST_OPTIONS = {
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
    "resultTypes": ["violations"],
    "reporter": "no-passes",
}


@pytest.mark.parametrize(
    ("signed_in", "width"), [(False, 1280), (True, PHONE_WIDTH)], ids=["signed-out", "signed-in"]
)
def test_every_page_type_passes_axe(axe_page, live_server, site, signed_in, width):
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    if signed_in:
        sign_in(page, live_server, site["organiser"])
    pages = signed_in_pages(site) if signed_in else signed_out_pages(site)
    assert_axe_finds_a_violation(page)
    titles = {}
    problems = {}
    for name, path in pages.items():
        page.emulate_media(color_scheme="light")
        response = page.goto(path)
        assert response.status == (404 if name == "404" else 200), f"{name}: {response.status}"
        assert page.url.endswith(path), f"{name} redirected to {page.url}"
        if name != "reply form":  # the talk's page, with the reply form open
            titles.setdefault(page.title(), []).append(name)
        found = page_problems(page)
        page.emulate_media(color_scheme="dark")
        found += [f"dark: {problem}" for problem in axe_violations(page, CONTRAST_OPTIONS)]
        if found:
            problems[name] = found
    assert problems == {}
    assert [names for names in titles.values() if len(names) > 1] == []


# Swagger UI's own markup is not ours to fix; its language and colours are.
API_DOCS_OPTIONS = {
    "runOnly": {"type": "rule", "values": ["html-has-lang", "color-contrast"]},
    "resultTypes": ["violations"],
    "reporter": "no-passes",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_api_docs_have_a_language_and_enough_contrast(axe_page, scheme):
    axe_page.emulate_media(color_scheme=scheme)
    axe_page.goto(reverse("api:openapi-view"))
    axe_page.locator(".opblock").first.wait_for()
    assert axe_violations(axe_page, API_DOCS_OPTIONS) == []
