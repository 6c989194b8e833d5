"""Markdown with LaTeX to sanitized HTML: delimiters, failures, sanitizing, storage, pages.

Rendered HTML is read back with an HTML parser, the way a browser reads it.
"""

import io
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static

from seminars import finders as math_font
from seminars.models import Comment, Talk
from seminars.rendering import (
    MAX_FORMULA_LENGTH,
    SANITIZER,
    contains_math,
    latex_to_mathml,
    render_abstract,
    render_comment,
)
from tests.factories import CommentFactory, TalkFactory, soft_delete
from tests.html import parse
from tests.seminars.math_corpus import CORPUS

pytestmark = pytest.mark.django_db


class Parsed:
    """Start tags with their attributes, the text, and the text of each math-error."""

    def __init__(self, html):
        document = parse(html)
        self.elements = [(element.tag, element.attrs) for element in document.iter()]
        self.text = document.text
        self.errors = [code.text for code in document.find_all("code", class_="math-error")]

    def tags(self, name):
        return [attrs for tag, attrs in self.elements if tag == name]

    @property
    def tag_names(self):
        return {tag for tag, _ in self.elements}

    @property
    def attribute_names(self):
        return {name for _, attrs in self.elements for name in attrs}


# --- Delimiters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "display", "element"),
    [
        ("Energy $E = mc^2$ here.", "inline", "msup"),
        ("Inside a line $$\\frac{a}{b}$$ too.", "block", "mfrac"),
        ("Before.\n\n$$\n\\sum_{i=1}^{n} x_i\n$$\n\nAfter.", "block", "munderover"),
        ("Greek \\(\\alpha + \\beta\\) inline.", "inline", "mi"),
        ("Display \\[\\sqrt{x}\\] in brackets.", "block", "msqrt"),
    ],
    ids=["dollar", "double-dollar-inline", "double-dollar-block", "parenthesis", "bracket"],
)
def test_each_delimiter_gives_one_formula(text, display, element):
    html = Parsed(render_abstract(text))

    assert [math.get("display", "inline") for math in html.tags("math")] == [display]
    assert element in html.tag_names
    assert html.errors == []
    assert "$" not in html.text and "\\" not in html.text


def test_text_around_math_is_still_markdown():
    html = Parsed(render_abstract("Some *emphasis* and $x$ and a [link](https://example.org)."))

    assert {"em", "math", "a"} <= html.tag_names


def test_markdown_does_not_touch_the_latex():
    """Underscores, asterisks and backslash escapes inside math belong to LaTeX."""
    html = Parsed(render_abstract("$a_1 * b_1 * c_1$ and $\\{x\\}$"))

    assert "em" not in html.tag_names
    assert len(html.tags("msub")) == 3
    assert "{" in html.text and "}" in html.text
    assert html.errors == []


def test_capital_greek_is_upright_as_in_latex():
    html = Parsed(render_abstract("$\\Gamma(x) = \\gamma$"))

    variants = {attrs.get("mathvariant") for attrs in html.tags("mi")}
    assert variants == {"normal", None}  # Γ upright; x and γ slanted as usual
    assert html.tags("mi")[0] == {"mathvariant": "normal"}


def test_an_escaped_dollar_is_a_dollar():
    html = Parsed(render_abstract("It costs \\$5 and \\$10."))

    assert "math" not in html.tag_names
    assert "$5" in html.text and "$10" in html.text


def test_prices_are_not_math():
    html = Parsed(render_abstract("Tickets cost between $5 and $10 each."))

    assert "math" not in html.tag_names
    assert "between $5 and $10 each." in html.text


def test_math_in_code_stays_code():
    html = Parsed(render_abstract("Type `$x^2$` to get a square."))

    assert "math" not in html.tag_names
    assert "$x^2$" in html.text


# --- Failures: the source is shown, nothing raises -------------------------------------


@pytest.mark.parametrize(
    "formula",
    [
        "$\\foo{x}$",
        "$\\frac{a}$",
        "$\\left(x\\right$",
        "$\\begin{theorem}a &= b\\end{theorem}$",
        "\\(\\(x\\)",
        "$$ $x$ $$",
        "$\\(x\\)$",
        "\\(\\)",
        "\\[ \\]",
        "$" + "{" * 1500 + "x" + "}" * 1500 + "$",
        "$" + "x+" * MAX_FORMULA_LENGTH + "x$",
    ],
    ids=[
        "unknown-command",
        "missing-argument",
        "unclosed-left",
        "unknown-environment",
        "nested-brackets",
        "nested-dollars",
        "brackets-in-dollars",
        "empty-parenthesis",
        "empty-bracket",
        "deep-nesting",
        "too-long",
    ],
)
def test_invalid_latex_is_shown_as_its_source(formula):
    html = Parsed(render_abstract(f"Before {formula} after."))

    assert "math" not in html.tag_names
    assert html.errors == [formula]
    assert html.text.strip() == f"Before {formula} after."


