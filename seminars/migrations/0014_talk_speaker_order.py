"""Talks keep their speakers' order: the many-to-many table becomes TalkSpeaker with a position.

The table and its rows stay (state only, then a column); existing talks get
their speakers in the order pages showed them until now, by name.
"""

import django.db.models.deletion
from django.db import migrations, models


def number_by_name(apps, schema_editor):
    TalkSpeaker = apps.get_model("seminars", "TalkSpeaker")
    links = list(TalkSpeaker.objects.select_related("speaker").order_by("talk_id"))
    position, talk_id = 0, None
    for link in sorted(links, key=lambda link: (link.talk_id, link.speaker.name, link.speaker_id)):
        position = position + 1 if link.talk_id == talk_id else 0
        link.position, talk_id = position, link.talk_id
    TalkSpeaker.objects.bulk_update(links, ["position"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0013_series_latex_macros"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TalkSpeaker",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "speaker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="talk_links",
                                to="seminars.speaker",
                            ),
                        ),
                        (
                            "talk",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="speaker_links",
                                to="seminars.talk",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "seminars_talk_speakers",
                        "ordering": ["position", "id"],
                        "unique_together": {("talk", "speaker")},
                    },
                ),
                migrations.AlterField(
                    model_name="talk",
                    name="speakers",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="talks",
                        through="seminars.TalkSpeaker",
                        to="seminars.speaker",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="talkspeaker",
            name="position",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(number_by_name, migrations.RunPython.noop),
    ]
