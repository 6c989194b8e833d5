"""The four journeys of issue 7, each driven end to end in a real Chromium.

1. A visitor browses a tag page by page, opens a talk and downloads its calendar entry.
2. A new user signs up, confirms the email, then posts, edits and deletes a comment.
3. An organiser enters a speaker, a tag and a talk with LaTeX in the admin,
   publishes it, and finds it on the tag page and in the tag's Atom feed.
4. An organiser removes a comment from the talk page, giving a reason; a visitor
   sees it marked as removed.

Every step is screenshot at a phone's and a desktop's width into
test-results/screenshots/; a failing journey keeps its Playwright trace
(see tests/browser/conftest.py).
"""

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from seminars.models import Comment, Talk
from seminars.pagination import TALKS_PER_PAGE
from tests import factories
from tests.factories import (
    PASSWORD,
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

PHONE_WIDTH, DESKTOP_WIDTH = 390, 1280
# allauth labels its field "Password:" on the login page; this leaves out "Password (again):".
PASSWORD_LABEL = re.compile(r"^Password:?$")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def screenshots(page, screenshot):
    """Screenshot the current page at a phone's width, then at a desktop's (where it stays)."""

    def take(step):
        paths = []
        for width in (PHONE_WIDTH, DESKTOP_WIDTH):
            page.set_viewport_size({"width": width, "height": 900})
            paths.append(screenshot(f"{step}-{width}px"))
        return paths

    return take


def sign_in(page, email, password=PASSWORD):
    """Fill in and submit allauth's login form, on whatever page shows it."""
    page.get_by_label("Email").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_to_admin(page, live_server, organiser, screenshots):
    """The admin sends a signed-out organiser to the site's (allauth's) login, then back."""
    page.goto(reverse("admin:index"))
    expect(page).to_have_url(re.compile(re.escape(live_server.url + reverse("account_login"))))
    screenshots("00-admin-login")
    sign_in(page, organiser.email)
    expect(page).to_have_url(live_server.url + reverse("admin:index"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def thread_entry(page, comment):
    return page.locator(f"#comment-{comment.pk}")


def test_visitor_pages_through_a_tag_and_downloads_a_talks_calendar_entry(
    page, live_server, screenshots
):
    series = SeriesFactory(name="Analysis Seminar")
    primes = TagFactory(name="Prime numbers")
    now = timezone.now()
    # One more talk than a page holds; upcoming talks are listed soonest first.
    talks = [
        TalkFactory(
            series=series,
            title=f"Gaps between primes, lecture {day}",
            start=now + datetime.timedelta(days=day),
            tags=[primes],
        )
        for day in range(1, TALKS_PER_PAGE + 2)
    ]
    first, last = talks[0], talks[-1]
    TalkFactory(series=series, title="Turbulent jets", tags=[TagFactory(name="Fluids")])

    page.goto("/")
    screenshots("01-home")
    page.get_by_role("complementary", name="Tags").get_by_role("link", name=primes.name).click()

    expect(page).to_have_url(live_server.url + primes.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(primes.name)
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 2")
    expect(page.get_by_role("link", name=first.title, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=last.title, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Turbulent jets")).to_have_count(0)
    screenshots("02-tag-page-1")
    pages.get_by_role("link", name=re.compile("Next")).click()

    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(pages).to_contain_text("Page 2 of 2")
    expect(page.get_by_role("link", name=first.title, exact=True)).to_have_count(0)
    screenshots("03-tag-page-2")
    page.get_by_role("link", name=last.title, exact=True).click()

    expect(page).to_have_url(live_server.url + last.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(last.title)
    screenshots("04-talk")
    with page.expect_download() as download_info:
        page.get_by_role("main").get_by_role("link", name="Download .ics").click()

    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    events = calendar.walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == [last.title]
    assert events[0].decoded("DTSTART") == last.start.replace(microsecond=0)


def test_new_user_signs_up_and_posts_edits_and_deletes_a_comment(
    page, live_server, settings, mailoutbox, screenshots
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    talk = TalkFactory(title="Knots and three-manifolds")
    email, name = "grace@example.org", "Grace Chisholm"
    first_text = "Which invariants <b>distinguish</b> the two knots?"
    edited_text = "Which invariants distinguish the two knots on slide 12?"

    page.goto(talk.get_absolute_url())
    page.get_by_role("main").get_by_role("link", name="sign up").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshots("01-signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    assert [message.to for message in mailoutbox] == [[email]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    page.goto(link.group(0))
    screenshots("02-confirm-email")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status")).to_contain_text(f"You have confirmed {email}")
    sign_in(page, email)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)
    page.goto(talk.get_absolute_url())
    page.get_by_label("Your comment").fill(first_text)
    screenshots("03-writing")
    page.get_by_role("button", name="Post comment").click()

    comment = Comment.objects.get(talk=talk)
    # The talk page (its first page of comments), at the comment.
    at_the_comment = f"{live_server.url}{talk.get_absolute_url()}#comment-{comment.pk}"
    expect(page).to_have_url(at_the_comment)
    # Typed markup comes back as text: rendered, it would split the sentence.
    expect(thread_entry(page, comment)).to_contain_text(first_text)
    expect(thread_entry(page, comment)).to_contain_text(name)
    screenshots("04-posted")
    thread_entry(page, comment).get_by_role("link", name="Edit").click()

    expect(page.get_by_label("Your comment")).to_have_value(first_text)
    page.get_by_label("Your comment").fill(edited_text)
    screenshots("05-editing")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(at_the_comment)
    expect(thread_entry(page, comment)).to_contain_text(edited_text)
    expect(thread_entry(page, comment)).to_contain_text("(edited)")
    screenshots("06-edited")
    thread_entry(page, comment).get_by_role("link", name="Delete").click()

    screenshots("07-confirm-delete")
    page.get_by_role("button", name="Delete comment").click()

    expect(page).to_have_url(at_the_comment)
    expect(thread_entry(page, comment)).to_contain_text("deleted by its author")
    expect(page.get_by_text(edited_text)).to_have_count(0)
    screenshots("08-deleted")
    # A soft delete: the text stays in the database.
    comment.refresh_from_db()
    assert (comment.removed, comment.body) == (True, edited_text)


@pytest.fixture
def organisers_group(transactional_db):
    """The Organisers group, recreated after the flushes of live-server tests."""
    return factories.organisers_group()


def pick_autocomplete(page, field, text):
    """Choose `text` in one of the admin's autocomplete (select2) fields."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.get_by_role("option", name=text, exact=True).click()


def test_organiser_enters_and_publishes_a_talk_with_latex(
    page, live_server, screenshots, organisers_group
):
    organiser = OrganiserFactory(display_name="Olga Organiser")
    series = SeriesFactory(name="Geometry Seminar")
    series.organisers.add(organiser)
    title = "Eigenvalue bounds on minimal surfaces"
    abstract = r"We show that $\lambda_1(\Sigma) \leq \frac{8\pi}{|\Sigma|}$ for every genus."
    start = timezone.localdate() + datetime.timedelta(days=10)

    sign_in_to_admin(page, live_server, organiser, screenshots)
    screenshots("01-admin-index")
    page.get_by_role("link", name="Speakers", exact=True).click()
    page.get_by_role("link", name="Add speaker").click()
    # Typed key by key: the admin fills the slug from the name on each key press.
    page.get_by_label("Name").press_sequentially("Mirela Ionescu")
    page.get_by_label("Affiliation").fill("Institute of Geometry, Eastbrook")
    expect(page.get_by_label("Slug")).to_have_value("mirela-ionescu")
    screenshots("02-add-speaker")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.get_by_role("link", name="Tags", exact=True).click()
    page.get_by_role("link", name="Add tag").click()
    page.get_by_label("Name").press_sequentially("Spectral geometry")
    expect(page.get_by_label("Slug")).to_have_value("spectral-geometry")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.get_by_role("link", name="Talks", exact=True).click()
    page.get_by_role("link", name="Add talk").click()
    page.get_by_label("Series").select_option(label=series.name)
    page.get_by_label("Title").fill(title)
    pick_autocomplete(page, "speakers", "Mirela Ionescu")
    pick_autocomplete(page, "tags", "Spectral geometry")
    page.locator("#id_start_0").fill(start.isoformat())
    page.locator("#id_start_1").fill("16:00")
    page.locator("#id_end_0").fill(start.isoformat())
    page.locator("#id_end_1").fill("17:00")
    page.get_by_role("textbox", name="Abstract").fill(abstract)
    screenshots("03-add-talk-draft")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    talk = Talk.objects.get(title=title)
    assert talk.status == Talk.Status.DRAFT
    tag = talk.tags.get()
    # A draft stays off the public pages.
    assert title not in page.request.get(tag.get_absolute_url()).text()

    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    screenshots("04-published")

    page.goto(tag.get_absolute_url())
    screenshots("05-tag-page")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main").get_by_role("link", name="Mirela Ionescu")).to_be_visible()
    # One formula, served as MathML with its fraction laid out; no LaTeX source is left.
    expect(page.locator("main .abstract math")).to_have_count(1)
    expect(page.locator("main .abstract math mfrac")).to_have_count(1)
    expect(page.get_by_text(r"\frac")).to_have_count(0)
    screenshots("06-talk")

    feed = page.request.get(reverse("syndication:tag-feed", args=[tag.slug]))
    assert feed.ok
    entries = ET.fromstring(feed.body()).findall(f"{ATOM}entry")  # noqa: S314 (our own feed)
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [title]
    assert "<math" in entries[0].findtext(f"{ATOM}summary")


def test_organiser_removes_a_comment_and_a_visitor_sees_it_marked(
    page, live_server, screenshots, organisers_group
):
    organiser = OrganiserFactory(display_name="Olga Organiser")
    talk = TalkFactory(title="Mixing times of card shuffles")
    talk.series.organisers.add(organiser)
    spam = CommentFactory(
        talk=talk, author=UserFactory(display_name="Spammy Sam"), body="Cheap watches here"
    )
    kept = CommentFactory(talk=talk, body="How many riffle shuffles suffice?")
    reason = "Advertising"

    page.goto(talk.get_absolute_url())
    page.locator("#comments").get_by_role("link", name="Log in").click()
    sign_in(page, organiser.email)
    expect(page).to_have_url(live_server.url + talk.get_absolute_url())
    entry = thread_entry(page, spam)
    entry.get_by_text("Remove…").click()
    entry.get_by_label("Reason").fill(reason)
    screenshots("01-organiser-removing")
    entry.get_by_role("button", name="Remove comment").click()

    # The organiser still sees the text, and why it was removed (so it can be restored).
    expect(thread_entry(page, spam)).to_contain_text(f"Removed by an organiser: {reason}")
    screenshots("02-organiser-sees-removal")
    spam.refresh_from_db()
    assert (spam.removed, spam.removed_by, spam.removal_reason) == (True, organiser, reason)

    # Without the organiser's session cookie, the same browser is an anonymous visitor's.
    page.context.clear_cookies()
    page.goto(talk.get_absolute_url())
    expect(page.get_by_role("main").get_by_text("You must be logged in")).to_be_visible()
    expect(thread_entry(page, spam)).to_have_text("Comment removed by an organiser.")
    expect(thread_entry(page, kept)).to_contain_text(kept.body)
    screenshots("03-visitor-sees-removal")
