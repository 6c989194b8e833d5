"""The audience's own schedule in Chromium: save a talk from its page, find it on
"My talks", make a personal calendar link, copy its address with the copy button,
and see a rescheduled talk arrive in that calendar with a higher SEQUENCE."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.sessions import sign_in
from tests.factories import TalkFactory, UserFactory

pytestmark = pytest.mark.browser


def event_of(page, address):
    response = page.request.get(address)
    assert response.status == 200
    [event] = Calendar.from_ical(response.body()).walk("VEVENT")
    return event


def test_save_a_talk_then_subscribe_to_a_personal_calendar(page, live_server, screenshot):
    talk = TalkFactory(title="Vortex rings", start=timezone.now() + datetime.timedelta(days=2))
    sign_in(page, live_server, UserFactory())

    page.goto(talk.get_absolute_url())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(live_server.url + talk.get_absolute_url())
    expect(page.get_by_role("button", name="Unsave")).to_be_visible()
    screenshot("01-saved")

    page.locator("form.save-talk").get_by_role("link", name="My talks").click()
    saved = page.locator('section[aria-labelledby="saved-heading"]')
    expect(saved.get_by_role("link", name="Vortex rings")).to_be_visible()
    screenshot("02-my-talks")

    page.goto(reverse("accounts:calendars"))
    page.get_by_label("Label").fill("phone")
    page.get_by_label("Alarm").select_option(label="30 minutes before")
    page.get_by_role("button", name="Create link").click()
    field = page.get_by_label("Calendar address")
    address = field.input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/calendars/[\w-]{{43}}\.ics", address)
    screenshot("03-calendar-link")

    # The copy button, hidden without JavaScript, copies the address.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address

    before = event_of(page, address)
    assert before["SUMMARY"] == "Vortex rings"
    assert before.walk("VALARM")[0].decoded("TRIGGER") == -datetime.timedelta(minutes=30)

    talk.start += datetime.timedelta(hours=2)
    talk.end += datetime.timedelta(hours=2)
    talk.save()

    after = event_of(page, address)
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + datetime.timedelta(hours=2)