def test_an_empty_display_block_is_shown_as_its_source():
    html = Parsed(render_abstract("$$\n$$"))

    assert "math" not in html.tag_names
    assert html.errors == ["$$\n$$"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("An unbalanced $x + y", "An unbalanced $x + y"),
        # Markdown's backslash escape shows "\(" as "(", as it would outside math.
        ("An unclosed \\(x + y", "An unclosed (x + y"),
        ("A lone $ $ pair", "A lone $ $ pair"),
        ("Just $$ and more", "Just $$ and more"),
    ],
)
def test_unclosed_delimiters_stay_text(text, shown):
    html = Parsed(render_abstract(text))

    assert "math" not in html.tag_names and html.errors == []
    assert html.text.strip() == shown


def test_the_source_of_a_bad_formula_is_escaped():
    html = Parsed(render_abstract("$\\foo{<img src=x onerror=alert(1)>}$"))

    assert "img" not in html.tag_names
    assert html.errors == ["$\\foo{<img src=x onerror=alert(1)>}$"]


def test_a_good_formula_renders_next_to_a_bad_one():
    html = Parsed(render_abstract("$\\foo$ then $\\frac{1}{2}$"))

    assert len(html.errors) == 1
    assert "mfrac" in html.tag_names


@pytest.mark.parametrize(
    "text",
    [
        "\\(" * 100_000,
        "\\[a " * 40_000,
        "$a " * 50_000,
        "$$a $b " * 15_000,
        "$$x\n\n" * 20_000,
        "$a\\$" * 20_000,
    ],
    ids=[
        "unclosed-parenthesis",
        "unclosed-bracket",
        "dollars",
        "double-dollars",
        "blocks",
        "escapes",
    ],
)
def test_huge_input_renders_in_linear_time(text):
    """Pages of unclosed openers: a search to the end of the text per opener takes minutes.

    These run in a second or two; the first one took 40 s when each \\( searched
    for its \\) all the way to the end of the text.
    """
    started = time.perf_counter()
    html = render_abstract(text)

    assert time.perf_counter() - started < 15
    assert html.startswith("<p>")


def test_many_formulas_render():
    html = Parsed(render_abstract("$x_1$ " * 2000))

    assert len(html.tags("math")) == 2000


# --- Sanitizing ---------------------------------------------------------------------------


def test_raw_html_is_escaped_not_rendered():
    html = Parsed(render_abstract('<script>alert(1)</script> <b onclick="steal()">bold</b>'))

    assert html.tag_names == {"p"}
    assert "<script>alert(1)</script>" in html.text
    assert '<b onclick="steal()">' in html.text


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_links_never_become_links(link):
    html = Parsed(render_abstract(link))

    assert html.tags("a") == []


def test_links_get_nofollow_noopener():
    html = Parsed(
        render_comment("See [the paper](https://example.org/paper) and <https://example.org>.")
    )

    anchors = html.tags("a")
    assert len(anchors) == 2
    assert all(set(a["rel"].split()) == {"nofollow", "noopener"} for a in anchors)


def test_images_are_not_loaded_from_other_sites():
    html = Parsed(render_abstract("![a tracking pixel](https://tracker.example/p.png)"))

    assert "img" not in html.tag_names


def test_headings_do_not_compete_with_the_page():
    html = Parsed(render_abstract("# Big\n\nSmall\n===="))

    assert not html.tag_names & {"h1", "h2", "h3", "h4", "h5", "h6"}


@pytest.mark.parametrize(
    ("formula", "forbidden"),
    [
        ("$\\text{<script>alert(1)</script>}$", "script"),
        ("$\\text{<img src=x onerror=alert(1)>}$", "img"),
    ],
)
def test_markup_inside_math_text_is_text(formula, forbidden):
    html = Parsed(render_abstract(formula))

    assert forbidden not in html.tag_names
    assert f"<{forbidden}" in html.text
    assert "mtext" in html.tag_names


def test_latex_cannot_add_links():
    """\\href needs Temml's `trust`, which is off: the source is shown instead."""
    html = Parsed(render_abstract("$\\href{javascript:alert(1)}{x}$"))

    assert html.errors == ["$\\href{javascript:alert(1)}{x}$"]
    assert "href" not in html.attribute_names and "a" not in html.tag_names


