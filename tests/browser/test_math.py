"""Math in a real browser: MathML from the server, set in our own STIX Two Math.

The screenshot lands in test-results/screenshots/.
"""

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
