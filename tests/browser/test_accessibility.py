"""axe-core in Chromium on every public page type: zero WCAG 2.2 AA violations.

Every page type is checked signed out (at 1280 px wide) and signed in (at
360 px, a small phone): with all of axe's WCAG 2.x A and AA rules and its best
practices in the light theme, then with its colour rules in the dark theme.
Every page must also have a title of its own and a meta description, and
none may scroll sideways at 360 px (WCAG 1.4.10, reflow).
"""

import datetime

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from django.urls import reverse
from django.utils import timezone

from seminars.models import Comment
from tests.browser.sessions import sign_in
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
    "reporter": "no-passes",
}
DEFAULT_TITLE = "Seminars · Seminar portal"
PHONE_WIDTH = 360

ABSTRACT = """We bound the error of gradient descent on a network of width $m$:

$$\\|\\theta_t - \\theta_0\\|_2 = O\\left(m^{-1/2}\\right)$$

uniformly in $t \\ge 0$, for every $\\ell_2$-regularised loss."""


@pytest.fixture
def site():
    """A small portal: talks to come and past, tags, a speaker, a discussion with math."""
    # Staff and one of the series' organisers: the moderation controls show.
    # (Not OrganiserFactory: its group, made by a migration, is gone after a live-server test.)
    organiser = UserFactory(display_name="Ada Organiser", is_staff=True)
    series = OrganisedSeriesFactory(
        name="Analysis Seminar",
        description="Weekly talks on analysis and its applications.",
        organisers=[organiser],
    )
    tag = TagFactory(name="Analysis", description="Inequalities, operators and PDE.")
    speaker = SpeakerFactory(name="Emmy Noether", affiliation="University of Göttingen")
    now = timezone.now()
    talk = TalkFactory(
        title="Gradient descent in wide networks",
        series=series,
        abstract=ABSTRACT,
        venue="Lecture Theatre 2",
        online_url="https://meet.example.org/analysis",
        speakers=[speaker],
        tags=[tag, TagFactory(name="Machine learning")],
    )
    past = TalkFactory(
        title="Sharp constants in Sobolev inequalities",
        series=series,
        start=now - datetime.timedelta(days=400),
        speakers=[speaker],
        tags=[tag],
    )
    TalkFactory(title="A cancelled talk", series=series, tags=[tag], status="cancelled")
    question = CommentFactory(talk=talk, body="Does the bound hold for $\\ell_1$ losses too?")
    CommentFactory(talk=talk, parent=question, author=organiser, body="Yes, with a log factor.")
    CommentFactory(talk=talk, status=Comment.Status.HELD, held_reason="Too many links")
    CommentFactory(talk=talk, author=organiser, body="Slides are online.")
    CommentFactory(talk=talk, removed=True, body="Spam")
    return {
        "organiser": organiser,
        "series": series,
        "tag": tag,
        "speaker": speaker,
        "talk": talk,
        "past": past,
        "question": question,
    }


def public_pages(site):
    return {
        "home": reverse("seminars:home"),
        "talk list": reverse("seminars:talk-list"),
        "talk with comments and math": site["talk"].get_absolute_url(),
        "tag list": reverse("seminars:tag-list"),
        "tag": site["tag"].get_absolute_url(),
        "speaker": site["speaker"].get_absolute_url(),
        "series list": reverse("seminars:series-list"),
        "series": site["series"].get_absolute_url(),
        "search with results": reverse("seminars:search") + "?q=gradient",
        "archive": reverse(
            "seminars:talk-archive", args=[timezone.localtime(site["past"].start).year]
        ),
        "user's comments": reverse("users:user-detail", args=[site["organiser"].pk]),
        "404": "/no-such-page/",
    }


def signed_out_pages(site):
    return {
        **public_pages(site),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
    }


def signed_in_pages(site):
    """The organiser's view: moderation controls, held comments, their own comments' links."""
    own_comment = Comment.objects.get(body="Slides are online.")
    return {
        **public_pages(site),
        "profile": reverse("accounts:profile"),
        "email preferences": reverse("accounts:preferences"),
        "reply form": reverse("discussion:comment-reply", args=[site["question"].pk]),
        "comment edit": reverse("discussion:comment-edit", args=[own_comment.pk]),
        "comment delete": reverse("discussion:comment-delete", args=[own_comment.pk]),
    }


def axe_violations(page, options):
    violations = page.evaluate("options => axe.run(document, options)", options)["violations"]
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in violations
    ]


def assert_axe_finds_a_violation(page):
    """A page with a known fault, so that a silently broken axe cannot pass everything."""
    page.set_content('<!doctype html><html lang="en"><title>Canary</title><img src="x.png">')
    assert "image-alt" in " ".join(axe_violations(page, AXE_OPTIONS))


def page_problems(page):
    """What is wrong with the open page: axe's violations, its head, its reflow."""
    problems = axe_violations(page, AXE_OPTIONS)
    title = page.title()
    if not title or title == DEFAULT_TITLE:
        problems.append(f"no title of its own: {title!r}")
    description = page.locator('meta[name="description"]').get_attribute("content") or ""
    if len(description.strip()) < 20:
        problems.append(f"no meta description: {description!r}")
    if overflow := sideways_overflow_at_phone_width(page):
        problems.append(f"scrolls sideways by {overflow}px at {PHONE_WIDTH}px")
    return problems


def sideways_overflow_at_phone_width(page):
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.set_viewport_size({"width": width, "height": 800})
    return overflow


# Contrast is all that differs between the themes: the dark run checks only that.
CONTRAST_OPTIONS = {
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
    "resultTypes": ["violations"],
    "reporter": "no-passes",
}


@pytest.fixture
def axe_page(browser, live_server, transactional_db):
    """A browser page with axe-core loaded in every document it opens.

    Its own context: the shared `page` fixture records a trace, which doubles the time.
    """
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(path=AXE_FILE_PATH)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    ("signed_in", "width"), [(False, 1280), (True, PHONE_WIDTH)], ids=["signed-out", "signed-in"]
)
def test_every_page_type_passes_axe(axe_page, live_server, site, signed_in, width):
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    if signed_in:
        sign_in(page, live_server, site["organiser"])
    pages = signed_in_pages(site) if signed_in else signed_out_pages(site)
    assert_axe_finds_a_violation(page)
    titles = {}
    problems = {}
    for name, path in pages.items():
        page.emulate_media(color_scheme="light")
        response = page.goto(path)
        assert response.status == (404 if name == "404" else 200), f"{name}: {response.status}"
        assert page.url.endswith(path), f"{name} redirected to {page.url}"
        if name != "reply form":  # the talk's page, with the reply form open
            titles.setdefault(page.title(), []).append(name)
        found = page_problems(page)
        page.emulate_media(color_scheme="dark")
        found += [f"dark: {problem}" for problem in axe_violations(page, CONTRAST_OPTIONS)]
        if found:
            problems[name] = found
    assert problems == {}
    assert [names for names in titles.values() if len(names) > 1] == []
