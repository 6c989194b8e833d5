"""A talk page printed: a poster of the talk, without the site around it."""

from playwright.sync_api import expect

from tests.browser.sessions import sign_in
from tests.factories import CommentFactory, SpeakerFactory, TalkFactory, UserFactory


def test_a_talk_prints_as_a_poster(page, live_server):
    user = UserFactory()
    talk = TalkFactory(
        title="Vortex rings in stratified fluids",
        speakers=[SpeakerFactory(name="Emmy Noether")],
        venue="Lecture Theatre 2",
        abstract="Rings of radius $R$ rise through layers of fluid.",
    )
    CommentFactory(talk=talk, body="A comment that stays on screen.")
    sign_in(page, live_server, user)
    page.goto(talk.get_absolute_url())
    comment_form = page.get_by_label("Your comment")
    expect(comment_form).to_be_visible()

    page.emulate_media(media="print")

    for shown in ["Vortex rings in stratified fluids", "Emmy Noether", "Lecture Theatre 2"]:
        expect(page.get_by_text(shown, exact=True)).to_be_visible()
    expect(page.locator(".abstract")).to_contain_text("rise through layers of fluid")
    expect(page.locator(".facts time")).to_be_visible()
    for hidden in [
        page.get_by_role("navigation", name="Main"),
        page.get_by_role("contentinfo"),
        page.get_by_text("A comment that stays on screen."),
        comment_form,
        page.get_by_role("link", name="Download .ics"),
    ]:
        expect(hidden).to_be_hidden()
    title_size = page.get_by_role("heading", level=1).evaluate(
        "element => parseFloat(getComputedStyle(element).fontSize)"
    )
    assert title_size >= 36  # 30pt: a poster's headline
