"""The hostile corpus in a real browser: nothing runs, on any page that shows it.

Every payload of tests/security/hostile_inputs.py sits in every field of a
small site (tests/security/hostile_site.py); Chromium loads the pages that show
them, public and admin, signed out and as an organiser. A payload that ran
would open a dialog or set `window.__xss`; the page's DOM is also searched for
event handlers, script URLs and scripts that are not the site's files.

The Content-Security-Policy is switched off in this browser, so the test shows
that the escaping holds by itself; the CSP is a second wall, tested elsewhere.
"""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse

from seminars.models import Comment
from seminars.pagination import TALKS_PER_PAGE
from tests.browser.sessions import session_cookie
from tests.security.hostile_inputs import HOSTILE_INPUTS
from tests.security.hostile_site import SEARCH_WORD, build_hostile_site

# What a page's DOM must not hold, as the browser parsed it.
DOM_PROBLEMS = """() => {
  const problems = [];
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data"];
  const forbidden = ["iframe", "frame", "object", "embed", "base", "style", "template"];
  // The one frame a page may hold: the "Embed this list" preview of our own list
  // (tests.security.html_safety.our_embed).
  const ourEmbed = (element) => {
    if (element.localName !== "iframe" || element.className !== "embed-preview") return false;
    const address = new URL(element.getAttribute("src") || "", location.href);
    // "/embed/<kind>/<slug>/" split at its slashes.
    const [before, embed, kind, slug, after, ...rest] = address.pathname.split("/");
    return address.origin === location.origin && !address.search && before === "" &&
      embed === "embed" && ["series", "tags", "speakers"].includes(kind) && slug !== "" &&
      after === "" && rest.length === 0;
  };
  for (const element of document.querySelectorAll("*")) {
    const tag = element.localName;
    if (forbidden.includes(tag) && !ourEmbed(element)) problems.push("<" + tag + "> element");
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\u0000-\\u0020\\u007f]/g, "").toLowerCase();
      if (name.startsWith("on")) problems.push(tag + " " + name + "=" + attribute.value);
      if (name === "srcdoc") problems.push(tag + " srcdoc");
      if (urlAttributes.includes(name) && /^(javascript|vbscript|data):/.test(value)) {
        problems.push(tag + " " + name + "=" + attribute.value);
      }
    }
  }
  for (const script of document.querySelectorAll("script")) {
    if (["application/ld+json", "application/json"].includes(script.type)) continue;
    const source = script.getAttribute("src") || "";
    if (!source.startsWith(STATIC_URL) && source !== JSI18N) {
      problems.push("script " + source + " " + script.text.slice(0, 80));
    }
  }
  return problems;
}"""
MARKERS = "() => [window.__xss, window.top.__xss].filter((value) => value !== undefined)"

# The live server needs committed data; serialized rollback brings back what
# migrations made (the Organisers group), which other browser tests flush away.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# Overlong payloads are cut: Chromium takes seconds to lay out a word of 100,000
# letters, and what such text does to a page is the unit tests' concern.
LONGEST_PAYLOAD = 2000


@pytest.fixture
def hostile_site():
    return build_hostile_site(longest=LONGEST_PAYLOAD)


@pytest.fixture
def open_page(browser, live_server):
    """Opens a page in a fresh context (signed in as `user` if given), without the CSP."""
    contexts = []

    def open_as(user=None):
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        contexts.append(context)
        if user is not None:
            context.add_cookies([session_cookie(user, live_server.url)])
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


class Watcher:
    """Records what runs in a page: dialogs opened and uncaught script errors."""

    def __init__(self, page):
        self.page = page
        self.dialogs, self.errors = [], []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def problems(self) -> list[str]:
        """Everything that ran or could run since the last call, once the page has loaded."""
        # Handlers such as onfocus and onerror fire just after load.
        self.page.wait_for_timeout(50)
        dom_check = DOM_PROBLEMS.replace("STATIC_URL", repr(settings.STATIC_URL))
        found = self.page.evaluate(dom_check.replace("JSI18N", repr(reverse("admin:jsi18n"))))
        found += [f"marker {value}" for value in self.page.evaluate(MARKERS)]
        found += [f"dialog {message}" for message in self.dialogs] + self.errors
        self.dialogs.clear()
        self.errors.clear()
        return found


