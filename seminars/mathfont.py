"""Build the math font pages load: STIX Two Math as a WOFF2 subset, under 300 KB.

The full font (a 1.5 MB TTF that the ziamath package ships; we use nothing else
from it) would be most of a talk page's first visit. `make install` runs
`python -m seminars.mathfont` once: fontTools keeps the characters formulas use
(Latin, Greek, operators, arrows, delimiters, the math alphabets Temml writes)
and, for each, what the OpenType MATH table needs to stretch and size it
(variants and assembly parts), plus the script-size (ssty), dotless (dtls),
flattened-accent (flac) and alternate-script and prime (ss01, ss04) forms
static/css/math.css asks for. seminars.finders serves the result; nothing built
is committed.
"""

from importlib.util import find_spec
from pathlib import Path

SOURCE_PACKAGE = "ziamath"
SOURCE_FILE = "STIXTwoMath-Regular.ttf"
BUILD_DIRECTORY = Path(__file__).resolve().parent.parent / "build" / "fonts"
FONT_FILE = "STIXTwoMath-Math.woff2"

UNICODES = (
    "U+0020-007E,U+00A0-00FF,U+0131,U+0237,U+02C6-02DC,U+0300-036F,U+0391-03C9,"
    "U+03D1,U+03D5,U+03D6,U+03F0,U+03F1,U+03F5,U+2000-206F,U+20D0-20F0,U+2100-214F,"
    "U+2190-21FF,U+2200-22FF,U+2308-230B,U+2322-2323,U+239B-23B5,U+23DC-23E1,"
    "U+25A0-25CF,U+2660-2667,U+27C0-27FF,U+2983-2984,U+2997-2998,U+29F5,U+2A00-2A0C,"
    "U+2A2F,U+2A7D-2A7E,U+2A85-2A8A,U+2AAF-2AB0,U+2AC5-2AC6,U+3008-3009,"
    # Math alphabets: bold, italic, bold italic, script, fraktur, double-struck,
    # sans-serif, monospace, Greek bold and italic, digits. Not their rarer
    # bold-script, bold-fraktur and sans-serif bold and italic cousins.
    "U+1D400-1D4CF,U+1D504-1D56B,U+1D5A0-1D5D3,U+1D670-1D755,U+1D7CE-1D7FF"
)
LAYOUT_FEATURES = ["ssty", "dtls", "flac", "ss01", "ss04", "kern"]


def source_font() -> Path:
    spec = find_spec(SOURCE_PACKAGE)
    if not spec or not spec.origin:
        raise SystemExit(f"Install the requirements first: {SOURCE_PACKAGE} is missing.")
    return Path(spec.origin).parent / "fonts" / SOURCE_FILE


def build(target: Path = BUILD_DIRECTORY / FONT_FILE) -> Path:
    from fontTools import subset  # an install-time tool: pages never import it

    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.flavor = "woff2"
    font = subset.load_font(str(source_font()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)
    return target


if __name__ == "__main__":
    print(f"Built {build()}")
