"""A visitor's whole journey in a real browser: browse, sign up, confirm, comment.

Screenshots of each step land in test-results/screenshots/.
"""

import re

from playwright.sync_api import expect

from accounts.models import User
from seminars.models import Comment
from tests.factories import TagFactory, TalkFactory

LOGIN_NOTICE = "You must be logged in to post a comment."
EMAIL = "ada@example.org"
DISPLAY_NAME = "Ada Lovelace"
PASSWORD = "a-long-and-unusual-passphrase"
# allauth renders its labels as "Password:"; this leaves out "Password (again):".
PASSWORD_LABEL = re.compile(r"^Password:?$")
# Markup typed in a comment must come back as text.
COMMENT = "Does the <b>bound</b> still hold for n > 2?"


def confirmation_link(message):
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    assert match, f"no confirmation link in:\n{message.body}"
    return match.group(0)


def test_visitor_signs_up_confirms_and_comments(
    page, screenshot, live_server, settings, mailoutbox
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    machine_learning = TagFactory(name="Machine learning")
    talk = TalkFactory(title="Sparse attention for long sequences", tags=[machine_learning])
    other = TalkFactory(title="Vortex rings in stratified fluids", tags=[TagFactory(name="Fluids")])

    page.goto("/")
    screenshot("01-home")
    tags = page.get_by_role("complementary", name="Tags")
    tags.get_by_role("link", name="Machine learning").click()

    expect(page).to_have_url(live_server.url + machine_learning.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Machine learning")
    expect(page.get_by_role("link", name=other.title)).to_have_count(0)
    screenshot("02-tag")
    page.get_by_role("link", name=talk.title).click()

    expect(page).to_have_url(live_server.url + talk.get_absolute_url())
    notice = page.get_by_text(LOGIN_NOTICE)
    expect(notice).to_be_visible()
    expect(page.get_by_label("Your comment")).to_have_count(0)
    screenshot("03-talk-anonymous")
    notice.get_by_role("link", name="sign up").click()

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Display name").fill(DISPLAY_NAME)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshot("04-signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    screenshot("05-verification-sent")
    assert [message.to for message in mailoutbox] == [[EMAIL]]
    page.goto(confirmation_link(mailoutbox[0]))
    screenshot("06-confirm")
    page.get_by_role("button", name="Confirm").click()

    # allauth does not log in on confirmation (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION
    # is off): the visitor logs in with the new account and lands on the home page.
    expect(page.get_by_role("status")).to_contain_text(f"You have confirmed {EMAIL}")
    screenshot("07-confirmed")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(DISPLAY_NAME)
    screenshot("08-home-signed-in")
    page.get_by_role("link", name=talk.title).click()

    expect(page.get_by_text(LOGIN_NOTICE)).to_have_count(0)
    page.get_by_label("Your comment").fill(COMMENT)
    screenshot("09-writing-comment")
    page.get_by_role("button", name="Post comment").click()

    comment = Comment.objects.get()
    expect(page).to_have_url(f"{live_server.url}{talk.get_absolute_url()}#comment-{comment.pk}")
    expect(page.get_by_role("heading", name=talk.title, level=1)).to_be_visible()
    # Had the markup been rendered, the text would be split and this would not match.
    posted = page.get_by_role("article").filter(has_text=COMMENT)
    expect(posted).to_have_count(1)
    expect(posted).to_contain_text(DISPLAY_NAME)
    screenshot("10-comment-posted")
    assert (comment.talk, comment.author, comment.body) == (
        talk,
        User.objects.get(email=EMAIL),
        COMMENT,
    )
