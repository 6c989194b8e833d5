"""Small things a visitor notices: tap targets on a phone, the printed talk's time,
and search highlights in our own colours in both themes."""

import pytest

from tests.factories import SeriesFactory, TalkFactory

PHONE = {"width": 390, "height": 844}
# WCAG 2.2's target size (minimum), 2.5.8.
TARGET = 24


@pytest.fixture
def talk():
    return TalkFactory(
        title="Vortex rings in stratified fluids",
        series=SeriesFactory(slug="fluids", timezone="Europe/London"),
        venue="Lecture Theatre 2",
        online_url="https://meet.example.org/rings",
    )


@pytest.fixture
def context_page(browser, live_server, transactional_db):
    contexts = []

    def open_page(path, **options):
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_tap_targets_on_a_phone_are_at_least_24_px(context_page, talk):
    page = context_page(talk.get_absolute_url(), viewport=PHONE)
    links = {
        "Join online": page.get_by_role("link", name="Join online"),
        "Add to Google Calendar": page.get_by_role("link", name="Add to Google Calendar"),
        "Download .ics": page.get_by_role("link", name="Download .ics"),
        "Log in": page.locator("ul.account").get_by_role("link", name="Log in"),
    }
    series_page = context_page("/series/fluids/", viewport=PHONE)
    links["Subscribe in your calendar"] = series_page.get_by_role(
        "link", name="Subscribe in your calendar"
    )
    small = {}
    for name, link in links.items():
        box = link.bounding_box()
        if box["height"] < TARGET or box["width"] < TARGET:
            small[name] = (box["width"], box["height"])
    assert small == {}


def test_a_printed_talk_shows_the_series_time_not_the_printers(context_page, talk):
    page = context_page(talk.get_absolute_url(), timezone_id="Asia/Tokyo")
    local = page.locator(".facts .local-time")
    assert local.is_visible()  # on screen, the visitor's own time is added
    page.emulate_media(media="print")
    assert not local.is_visible()
    series_time = page.locator(".facts time")
    assert series_time.is_visible()
    assert series_time.inner_text().endswith(("GMT", "BST"))


@pytest.mark.parametrize(
    ("scheme", "background"), [("light", "rgb(253, 230, 138)"), ("dark", "rgb(77, 63, 15)")]
)
def test_search_highlights_are_ours_in_both_themes(context_page, talk, scheme, background):
    page = context_page("/search/?q=vortex", color_scheme=scheme)
    marks = page.locator("mark")
    assert marks.count() > 0
    for index in range(marks.count()):
        assert marks.nth(index).evaluate("m => getComputedStyle(m).backgroundColor") == background
