"""Load a backup_content archive into a database that holds no content yet.

Order of work, so that nothing is half-restored:
1. read the manifest and verify the SHA-256 of every entry in the archive;
2. refuse unless the database is migrated at least as far as the backup and holds no content;
3. write the media files (and read each back to check it);
4. load every row in one transaction, keeping primary keys, timestamps and history, then check
   every foreign key and reset the id sequences so new rows do not collide.
"""

import io
import json
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from inlogov import backup


class Command(BaseCommand):
    help = (
        "Restore a content archive written by backup_content into an empty, migrated database: "
        "all content, relations, contributor order, history and uploaded files. Refuses to run "
        "if the database already holds content or if the archive fails its checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .zip written by backup_content.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database to restore into.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Verify the archive and the target database; change nothing.",
        )

    def handle(self, *args, **options):
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"No such archive: {path}")
        using = options["database"]
        try:
            with zipfile.ZipFile(path) as archive:
                manifest = backup.read_manifest(archive)
                self._verify_checksums(archive, manifest)
                model_list = self._models(manifest)
                self._check_target(using, manifest, model_list)
                if options["dry_run"]:
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"Dry run: {path} is intact and the database can take it. Nothing changed."
                        )
                    )
                    return
                self._restore_media(archive, manifest)
                rows = self._restore_rows(archive, manifest, model_list, using)
        except zipfile.BadZipFile:
            raise CommandError(f"{path} is not a readable .zip archive.") from None
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None

        try:
            from inlogov.caching import bump_content_version
        except ImportError:  # pragma: no cover - the cache layer is optional
            pass
        else:
            bump_content_version()
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows into {len(model_list)} tables and {len(manifest['media'])} "
                f"media files from {path} (backup taken {manifest['created_at']})."
            )
        )

    # --- checks -----------------------------------------------------------------------------

    def _verify_checksums(self, archive, manifest):
        entries = [(entry["file"], entry["sha256"]) for entry in manifest["models"]]
        entries.append((manifest["users"]["file"], manifest["users"]["sha256"]))
        entries += [(entry["file"], entry["sha256"]) for entry in manifest["media"]]
        names = set(archive.namelist())
        for name, expected in entries:
            if name not in names:
                raise backup.BackupError(f"The archive is incomplete: {name} is missing.")
            with archive.open(name) as stream:
                actual = backup.sha256_stream(stream)
            if actual != expected:
                raise backup.BackupError(
                    f"Checksum mismatch for {name}: the archive is damaged or was altered. "
                    "Nothing was restored."
                )
        self.stdout.write(f"Archive verified: {len(entries)} entries match their SHA-256 checksums.")

    def _models(self, manifest):
        from django.apps import apps

        model_list = []
        for entry in manifest["models"]:
            try:
                model_list.append(apps.get_model(entry["label"]))
            except LookupError:
                raise backup.BackupError(
                    f"The backup holds {entry['label']}, which this version of the hub does not have."
                ) from None
        return model_list

    def _check_target(self, using, manifest, model_list):
        connection = connections[using]
        applied = backup.applied_migrations(connection)
        missing = [
            f"{app}.{name}"
            for app, names in manifest["migrations"].items()
            for name in names
            if name not in applied.get(app, [])
        ]
        if missing:
            raise backup.BackupError(
                "The database is not migrated as far as the backup: run `manage.py migrate` first "
                f"(missing: {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''})."
            )
        occupied = []
        for model in backup.content_models():
            count = model._default_manager.using(using).count()
            if count:
                occupied.append(f"{count} {model._meta.verbose_name_plural}")
        if occupied:
            raise backup.BackupError(
                "Refusing to restore: the database already holds content ("
                + ", ".join(occupied)
                + "). Restore only into an empty database: create a new database, run "
                "`manage.py migrate`, then run restore_content again. Nothing was changed."
            )

    # --- writing ----------------------------------------------------------------------------

    def _restore_media(self, archive, manifest):
        for entry in manifest["media"]:
            name = entry["name"]
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as existing:
                    if backup.sha256_stream(existing) == entry["sha256"]:
                        continue
                # A leftover file of the same name would make storage pick another name and
                # break the rows that point to it.
                default_storage.delete(name)
            with archive.open(entry["file"]) as source:
                saved = default_storage.save(name, File(io.BytesIO(source.read()), name=name))
            if saved != name:
                raise backup.BackupError(f"Storage saved {name} as {saved}; cannot keep the original name.")
            with default_storage.open(name, "rb") as written:
                if backup.sha256_stream(written) != entry["sha256"]:
                    raise backup.BackupError(f"{name} was not stored intact (checksum differs after writing).")
        if manifest["media"]:
            self.stdout.write(f"Media restored and verified: {len(manifest['media'])} files.")

    def _restore_rows(self, archive, manifest, model_list, using):
        connection = connections[using]
        total = 0
        with transaction.atomic(using=using), backup.timestamps_kept(model_list):
            user_map = self._user_map(archive, manifest, using)
            for model, entry in zip(model_list, manifest["models"], strict=True):
                user_fields = [field.attname for field in backup.user_foreign_keys(model)]
                with archive.open(entry["file"]) as stream:
                    count = 0
                    for restored in serializers.deserialize("json", io.TextIOWrapper(stream, "utf-8"), using=using):
                        for attname in user_fields:
                            old = getattr(restored.object, attname)
                            if old is not None:
                                setattr(restored.object, attname, user_map[old])
                        restored.save(using=using)
                        count += 1
                if count != entry["count"]:
                    raise backup.BackupError(
                        f"{entry['file']} held {count} rows but the manifest says {entry['count']}."
                    )
                self.stdout.write(f"  {model._meta.label}: {count} rows")
                total += count
            tables = [model._meta.db_table for model in model_list]
            tables += [
                field.remote_field.through._meta.db_table
                for model in model_list
                for field in model._meta.many_to_many
                if field.remote_field.through._meta.auto_created
            ]
            connection.check_constraints(table_names=tables)
            statements = connection.ops.sequence_reset_sql(no_style(), model_list)
            if statements:
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
        return total

    def _user_map(self, archive, manifest, using):
        """Map user ids in history rows to this database's users, by username.

        Staff accounts are not content and are not in the archive; edits stay attributed to the
        same usernames. A username unknown here becomes an inactive account with no usable
        password, which an administrator can activate.
        """
        users = json.loads(archive.read(manifest["users"]["file"]))
        model = get_user_model()
        mapping, created = {}, []
        for user in users:
            existing = model._default_manager.using(using).filter(username=user["username"]).first()
            if existing is None:
                existing = model(username=user["username"], is_active=False)
                existing.set_unusable_password()
                existing.save(using=using)
                created.append(user["username"])
            mapping[user["pk"]] = existing.pk
        if created:
            self.stdout.write(
                f"Created {len(created)} inactive accounts named in the edit history: {', '.join(created)}"
            )
        return mapping
