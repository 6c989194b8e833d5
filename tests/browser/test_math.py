"""Math in a real browser: MathML from the server, set in our own STIX Two Math.

The screenshot lands in test-results/screenshots/.
"""

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_accessibility import AXE_OPTIONS, axe_violations
from tests.factories import CommentFactory, TalkFactory

ABSTRACT = r"""
For a Markov chain with spectral gap $\gamma$ and stationary law $\pi$, we prove

$$\mathbb{P}\left(\left|\frac{1}{n}\sum_{i=1}^{n} f(X_i) - \pi(f)\right| > t\right)
\leq 2\exp\left(-\frac{n\gamma t^2}{4\sigma^2 + 10t}\right).$$

The transition matrix \(P = \begin{pmatrix} 1-\alpha & \alpha \\ \beta & 1-\beta \end{pmatrix}\)
has eigenvalues $1$ and $1 - \alpha - \beta$, so \[\gamma = \alpha + \beta.\]

A very long identity must scroll rather than widen the page:

$$S = a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + a_{12} + a_{13}
+ a_{14} + a_{15} + a_{16} + a_{17} + a_{18} + a_{19} + a_{20} + a_{21} + a_{22} + a_{23}
+ a_{24} + a_{25} + a_{26} + a_{27} + a_{28} + a_{29} + a_{30} + a_{31} + a_{32} + a_{33}$$

A formula with a typo, $\fracc{1}{2}$, is shown as its source.
"""

MATH_BOXES = """() => [...document.querySelectorAll("main math")].map((math) => {
  const box = math.getBoundingClientRect();
  return {width: box.width, height: box.height, font: getComputedStyle(math).fontFamily};
})"""

LOADED_FONTS = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter((font) => font.status === "loaded").map((font) => font.family);
}"""

FRACTION_PARTS = """() => {
  const fraction = document.querySelector("main mfrac");
  const [numerator, denominator] = [...fraction.children].map((c) => c.getBoundingClientRect());
  return {numeratorBottom: numerator.bottom, denominatorTop: denominator.top};
}"""


def test_math_renders_in_the_math_font(page, screenshot):
    talk = TalkFactory(title="Concentration for Markov chains", abstract=ABSTRACT)
    CommentFactory(talk=talk, body="Is $\\sigma^2$ the asymptotic variance of $f$?")

    page.goto(talk.get_absolute_url())

    boxes = page.evaluate(MATH_BOXES)
    assert len(boxes) == 10  # 8 formulas in the abstract, 2 in the comment
    assert all(box["width"] > 0 and box["height"] > 0 for box in boxes)
    assert all(box["font"].startswith('"STIX Two Math"') for box in boxes)
    assert "STIX Two Math" in page.evaluate(LOADED_FONTS)
    # Laid out as math: a stacked fraction, a 2 x 2 matrix.
    fraction = page.evaluate(FRACTION_PARTS)
    assert fraction["numeratorBottom"] <= fraction["denominatorTop"]
    assert page.locator("main mtable mtr").count() == 2
    assert page.locator("main mtable mtd").count() == 4
    assert page.locator("code.math-error").inner_text() == "$\\fracc{1}{2}$"
    # The long formula scrolls inside its own box; the page keeps its width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert screenshot("talk").exists()


@pytest.fixture
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


LONG_FORMULA = " + ".join(f"\\frac{{a_{{{i}}}}}{{b_{{{i}}}}}" for i in range(1, 40))
PHONE = {"width": 390, "height": 844}

SCROLL_BOX = """() => {
  const box = document.querySelector("main .math-display");
  const style = getComputedStyle(box);
  return {
    scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, scrollLeft: box.scrollLeft,
    overflowX: style.overflowX, image: style.backgroundImage,
    attachment: style.backgroundAttachment, tabIndex: box.tabIndex,
    focused: document.activeElement === box,
  };
}"""


def test_a_wide_display_formula_scrolls_in_its_box_with_a_cue_and_by_keyboard(
    axe_page, screenshot_dir
):
    talk = TalkFactory(abstract=f"A long sum:\n\n$${LONG_FORMULA}$$\n\nThe end.")
    page = axe_page
    page.set_viewport_size(PHONE)
    page.goto(talk.get_absolute_url())

    box = page.evaluate(SCROLL_BOX)
    # Wider than the phone: it scrolls inside its box, and the page does not.
    assert box["scrollWidth"] > box["clientWidth"]
    assert box["overflowX"] == "auto"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The cue: two shadows fixed at the edges, two page-coloured covers that move.
    assert box["image"].count("radial-gradient") == 2
    assert box["image"].count("linear-gradient") == 2
    assert box["attachment"] == "local, local, scroll, scroll"
    page.screenshot(path=str(screenshot_dir / "wide-formula-390.png"))

    # In the tab order (tabindex 0), and scrolled with the arrow keys once focused.
    page.locator("main .math-display").focus()
    assert page.evaluate(SCROLL_BOX)["focused"] and box["tabIndex"] == 0
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "document.querySelector('main .math-display').scrollLeft > 0", timeout=2000
    )
    assert page.locator("main .math-display").get_attribute("aria-label") == LONG_FORMULA

    assert axe_violations(page, AXE_OPTIONS) == []
