"""Bring stored HTML up to date with the renderer (seminars.rendering.RENDERER_VERSION).

Abstracts, series descriptions and comments rendered by an older renderer are rendered again, in
batches by id, each batch in its own transaction: an interrupted run keeps what
it did, and running it again carries on (only rows of an older version are
read). `updated` and calendar sequences are left alone, since the texts did not
change. Cached pages are outdated once, at the end.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from pagecache.versions import site_changed
from seminars.models import Comment, Series, Talk
from seminars.rendering import RENDERER_VERSION, render_abstract, render_comment

# (model, source field, target field, renderer)
STORED_HTML = [
    (Talk, "abstract", "abstract_html", render_abstract),
    (Series, "description", "description_html", render_abstract),
    (Comment, "body", "body_html", render_comment),
]


def rerender_batch(model, source, target, render, batch_size) -> int:
    """Render the next `batch_size` out-of-date rows; how many there were."""
    version = f"{target}_version"
    with transaction.atomic():
        rows = list(
            model.objects.filter(**{f"{version}__lt": RENDERER_VERSION})
            .order_by("pk")
            .select_for_update()
            .only("pk", source)[:batch_size]
        )
        for row in rows:
            setattr(row, target, render(getattr(row, source)))
            setattr(row, version, RENDERER_VERSION)
        model.objects.bulk_update(rows, [target, version])
    return len(rows)


class Command(BaseCommand):
    help = "Render again the abstracts and comments stored by an older renderer."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            return
        total = 0
        for model, source, target, render in STORED_HTML:
            count = 0
            while done := rerender_batch(model, source, target, render, batch_size):
                count += done
            self.stdout.write(f"{model._meta.verbose_name_plural}: {count} rendered again")
            total += count
        if total:
            site_changed()
        self.stdout.write(self.style.SUCCESS(f"Stored HTML is up to date ({total} rows)."))
