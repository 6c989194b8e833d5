"""Search: copy speaker and tag names onto talks, and index talks for full-text search.

The GIN index exists on PostgreSQL only (SQLite has no full-text types), so it
is made by RunPython and kept out of the model state: otherwise SQLite would
try to rebuild it whenever it remakes the talk table. Its expression must stay
identical to seminars.search.search_document(), which the search query uses.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

SEARCH_INDEX = GinIndex(
    SearchVector("title", config="english", weight="A")
    + SearchVector("search_names", config="english", weight="B")
    + SearchVector("abstract", config="english", weight="C"),
    name="talk_search_idx",
)


def copy_names(apps, schema_editor):
    Talk = apps.get_model("seminars", "Talk")
    talks = list(Talk.objects.prefetch_related("speakers", "tags"))
    for talk in talks:
        names = [speaker.name for speaker in talk.speakers.all()]
        names += [tag.name for tag in talk.tags.all()]
        talk.search_names = "\n".join(names)
    Talk.objects.bulk_update(talks, ["search_names"], batch_size=500)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("seminars", "Talk"), SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("seminars", "Talk"), SEARCH_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0002_organisers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="talk",
            name="search_names",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