def visit_all(page, addresses, worst_status=399) -> list[str]:
    """Load each address; what ran, what the DOM holds, and any script error."""
    watcher = Watcher(page)
    problems = []
    for address in addresses:
        response = page.goto(address, wait_until="load")
        assert response.status <= worst_status, f"{address}: {response.status}"
        problems += [f"{address}: {problem}" for problem in watcher.problems()]
    return problems


def public_addresses(site) -> list[str]:
    pages = range(1, len(HOSTILE_INPUTS) // TALKS_PER_PAGE + 2)
    published = site.showcase.comments.filter(status=Comment.Status.PUBLISHED, removed=False)
    return [
        site.showcase.get_absolute_url(),
        reverse("discussion:comment-reply", args=[published.last().pk]),
        reverse("seminars:home"),
        *(f"{reverse('seminars:talk-list')}?page={number}" for number in pages),
        *(f"{reverse('seminars:search')}?q={SEARCH_WORD}&page={number}" for number in pages),
        reverse("seminars:tag-list"),
        site.tag.get_absolute_url(),
        reverse("seminars:series-list"),
        site.series.get_absolute_url(),
        site.speaker.get_absolute_url(),
        reverse("users:user-detail", args=[published.first().author_id]),
        reverse("accounts:profile"),
        reverse("accounts:preferences"),
        reverse("syndication:feed"),
        reverse("syndication:comment-feed", args=[site.showcase.slug]),
    ]


def admin_addresses(site) -> list[str]:
    comment = site.showcase.comments.first()
    return [
        reverse("admin:seminars_talk_changelist"),
        reverse("admin:seminars_talk_change", args=[site.showcase.pk]),
        reverse("admin:seminars_comment_changelist"),
        reverse("admin:seminars_comment_change", args=[comment.pk]),
        reverse("admin:seminars_speaker_changelist"),
        reverse("admin:seminars_tag_changelist"),
        reverse("admin:seminars_series_changelist"),
        reverse("admin:seminars_series_change", args=[site.series.pk]),
    ]


def test_no_payload_runs_on_any_page(hostile_site, open_page):
    site = hostile_site
    problems = visit_all(open_page(), [site.showcase.get_absolute_url()])
    # The organiser sees moderation forms and the admin; their own name is hostile too.
    organiser_page = open_page(site.organiser)
    problems += visit_all(organiser_page, public_addresses(site) + admin_addresses(site))
    assert not problems, "\n".join(problems[:20])


# Searches the page echoes into its search box and heading: breakouts of attributes
# and elements, encodings, and text the form refuses (shown again with an error).
ECHOED_SEARCHES = [
    "script", "script-close-first", "attr-double-quote", "attr-single-quote",
    "attr-autofocus", "attr-close-tag", "attr-single-close-svg", "attr-backtick",
    "close-textarea", "close-title", "noscript-mutation", "entities-named",
    "entities-double", "json-breakout", "direction-override", "angular-expression",
    "django-template", "nul", "control-characters", "overlong-markup",
]  # fmt: skip


def test_no_search_runs_the_words_searched_for(hostile_site, open_page):
    search = reverse("seminars:search")
    queries = [HOSTILE_INPUTS[name][:LONGEST_PAYLOAD] for name in ECHOED_SEARCHES]
    addresses = [f"{search}?q={quote(query, safe='')}" for query in queries]
    # Searches the form refuses (too long, NUL) come back as 400 with the form.
    problems = visit_all(open_page(), addresses, worst_status=400)
    assert not problems, "\n".join(problems[:20])


# Payloads that run in each way the checks watch for: a dialog, or the marker.
RUN_WHEN_RAW = [
    "script-upper-marker",
    "img-onerror",
    "attr-close-tag",
    "iframe-srcdoc",
    "svg-onload",
]


def test_the_checks_catch_a_payload_left_unescaped(browser):
    """Pages that show a payload raw: each runs, and the checks see it run."""
    unnoticed = {}
    for name in RUN_WHEN_RAW:
        context = browser.new_context()
        page = context.new_page()
        watcher = Watcher(page)
        payload = HOSTILE_INPUTS[name]
        page.set_content(f'<p title="x{payload}">{payload}</p>')
        problems = watcher.problems()
        context.close()
        if not any(problem.startswith(("dialog", "marker")) for problem in problems):
            unnoticed[name] = problems
    assert not unnoticed, f"ran unnoticed: {unnoticed}"
