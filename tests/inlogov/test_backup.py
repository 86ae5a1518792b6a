"""Backup and restore round trip (acceptance point 5 of the hardening issue).

Content with every kind of relation, ordered contributors, edit history and uploaded images is
backed up, the database and media are emptied (as a fresh server would be), the archive is
restored, and every row of every content table, every relation, the contributor order and every
file's checksum must come back exactly.
"""

import hashlib
import io
import json
import shutil
import zipfile
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from inlogov import backup
from people.models import Contributor
from publications.models import CaseStudy, Publication, PublicationContributor
from tests.factories import (
    future,
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)
from themes.models import ServiceArea, Theme

Role = PublicationContributor.Role


def _png(name, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _build_content():
    editor = get_user_model().objects.create_user("editor", password="a-long-test-password-1729", is_staff=True)
    parent = make_theme("Co-production", order=1, description="<p>Working <strong>with</strong> citizens.</p>")
    child = make_theme("Co-commissioning", parent=parent, order=2)
    draft_theme = make_theme("Unannounced theme", status="draft")
    health = make_service_area("Health", order=1)
    care = make_service_area("Social care", order=2)

    bovaird = make_contributor(
        "Tony", "Bovaird", orcid="https://orcid.org/0000-0002-1825-0097", relation=Contributor.Relation.EMERITUS,
        portrait=_png("bovaird.png", "navy"), portrait_alt="Tony Bovaird smiling",
        biography="<p>Emeritus professor.</p>", website="https://example.org/tb",
    )
    bovaird.expertise.set([parent, child])
    loeffler = make_contributor("Elke", "Loeffler", honorific="Dr")
    loeffler.expertise.set([child])
    third = make_contributor("Sam", "Zed", status="draft")

    book = make_publication(
        "The Palgrave Handbook of Co-Production",
        subtitle="of Public Services and Outcomes",
        kind=Publication.Kind.HANDBOOK,
        year=2021,
        date=date(2021, 1, 15),
        publisher="Palgrave Macmillan",
        place="Cham",
        doi="https://doi.org/10.1007/978-3-030-53705-0",
        isbn="978-3-030-53704-3",
        abstract="<p>A handbook.</p>",
        is_open_access=True,
        is_featured=True,
        cover=_png("handbook.png", "teal"),
        cover_alt="The handbook's cover",
        # Deliberately not alphabetical: the order must survive the round trip.
        contributors=[(loeffler, Role.EDITOR), (bovaird, Role.EDITOR), (third, Role.AUTHOR)],
        themes=[parent, child],
        service_areas=[health, care],
    )
    chapter = make_publication(
        "Co-production: where next?", kind=Publication.Kind.CHAPTER, parent=book, pages="75-176",
        contributors=[bovaird, loeffler], role=Role.CHAPTER_AUTHOR, themes=[child],
    )
    scheduled = make_publication("Coming soon", publish_from=future(10), contributors=[third])
    doomed = make_publication("Withdrawn report", kind=Publication.Kind.REPORT)

    case = make_case_study(
        "Walsall Council's community connectors", country="GB", locality="Walsall",
        summary="Residents and staff commission together.", body="<p>The story.</p>",
        outcomes="<ul><li>Fewer admissions</li></ul>", year_started=2015, is_ongoing=True,
        organisations="Walsall Council\nWalsall Together", themes=[parent], service_areas=[care],
        publications=[book, chapter], contributors=[loeffler, bovaird],
    )
    make_case_study("Draft case", status="draft", country="NZ")

    # History: an attributed edit and a deletion (the deleted item lives on in its history).
    book.title = "The Palgrave Handbook of Co-Production of Public Services"
    book._history_user = editor
    book.save()
    doomed.delete()
    return {
        "book": book, "chapter": chapter, "scheduled": scheduled, "case": case,
        "draft_theme": draft_theme, "bovaird": bovaird,
    }


def _snapshot():
    """Every row of every content table, as field values, with m2m lists and history users by name."""
    users = dict(get_user_model().objects.values_list("pk", "username"))
    result = {}
    for model in backup.content_models():
        user_fields = {field.name for field in backup.user_foreign_keys(model)}
        rows = []
        for row in serializers.serialize("python", model._default_manager.order_by("pk")):
            fields = dict(row["fields"])
            for name, value in fields.items():
                if isinstance(value, list):
                    fields[name] = sorted(value)
                if name in user_fields and value is not None:
                    fields[name] = users[value]
            rows.append((row["pk"], fields))
        result[model._meta.label] = rows
    return result


def _media_checksums(root):
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _empty_everything(settings):
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_loses_nothing(settings, tmp_path):
    built = _build_content()
    before = _snapshot()
    media_before = _media_checksums(settings.MEDIA_ROOT)
    assert len(media_before) == 2
    archive = tmp_path / "backup.zip"

    out = io.StringIO()
    call_command("backup_content", output=str(archive), stdout=out)
    assert "Backed up" in out.getvalue()
    assert "2 media files" in out.getvalue()

    _empty_everything(settings)
    assert Publication.objects.count() == 0
    assert Publication.history.count() == 0
    assert _media_checksums(settings.MEDIA_ROOT) == {}

    out = io.StringIO()
    call_command("restore_content", str(archive), stdout=out)
    assert "Restored" in out.getvalue()

    # Counts first (readable failures), then every field of every row.
    after = _snapshot()
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()
    }
    assert Theme.objects.count() == 3
    assert ServiceArea.objects.count() == 2
    assert Contributor.objects.count() == 3
    assert Publication.objects.count() == 3  # the deleted report stays deleted...
    assert Publication.history.filter(title="Withdrawn report", history_type="-").count() == 1  # ...but recoverable
    assert CaseStudy.objects.count() == 2
    assert PublicationContributor.objects.count() == 6
    assert after == before

    # Relation order and the public rule, as a visitor would see them.
    book = Publication.objects.for_listing().get(pk=built["book"].pk)
    assert [(c.contributor.family_name, c.role) for c in book.contributions.all()] == [
        ("Loeffler", Role.EDITOR), ("Bovaird", Role.EDITOR)
    ]  # the draft third contributor stays hidden from public listings
    assert list(
        PublicationContributor.objects.filter(publication=book).values_list("contributor__family_name", "position")
    ) == [("Loeffler", 0), ("Bovaird", 1), ("Zed", 2)]
    assert Publication.objects.get(pk=built["chapter"].pk).parent_id == book.pk
    assert not Publication.objects.published().filter(pk=built["scheduled"].pk).exists()
    assert book.doi == "10.1007/978-3-030-53705-0"
    assert book.history.first().history_user.username == "editor"

    # Files are back, byte for byte, where the rows point.
    assert _media_checksums(settings.MEDIA_ROOT) == media_before
    assert Contributor.objects.get(pk=built["bovaird"].pk).portrait.name in media_before

    # New rows get fresh ids (sequences were reset), not a collision with restored ones.
    newcomer = make_publication("Written after the restore")
    assert newcomer.pk > max(row[0] for row in before["publications.Publication"])


