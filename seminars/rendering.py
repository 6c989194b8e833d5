"""Markdown with LaTeX, turned into sanitized HTML once, when a text is saved.

Abstracts and comments are CommonMark. Math between ``$…$``, ``$$…$$``, ``\\(…\\)``
and ``\\[…\\]`` is converted to MathML on the server by Temml (a MathML-only
descendant of KaTeX, from npm), run in-process by mini-racer's embedded V8, so
pages need no script and make no third-party request. The math rules run before
Markdown's escape and emphasis rules, so ``\\{`` or ``a_1 … b_1`` inside a formula
reach LaTeX untouched. Everything then passes through nh3 with an allowlist:
whatever users type, no raw HTML, script, event handler or javascript: link reaches
a page. A formula that cannot be converted is shown as its escaped source in
``<code class="math-error">`` with Temml's message as its title; rendering never
raises.
"""

import atexit
import functools
import html
import re
import threading
import time
import weakref
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin
from py_mini_racer import JSOOMException, JSTimeoutException, MiniRacer

# Stored HTML records the version of the renderer that made it. Raise this when a
# change here changes the HTML of texts already stored: `manage.py rerender`
# then brings those rows up to date, instead of a data migration.
RENDERER_VERSION = 2

# Longer formulas are shown as source: this bounds the work one formula can cause.
MAX_FORMULA_LENGTH = 2000
# A formula that takes longer (Temml's own limit of 1,000 macro expansions aside)
# is shown as its source, so hostile LaTeX cannot hold a worker.
FORMULA_TIME_LIMIT = 0.5  # seconds
# A text's formulas get this long in all; the rest are shown as their source.
TEXT_TIME_LIMIT = 5  # seconds
# V8's heap for Temml: its code takes about 10 MB; a formula needs far less.
HEAP_LIMIT = 64 * 1024 * 1024  # bytes

TEMML_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules/temml/dist/temml.min.js"

# Macros every text may use, on top of Temml's own (\R, \N, \Z, \argmin...).
PREDEFINED_MACROS = {
    r"\N": r"\mathbb{N}",
    r"\Z": r"\mathbb{Z}",
    r"\Q": r"\mathbb{Q}",
    r"\R": r"\mathbb{R}",
    r"\C": r"\mathbb{C}",
    r"\E": r"\mathbb{E}",
    r"\P": r"\mathbb{P}",
    r"\Var": r"\operatorname{Var}",
    r"\Cov": r"\operatorname{Cov}",
}

# Errors come back as values: an exception would lose Temml's message on the way.
# `macros` is a fresh object each call, since \gdef writes into it.
RENDER_FUNCTION = """
function renderFormula(latex, displayMode, macros) {
  try {
    return {html: temml.renderToString(latex, {
      displayMode, macros, throwOnError: true, trust: false, annotate: false, xml: false,
    })};
  } catch (error) {
    return {error: String(error.message || error)};
  }
}
"""


ERROR_POSITION = re.compile(r"\s+at (?:position \d+|end of input):.*", re.DOTALL)


class MathEngineMissing(RuntimeError):
    pass


class InvalidFormula(ValueError):
    """A formula shown as its source; the message says why (Temml's words, or ours)."""


def racer_with_its_own_event_loop() -> MiniRacer:
    """A MiniRacer made in a thread without a running asyncio loop.

    Made where a loop runs (an ASGI server, Playwright's sync API in tests), it
    would use that loop and refuse time limits; made here, it starts its own.
    """
    made = []
    thread = threading.Thread(target=lambda: made.append(MiniRacer()))
    thread.start()
    thread.join()
    return made[0]


class MathEngine:
    """Temml loaded once in a V8 isolate of its own.

    A MiniRacer context must not be used by two threads at once (gunicorn runs
    threads), so each thread gets its own (see `engine()`).
    """

    def __init__(self):
        try:
            source = TEMML_SCRIPT.read_text()
        except FileNotFoundError:
            raise MathEngineMissing(
                f"{TEMML_SCRIPT} is missing: install the npm packages with `make install` "
                "(or `npm ci --ignore-scripts`), see README.md."
            ) from None
        self.racer = racer_with_its_own_event_loop()
        self.racer.set_hard_memory_limit(HEAP_LIMIT)
        self.racer.eval(source)
        self.racer.eval(RENDER_FUNCTION)
        _open_engines.add(self)

    def render(self, latex: str, display: bool, macros: dict[str, str]) -> str:
        result = self.racer.call(
            "renderFormula", latex, display, macros, timeout_sec=FORMULA_TIME_LIMIT
        )
        if "error" in result:
            # "Unsupported function name: \\foo at position 1: …" without the position.
            raise InvalidFormula(ERROR_POSITION.sub("", result["error"]).strip())
        return result["html"]

    def close(self):
        self.racer.close()


