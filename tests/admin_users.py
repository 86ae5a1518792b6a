"""Users in the editorial roles, for admin tests. The groups come from the data migration
publications/0003_editor_groups, so these tests also prove the migration sets them up."""

import importlib

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User

PASSWORD = "a-long-test-password-1729"  # noqa: S105 (test only)


def ensure_groups():
    """Transactional tests (browser tests) flush the database, groups included: put them back
    with the data migration's own function."""
    if Group.objects.filter(name__in=["Editor", "Contributor editor"]).count() == 2:
        return
    migration = importlib.import_module("publications.migrations.0003_editor_groups")
    migration.create_groups(django_apps, None)


def make_user(username, *, groups=(), is_staff=True, is_superuser=False):
    user = User.objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=is_staff, is_superuser=is_superuser
    )
    if groups:
        ensure_groups()
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def make_editor(username="editor"):
    return make_user(username, groups=["Editor"])


def make_contributor_editor(username="people-editor"):
    return make_user(username, groups=["Contributor editor"])
