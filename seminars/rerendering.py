"""Render stored HTML again: rows of an older renderer, or of a series whose macros changed.

Rows are read in batches by id, each batch in its own transaction: an interrupted
run keeps what it did, and running it again carries on (only rows whose version is
below seminars.rendering.RENDERER_VERSION are read). `updated` and calendar
sequences are left alone, since the texts did not change. `manage.py rerender`
and the task seminars.tasks.rerender_out_of_date run this.
"""

from django.db import transaction

from pagecache.versions import site_changed

from .models import Comment, Series, Talk
from .rendering import RENDERER_VERSION, render_abstract

# (model, source field, target field, relation holding the macros, renderer)
STORED_HTML = [
    (Talk, "abstract", "abstract_html", "series", Talk.abstract_to_html),
    (Series, "description", "description_html", None, lambda row, text: render_abstract(text)),
    (Comment, "body", "body_html", "talk__series", Comment.body_to_html),
]


def rerender_batch(model, source, target, related, render, batch_size) -> int:
    """Render the next `batch_size` out-of-date rows; how many there were."""
    version = f"{target}_version"
    rows = model.objects.filter(**{f"{version}__lt": RENDERER_VERSION}).order_by("pk")
    fields = ["pk", source]
    if related:
        rows = rows.select_related(related)
        fields.append(f"{related}__latex_macros")
    with transaction.atomic():
        rows = list(rows.select_for_update(of=("self",)).only(*fields)[:batch_size])
        for row in rows:
            setattr(row, target, render(row, getattr(row, source)))
            setattr(row, version, RENDERER_VERSION)
        model.objects.bulk_update(rows, [target, version])
    return len(rows)


def rerender_out_of_date(batch_size: int = 500) -> dict[str, int]:
    """Bring every out-of-date row up to date; how many of each model were rendered."""
    counts = {}
    for model, *how in STORED_HTML:
        count = 0
        while done := rerender_batch(model, *how, batch_size):
            count += done
        counts[str(model._meta.verbose_name_plural)] = count
    if any(counts.values()):
        site_changed()
    return counts
