"""Temml, run in-process: coverage of what mathematicians write, MathML structure, limits.

The corpus (tests/seminars/math_corpus.py) is rendered inline and in display; the
structure checks read the MathML the way a browser does (tests/html.py).
"""

import asyncio
import threading
import time

import pytest

from seminars import rendering
from seminars.rendering import FORMULA_TIME_LIMIT, render_abstract, render_comment
from tests.html import parse
from tests.seminars.math_corpus import CORPUS, DISPLAY_ONLY, FAILED_BEFORE

INVISIBLE_FUNCTION_APPLICATION = "\u2061"


def formula(latex, display):
    """The parsed page fragment of one formula, and its math-error codes."""
    text = f"$${latex}$$" if display else f"Inline ${latex}$ here."
    document = parse(render_abstract(text))
    return document, document.find_all("code", class_="math-error")


def test_the_corpus_is_large_enough():
    assert len(CORPUS) + len(DISPLAY_ONLY) >= 150
    assert len(set(CORPUS)) == len(CORPUS)


@pytest.mark.parametrize("display", [False, True], ids=["inline", "display"])
@pytest.mark.parametrize("latex", CORPUS)
def test_every_corpus_formula_renders(latex, display):
    document, errors = formula(latex, display)

    assert [error.attrs.get("title") for error in errors] == []
    assert len(document.find_all("math")) == 1


@pytest.mark.parametrize("latex", DISPLAY_ONLY)
def test_display_environments_render_in_display_and_say_why_not_inline(latex):
    document, errors = formula(latex, display=True)
    assert errors == [] and len(document.find_all("math")) == 1

    document, errors = formula(latex, display=False)
    assert document.find_all("math") == []
    assert "display mode" in errors[0].attrs["title"]


@pytest.mark.parametrize("latex", FAILED_BEFORE)
def test_what_latex2mathml_could_not_render_now_renders(latex):
    document, errors = formula(latex, display=True)

    assert errors == [] and first(document, "math") is not None


# --- Structure -------------------------------------------------------------------------


def first(document, tag, **attrs):
    found = document.find_all(tag, **attrs)
    return found[0] if found else None


def children(element):
    return [child for child in element.children if not isinstance(child, str)]


@pytest.mark.parametrize(
    ("latex", "operator"),
    [
        ("\\sum_{i=1}^{n} x_i", "∑"),
        ("\\prod_{p}^{q} a_p", "∏"),
        ("\\bigcup_{n=1}^{\\infty} A_n", "⋃"),
    ],
)
def test_large_operators_take_limits_under_and_over_in_display_beside_inline(latex, operator):
    display, _ = formula(latex, display=True)
    inline, _ = formula(latex, display=False)

    (under_over,) = display.find_all("munderover")
    assert children(under_over)[0].tag == "mo" and children(under_over)[0].text == operator
    # Inline, TeX's text style: the limits beside the sign, as movablelimits would
    # place them, decided at conversion so no browser has to.
    assert inline.find_all("munderover") == []
    (beside,) = inline.find_all("msubsup")
    assert children(beside)[0].text == operator


@pytest.mark.parametrize(
    ("latex", "name"),
    [
        ("\\lim_{n \\to \\infty} a_n", "lim"),
        ("\\sup_{0 \\le t \\le T} |X_t|", "sup"),
        ("\\max_{i} \\lambda_i", "max"),
        ("\\liminf_{n} x_n", "lim inf"),
    ],
)
def test_limits_of_named_operators_go_under_in_display_only(latex, name):
    display, _ = formula(latex, display=True)
    inline, _ = formula(latex, display=False)

    (under,) = display.find_all("munder")
    assert children(under)[0].text.replace("\u2009", " ").strip() == name
    assert inline.find_all("munder") == []
    assert children(inline.find_all("msub")[0])[0].text.replace("\u2009", " ").strip() == name


