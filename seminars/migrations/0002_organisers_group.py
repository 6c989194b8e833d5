"""Create the Organisers group with the permissions organisers need.

No "delete" permissions: talks are cancelled, comments are removed, and the
site never hard-deletes anything.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Organisers"
GRANTS = {
    "talk": ["add", "change", "view"],
    "speaker": ["add", "change", "view"],
    "tag": ["add", "change", "view"],
    "series": ["change", "view"],
    "comment": ["change", "view"],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    app_config = apps.get_app_config("seminars")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model, actions in GRANTS.items() for action in actions]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="seminars", codename__in=codenames)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
