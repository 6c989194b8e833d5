from django.apps import AppConfig
from django.core import checks


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = "Seminars"

    def ready(self):
        from . import search

        search.connect_signals()
        checks.register(math_engine_installed)


def math_engine_installed(**kwargs):
    """Temml comes from npm: say so at startup rather than fail at the first formula."""
    from .rendering import TEMML_SCRIPT

    if TEMML_SCRIPT.is_file():
        return []
    return [
        checks.Error(
            f"Temml, which renders LaTeX, is missing: {TEMML_SCRIPT} was not found.",
            hint="Install the npm packages with `make install` (see README.md).",
            id="seminars.E002",
        )
    ]
