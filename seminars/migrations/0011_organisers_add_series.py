"""Organisers may create series (each becomes its creator's; seminars.admin.SeriesAdmin)."""

from django.db import migrations

GROUP = "Organisers"
# Added to migration 0002's GRANTS (tests.factories.organisers_group reads both).
GRANTS = {"series": ["add"]}


def codenames():
    return [f"{action}_{model}" for model, actions in GRANTS.items() for action in actions]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="seminars", codename__in=codenames())
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="seminars", codename__in=codenames())
        )


class Migration(migrations.Migration):
    dependencies = [("seminars", "0010_series_homepage_contact_description_html")]

    operations = [migrations.RunPython(grant, revoke)]
