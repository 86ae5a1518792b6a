"""Portable content backups: what goes into the archive and how it comes back.

An archive is one .zip file:

    manifest.json                  format, version, creation time, applied migrations, and for
                                   every other entry its row count or size and SHA-256
    data/<app>.<model>.json        every row of every content model, in Django's dumpdata JSON,
                                   primary keys kept, many-to-many links inside their rows
    data/users.json                id and username of the staff named in history rows
    media/<name>                   every uploaded file that a row (current or historical) names

"Content" is every model of the content apps (CONTENT_APPS): the four public types, service
areas, the ordered contributor credits, and the django-simple-history rows of each. A model added
to those apps later is included automatically. Restoring needs a database that holds no content
yet, so primary keys, ordering and history come back exactly as they were.
"""

import datetime
import hashlib
import json
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

FORMAT = "inlogov-content-backup"
VERSION = 1
CONTENT_APPS = ("themes", "people", "publications")
MANIFEST = "manifest.json"
USERS_FILE = "data/users.json"
CHUNK = 1024 * 1024


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A problem with the archive or the target, explained for the person running the command."""


def content_models():
    """Every model of the content apps, in an order where referenced models come first."""
    found = [model for app in CONTENT_APPS for model in apps.get_app_config(app).get_models()]
    ordered, seen = [], set()

    def visit(model, trail=()):
        if model in seen or model not in found:
            return
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            target = field.related_model
            if field.is_relation and target is not model and target not in trail:
                visit(target, (*trail, model))
        seen.add(model)
        ordered.append(model)

    for model in found:
        visit(model)
    return ordered


def user_foreign_keys(model):
    """Foreign keys from `model` to the user model (simple_history's history_user)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.many_to_one and field.related_model is user_model
    ]


def check_exportable(models_list):
    """Refuse models that point outside the archive (other than at users, which are mapped)."""
    inside = set(models_list)
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in models_list:
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if not field.is_relation:
                continue
            target = field.related_model
            if target in inside or target is user_model:
                continue
            raise BackupError(
                f"{model._meta.label}.{field.name} refers to {target._meta.label}, which the backup "
                "does not include. Add its app to inlogov.backup.CONTENT_APPS."
            )


def file_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def data_entry(model):
    return f"data/{model._meta.label_lower}.json"


def media_entry(name):
    return f"media/{name}"


def sha256_stream(stream):
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


def applied_migrations(connection):
    """The applied migrations of the content apps, as {app: [names]}."""
    from django.db.migrations.recorder import MigrationRecorder

    applied = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if app in CONTENT_APPS:
            applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


@contextmanager
def timestamps_kept(models_list):
    """Let restored rows keep their stored created_at/updated_at.

    auto_now and auto_now_add fields stamp the current time on every save, even the raw saves of
    deserialisation, which would change every timestamp in a restored database.
    """
    changed = []
    for model in models_list:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                changed.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in changed:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def read_manifest(archive):
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError("This is not a content backup: it has no manifest.json.") from None
    except ValueError as exc:
        raise BackupError(f"manifest.json is not valid JSON ({exc}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This is not a content backup (format {manifest.get('format')!r}).")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"This backup is format version {manifest.get('version')}; this code reads version {VERSION}."
        )
    return manifest
