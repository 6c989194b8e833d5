"""The formatting help page that comment forms link to: Markdown and LaTeX, by example.

Each example is shown as typed and as the real renderer shows it, so the page
cannot promise what the renderer does not do (a test checks no example falls
back to source).
"""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from pagecache.pages import cache_public_page

from .rendering import contains_math, render_comment

# (what it shows, what to type)
EXAMPLES = [
    (_("Emphasis and code"), "*Italic*, **bold** and `code`."),
    (_("Links"), "[The arXiv](https://arxiv.org) or simply <https://arxiv.org>"),
    (_("Lists"), "- a first point\n- a second point\n\n1. a first step\n2. a second step"),
    (_("Quotes"), "> A line from the abstract."),
    (_("Inline math, between single dollars"), "Let $x_n \\to \\infty$ as $n \\to \\infty$."),
    (
        _("Display math, between double dollars"),
        "$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$",
    ),
    (
        _("Or between \\( … \\) and \\[ … \\]"),
        "\\( a^2 + b^2 = c^2 \\) and \\[ \\int_0^1 x^2 \\, dx = \\frac{1}{3} \\]",
    ),
    (
        _("Greek letters and symbols"),
        "$\\alpha \\le \\beta$, $\\epsilon > 0$, $x \\in \\mathbb{R}$",
    ),
    (_("Matrices"), "$$A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$$"),
    (_("A dollar sign as such"), "It costs \\$5, or $5 and $10 with spaces."),
]


@require_GET
@cache_public_page()
def formatting_help(request):
    examples = [(title, source, render_comment(source)) for title, source in EXAMPLES]
    context = {
        "examples": examples,
        "shows_math": any(contains_math(html) for _title, _source, html in examples),
    }
    return render(request, "seminars/formatting_help.html", context)
