"""Math as readable text wherever HTML is not the medium: seminars.plaintext, and each
place that uses it (page titles, meta and OpenGraph descriptions, JSON-LD, feed entry
titles, search snippets, emails)."""

import datetime
import io
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from seminars.plaintext import latex_as_text, math_as_text, title_as_text
from tests.accounts.test_notifications import run_worker
from tests.factories import (
    CommentFactory,
    SeriesFactory,
    TalkFactory,
    UserFactory,
)
from tests.html import parse, tags

from .commenting import form_data
from .test_feeds import ATOM, entries
from .test_feeds import parse as parse_feed

pytestmark = pytest.mark.django_db

TITLE = r"Why $m \to \infty$ helps when $\alpha \le 1$ & <b>"
ABSTRACT = r"""We bound the error of gradient descent on a network of width $m$:

$$\|\theta_t - \theta_0\|_2 = O\left(m^{-1/2}\right)$$

uniformly in $t \ge 0$ as $m \to \infty$, for **every** loss in $\mathbb{R}^n$."""
READABLE_TITLE = "Why m → ∞ helps when α ≤ 1 & <b>"
READABLE_ABSTRACT = "uniformly in t ≥ 0 as m → ∞, for every loss in ℝⁿ."
# What must never be left of a formula in plain text.
LATEX = re.compile(r"\$|\\[A-Za-z]+")


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"m \to \infty", "m → ∞"),
        (r"m\to\infty", "m → ∞"),
        (r"\alpha + \beta = \Gamma", "α + β = Γ"),
        (r"a \le b \ge c \ne d", "a ≤ b ≥ c ≠ d"),
        (r"x \in A \subset B", "x ∈ A ⊂ B"),
        (r"\sum_{k=1}^{n} k^2", "∑ₖ₌₁ⁿ k²"),
        (r"\int_0^1 f \, dx", "∫₀¹ f dx"),
        (r"\partial_t u = \nabla \cdot (a \nabla u)", "∂ₜ u = ∇ · (a ∇ u)"),
        (r"a \times b", "a × b"),
        (r"x_{10}^{-1}", "x₁₀⁻¹"),
        (r"\mathbb{R}^n \to \mathbb{C}", "ℝⁿ → ℂ"),
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{a+b}{2}", "(a+b)/2"),
        (r"\sqrt{x}", "√x"),
        (r"\sup_{0\le t\le T} |x_t|", "sup_(0 ≤ t ≤ T) |xₜ|"),
        (r"2\exp(x) + \sin x", "2exp(x) + sin x"),
        (r"\left( -x \right)", "( -x )"),
        (r"\hat{x} \not\in \mathcal{F}", "x̂ ∉ ℱ"),
        (r"f'(x)", "f′(x)"),
        (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", "( 1 2 ; 3 4 )"),
        # No sign for it: its source, without dollars.
        (r"\weird{x} + 1", r"\weird{x} + 1"),
        (r"x^{\star}_{abc}", "x^⋆_(abc)"),
    ],
)
def test_formulas_read_as_unicode(latex, text):
    assert latex_as_text(latex) == text


def test_markdown_leaves_its_text_and_math_its_reading():
    source = (
        "A *fine* point, see [the paper](https://arxiv.org/abs/1) or <https://x.org>:\n\n"
        "- one $x_1$\n- two\n\n$$\\sum_i x_i$$\n\n`$code$` and \\$5."
    )
    assert math_as_text(source) == (
        "A fine point, see the paper (https://arxiv.org/abs/1) or https://x.org:\n\n"
        "- one x₁\n- two\n\n∑ᵢ xᵢ\n\n$code$ and $5."
    )


def test_html_in_the_source_stays_text():
    assert math_as_text("<script>alert(1)</script> $a<b$ &amp;") == (
        "<script>alert(1)</script> a<b &"
    )


def test_titles_are_read_for_math_only():
    assert title_as_text(TITLE) == READABLE_TITLE
    assert title_as_text("Sums *and* 1_2 products") == "Sums *and* 1_2 products"
    assert title_as_text("Between $5 and $10") == "Between $5 and $10"


def test_unbalanced_or_deep_formulas_never_raise():
    assert latex_as_text("{" * 5000) == "{" * 5000
    assert latex_as_text(r"\frac{") == "/"
    assert math_as_text("$x^$ and $$") == "x^ and $$"


@pytest.fixture
def talk():
    return TalkFactory(title=TITLE, abstract=ABSTRACT)


def assert_readable(text: str, expected: str):
    assert expected in text
    assert not LATEX.search(text), text


