from tests.factories import TalkFactory


def test_browser_opens_talk(page, screenshot):
    talk = TalkFactory(title="Vortex rings")
    page.goto(talk.get_absolute_url())
    assert page.locator("h1").inner_text() == "Vortex rings"
    assert screenshot("talk").exists()