_threads = threading.local()
# An isolate still open when the interpreter finalizes can hang the exit (mini-racer
# 0.14): close whichever are left. Engines of finished threads go with their thread.
_open_engines = weakref.WeakSet()


@atexit.register
def close_engines():
    for open_engine in list(_open_engines):
        open_engine.close()


def engine() -> MathEngine:
    if getattr(_threads, "engine", None) is None:
        _threads.engine = MathEngine()
    return _threads.engine


def convert(latex: str, display: bool, macros: dict[str, str]) -> str:
    """Temml's MathML for one formula; raises InvalidFormula with the reason."""
    if not latex:
        raise InvalidFormula("Empty formula")
    if len(latex) > MAX_FORMULA_LENGTH:
        raise InvalidFormula(f"Longer than {MAX_FORMULA_LENGTH} characters")
    try:
        return engine().render(latex, display, macros)
    except (JSTimeoutException, JSOOMException):
        # V8 stopped the script; the isolate stays usable, and what the formula
        # allocated was local to renderFormula, so it is garbage now.
        raise InvalidFormula("Too complex to display") from None


ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
START_TAG = re.compile(r"<(m[a-z]*|math)((?:\s[a-z-]+=\"[^\"]*\")*)>")
# Temml writes some layout as inline styles, which our CSP (no inline styles) would
# block: the ones that matter become classes of static/css/math.css, the rest go.
STYLE_CLASSES = {
    "border:1px solid": "tml-border",  # \boxed, \fbox
    "padding:3pt": "tml-box-padding",
    "border-right:0.06em solid": "tml-rule-right",  # array column lines
    "border-right:0.06em dashed": "tml-dash-right",
    "border-top:0.06em solid": "tml-rule-top",  # \hline
    "border-top:0.06em dashed": "tml-dash-top",
    "border-bottom:0.06em solid": "tml-rule-bottom",
    "border-bottom:0.06em dashed": "tml-dash-bottom",
    "padding-left:0em": "tml-pl-0",  # matrix and alignment columns
    "padding-left:0pt": "tml-pl-0",
    "padding-right:0em": "tml-pr-0",
    "padding-right:0pt": "tml-pr-0",
    "padding-left:1em": "tml-pl-1",  # between a case and its condition
    "padding-left:5.9776pt": "tml-pl-sep",  # \arraycolsep between matrix columns
    "padding-right:5.9776pt": "tml-pr-sep",
}


# The classes static/css/math.css styles: Temml's own (fonts, paddings, table
# layout) and those style_to_class() gives.
MATHML_CLASSES = {
    "mathcal", "mathscr", "tml-prime", "tml-sml-pad", "tml-med-pad", "tml-lrg-pad",
    "tml-left", "tml-right", "tml-small", "tml-jot", "tml-cancel", "tml-xcancel",
    "tml-overline", "tml-underline", "tml-fbox", *STYLE_CLASSES.values(),
}  # fmt: skip


def style_to_class(match: re.Match) -> str:
    tag, attributes = match[1], dict(ATTRIBUTE.findall(match[2]))
    classes = [name for name in attributes.pop("class", "").split() if name in MATHML_CLASSES]
    for declaration in attributes.pop("style", "").split(";"):
        name, _, value = declaration.partition(":")
        if style_class := STYLE_CLASSES.get(f"{name.strip()}:{value.strip()}"):
            classes.append(style_class)
    if classes:
        attributes["class"] = " ".join(dict.fromkeys(classes))
    # Values are still escaped as Temml wrote them.
    written = "".join(f' {name}="{value}"' for name, value in attributes.items())
    return f"<{tag}{written}>"