def test_latex_cannot_add_colours():
    html = Parsed(render_abstract("$\\color{red}{x}$"))

    assert "math" in html.tag_names
    assert not {"mathcolor", "style"} & html.attribute_names


def test_the_sanitizer_strips_what_the_renderer_never_writes():
    """Defence in depth: even MathML arriving from elsewhere loses scripts and handlers."""
    dirty = (
        '<math><mi onclick="steal()" href="javascript:steal()" style="position:fixed">a</mi>'
        '<mtext><script>steal()</script></mtext><annotation-xml><svg onload="steal()"></svg>'
        "</annotation-xml></math><iframe src=https://evil.example></iframe>"
    )
    html = Parsed(SANITIZER.clean(dirty))

    assert html.tag_names <= {"math", "mi", "mtext"}
    assert html.attribute_names == set()
    assert "steal()" not in html.text


@pytest.mark.parametrize("latex", CORPUS)
def test_the_sanitizer_keeps_the_mathml_temml_writes(latex):
    """Every element, attribute and class of the converted formula survives sanitizing."""
    converted = Parsed(latex_to_mathml(latex, display=True))
    sanitized = Parsed(render_abstract(f"$${latex}$$"))

    # What the page adds around the formula: its paragraph and scroll box.
    formula = [(tag, attrs) for tag, attrs in sanitized.elements if tag not in ("p", "span")]
    assert converted.elements and converted.elements == formula


def test_comments_keep_line_breaks_and_abstracts_reflow():
    text = "First line\nsecond line"

    assert len(Parsed(render_comment(text)).tags("br")) == 1
    assert Parsed(render_abstract(text)).tags("br") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("$x$", True), ("$\\foo$", True), ("Plain words.", False), ("Costs $5.", False)],
)
def test_contains_math(text, expected):
    assert contains_math(render_abstract(text)) is expected


# --- Stored on save -----------------------------------------------------------------------


class TestStoredOnSave:
    def test_a_new_talk_stores_its_rendered_abstract(self):
        talk = TalkFactory(abstract="Consider $\\frac{1}{2}$.")
        talk.refresh_from_db()

        assert "mfrac" in Parsed(talk.abstract_html).tag_names

    def test_saving_the_abstract_alone_renders_it_again(self):
        talk = TalkFactory(abstract="Consider $x$.")
        talk.abstract = "Now $\\sqrt{y}$."
        talk.save(update_fields=["abstract"])
        talk.refresh_from_db()

        assert "msqrt" in Parsed(talk.abstract_html).tag_names

    def test_saving_other_fields_leaves_the_stored_html(self):
        talk = TalkFactory(abstract="Consider $x$.")
        stored = talk.abstract_html
        talk.abstract = "Not saved: $\\sqrt{y}$."
        talk.title = "A new title"
        talk.save(update_fields=["title"])
        talk.refresh_from_db()

        assert talk.abstract_html == stored

    def test_update_or_create_renders(self):
        """load_demo and scripts update talks this way."""
        talk = TalkFactory(abstract="Old.")
        Talk.objects.update_or_create(slug=talk.slug, defaults={"abstract": "New $\\pi$."})
        talk.refresh_from_db()

        assert "math" in Parsed(talk.abstract_html).tag_names

    def test_a_new_comment_stores_its_rendered_body(self):
        comment = CommentFactory(body="What about $\\alpha$?")
        comment.refresh_from_db()

        assert "math" in Parsed(comment.body_html).tag_names

    def test_an_edited_comment_is_rendered_again(self):
        comment = CommentFactory(body="What about $\\alpha$?")
        comment.body = "I meant *this*."
        comment.save(update_fields=["body", "updated"])
        comment.refresh_from_db()

        assert Parsed(comment.body_html).tag_names == {"p", "em"}

    def test_removing_a_comment_keeps_its_stored_html(self):
        comment = CommentFactory(body="What about $\\alpha$?")
        stored = comment.body_html
        soft_delete(comment, by=comment.author)
        comment.refresh_from_db()

        assert comment.body_html == stored

    def test_the_demo_content_renders_without_errors(self):
        call_command("load_demo", stdout=io.StringIO())

        talks = Talk.objects.exclude(abstract="")
        comments = Comment.objects.all()
        assert talks and comments
        for text, html in [(t.abstract, t.abstract_html) for t in talks] + [
            (c.body, c.body_html) for c in comments
        ]:
            parsed = Parsed(html)
            assert parsed.errors == [], text
            assert ("math" in parsed.tag_names) == ("$" in text), text


