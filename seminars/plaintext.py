"""Markdown and LaTeX as readable plain text, for wherever HTML is not the medium.

Page titles, meta and OpenGraph descriptions, JSON-LD, feed entry titles, search
snippets and emails cannot show MathML. There a formula becomes Unicode where
Unicode has the signs (``m \\to \\infty`` reads ``m → ∞``, ``\\mathbb{R}`` ``ℝ``,
``x^2`` ``x²``, ``\\frac{a}{b}`` ``a/b``); a command with no sign stays as its
LaTeX source, without the dollars. Markdown's markup (emphasis, links, lists)
leaves its text behind. The result is text, never markup: whoever shows it
escapes it as usual.

``math_as_text`` reads Markdown with math, as abstracts and comments are
written; ``title_as_text`` reads only the math of a line of plain text, as
titles are written.
"""

import re
import unicodedata

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
# Relations and arrows read best with a space either side, however they were typed.
RELATIONS = {
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "equiv": "≡", "sim": "∼", "simeq": "≃", "cong": "≅", "propto": "∝", "in": "∈",
    "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "ll": "≪", "gg": "≫", "prec": "≺", "succ": "≻", "perp": "⊥",
    "parallel": "∥", "mid": "∣", "to": "→", "rightarrow": "→", "longrightarrow": "⟶",
    "leftarrow": "←", "gets": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "implies": "⟹",
    "iff": "⟺", "Leftrightarrow": "⇔", "leftrightarrow": "↔", "mapsto": "↦",
    "hookrightarrow": "↪", "uparrow": "↑", "downarrow": "↓", "vdash": "⊢", "models": "⊨",
    "coloneqq": "≔", "leqslant": "⩽", "geqslant": "⩾",
}  # fmt: skip
SYMBOLS = {
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "iiint": "∭",
    "oint": "∮", "partial": "∂", "nabla": "∇", "cdot": "·", "times": "×", "div": "÷",
    "pm": "±", "mp": "∓", "circ": "∘", "otimes": "⊗", "oplus": "⊕", "ast": "∗",
    "star": "⋆", "bullet": "•", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨",
    "neg": "¬", "lnot": "¬", "forall": "∀", "exists": "∃", "nexists": "∄", "infty": "∞",
    "ell": "ℓ", "hbar": "ℏ", "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "emptyset": "∅",
    "varnothing": "∅", "cup": "∪", "cap": "∩", "bigcup": "⋃", "bigcap": "⋂",
    "setminus": "∖", "prime": "′", "dots": "…", "ldots": "…", "cdots": "⋯", "vdots": "⋮",
    "ddots": "⋱", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋",
    "lceil": "⌈", "rceil": "⌉", "Vert": "‖", "|": "‖", "vert": "|", "lvert": "|",
    "rvert": "|", "lVert": "‖", "rVert": "‖", "angle": "∠", "triangle": "△", "top": "⊤",
    "bot": "⊥", "square": "□", "checkmark": "✓", "dagger": "†", "S": "§",
    "{": "{", "}": "}", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": " ",
}  # fmt: skip
# Operator names, upright in LaTeX; they print as their name.
OPERATORS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "log", "ln", "lg", "exp", "lim", "liminf", "limsup", "sup", "inf", "max", "min",
    "arg", "det", "dim", "ker", "deg", "gcd", "hom", "Pr", "tr", "rank", "sgn", "argmin",
    "argmax",
}  # fmt: skip
# Commands that only size or space what follows: dropped.
IGNORED = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
    "biggr", "Biggl", "Biggr", "middle", "displaystyle", "textstyle", "limits", "nolimits",
    "nonumber", "notag",
}  # fmt: skip
# Commands whose argument is shown as it is.
AS_IS = {
    "text", "textrm", "textit", "textbf", "mathrm", "mathit", "mathbf", "mathsf", "mathtt",
    "boldsymbol", "bm", "operatorname", "mbox", "emph", "textsf", "texttt",
}  # fmt: skip
ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
    "vec": "\u20d7", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
    "grave": "\u0300",
}  # fmt: skip
DOUBLE_STRUCK = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}
SCRIPT = {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"}
FRAKTUR = {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"}
SUPERSCRIPTS = dict(zip("0123456789+-−=()ni′", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ′", strict=True))
SUBSCRIPTS = dict(
    zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
# Characters that mean something else in math: a prime, a space, a column break.
CHARACTERS = {"'": "′", "~": " ", "&": " "}
MATRIX_FENCES = {"pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "vmatrix": ("|", "|")}

TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|\s+|.", re.S)
SPACES = re.compile(r"[ \t]+")


def alphabet(text: str, letters: dict, start: int, capitals_only: bool = True) -> str:
    """`text` in a mathematical alphabet: its own letters (ℝ) where Unicode has them,
    else the Mathematical Alphanumeric Symbols block from `start` (its capital A)."""
    out = []
    for character in text:
        if character in letters:
            out.append(letters[character])
        elif "A" <= character <= "Z":
            out.append(chr(start + ord(character) - ord("A")))
        elif "a" <= character <= "z" and not capitals_only:
            out.append(chr(start + 26 + ord(character) - ord("a")))
        else:
            out.append(character)
    return "".join(out)


FONTS = {
    "mathbb": lambda text: alphabet(text, DOUBLE_STRUCK, 0x1D538),
    "mathcal": lambda text: alphabet(text, SCRIPT, 0x1D49C),
    "mathscr": lambda text: alphabet(text, SCRIPT, 0x1D49C),
    "mathfrak": lambda text: alphabet(text, FRAKTUR, 0x1D504),
}


class LatexText:
    """One formula read left to right: each `atom()` is the text of one LaTeX atom."""

    def __init__(self, latex: str):
        self.tokens = TOKEN.findall(latex)
        self.position = 0

    def read(self) -> str:
        return self.until(None)

    def until(self, closing: str | None) -> str:
        parts = []
        while self.position < len(self.tokens):
            if self.tokens[self.position] == closing:
                self.position += 1
                return "".join(parts)
            parts.append(self.atom())
        return "".join(parts)

    def next(self) -> str:
        token = self.tokens[self.position] if self.position < len(self.tokens) else ""
        self.position += 1
        return token

    def skip_spaces(self) -> None:
        while self.position < len(self.tokens) and self.tokens[self.position].isspace():
            self.position += 1

    def argument(self) -> str:
        """The next argument: a {group}, or a single atom."""
        self.skip_spaces()
        if self.position < len(self.tokens) and self.tokens[self.position] == "{":
            self.position += 1
            return self.until("}")
        return self.atom()

    def optional_argument(self) -> str:
        self.skip_spaces()
        if self.position < len(self.tokens) and self.tokens[self.position] == "[":
            self.position += 1
            return self.until("]")
        return ""

    def atom(self) -> str:
        piece = self.next()
        if piece == "{":
            return self.until("}")
        if piece.isspace():
            return " "
        if piece in ("^", "_"):
            return script(self.argument(), piece)
        if piece.startswith("\\"):
            return self.command(piece[1:])
        return CHARACTERS.get(piece, piece)

    def command(self, name: str) -> str:
        if name == "\\":
            return "; "
        if name in GREEK:
            return GREEK[name]
        if name in RELATIONS:
            return f" {RELATIONS[name]} "
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in OPERATORS or name.rstrip("*") == "operatorname":
            return self.operator(name)
        if name in IGNORED:
            self.skip_spaces()
            if self.position < len(self.tokens) and self.tokens[self.position] == ".":
                self.position += 1  # \left. is no delimiter
            return ""
        if name in AS_IS:
            return self.argument()
        if name in FONTS:
            return FONTS[name](self.argument())
        if name in ACCENTS:
            base = self.argument()
            return base + ACCENTS[name] if len(base) == 1 else base
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            numerator, denominator = self.argument(), self.argument()
            return f"{grouped(numerator)}/{grouped(denominator)}"
        if name == "sqrt":
            index, radicand = self.optional_argument(), self.argument()
            return f"{script(index, '^') if index else ''}√{grouped(radicand)}"
        if name in ("begin", "end"):
            return self.environment(name, self.argument())
        if name == "not":
            return self.atom().strip() + "\u0338"
        # No sign for it: its source, with its arguments read as the rest is.
        self.skip_spaces()
        arguments = []
        while self.position < len(self.tokens) and self.tokens[self.position] == "{":
            arguments.append(f"{{{self.argument()}}}")
        return f"\\{name}" + "".join(arguments)

    def operator(self, name: str) -> str:
        """An operator's name, with a space before an argument that is not a script or fence."""
        if name.rstrip("*") == "operatorname":
            name = self.argument()
        self.skip_spaces()
        following = self.tokens[self.position] if self.position < len(self.tokens) else ""
        return name if following in ("", "^", "_", "(", "[", "\\{", ")", ",") else f"{name} "

    def environment(self, edge: str, name: str) -> str:
        opening, closing = MATRIX_FENCES.get(name, ("", ""))
        if edge == "begin" and name == "array":
            self.argument()  # the column layout
        return opening if edge == "begin" else closing


def grouped(text: str) -> str:
    """`text` as a fraction's part: in parentheses unless it is one number, letter or group."""
    text = text.strip()
    if len(text) <= 1 or text.isalnum() or re.fullmatch(r"\(.*\)", text):
        return text
    return f"({text})"


def script(text: str, mark: str) -> str:
    """A superscript (`mark` "^") or subscript ("_"): Unicode's when every character has
    one, else the mark and the text (in parentheses when longer than one character)."""
    text = text.strip()
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    if text and all(character in table for character in text):
        return "".join(table[character] for character in text)
    return f"{mark}{text}" if len(text) <= 1 else f"{mark}({text})"


def latex_as_text(latex: str) -> str:
    """A formula as readable text (see the module docstring); its source if it cannot be read."""
    try:
        text = LatexText(latex).read()
    except RecursionError:
        return latex.strip()
    # NFC joins what \\not struck through where Unicode has the sign (∉, ≰).
    return unicodedata.normalize("NFC", SPACES.sub(" ", text)).strip()


# \( … \) is inline math and \[ … \] display math, as in seminars.rendering.
BRACKETS = {"\\(": "\\)", "\\[": "\\]"}


def bracket_math(state, silent: bool) -> bool:
    opening = state.src[state.pos : state.pos + 2]
    if opening not in BRACKETS:
        return False
    end = state.src.find(BRACKETS[opening], state.pos + 2)
    if end == -1:
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = state.src[state.pos + 2 : end]
    state.pos = end + 2
    return True


def with_math(md: MarkdownIt) -> MarkdownIt:
    md.use(dollarmath_plugin, allow_space=False, allow_labels=False, double_inline=True)
    md.inline.ruler.before("escape", "math_bracket", bracket_math)
    return md


MARKDOWN = with_math(MarkdownIt("commonmark", {"html": False}))
# Titles are no Markdown: only their math is read ("zero" has every other rule off).
MATH_ONLY = with_math(MarkdownIt("zero"))

MATH_TOKENS = {"math_inline", "math_inline_double", "math_block", "math_block_label"}


def inline_text(children) -> str:
    parts = []
    links = []  # (address, where its text starts in parts) of each open link
    for token in children or []:
        if token.type == "link_open":
            links.append((token.attrs.get("href", ""), len(parts)))
        elif token.type == "link_close" and links:
            # The address stays readable (a moderator judging a held comment needs it).
            address, start = links.pop()
            if address and "".join(parts[start:]) not in (address, address.removeprefix("mailto:")):
                parts.append(f" ({address})")
        elif token.type in MATH_TOKENS:
            parts.append(latex_as_text(token.content))
        elif token.type in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(inline_text(token.children))
    return "".join(parts)


def math_as_text(source: str) -> str:
    """Markdown with LaTeX as plain text: paragraphs apart, list items on lines of their own."""
    blocks = []  # (text, the list whose item it begins, if any)
    lists = []  # each open list: [its number, the number of its next item or None]
    opened = 0
    marker = ""
    for token in MARKDOWN.parse(source or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            opened += 1
            start = token.attrs.get("start", 1) if token.type == "ordered_list_open" else None
            lists.append([opened, start])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            number = lists[-1][1]
            marker = "- " if number is None else f"{number}. "
            if number is not None:
                lists[-1][1] = int(number) + 1
        elif token.type in ("inline", *MATH_TOKENS, "code_block", "fence"):
            if token.type == "inline":
                text = inline_text(token.children)
            elif token.type in MATH_TOKENS:
                text = latex_as_text(token.content)
            else:
                text = token.content.rstrip("\n")
            blocks.append((marker + text, lists[-1][0] if marker else None))
            marker = ""
    out = []
    for index, (text, in_list) in enumerate(blocks):
        if index:
            # Items of one list follow one another line by line.
            same_list = in_list is not None and blocks[index - 1][1] == in_list
            out.append("\n" if same_list else "\n\n")
        out.append(text)
    return "".join(out).strip()


def title_as_text(title: str) -> str:
    """A line of plain text with its formulas as readable text; the rest untouched."""
    tokens = MATH_ONLY.parseInline(title or "")
    return inline_text(tokens[0].children).strip() if tokens else ""
