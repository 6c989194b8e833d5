"""static/js/localtime.js in Chromium: the browser's zone next to the series' time.

Expected clock times come from zoneinfo; the zone abbreviation is the browser's
own (Intl), so only the clock, the date and the zone name are checked.
"""

import datetime
import zoneinfo

import pytest

from tests.browser.sessions import session_cookie
from tests.factories import SeriesFactory, TalkFactory, UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Scripts from our own origin only: no inline code, no eval.
STRICT_CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'"


@pytest.fixture
def visit(browser, live_server, transactional_db):
    """Open a path in a fresh browser context served under a strict CSP.

    Returns the page and the console messages about the CSP or script errors.
    """
    contexts = []

    def open_page(path, cookies=(), **context_options):
        context = browser.new_context(base_url=live_server.url, **context_options)
        contexts.append(context)
        context.add_cookies([{**cookie, "url": live_server.url} for cookie in cookies])
        context.route("**/*", add_strict_csp)
        page = context.new_page()
        page.set_default_timeout(10_000)
        problems = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(path)
        return page, problems

    yield open_page
    for context in contexts:
        # Requests still in flight (the favicon) must not reach a closed context.
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def add_strict_csp(route):
    response = route.fetch()
    route.fulfill(
        response=response,
        headers={**response.headers, "content-security-policy": STRICT_CSP},
    )


def london_talks():
    """Talks at 14:00 London time each side of the 30 March 2025 change, and one late.

    From Tokyo the first ends after midnight and the last starts on the next day.
    """
    series = SeriesFactory(timezone="Europe/London")
    wall_clocks = [
        datetime.datetime(2025, 3, 28, 14),
        datetime.datetime(2025, 4, 1, 14),
        # 18:00 in London is already the next day in Tokyo.
        datetime.datetime(2025, 4, 2, 18),
    ]
    talks = []
    for wall_clock in wall_clocks:
        start = wall_clock.replace(tzinfo=LONDON).astimezone(datetime.UTC)
        talks.append(
            TalkFactory(series=series, start=start, end=start + datetime.timedelta(hours=1))
        )
    return series, talks


def expected_clock(talk, zone):
    """The start and end as the visitor's text shows them, dates only where the day differs."""
    start, end = talk.start.astimezone(zone), talk.end.astimezone(zone)
    series_day = talk.start.astimezone(zoneinfo.ZoneInfo(talk.series.timezone)).date()
    start_text = dated(start) if start.date() != series_day else f"{start:%H:%M}"
    end_text = dated(end) if end.date() != start.date() else f"{end:%H:%M}"
    return f"({start_text}–{end_text} "


def dated(moment):
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"


def local_time_of(page, talk):
    """The text and title of the visitor's time next to `talk`'s series time."""
    iso_start = talk.start.astimezone(datetime.UTC).isoformat()
    span = page.locator(f'time[datetime="{iso_start}"] + .local-time')
    return span.inner_text(), span.get_attribute("title")


def test_script_adds_the_browser_time_across_a_dst_change(visit):
    series, talks = london_talks()
    offsets = {talk.start.astimezone(LONDON).utcoffset() for talk in talks}
    assert len(offsets) == 2, "the talks must straddle London's change"

    page, problems = visit(series.get_absolute_url(), timezone_id="Asia/Tokyo")

    assert page.locator(".local-time").count() == len(talks)
    for talk in talks:
        text, title = local_time_of(page, talk)
        assert text.startswith(expected_clock(talk, TOKYO))
        assert text.endswith(" your time)")
        assert title == "Asia/Tokyo time"
    assert problems == []


def test_script_adds_nothing_when_the_browser_is_in_the_series_zone(visit):
    series, talks = london_talks()

    page, problems = visit(series.get_absolute_url(), timezone_id="Europe/London")

    assert page.locator("time[data-localize]").count() == len(talks)
    assert page.locator(".local-time").count() == 0
    assert problems == []


def test_nothing_changes_without_javascript(visit):
    series, talks = london_talks()
    with_script, _ = visit(series.get_absolute_url(), timezone_id="Asia/Tokyo")

    page, _ = visit(series.get_absolute_url(), timezone_id="Asia/Tokyo", java_script_enabled=False)

    assert page.locator(".local-time").count() == 0
    assert page.locator("time").all_inner_texts() == with_script.locator("time").all_inner_texts()
    assert page.locator("time").count() == len(talks)


def test_script_leaves_a_signed_in_users_zone_alone(visit, live_server):
    series, talks = london_talks()
    user = UserFactory(timezone="Europe/Berlin")

    page, problems = visit(
        series.get_absolute_url(),
        cookies=[session_cookie(user, live_server.url)],
        timezone_id="Asia/Tokyo",
    )

    assert page.locator(".local-time").count() == len(talks)
    for talk in talks:
        text, title = local_time_of(page, talk)
        assert text.startswith(expected_clock(talk, BERLIN))
        assert title == "Europe/Berlin time"
    assert problems == []