# --- Pages ----------------------------------------------------------------------------------


def math_css_links(response):
    parsed = Parsed(response.content.decode())
    return [
        link["href"]
        for link in parsed.tags("link")
        if link.get("rel") == "stylesheet" and link["href"].endswith("math.css")
    ]


class TestTalkPage:
    def test_the_abstract_is_shown_rendered(self, client):
        talk = TalkFactory(abstract="We bound $\\sum_{i=1}^n x_i$ from above.")

        response = client.get(talk.get_absolute_url())

        formulas = Parsed(response.content.decode()).tags("math")
        assert [math.get("display") for math in formulas] == [None]  # inline
        assert response.context["shows_math"] is True
        assert math_css_links(response) == [static("css/math.css")]

    def test_a_page_without_math_does_not_load_the_math_font(self, client):
        talk = TalkFactory(abstract="No formulas here, only words.")
        CommentFactory(talk=talk, body="Nor here.")

        response = client.get(talk.get_absolute_url())

        assert math_css_links(response) == []
        assert "STIXTwoMath" not in response.content.decode()

    def test_math_in_a_comment_loads_the_math_font(self, client):
        talk = TalkFactory(abstract="No formulas here.")
        CommentFactory(talk=talk, body="Surely $\\epsilon > 0$?")

        response = client.get(talk.get_absolute_url())

        assert math_css_links(response) == [static("css/math.css")]

    def test_math_in_a_removed_comment_does_not_count(self, client):
        talk = TalkFactory(abstract="No formulas here.")
        comment = CommentFactory(talk=talk, body="Surely $\\epsilon > 0$?")
        soft_delete(comment, by=comment.author)

        response = client.get(talk.get_absolute_url())

        assert math_css_links(response) == []
        assert "<math" not in response.content.decode()

    def test_what_users_write_is_escaped_on_the_page(self, client):
        talk = TalkFactory(abstract="<script>alert('abstract')</script>")
        CommentFactory(talk=talk, body="<img src=x onerror=alert('comment')>")

        response = client.get(talk.get_absolute_url())
        parsed = Parsed(response.content.decode())

        assert "<script>alert('abstract')</script>" in parsed.text
        assert "<img src=x onerror=alert('comment')>" in parsed.text
        assert not any("onerror" in attrs for _, attrs in parsed.elements)

    def test_an_empty_abstract_says_so(self, client):
        talk = TalkFactory(abstract="")

        response = client.get(talk.get_absolute_url())

        assert "No abstract yet." in Parsed(response.content.decode()).text


# --- The math font ----------------------------------------------------------------------


WOFF2_MAGIC = b"wOF2"


def test_the_math_font_is_served_where_math_css_points(client):
    css_url = static("css/math.css")
    css = b"".join(client.get(css_url).streaming_content).decode()
    font_path = css.split('url("', 1)[1].split('"', 1)[0]

    response = client.get(urljoin(css_url, font_path))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(WOFF2_MAGIC)


def test_the_finder_exposes_only_the_font():
    finder = math_font.MathFontFinder()

    listed = [(storage.prefix, path) for path, storage in finder.list(None)]
    found = finders.find(math_font.MATH_FONT_STATIC_PATH)

    assert listed == [("fonts", math_font.MATH_FONT_FILE)]
    assert Path(found).read_bytes().startswith(WOFF2_MAGIC)
    assert finder.find("fonts/__init__.py") == []
    assert finders.find("css/no-such-file.css") is None
    assert finder.find(math_font.MATH_FONT_STATIC_PATH, find_all=True) == [found]
    assert finder.check() == []


def test_a_missing_font_fails_the_system_check(monkeypatch, tmp_path):
    monkeypatch.setattr(math_font, "font_directory", lambda: tmp_path)

    (error,) = math_font.MathFontFinder().check()

    assert error.id == "seminars.E001"


def test_the_built_font_keeps_what_formulas_need():
    """The subset is a font for math: its MATH table, and the characters Temml writes."""
    from fontTools.ttLib import TTFont

    font = TTFont(finders.find(math_font.MATH_FONT_STATIC_PATH))
    characters = font.getBestCmap()

    assert "MATH" in font
    # Stretchy parentheses and big sums come in sizes, from the MATH table.
    variants = font["MATH"].table.MathVariants.VertGlyphCoverage.glyphs
    assert characters[ord("(")] in variants and characters[ord("∑")] in variants
    for character in "x∑∫ℝ∞→≤⟨⟩‖\U0001d465\U0001d6fc\U0001d53c\U0001d4b3\U0001d41b":
        assert ord(character) in characters, character
