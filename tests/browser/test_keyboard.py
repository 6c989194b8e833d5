"""The portal with the keyboard alone: skip link, visible focus, reading order,
and the whole comment journey driven by key presses only.

The tests find elements with locators only to know when focus has reached
them; every action is a key press (Tab, Shift+Tab, Enter, Space) or typing
into the element that has the focus.
"""

import re

from playwright.sync_api import expect

from seminars.models import Comment
from tests.browser.sessions import sign_in
from tests.factories import PASSWORD, CommentFactory, TalkFactory, UserFactory

# Focusable elements in document order, as the Tab key should visit them.
TABBABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, "
    "textarea, summary, [tabindex]:not([tabindex='-1'])"
)


def is_focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, key="Tab", most=80):
    """Press Tab (or Shift+Tab) until `locator` has the focus; returns the number of presses."""
    for presses in range(1, most + 1):
        page.keyboard.press(key)
        if is_focused(locator):
            return presses
    raise AssertionError(f"{most} presses of {key} never reached {locator}")


def press_and_wait(page, key):
    """Press a key that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_skip_link_is_the_first_stop_and_jumps_to_the_content(page):
    TalkFactory(title="Knots and their invariants")
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert is_focused(skip)
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0, "the focused skip link is off-screen"
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    # The next stop is the first talk, past the header's links and search box.
    assert is_focused(page.get_by_role("link", name="Knots and their invariants"))


def test_every_stop_shows_its_focus_in_reading_order(page, live_server):
    """On a talk page signed in: links, buttons, the comment box and the account menu."""
    user = UserFactory(display_name="Grace Hopper")
    talk = TalkFactory()
    CommentFactory(talk=talk, author=user, body="My own comment: edit and delete links.")
    sign_in(page, live_server, user)
    page.goto(talk.get_absolute_url())
    expected = page.evaluate(
        """selector => {
            const stops = [...document.querySelectorAll(selector)].filter(e => e.checkVisibility());
            stops.forEach((element, index) => { element.dataset.stop = index; });
            return stops.length;
        }""",
        TABBABLE,
    )

    visited = []
    for _ in range(expected):
        page.keyboard.press("Tab")
        visited.append(
            page.evaluate(
                """() => {
                    const element = document.activeElement;
                    const style = getComputedStyle(element);
                    return {
                        stop: Number(element.dataset.stop),
                        text: (element.innerText || element.name || element.id).trim(),
                        ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
                    };
                }"""
            )
        )

    assert expected > 20  # the header, the talk's links, the thread and the comment form
    assert [stop["stop"] for stop in visited] == list(range(expected))
    assert [stop["text"] for stop in visited if not stop["ring"]] == []


def test_account_menu_opens_and_logs_out_with_the_keyboard(page, live_server):
    user = UserFactory(display_name="Grace Hopper", is_staff=True)
    sign_in(page, live_server, user)
    page.goto("/")
    menu = page.locator("summary", has_text="Grace Hopper")
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_hidden()

    tab_to(page, menu)
    page.keyboard.press("Enter")
    expect(log_out).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    tab_to(page, log_out)
    press_and_wait(page, "Enter")

    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(menu).to_have_count(0)


def test_comment_journey_with_the_keyboard_alone(page, live_server):
    """Sign in, write, post, edit and delete a comment, by key presses only."""
    user = UserFactory(display_name="Grace Hopper")
    talk = TalkFactory(title="Sparse attention for long sequences")
    page.goto(talk.get_absolute_url())

    # Sign in from the talk's login notice; a wrong password first.
    notice = page.locator(".login-notice")
    tab_to(page, notice.get_by_role("link", name="Log in"))
    press_and_wait(page, "Enter")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_label("Password", exact=True))
    page.keyboard.type("not-the-password")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(PASSWORD)
    press_and_wait(page, "Enter")
    expect(page).to_have_url(re.compile(re.escape(talk.get_absolute_url()) + "$"))

    # An empty comment is refused: the error is announced and tied to the box.
    box = page.get_by_label("Your comment")
    tab_to(page, box)
    page.keyboard.press("Tab")
    post = page.get_by_role("button", name="Post comment")
    assert is_focused(post), "the button should follow the comment box"
    press_and_wait(page, "Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Please write something")
    expect(box).to_have_attribute("aria-invalid", "true")
    described_by = box.get_attribute("aria-describedby").split()
    assert any(
        "Please write something" in page.locator(f"#{each}").inner_text() for each in described_by
    )

    tab_to(page, box)
    page.keyboard.type("Does the bound hold for n > 2?")
    page.keyboard.press("Tab")
    press_and_wait(page, "Space")
    comment = Comment.objects.get()
    expect(page).to_have_url(re.compile(f"#comment-{comment.pk}$"))
    posted = page.locator(f"#comment-{comment.pk}")
    expect(posted).to_contain_text("Does the bound hold for n > 2?")

    # Edit: Tab from the comment (the page scrolled to it) to its Edit link.
    tab_to(page, posted.get_by_role("link", name="Edit"))
    press_and_wait(page, "Enter")
    tab_to(page, page.get_by_label("Your comment"))
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Does the bound hold for every n?")
    tab_to(page, page.get_by_role("button", name="Save"))
    press_and_wait(page, "Enter")
    expect(posted).to_contain_text("Does the bound hold for every n?")
    expect(posted).to_contain_text("(edited)")

    # Delete, and confirm with Space on the button.
    tab_to(page, posted.get_by_role("link", name="Delete"))
    press_and_wait(page, "Enter")
    tab_to(page, page.get_by_role("button", name="Delete comment"))
    press_and_wait(page, "Space")
    expect(posted).to_contain_text("This comment was deleted by its author.")

    comment.refresh_from_db()
    assert (comment.author, comment.body, comment.removed, comment.removed_by) == (
        user,
        "Does the bound hold for every n?",
        True,
        user,
    )
