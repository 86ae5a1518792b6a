"""Export all content, its history and its media files to one portable .zip archive.

See docs/backup.md and inlogov/backup.py for what the archive holds. The database is only read,
in one transaction so the export is a consistent snapshot; the archive is written to a temporary
name and moved into place when complete, so a failed run never leaves a half-written backup.
"""

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import django
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from inlogov import backup


class _HashingWriter:
    """A binary file wrapper that hashes and counts what is written through it."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)


class Command(BaseCommand):
    help = (
        "Export every publication, case study, contributor, theme and service area, with their "
        "relations, contributor order, edit history and uploaded files, to one .zip archive that "
        "restore_content can load into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Where to write the archive (default: inlogov-content-<UTC time>.zip here).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database to read from.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be exported; write nothing."
        )

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        model_list = backup.content_models()
        try:
            backup.check_exportable(model_list)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None

        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        output = Path(options["output"] or f"inlogov-content-{stamp}.zip")
        if options["dry_run"]:
            for model in model_list:
                count = model._default_manager.using(options["database"]).count()
                self.stdout.write(f"{model._meta.label}: {count} rows")
            self.stdout.write(self.style.SUCCESS(f"Dry run: nothing written (would write {output})."))
            return

        output.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".backup-", suffix=".zip", dir=output.parent)
        os.close(handle)
        try:
            outermost = not connection.in_atomic_block
            with transaction.atomic(using=options["database"]):
                # One snapshot for every table (PostgreSQL; SQLite is serialised anyway). Only
                # possible as the transaction's first statement, so not when called inside one.
                if connection.vendor == "postgresql" and outermost:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                manifest = self._write_archive(Path(temporary), model_list, options["database"], connection)
            os.replace(temporary, output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

        rows = sum(entry["count"] for entry in manifest["models"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows from {len(manifest['models'])} tables and "
                f"{len(manifest['media'])} media files to {output}"
                + (f" ({len(manifest['missing_media'])} referenced files were missing)" if manifest["missing_media"] else "")
                + "."
            )
        )

    def _write_archive(self, path, model_list, using, connection):
        manifest = {
            "format": backup.FORMAT,
            "version": backup.VERSION,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "database_vendor": connection.vendor,
            "migrations": backup.applied_migrations(connection),
            "models": [],
            "users": None,
            "media": [],
            "missing_media": [],
        }
        media_names, user_ids = set(), set()
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for model in model_list:
                queryset = model._default_manager.using(using).order_by("pk")
                m2m = [field.name for field in model._meta.many_to_many if field.remote_field.through._meta.auto_created]
                if m2m:
                    queryset = queryset.prefetch_related(*m2m)
                entry = backup.data_entry(model)
                count = 0
                with archive.open(entry, "w", force_zip64=True) as raw:
                    writer = _HashingWriter(raw)
                    stream = _TextAdapter(writer)
                    rows = _Counting(queryset.iterator(chunk_size=2000))
                    serializers.serialize("json", rows, stream=stream, cls=backup.ExactJSONEncoder)
                    count = rows.count
                for name in _referenced_files(model, using):
                    media_names.add(name)
                for field in backup.user_foreign_keys(model):
                    user_ids.update(
                        model._default_manager.using(using)
                        .exclude(**{f"{field.attname}__isnull": True})
                        .values_list(field.attname, flat=True)
                        .distinct()
                    )
                manifest["models"].append(
                    {"label": model._meta.label_lower, "file": entry, "count": count, "sha256": writer.digest.hexdigest()}
                )
                self.stdout.write(f"  {model._meta.label}: {count} rows")

            users = list(
                get_user_model()._default_manager.using(using).filter(pk__in=user_ids).order_by("pk").values("pk", "username")
            )
            users_json = json.dumps(users, ensure_ascii=False).encode()
            archive.writestr(backup.USERS_FILE, users_json)
            manifest["users"] = {"file": backup.USERS_FILE, "count": len(users), "sha256": hashlib.sha256(users_json).hexdigest()}

            for name in sorted(media_names):
                if not default_storage.exists(name):
                    manifest["missing_media"].append(name)
                    self.stderr.write(self.style.WARNING(f"  referenced file is missing from storage: {name}"))
                    continue
                entry = backup.media_entry(name)
                with default_storage.open(name, "rb") as source, archive.open(entry, "w", force_zip64=True) as raw:
                    writer = _HashingWriter(raw)
                    while block := source.read(backup.CHUNK):
                        writer.write(block)
                manifest["media"].append(
                    {"name": name, "file": entry, "size": writer.size, "sha256": writer.digest.hexdigest()}
                )
            if manifest["media"]:
                self.stdout.write(f"  media: {len(manifest['media'])} files")
            archive.writestr(backup.MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        return manifest


class _TextAdapter:
    """The JSON serializer writes str; the zip entry takes bytes."""

    def __init__(self, binary):
        self.binary = binary

    def write(self, text):
        self.binary.write(text.encode("utf-8"))


class _Counting:
    def __init__(self, iterable):
        self.iterable = iterable
        self.count = 0

    def __iter__(self):
        for item in self.iterable:
            self.count += 1
            yield item


def _referenced_files(model, using):
    """Names of the files that rows of `model` (current or historical) point to."""
    names = set()
    for field in backup.file_fields(model):
        names.update(
            model._default_manager.using(using)
            .exclude(**{field.attname: ""})
            .exclude(**{f"{field.attname}__isnull": True})
            .values_list(field.attname, flat=True)
            .distinct()
        )
    return names