@pytest.mark.parametrize(
    ("latex", "name"),
    [
        ("2\\exp(x)", "exp"),
        ("\\sin x", "sin"),
        ("\\operatorname{tr} A", "tr"),
        ("\\log n", "log"),
        ("\\arg\\min_w f", "arg"),
    ],
)
def test_operator_names_are_identifiers_applied_as_functions(latex, name):
    """<mi>exp</mi><mo>⁡</mo>: read as a function, with a thin space, never "2exp"."""
    document, _ = formula(latex, display=False)

    identifiers = [mi for mi in document.find_all("mi") if mi.text == name]
    assert len(identifiers) == 1
    math = first(document, "math")
    operators = [mo.text for mo in math.iter() if mo.tag == "mo"]
    assert INVISIBLE_FUNCTION_APPLICATION in operators


@pytest.mark.parametrize(
    "latex",
    [
        "\\left( \\frac{a}{b} \\right)",
        "\\begin{pmatrix} a \\\\ b \\end{pmatrix}",
        "\\left\\| x \\right\\|",
    ],
)
def test_fences_stretch(latex):
    document, _ = formula(latex, display=True)

    fences = [mo for mo in document.find_all("mo") if mo.attrs.get("fence") == "true"]
    assert len(fences) == 2
    assert all(mo.attrs.get("stretchy") == "true" for mo in fences)


def test_big_delimiters_have_fixed_sizes():
    document, _ = formula("\\big( \\Big( \\bigg( \\Bigg(", display=False)

    sizes = [mo.attrs.get("minsize") for mo in document.find_all("mo")]
    assert len(set(sizes)) == 4 and None not in sizes


def test_no_space_before_punctuation():
    """`m \\to \\infty,`: the comma is punctuation (no space before it), not a relation."""
    document, _ = formula("m \\to \\infty,", display=False)

    comma = [mo for mo in document.find_all("mo") if mo.text == ","]
    assert len(comma) == 1
    assert comma[0].attrs.get("lspace") in (None, "0em")
    assert comma[0].attrs.get("separator") == "true" or comma[0].attrs.get("lspace") == "0em"


def test_a_minus_after_an_opening_fence_is_a_sign():
    document, _ = formula("\\left( -x \\right)", display=False)

    minus = [mo for mo in document.find_all("mo") if mo.text == "\u2212"]
    assert minus and minus[0].attrs.get("form") == "prefix"


def test_matrices_are_tables_and_boxed_is_framed():
    document, _ = formula("\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix} \\boxed{x}", True)

    assert len(document.find_all("mtr")) == 2 and len(document.find_all("mtd")) == 4
    framed = [e for e in first(document, "math").iter() if e.has_class("tml-border")]
    assert len(framed) == 1 and framed[0].text == "x"


def test_the_source_is_the_formulas_alttext_and_the_display_boxs_name():
    document, _ = formula("a < b", display=True)

    box = first(document, "span", class_="math-display")
    assert box.attrs.get("tabindex") == "0" and box.attrs.get("role") == "group"
    assert box.attrs.get("aria-label") == "a < b"
    assert first(document, "math").attrs.get("alttext") == "a < b"
    assert first(document, "math").attrs.get("display") == "block"


def test_inline_formulas_are_not_boxed():
    document, _ = formula("x", display=False)

    assert first(document, "span") is None
    assert first(document, "math").attrs.get("alttext") == "x"


# --- Macros -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("macro", "letter"), [("\\R", "ℝ"), ("\\N", "ℕ"), ("\\Z", "ℤ"), ("\\Q", "ℚ"), ("\\C", "ℂ")]
)
def test_common_macros_are_predefined(macro, letter):
    document, errors = formula(macro, display=False)

    assert errors == [] and first(document, "mi").text == letter


def test_macros_given_to_the_renderer_apply():
    html = parse(render_comment("$\\loss(w)$", macros={"\\loss": "\\mathcal{L}"}))

    assert html.find_all("code") == []
    assert first(html, "mi").text == "ℒ"


# --- Bad and hostile input ----------------------------------------------------------------


def test_a_bad_formula_shows_temml_s_reason_escaped():
    html = render_abstract("$\\foo<script>$")
    document = parse(html)

    (error,) = document.find_all("code", class_="math-error")
    assert error.attrs.get("title") == "Unsupported function name: \\foo"
    assert error.text == "$\\foo<script>$"
    assert "<script>" not in html


def test_markup_that_would_lose_half_the_formula_falls_back():
    """Temml nests an <mrow> in an <mo> here, which an HTML parser would drop."""
    document, errors = formula("\\mathop{\\mathrm{ess\\,sup}}_{x} f", display=True)

    assert len(errors) == 1 and first(document, "math") is None