@pytest.mark.django_db
def test_restore_refuses_a_database_that_already_holds_content(settings, tmp_path):
    _build_content()
    archive = tmp_path / "backup.zip"
    call_command("backup_content", output=str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError) as excinfo:
        call_command("restore_content", str(archive), stdout=io.StringIO())
    message = str(excinfo.value)
    assert message.startswith("Refusing to restore: the database already holds content (3 themes,")
    assert "Restore only into an empty database" in message
    assert Publication.objects.count() == 3


@pytest.mark.django_db
def test_restore_refuses_a_damaged_archive_and_changes_nothing(settings, tmp_path):
    _build_content()
    archive = tmp_path / "backup.zip"
    call_command("backup_content", output=str(archive), stdout=io.StringIO())
    # Checksums are verified before anything else, so the damage is reported even here.
    shutil.rmtree(settings.MEDIA_ROOT)

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("media/covers/"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            target.writestr(item, data)
    with pytest.raises(CommandError) as excinfo:
        call_command("restore_content", str(damaged), stdout=io.StringIO())
    assert str(excinfo.value).startswith("Checksum mismatch for media/covers/")
    assert "Nothing was restored" in str(excinfo.value)
    assert Publication.objects.count() == 3
    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.django_db
def test_archive_is_a_zip_with_a_manifest_of_counts_and_checksums(tmp_path):
    _build_content()
    archive = tmp_path / "backup.zip"
    call_command("backup_content", output=str(archive), stdout=io.StringIO())
    with zipfile.ZipFile(archive) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        counts = {entry["label"]: entry["count"] for entry in manifest["models"]}
        assert counts["publications.publication"] == 3
        assert counts["publications.publicationcontributor"] == 6
        assert counts["publications.historicalpublication"] == Publication.history.count()
        for entry in manifest["models"] + manifest["media"]:
            assert hashlib.sha256(bundle.read(entry["file"])).hexdigest() == entry["sha256"]
        assert sorted(entry["name"].split("/")[0] for entry in manifest["media"]) == ["covers", "portraits"]
        assert json.loads(bundle.read("data/users.json")) == [
            {"pk": get_user_model().objects.get(username="editor").pk, "username": "editor"}
        ]
    assert manifest["format"] == "inlogov-content-backup"
    assert manifest["migrations"]["publications"][0] == "0001_initial"


@pytest.mark.django_db
def test_dry_runs_write_and_change_nothing(tmp_path):
    _build_content()
    archive = tmp_path / "backup.zip"
    out = io.StringIO()
    call_command("backup_content", output=str(archive), dry_run=True, stdout=out)
    assert not archive.exists()
    assert "publications.Publication: 3 rows" in out.getvalue()


def test_restore_explains_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "photo.zip"
    with zipfile.ZipFile(not_a_backup, "w") as bundle:
        bundle.writestr("hello.txt", "hi")
    with pytest.raises(CommandError, match="This is not a content backup: it has no manifest.json."):
        call_command("restore_content", str(not_a_backup))
    (tmp_path / "text.zip").write_text("not a zip")
    with pytest.raises(CommandError, match="is not a readable .zip archive"):
        call_command("restore_content", str(tmp_path / "text.zip"))
