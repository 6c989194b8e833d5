"""The comment box in Chromium: Preview with JavaScript off (a round trip to the server)
and on (live, as the writer pauses), the count near the limit, and axe on a page
showing a preview; and the admin's preview of an abstract."""

import re

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from django.urls import reverse
from playwright.sync_api import expect

from discussion.forms import COMMENT_MAX_LENGTH
from seminars.models import Comment
from tests.browser.sessions import sign_in
from tests.browser.test_accessibility import AXE_OPTIONS, CONTRAST_OPTIONS, axe_violations
from tests.factories import SuperuserFactory, TalkFactory, UserFactory

FORMULA = "When does $m \\to \\infty$ suffice?"


def signed_in_page(browser, live_server, javascript: bool, user=None):
    """A signed-in page, with axe-core loaded in every document it opens."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    context.add_init_script(path=AXE_FILE_PATH)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, user or UserFactory())
    return page


@pytest.fixture
def user_page(browser, live_server, transactional_db):
    page = signed_in_page(browser, live_server, javascript=True)
    yield page
    page.context.close()


@pytest.fixture
def user_page_without_javascript(browser, live_server, transactional_db):
    page = signed_in_page(browser, live_server, javascript=False)
    yield page
    page.context.close()


def preview_of(page, form="#comment-form"):
    return page.locator(f"{form} [data-preview]")


def test_preview_without_javascript_keeps_the_text_and_posts_nothing(
    user_page_without_javascript,
):
    page = user_page_without_javascript
    talk = TalkFactory()
    page.goto(talk.get_absolute_url())
    expect(preview_of(page)).to_be_hidden()

    page.get_by_label("Your comment").fill(FORMULA)
    with page.expect_navigation():
        page.get_by_role("button", name="Preview", exact=True).click()

    preview = preview_of(page)
    expect(preview).to_be_visible()
    expect(preview.locator("math")).to_have_count(1)
    expect(page.get_by_label("Your comment")).to_have_value(FORMULA)
    assert not Comment.objects.exists()

    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment .comment-body math")).to_have_count(1)
    assert Comment.objects.get().body == FORMULA


def test_live_preview_follows_the_typing_without_leaving_the_page(user_page):
    page = user_page
    talk = TalkFactory()
    page.goto(talk.get_absolute_url())
    address = page.url
    box = page.get_by_label("Your comment")

    box.fill(FORMULA)
    preview = preview_of(page)
    expect(preview).to_be_visible()
    expect(preview.locator("math")).to_have_count(1)
    box.fill("Now **bold**, <img src=x onerror=alert(1)>")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("img")).to_have_count(0)
    assert page.url == address
    assert not Comment.objects.exists()

    box.fill("")
    expect(preview).to_be_hidden()


def test_the_count_shows_near_the_limit_and_over_it(user_page):
    page = user_page
    page.goto(TalkFactory().get_absolute_url())
    box = page.get_by_label("Your comment")
    help_text = page.locator(f"#{box.get_attribute('id')}_helptext")

    box.fill("a" * 100)
    expect(help_text).to_have_text("At most 5,000 characters.")
    box.fill("a" * (COMMENT_MAX_LENGTH - 400))
    expect(help_text).to_contain_text("Characters left: 400.")
    # A line break is sent as two characters, and the server counts both.
    box.fill("a" * (COMMENT_MAX_LENGTH - 2) + "\n" + "b" * 10)
    expect(help_text.locator(".char-count.over")).to_have_text("Characters over the limit: 10.")

    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please shorten it by 10.")
    assert not Comment.objects.exists()


def test_a_page_showing_a_preview_passes_axe(user_page):
    page = user_page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(TalkFactory().get_absolute_url())
    page.get_by_label("Your comment").fill("Is $\\sum_{k=1}^n k = \\frac{n(n+1)}{2}$ sharp?")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview", exact=True).click()
    expect(preview_of(page).locator("math")).to_have_count(1)
    expect(page).to_have_url(re.compile("/comments/$"))

    assert axe_violations(page, AXE_OPTIONS) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page, CONTRAST_OPTIONS) == []


def test_the_admin_previews_an_abstract_in_a_new_tab_without_saving(
    browser, live_server, transactional_db
):
    page = signed_in_page(browser, live_server, javascript=False, user=SuperuserFactory())
    talk = TalkFactory(abstract="Old abstract.")
    page.goto(reverse("admin:seminars_talk_change", args=[talk.pk]))
    abstract = page.locator("#id_abstract")
    abstract.fill("New: $m \\to \\infty$.")

    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Preview abstract").click()
    preview = new_tab.value
    expect(preview.locator(".abstract-preview math")).to_have_count(1)
    # The form is still there as typed, and nothing was saved.
    expect(abstract).to_have_value("New: $m \\to \\infty$.")
    talk.refresh_from_db()
    assert talk.abstract == "Old abstract."
    page.context.close()
