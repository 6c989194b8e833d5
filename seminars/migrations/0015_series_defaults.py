"""Series defaults: a new talk starts from its series' usual weekday, time, length, venue, link and tags."""

import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0014_talk_speaker_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="series",
            name="default_duration",
            field=models.DurationField(
                default=datetime.timedelta(seconds=3600),
                help_text="Hours and minutes, e.g. 1:30:00.",
                verbose_name="usual length",
            ),
        ),
        migrations.AddField(
            model_name="series",
            name="default_online_url",
            field=models.URLField(blank=True, verbose_name="usual online link"),
        ),
        migrations.AddField(
            model_name="series",
            name="default_start_time",
            field=models.TimeField(
                blank=True,
                help_text="In the series' time zone.",
                null=True,
                verbose_name="usual start time",
            ),
        ),
        migrations.AddField(
            model_name="series",
            name="default_tags",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="seminars.tag", verbose_name="usual tags"
            ),
        ),
        migrations.AddField(
            model_name="series",
            name="default_venue",
            field=models.CharField(blank=True, max_length=300, verbose_name="usual venue"),
        ),
        migrations.AddField(
            model_name="series",
            name="default_weekday",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (0, "Monday"),
                    (1, "Tuesday"),
                    (2, "Wednesday"),
                    (3, "Thursday"),
                    (4, "Friday"),
                    (5, "Saturday"),
                    (6, "Sunday"),
                ],
                null=True,
                verbose_name="usual weekday",
            ),
        ),
    ]
