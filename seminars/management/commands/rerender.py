"""Bring stored HTML up to date with the renderer (seminars.rendering.RENDERER_VERSION).

Abstracts, series descriptions and comments rendered by an older renderer (or
outdated by a change of their series' macros) are rendered again, in batches, each
in its own transaction, resumably (see seminars.rerendering). Cached pages are
outdated once, at the end.
"""

from django.core.management.base import BaseCommand

from seminars.rerendering import rerender_out_of_date


class Command(BaseCommand):
    help = "Render again the abstracts and comments stored by an older renderer."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            return
        counts = rerender_out_of_date(batch_size)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} rendered again")
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Stored HTML is up to date ({total} rows)."))
