"""Markdown with LaTeX, turned into sanitized HTML once, when a text is saved.

Abstracts and comments are CommonMark. Math between ``$…$``, ``$$…$$``, ``\\(…\\)``
and ``\\[…\\]`` is converted to MathML on the server by latex2mathml, so pages need
no script and make no third-party request. The math rules run before Markdown's
escape and emphasis rules, so ``\\{`` or ``a_1 … b_1`` inside a formula reach
LaTeX untouched. Everything then passes through nh3 with an allowlist: whatever
users type, no raw HTML, script, event handler or javascript: link reaches a page.
A formula that cannot be converted is shown as its escaped source in
``<code class="math-error">``; rendering never raises.
"""

import re
from xml.etree.ElementTree import Element, tostring  # nosec B405 # builds MathML, parses no XML

import nh3
from latex2mathml.converter import convert_to_element
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin

# Stored HTML records the version of the renderer that made it. Raise this when a
# change here changes the HTML of texts already stored: `manage.py rerender`
# then brings those rows up to date, instead of a data migration.
RENDERER_VERSION = 1

# Longer formulas are shown as source: this bounds the work one formula can cause.
MAX_FORMULA_LENGTH = 2000

# latex2mathml copies what it does not understand into its output as text: an
# unknown command (\foo), a $ nested in math, an & outside a supported matrix.
# What it does understand comes out as hexadecimal character references.
UNCONSUMED_LATEX = ("\\", "$", "&")
CHARACTER_REFERENCE = re.compile(r"&#x([0-9A-Fa-f]+);")
# MathML elements whose children are positional arguments: \frac{a} converts
# without complaint into a fraction with no denominator.
MATHML_ARITY = {
    "mfrac": 2,
    "mroot": 2,
    "msub": 2,
    "msup": 2,
    "msubsup": 3,
    "munder": 2,
    "mover": 2,
    "munderover": 3,
}


class InvalidFormula(ValueError):
    pass


def latex_to_mathml(latex: str, display: bool) -> str:
    """A <math> element; raises if latex2mathml cannot convert the formula faithfully."""
    if not latex or len(latex) > MAX_FORMULA_LENGTH:
        raise InvalidFormula(latex)
    math = convert_to_element(latex, display="block" if display else "inline")
    check_converted(math, latex)
    del math.attrib["xmlns"]  # implied for <math> in HTML
    decode_character_references(math)
    set_capital_greek_upright(math)
    return tostring(math, encoding="unicode", short_empty_elements=False)


def check_converted(math: Element, latex: str) -> None:
    for element in math.iter():
        text = CHARACTER_REFERENCE.sub("", element.text or "")
        if any(character in text for character in UNCONSUMED_LATEX):
            raise InvalidFormula(latex)
        arity = MATHML_ARITY.get(element.tag)
        if arity is not None and len(element) != arity:
            raise InvalidFormula(latex)


def decode_character_references(math: Element) -> None:
    """Turn "&#x003B1;" into "α", so that tostring() escapes every text exactly once.

    latex2mathml's own serializer unescapes all text afterwards, which would turn
    \\text{<b>} into markup.
    """
    for element in math.iter():
        if element.text:
            element.text = CHARACTER_REFERENCE.sub(lambda m: chr(int(m[1], 16)), element.text)


def set_capital_greek_upright(math: Element) -> None:
    """Capital Greek (\\Gamma) is upright in LaTeX; MathML slants any one-letter <mi>."""
    for element in math.iter("mi"):
        if element.text and len(element.text) == 1 and "\u0391" <= element.text <= "\u03a9":
            element.set("mathvariant", "normal")


def formula_html(latex: str, display: bool, opening: str, closing: str) -> str:
    try:
        return latex_to_mathml(latex.strip(), display)
    except Exception:
        # Besides InvalidFormula, latex2mathml fails on bad input with whatever its
        # parser hits (StopIteration, IndexError, RecursionError, its own errors).
        source = escapeHtml(f"{opening}{latex}{closing}")
        return (
            f'<code class="math-error" title="This formula could not be displayed">{source}</code>'
        )


# \( … \) is inline math and \[ … \] display math: (closing delimiter, display).
BRACKET_DELIMITERS = {"\\(": ("\\)", False), "\\[": ("\\]", True)}


