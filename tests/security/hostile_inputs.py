"""Hostile text for every field a user or organiser writes.

Each entry is something a stranger could type: markup that would run script if
it reached a page unescaped, links with script schemes, SVG and MathML tricks,
LaTeX meant to break the math renderer, text that breaks out of attributes,
<script> blocks, JSON or iCalendar lines, and characters that confuse parsers
or readers. A payload that runs calls alert() or sets ``window.__xss``, so the
browser test (tests/browser/test_xss.py) notices it.

``fit`` turns a payload into what an entry form could store in a field of a
given length; the entry tests check that the forms refuse the rest.
"""

HOSTILE_INPUTS = {
    # <script> elements, plain and disguised.
    "script": "<script>alert(1)</script>",
    "script-upper-marker": "<SCRIPT>window.__xss=1</SCRIPT>",
    "script-src-data": "<script src=data:text/javascript,alert(1)></script>",
    "script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-close-first": "</script><script>alert(1)</script>",
    "script-in-comment": "<!--<script>--><script>alert(1)</script>",
    "script-in-code-span": "`</code><script>alert(1)</script>`",
    # Event handlers.
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "div-onmouseover": '<div onmouseover="window.__xss=1">hover me</div>',
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "entity-in-handler-name": '<img src="x" o&#110;error="alert(1)">',
    "img-eval-src": "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    # Breaking out of an attribute value or an element.
    "attr-double-quote": '" onmouseover="alert(1)',
    "attr-single-quote": "' onfocus='alert(1)' autofocus='",
    "attr-autofocus": '" autofocus onfocus=alert(1) x="',
    "attr-close-tag": '"><img src=x onerror=alert(1)>',
    "attr-single-close-svg": "'><svg/onload=alert(1)>",
    "attr-backtick": "`onerror=alert(1)` x=`",
    "close-textarea": "</textarea><script>alert(1)</script>",
    "close-title": "</title><script>alert(1)</script>",
    "noscript-mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # javascript: and data: URLs, as Markdown and as HTML.
    "md-link-javascript": "[click me](javascript:alert(1))",
    "md-link-tab-in-scheme": "[click me](java\tscript:alert(1))",
    "md-link-entity-scheme": "[click me](&#106;avascript:alert(1))",
    "md-link-angle-destination": "[click me](<javascript:alert(1)>)",
    "md-link-data": "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-autolink-javascript": "<javascript:alert(1)>",
    "md-image-javascript": "![pic](javascript:alert(1))",
    "md-reference-link": "[x]: javascript:alert(1)\n\nSee [the link][x].",
    "html-link-spaced-scheme": '<a href="  jav&#x09;ascript:alert(1)">click me</a>',
    "iframe-srcdoc": '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    "object-data": '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "form-action": "<form action=javascript:alert(1)><button>go</button></form>",
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="javascript:alert(1)//">',
    "style-element": "<style>body{background:url(javascript:alert(1))}</style>",
    "style-attribute": '<div style="background:url(javascript:alert(1))">x</div>',
    # SVG and MathML.
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink": '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "svg-animate": "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "svg-foreign-object": "<svg><foreignObject><iframe srcdoc='<script>alert(1)</script>'>",
    "mathml-mglyph-style": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "mathml-href": '<math href="javascript:alert(1)"><mi>x</mi></math>',
    "mathml-maction": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">'
    "<mi>x</mi></maction></math>",
    # LaTeX: markup inside formulas, broken, nested and runaway formulas.
    "latex-href": r"$\href{javascript:alert(1)}{click}$",
    "latex-text-script": r"$\text{<script>alert(1)</script>}$",
    "latex-display-text-img": r"$$\text{<img src=x onerror=alert(1)>}$$",
    "latex-bracket-breakout": r'\(\text{"><svg onload=alert(1)>}\)',
    "latex-unclosed": r"Unclosed $\frac{1}{ and \[ \left( x",
    "latex-unbalanced-left": r"$$ \left( \frac{a}{b} $$",
    "latex-deep-nesting": "$" + "x^{" * 300 + "y" + "}" * 300 + "$",
    "latex-recursive-macro": r"$\def\x{\x\x}\x$",
    "latex-matrix-script": r"$$\begin{matrix} a & b \\ <script>alert(1)</script> \end{matrix}$$",
    "latex-mismatched-env": r"\[ \begin{pmatrix} 1 \end{array} \]",
    "latex-dollar-run": "$$$$$$ $ $$ $$$ \\( \\) \\[ \\]",
    "latex-unicode-escape": r"$\mathrm{\unicode{x3c}script\unicode{x3e}}$",
    # HTML entities and other encodings of markup.
    "entities-named": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "entities-numeric": "&#60;script&#62;alert(1)&#60;/script&#62;",
    "entities-double": "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
    "json-unicode-escape": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    # Unicode that confuses readers or parsers.
    "direction-override": "\u202eexe.txt\u202c harmless \u202dbidi\u202c",
    "zero-width-script": "\ufeff<scr\u200bipt>alert(1)</scr\u200bipt>",
    "search-mark-sentinels": "\ufdd0not marked\ufdd1 \ufdd1\ufdd0",
    "line-separators": "a\u2028b\u2029c\x85d",
    # Template syntax of Django and of JavaScript frameworks.
    "django-template": "{{ request.user.password }}{% csrf_token %}{% debug %}",
    "angular-expression": "{{constructor.constructor('alert(1)')()}}",
    # Markdown tricks.
    "md-title-breakout": '[a](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "md-autolink-quote": '<https://example.org/"onmouseover="alert(1)>',
    "md-fence-info": '```" onload="alert(1)\n<script>alert(1)</script>\n```',
    "md-nested-brackets": "[" * 500 + "x" + "](" * 500,
    # JSON and iCalendar breakouts.
    "json-breakout": '"}]};alert(1);//</script><!--',
    "ics-line-injection": "Talk\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT",
    # NUL and control characters.
    "nul": "a\x00<script>alert(1)</script>",
    "control-characters": "\x01\x02\x07\x08\x0b\x0c\x0e\x1b[31mred\x1b[0m\x7f\ufffe\uffff",
    # Overlong text.
    "overlong-plain": "A" * 100_000,
    "overlong-markup": "<b>" * 20_000,
    "overlong-dollars": "$" * 10_000,
    "overlong-brackets": "\\(" * 5_000,
    # Only whitespace.
    "whitespace-only": " \t\n \u00a0 ",
}


