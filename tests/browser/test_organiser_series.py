"""A new organiser's way to a first published talk, in Chromium: make_organiser on
their account, a series with its defaults, ten generated weekly talks, one filled
in and published, then found on the series' page."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from seminars.models import Series, Talk
from tests import factories
from tests.browser.test_journeys import sign_in_to_admin
from tests.factories import UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def organisers_group(transactional_db):
    """The live server's flushes take away the group its migration made."""
    return factories.organisers_group()


def test_a_new_organiser_generates_a_term_and_publishes_a_talk(
    page, live_server, screenshot, organisers_group
):
    user = UserFactory(display_name="Nia Organiser")
    call_command("make_organiser", user.email, stdout=io.StringIO())
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_to_admin(page, live_server, user, lambda step: screenshot(step))

    # A series with its defaults.
    page.get_by_role("link", name="Series", exact=True).click()
    page.get_by_role("link", name="Add series").click()
    page.get_by_label("Name").press_sequentially("Harmonic Analysis Seminar")
    page.get_by_label("Usual weekday").select_option(label="Tuesday")
    page.locator("#id_default_start_time").fill("16:00")
    page.get_by_label("Usual venue").fill("Room 5")
    screenshot("01-series-defaults")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    series = Series.objects.get(name="Harmonic Analysis Seminar")
    assert list(series.organisers.all()) == [user]

    # Ten weekly talks, previewed, then made.
    page.get_by_role("link", name="Generate talks").click()
    first = datetime.date.today() + datetime.timedelta(days=1)
    page.get_by_label("From").fill(first.isoformat())
    page.get_by_role("button", name="Preview the dates").click()
    expect(page.locator("#generate-preview tbody tr.new")).to_have_count(10)
    screenshot("02-generate-preview")
    page.get_by_role("button", name="Create 10 draft talks").click()
    expect(page.locator(".messagelist")).to_contain_text("Made 10 draft talk(s)")
    screenshot("03-generated-talks")
    talks = list(series.talks.order_by("start"))
    assert len(talks) == 10
    assert {
        (t.start.astimezone(LONDON).weekday(), t.start.astimezone(LONDON).hour) for t in talks
    } == {(1, 16)}

    # The first one filled in and published.
    page.locator("#result_list").get_by_role("link", name="TBA").first.click()
    page.get_by_label("Title").fill("Restriction estimates for the paraboloid")
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    published = Talk.objects.get(title="Restriction estimates for the paraboloid")
    assert published.status == Talk.Status.PUBLISHED and published.venue == "Room 5"

    page.goto(reverse("seminars:series-detail", args=[series.slug]))
    expect(
        page.get_by_role("link", name="Restriction estimates for the paraboloid")
    ).to_be_visible()
    # The other nine are drafts, not on the site.
    expect(page.get_by_text("TBA", exact=True)).to_have_count(0)
    screenshot("04-series-page")