def bracket_math(state, silent: bool) -> bool:
    """Inline rule for \\( … \\) and \\[ … \\]; it runs before Markdown's escape rule.

    The closing delimiter is looked for within MAX_FORMULA_LENGTH characters only,
    so a text full of unclosed openers still parses in linear time.
    """
    opening = state.src[state.pos : state.pos + 2]
    if opening not in BRACKET_DELIMITERS:
        return False
    closing, display = BRACKET_DELIMITERS[opening]
    start = state.pos + len(opening)
    end = state.src.find(closing, start, start + MAX_FORMULA_LENGTH + len(closing))
    if end == -1:
        return False
    if not silent:
        token = state.push("math_bracket_display" if display else "math_bracket", "math", 0)
        token.content = state.src[start:end]
        token.markup = opening
    state.pos = end + len(closing)
    return True


# Math tokens from dollarmath and bracket_math: (display, closing delimiter).
MATH_TOKENS = {
    "math_inline": (False, "$"),
    "math_inline_double": (True, "$$"),
    "math_block": (True, "$$"),
    "math_bracket": (False, "\\)"),
    "math_bracket_display": (True, "\\]"),
}


def render_math_token(renderer, tokens, idx, options, env) -> str:
    token = tokens[idx]
    display, closing = MATH_TOKENS[token.type]
    html = formula_html(token.content, display, token.markup, closing)
    return f"{html}\n" if token.block else html


def markdown_parser(breaks: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": breaks})
    # Headings would compete with the page's own; images would load from other sites.
    md.disable(["heading", "lheading", "image"])
    # No space just inside a $ pair, so "between $5 and $10" stays text. A blank
    # line ends a $$ block, as in LaTeX; it also keeps unclosed $$ lines cheap.
    md.use(
        dollarmath_plugin,
        allow_space=False,
        allow_labels=False,
        allow_blank_lines=False,
        double_inline=True,
    )
    md.inline.ruler.before("escape", "math_bracket", bracket_math)
    for token_type in MATH_TOKENS:
        md.add_render_rule(token_type, render_math_token)
    return md


MARKDOWN_TAGS = {
    "a", "blockquote", "br", "code", "em", "hr", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
# Exactly the elements and attributes latex2mathml writes (minus colours and links).
MATHML_TAGS = {
    "math", "menclose", "mfrac", "mi", "mn", "mo", "mover", "mpadded", "mphantom",
    "mroot", "mrow", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup",
    "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
}  # fmt: skip
MATHML_GLOBAL_ATTRIBUTES = {"displaystyle", "mathsize", "mathvariant", "scriptlevel"}
MATHML_ATTRIBUTES = {
    "math": {"display"},
    "menclose": {"notation"},
    "mfrac": {"linethickness"},
    "mo": {
        "accent", "fence", "form", "largeop", "lspace", "maxsize", "minsize",
        "movablelimits", "rspace", "separator", "stretchy", "symmetric",
    },
    "mover": {"accent"},
    "mpadded": {"depth", "height", "lspace", "voffset", "width"},
    "mspace": {"depth", "height", "width"},
    "mtable": {"columnalign", "columnlines", "columnspacing", "frame", "rowlines", "rowspacing"},
    "mtd": {"columnalign", "columnspan", "rowspan"},
    "mtr": {"columnalign"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
}  # fmt: skip

SANITIZER = nh3.Cleaner(
    tags=MARKDOWN_TAGS | MATHML_TAGS,
    attributes={
        "a": {"href", "title"},
        "code": {"title"},
        "ol": {"start"},
        **{
            tag: MATHML_GLOBAL_ATTRIBUTES | MATHML_ATTRIBUTES.get(tag, set()) for tag in MATHML_TAGS
        },
    },
    allowed_classes={"code": {"math-error"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow noopener",
)

ABSTRACT_PARSER = markdown_parser(breaks=False)
# Comments are written like messages: a single line break stays a line break.
COMMENT_PARSER = markdown_parser(breaks=True)


def render_abstract(text: str) -> str:
    return SANITIZER.clean(ABSTRACT_PARSER.render(text))


def render_comment(text: str) -> str:
    return SANITIZER.clean(COMMENT_PARSER.render(text))


def contains_math(html: str) -> bool:
    """Whether rendered HTML shows formulas (or their source), so its page needs math.css."""
    return "<math" in html or 'class="math-error"' in html
