"""Render the abstracts and comments saved before pages showed their stored HTML.

Talk.save() and Comment.save() render from now on; this fills abstract_html and
body_html for the rows already there. It is safe to run again: the result only
depends on the text. `updated` and the calendar sequence are left alone, since
the text itself did not change.
"""

from django.db import migrations

from seminars.rendering import render_abstract, render_comment

BATCH_SIZE = 500


def render_rows(queryset, source, target, render):
    rows = list(queryset.only("pk", source))
    for row in rows:
        setattr(row, target, render(getattr(row, source)))
    queryset.model.objects.bulk_update(rows, [target], batch_size=BATCH_SIZE)


def render_stored_text(apps, schema_editor):
    Talk = apps.get_model("seminars", "Talk")
    Comment = apps.get_model("seminars", "Comment")
    render_rows(Talk.objects.all(), "abstract", "abstract_html", render_abstract)
    render_rows(Comment.objects.all(), "body", "body_html", render_comment)


class Migration(migrations.Migration):
    dependencies = [("seminars", "0003_talk_search")]

    operations = [migrations.RunPython(render_stored_text, migrations.RunPython.noop)]
