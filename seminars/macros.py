"""A series' own LaTeX macros (Series.latex_macros): one a line, `\\name = replacement`.

The replacement may take arguments as #1, #2…: `\\abs = \\left|#1\\right|`. Macros
apply to the series' talk abstracts and their comments, on top of
seminars.rendering.PREDEFINED_MACROS. Each line is checked when the series is
saved: its syntax, and that its replacement renders.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .rendering import InvalidFormula, latex_to_mathml

MACRO_LINE = re.compile(r"\\(?P<name>[A-Za-z]+)\s*=\s*(?P<body>\S.*)")
ARGUMENT = re.compile(r"#[1-9]")
MAX_MACROS = 50
MAX_REPLACEMENT_LENGTH = 500


def parse_macros(text: str) -> dict[str, str]:
    """{"\\\\R": "\\\\mathbb{R}", …}; raises ValidationError naming each bad line."""
    macros, errors = {}, []
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    for number, line in [(number, line) for number, line in lines if line]:
        match = MACRO_LINE.fullmatch(line)
        if match is None:
            errors.append(
                _("Line %(number)d: write a macro as \\name = replacement, e.g. \\R = \\mathbb{R}.")
                % {"number": number}
            )
            continue
        name, body = f"\\{match['name']}", match["body"].strip()
        if len(body) > MAX_REPLACEMENT_LENGTH:
            errors.append(
                _("Line %(number)d: the replacement is longer than %(limit)d characters.")
                % {"number": number, "limit": MAX_REPLACEMENT_LENGTH}
            )
            continue
        try:
            latex_to_mathml(ARGUMENT.sub("x", body), False, macros)
        except InvalidFormula as error:
            errors.append(
                _("Line %(number)d: %(name)s does not render: %(reason)s")
                % {"number": number, "name": name, "reason": error}
            )
            continue
        macros[name] = body
    if len(macros) > MAX_MACROS:
        errors.append(_("At most %(limit)d macros.") % {"limit": MAX_MACROS})
    if errors:
        raise ValidationError(errors)
    return macros


def validate_latex_macros(text: str) -> None:
    parse_macros(text)


def read_macros(text: str) -> dict[str, str]:
    """The macros of stored text, which was validated: no rendering, bad lines skipped."""
    matches = (MACRO_LINE.fullmatch(line.strip()) for line in text.splitlines())
    return {f"\\{match['name']}": match["body"].strip() for match in matches if match}
