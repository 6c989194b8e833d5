"""Serve the math font built at install time (seminars.mathfont), as static/fonts/<file>.

The font is STIX Two Math (SIL Open Font License), from the ziamath wheel, subset
to a WOFF2 by `make install`, so the repository holds no font and no CDN is used.
Only the font file is exposed; collectstatic copies it and whitenoise serves it
like any other static file.
"""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

from .mathfont import BUILD_DIRECTORY, FONT_FILE

MATH_FONT_FILE = FONT_FILE
STATIC_DIRECTORY = "fonts"
MATH_FONT_STATIC_PATH = f"{STATIC_DIRECTORY}/{MATH_FONT_FILE}"


def font_directory() -> Path | None:
    return BUILD_DIRECTORY


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
                    f"The math font {MATH_FONT_FILE} was not found in {self.directory}.",
                    hint="Build it with `make install` (python -m seminars.mathfont).",
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