# Temml now and then nests markup in a token element (\mathop{\mathrm{a\,b}} puts an
# <mrow> in an <mo>): HTML parsers, the sanitizer's included, read that as HTML
# and drop it, which would leave half a formula.
MARKUP_IN_TOKEN = re.compile(r"<(?:mi|mn|mo|ms|mtext)(?:\s[^>]*)?><(?!/)")


def latex_to_mathml(latex: str, display: bool, macros: dict[str, str] | None = None) -> str:
    """A <math> element with the source as its alttext; raises InvalidFormula."""
    mathml = convert(latex, display, {**PREDEFINED_MACROS, **(macros or {})})
    if MARKUP_IN_TOKEN.search(mathml):
        raise InvalidFormula("This construct cannot be shown as MathML")
    mathml = START_TAG.sub(style_to_class, mathml)
    # The source, for screen readers and copy-paste.
    return mathml.replace("<math", f'<math alttext="{html.escape(latex)}"', 1)


@functools.lru_cache(maxsize=2048)
def cached_mathml(latex: str, display: bool, macros: tuple) -> tuple[str, str]:
    """(MathML, "") or ("", why not): texts repeat formulas, and so do load_demo and
    tests; a formula that timed out is remembered too, so repeating it costs nothing."""
    try:
        return latex_to_mathml(latex, display, dict(macros)), ""
    except InvalidFormula as error:
        return "", str(error)


def formula_html(latex: str, display: bool, opening: str, closing: str, env) -> str:
    if time.monotonic() > env["deadline"]:
        mathml, error = "", "Too many formulas to display"
    else:
        macros = tuple(sorted((env.get("macros") or {}).items()))
        mathml, error = cached_mathml(latex.strip(), display, macros)
    if error:
        source = escapeHtml(f"{opening}{latex}{closing}")
        return f'<code class="math-error" title="{html.escape(error)}">{source}</code>'
    if not display:
        return mathml
    # A box of its own that scrolls a wide formula (static/css/math.css), reachable
    # by keyboard and named by its source. A span: $$…$$ may sit inside a paragraph.
    return (
        f'<span class="math-display" tabindex="0" role="group" '
        f'aria-label="{html.escape(latex.strip())}">{mathml}</span>'
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
    rendered = formula_html(token.content, display, token.markup, closing, env)
    return f"{rendered}\n" if token.block else rendered


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
# Exactly the elements and attributes Temml writes, minus colours, links, HTML
# (\href, \htmlClass... need `trust`, which is off) and inline styles.
MATHML_TAGS = {
    "math", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover",
    "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt",
    "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder",
    "munderover", "none",
}  # fmt: skip
MATHML_GLOBAL_ATTRIBUTES = {"displaystyle", "mathsize", "mathvariant", "scriptlevel"}
MATHML_ATTRIBUTES = {
    "math": {"alttext", "display"},
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
    tags=MARKDOWN_TAGS | MATHML_TAGS | {"span"},
    attributes={
        "a": {"href", "title"},
        "code": {"title"},
        "ol": {"start"},
        # Only formula_html() writes spans: Markdown's raw HTML is off.
        "span": {"aria-label", "role", "tabindex"},
        **{
            tag: MATHML_GLOBAL_ATTRIBUTES | MATHML_ATTRIBUTES.get(tag, set()) for tag in MATHML_TAGS
        },
    },
    allowed_classes={
        "code": {"math-error"},
        "span": {"math-display"},
        **dict.fromkeys(MATHML_TAGS, MATHML_CLASSES),
    },
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow noopener",
)

ABSTRACT_PARSER = markdown_parser(breaks=False)
# Comments are written like messages: a single line break stays a line break.
COMMENT_PARSER = markdown_parser(breaks=True)


def render_env(macros: dict[str, str] | None) -> dict:
    return {"macros": macros, "deadline": time.monotonic() + TEXT_TIME_LIMIT}


def render_abstract(text: str, macros: dict[str, str] | None = None) -> str:
    """`macros`: the series' own (Series.latex_macros), on top of PREDEFINED_MACROS."""
    return SANITIZER.clean(ABSTRACT_PARSER.render(text, render_env(macros)))


def render_comment(text: str, macros: dict[str, str] | None = None) -> str:
    return SANITIZER.clean(COMMENT_PARSER.render(text, render_env(macros)))


def contains_math(html: str) -> bool:
    """Whether rendered HTML shows formulas (or their source), so its page needs math.css."""
    return "<math" in html or 'class="math-error"' in html
