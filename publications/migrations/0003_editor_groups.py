"""The editorial roles, as groups with exactly the permissions each role needs.

- "Editor": adds, changes, deletes and views the content types (themes, service areas,
  contributors, publications and their contributor credits, case studies), which includes
  uploading cover images and portraits. Nothing on users, groups or permissions.
- "Contributor editor": keeps people's profiles current (add, change and view contributors)
  and may look up themes to tag their expertise; nothing else.

Running the migration again (or after permissions are renamed) brings the groups back to these
lists: permissions are set, not added.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")
ROLES = {
    "Editor": {
        ("themes", "theme"): ALL,
        ("themes", "servicearea"): ALL,
        ("people", "contributor"): ALL,
        ("publications", "publication"): ALL,
        ("publications", "publicationcontributor"): ALL,
        ("publications", "casestudy"): ALL,
    },
    "Contributor editor": {
        ("people", "contributor"): ("add", "change", "view"),
        ("themes", "theme"): ("view",),
    },
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create them now so the
    # groups can refer to them on a fresh database.
    for app_label in ("themes", "people", "publications"):
        create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for (app_label, model), actions in grants.items():
            for action in actions:
                permissions.append(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("themes", "0001_initial"),
        ("people", "0001_initial"),
        ("publications", "0002_fulltext_search_vectors"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
