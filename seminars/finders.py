"""Serve the math font from the installed ziamath wheel, as static/fonts/<file>.

The font is STIX Two Math (SIL Open Font License), which ziamath ships for its own
SVG rendering; we use nothing else from that package. Installing it from PyPI keeps
the 1.5 MB font out of this repository and `make run` free of Node or a CDN. Only
the font file is exposed, not the package's Python files; collectstatic copies it
and whitenoise serves it like any other static file.
"""

from importlib.util import find_spec
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

MATH_FONT_PACKAGE = "ziamath"
MATH_FONT_FILE = "STIXTwoMath-Regular.ttf"
STATIC_DIRECTORY = "fonts"
MATH_FONT_STATIC_PATH = f"{STATIC_DIRECTORY}/{MATH_FONT_FILE}"


def font_directory() -> Path | None:
    # find_spec locates the package without importing it.
    spec = find_spec(MATH_FONT_PACKAGE)
    return Path(spec.origin).parent / "fonts" if spec and spec.origin else None


class MathFontFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = font_directory()
        self.storage = FileSystemStorage(location=self.directory)
        # collectstatic and whitenoise put a storage's files under its prefix.
        self.storage.prefix = STATIC_DIRECTORY

    def check(self, **kwargs):
        if self.directory is None or not (self.directory / MATH_FONT_FILE).is_file():
            return [
                Error(
                    f"The math font {MATH_FONT_FILE} was not found in the "
                    f"{MATH_FONT_PACKAGE} package.",
                    hint="Install the requirements: pip install -r requirements.txt",
                    id="seminars.E001",
                )
            ]
        return []

    def find(self, path, find_all=False):
        match = self.storage.path(MATH_FONT_FILE) if path == MATH_FONT_STATIC_PATH else None
        if find_all:
            return [match] if match else []
        # Django's finders answer a miss with [] (None would be taken as a match).
        return match or []

    def list(self, ignore_patterns):
        # collectstatic -i (--ignore) applies to the font too; whitenoise passes None.
        if not matches_patterns(MATH_FONT_FILE, ignore_patterns or []):
            yield MATH_FONT_FILE, self.storage