# Payloads that run script, or load a document or a script URL, when a page
# includes them unescaped (in text, in an attribute, or in a JSON <script>): the
# checks in html_safety.py must catch each, or they would prove nothing.
RUNS_IF_UNESCAPED = [
    "script", "script-upper-marker", "script-src-data", "script-close-first",
    "script-in-comment", "script-in-code-span", "img-onerror", "svg-onload",
    "div-onmouseover", "input-autofocus", "entity-in-handler-name", "img-eval-src",
    "attr-double-quote", "attr-single-quote", "attr-autofocus", "attr-close-tag",
    "attr-single-close-svg", "close-textarea", "close-title", "noscript-mutation",
    "html-link-spaced-scheme", "iframe-srcdoc", "object-data", "form-action",
    "meta-refresh", "base-href", "style-element", "style-attribute", "svg-script",
    "svg-xlink", "svg-animate", "svg-foreign-object", "mathml-mglyph-style",
    "mathml-href", "mathml-maction", "latex-text-script", "latex-display-text-img",
    "latex-bracket-breakout", "latex-matrix-script", "md-title-breakout",
    "md-autolink-quote", "md-fence-info", "json-breakout", "nul",
]  # fmt: skip


def fit(text: str, max_length: int | None = None) -> str:
    """What a form could store from `text` in a field of `max_length`.

    Forms refuse NUL (PostgreSQL cannot store it) and text over the limit, and
    strip surrounding whitespace; the entry tests check that. Rendering tests
    store the longest such prefix, so every payload reaches every field.
    """
    text = text.replace("\x00", "")
    if max_length is not None:
        text = text[:max_length]
    return text.strip() or "(blank)"