def test_the_talk_page_head_reads_as_text(client, talk):
    response = client.get(talk.get_absolute_url())
    content = response.content.decode()
    head = parse(response.content)
    [title] = list(head.iter("title"))
    assert_readable(title.text, READABLE_TITLE)
    # Escaped in the page, read back as text by the parser.
    assert "α ≤ 1 &amp; &lt;b&gt; · " in content
    [og_title] = tags(response, "meta", property="og:title")
    assert_readable(og_title["content"], READABLE_TITLE)
    [og_description] = tags(response, "meta", property="og:description")
    [description] = [meta for meta in tags(response, "meta") if meta.get("name") == "description"]
    for meta in (og_description, description):
        assert meta["content"].startswith("We bound the error")
        assert_readable(meta["content"], "width m: ‖θₜ - θ₀‖₂ = O(m^(-1/2))")
    [data] = [
        json.loads(script.text)
        for script in head.iter("script")
        if script.attrs.get("type") == "application/ld+json"
    ]
    assert_readable(data["name"], READABLE_TITLE)
    assert_readable(data["description"], READABLE_ABSTRACT)
    # The abstract itself is still MathML.
    assert "<math" in content


def test_feed_titles_read_as_text_and_summaries_keep_mathml(client, talk):
    CommentFactory(talk=talk, body="Nice.")
    response = client.get(reverse("syndication:feed"))
    [entry] = entries(response)
    assert_readable(entry.find(f"{ATOM}title").text, READABLE_TITLE)
    assert "<math" in entry.find(f"{ATOM}summary").text
    assert b"&amp; &lt;b&gt;" in response.content

    comments = client.get(reverse("syndication:comment-feed", args=[talk.slug]))
    title = parse_feed(comments).find(f"{ATOM}title").text
    assert_readable(title, f"Comments on {READABLE_TITLE}")
    [comment_entry] = entries(comments)
    assert_readable(comment_entry.find(f"{ATOM}title").text, f"on {READABLE_TITLE}")


def test_search_snippets_read_as_text_with_marks(client, talk):
    response = client.get(reverse("seminars:search"), {"q": "uniformly"})
    [hit] = response.context["hits"]
    assert str(hit.title) == "Why m → ∞ helps when α ≤ 1 &amp; &lt;b&gt;"
    excerpt = str(hit.excerpt)
    assert "<mark>uniformly</mark> in t ≥ 0 as m → ∞" in excerpt
    assert not LATEX.search(excerpt)
    assert "<b>" not in response.content.decode()


def test_reply_emails_read_as_text(client, talk, django_capture_on_commit_callbacks):
    parent = CommentFactory(talk=talk, author=UserFactory())
    replier = UserFactory(display_name="Bo")
    client.force_login(replier)
    body = r"Does $\|\theta_t\| \to 0$ **really** hold? <i>"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("discussion:comment-reply", args=[parent.pk]), form_data(body))
    run_worker()
    [message] = mail.outbox
    assert_readable(message.subject, f"Bo replied to your comment on “{READABLE_TITLE}”")
    assert_readable(message.body, f"“{READABLE_TITLE}”")
    assert_readable(message.body, "Does ‖θₜ‖ → 0 really hold? <i>")


def test_held_comment_emails_read_as_text(client, django_capture_on_commit_callbacks):
    organiser = UserFactory(is_staff=True)
    series = SeriesFactory(comment_moderation="all")
    series.organisers.add(organiser)
    talk = TalkFactory(series=series, title=TITLE)
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("discussion:comment-create", args=[talk.slug]),
            form_data(r"Is $\epsilon > 0$ fixed?"),
        )
    run_worker()
    [message] = mail.outbox
    assert_readable(message.subject, f"A comment on “{READABLE_TITLE}” awaits")
    assert_readable(message.body, "Is ϵ > 0 fixed?")


def test_digest_emails_read_as_text(talk):
    user = UserFactory()
    user.followed_series.add(talk.series)
    talk.start = timezone.now() + datetime.timedelta(days=1)
    talk.save()
    call_command("send_digests", stdout=io.StringIO())
    run_worker()
    [message] = mail.outbox
    assert_readable(message.body, READABLE_TITLE)


def test_series_cards_read_their_description_as_text(client):
    SeriesFactory(description=r"Talks on $L^2$ bounds as $n \to \infty$, *weekly* & <i>.")
    response = client.get(reverse("seminars:series-list"))
    content = response.content.decode()
    assert "Talks on L² bounds as n → ∞, weekly &amp; &lt;i&gt;." in content