EXPONENTIAL_MACROS = (
    "\\def\\a{xx}\\def\\b{\\a\\a}\\def\\c{\\b\\b}\\def\\d{\\c\\c}\\def\\e{\\d\\d}"
    "\\def\\f{\\e\\e}\\def\\g{\\f\\f}\\def\\h{\\g\\g}\\def\\i{\\h\\h}\\def\\j{\\i\\i}\\j\\j\\j"
)


@pytest.mark.parametrize(
    "latex",
    [
        EXPONENTIAL_MACROS,
        "\\def\\x{\\x}\\x",
        "\\def\\x{\\x\\x}\\x",
        "\\newcommand{\\loop}{\\loop\\loop}\\loop",
        "\\sqrt{" * 600 + "x" + "}" * 600,
        "x^" * 999 + "x",
    ],
    ids=["exponential", "self", "doubling", "newcommand", "roots", "scripts"],
)
def test_hostile_formulas_fall_back_within_the_time_limit(latex):
    started = time.perf_counter()
    document, errors = formula(latex, display=True)
    elapsed = time.perf_counter() - started

    assert len(errors) == 1 and first(document, "math") is None
    assert elapsed < FORMULA_TIME_LIMIT + 0.5


def test_a_formula_that_runs_too_long_is_stopped(monkeypatch):
    """The time limit itself: a formula Temml would still be working on is cut off."""
    monkeypatch.setattr(rendering, "FORMULA_TIME_LIMIT", 0.001)
    latex = " + ".join(f"\\frac{{a_{{{i}}}}}{{b^{{{i}}}}}" for i in range(80))

    started = time.perf_counter()
    document, errors = formula(latex, display=True)

    assert [error.attrs.get("title") for error in errors] == ["Too complex to display"]
    assert time.perf_counter() - started < 1
    # The stopped engine still works for the next formula.
    monkeypatch.undo()
    assert formula("x", display=True)[1] == []


def test_each_thread_has_its_own_engine():
    """MiniRacer contexts are not thread-safe: gunicorn's threads each get one."""
    engines, results = [], []

    def render():
        engines.append(rendering.engine())
        results.append(render_abstract("$\\frac{1}{2}$"))

    threads = [threading.Thread(target=render) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({id(engine) for engine in engines}) == 3
    assert all("<mfrac>" in html for html in results)


def test_a_missing_temml_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(rendering, "TEMML_SCRIPT", tmp_path / "temml.min.js")

    with pytest.raises(rendering.MathEngineMissing, match="make install"):
        rendering.MathEngine()


def test_rendering_is_fast_enough_for_load_demo():
    """One context reused: a formula costs about a millisecond, not a V8 start."""
    text = "Bound $\\sum_{i=1}^n \\frac{x_i}{i^2} \\le \\|x\\|_\\infty \\frac{\\pi^2}{6}$."
    render_abstract(text)
    started = time.perf_counter()
    for _ in range(200):
        render_abstract(text)

    assert (time.perf_counter() - started) / 200 < 0.02


def test_a_text_s_formulas_share_a_time_budget(monkeypatch):
    """Many slow formulas in one text cannot add up to minutes: the rest show as source."""
    monkeypatch.setattr(rendering, "TEXT_TIME_LIMIT", 0)

    document = parse(render_abstract("$x$ and $y$"))

    errors = document.find_all("code", class_="math-error")
    assert [error.attrs["title"] for error in errors] == ["Too many formulas to display"] * 2


def test_a_running_event_loop_does_not_disable_the_time_limit():
    """Made inside an asyncio loop (ASGI, Playwright), mini-racer would refuse time limits."""

    async def render_in_a_loop():
        return rendering.MathEngine().render("x", False, {})

    assert asyncio.run(render_in_a_loop()) == "<math><mi>x</mi></math>"


def test_a_missing_temml_fails_the_system_check(monkeypatch, tmp_path):
    from seminars.apps import math_engine_installed

    assert math_engine_installed() == []
    monkeypatch.setattr(rendering, "TEMML_SCRIPT", tmp_path / "temml.min.js")

    (error,) = math_engine_installed()

    assert error.id == "seminars.E002" and "make install" in error.hint
