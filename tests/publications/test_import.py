"""Importing BibTeX and RIS files through the admin (acceptance point 5 of issue 3): an exact
preview before anything is saved, per-entry messages, duplicates flagged, drafts created with
their contributors in the file's order, and nothing half-saved."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from people.models import Contributor
from publications import importing
from publications.models import Publication, PublicationContributor
from tests.admin_users import make_editor
from tests.factories import make_contributor, make_publication

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data"
URL = "/admin/publications/publication/import/"

EXPECTED_TITLES = [
    "Co-production and Co-creation of Public Services",
    "The Palgrave Handbook of Co-Production of Public Services and Outcomes",
    "Co-production and Participatory Democracy",
    "Realising the Potential of Co-production: Negotiating Improvements in Public Services",
    "Beyond Engagement and Participation: User and Community Coproduction of Public Services",
    None,  # the malformed entry
    "The Future of Local Government Finance",
    "The Evaluation of Co-production",
    "From Engagement to Co-production",  # duplicate of an existing DOI
    "Democratic Innovation in Local Government",
    "An Article Without a Year",
    "Co-design in Adult Social Care: A Working Paper",
]
EXPECTED_KINDS = [
    "book", "edited_book", "chapter", "journal_article", "journal_article", "", "report",
    "chapter", "journal_article", "book", "journal_article", "working_paper",
]


@pytest.fixture
def hub():
    """What is already in the hub before the import."""
    return {
        "loeffler": make_contributor("Elke", "Loeffler", orcid="0000-0002-1825-0097"),
        "bovaird": make_contributor("Tony", "Bovaird"),
        "durose": make_contributor("Catherine", "Durose"),
        "existing": make_publication("An article already in the hub", year=2012, doi="10.1007/s11266-012-9309-6"),
    }


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def upload(client, name, content=None):
    content = content if content is not None else (DATA / name).read_bytes()
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def confirm(client, preview, chosen=None):
    entries = preview.context["entries"]
    if chosen is None:  # what the preview ticks: valid entries that are not likely duplicates
        chosen = [i for i, e in enumerate(entries) if not e["errors"] and not e["duplicates"]]
    return client.post(URL, {"payload": preview.context["payload"], "entry": chosen}, follow=True)


def credits(title):
    return [
        (c.contributor.given_name, c.contributor.family_name, c.role)
        for c in PublicationContributor.objects.filter(publication__title=title)
        .select_related("contributor")
        .order_by("position")
    ]


@pytest.mark.parametrize("name", ["import_sample.bib", "import_sample.ris"])
def test_preview_shows_every_entry_and_saves_nothing(editor_client, hub, name):
    before = (Publication.objects.count(), Contributor.objects.count())
    response = upload(editor_client, name)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e["fields"].get("title") for e in entries] == EXPECTED_TITLES
    assert [e["kind"] for e in entries] == EXPECTED_KINDS
    assert response.context["counts"] == {"total": 12, "valid": 10, "invalid": 2, "duplicates": 1}
    assert "12 entries found: 10 can be imported, 2 cannot be read, 1 likely duplicate." in response.text

    invalid = {i: e["errors"] for i, e in enumerate(entries) if e["errors"]}
    assert sorted(invalid) == [5, 10]
    assert invalid[10] == ["It has no year of publication."]
    if name.endswith(".bib"):
        assert entries[5]["ref"] == "entry broken2020 at line 56"
        assert invalid[5] == [
            "It is not valid BibTeX (check for an unclosed brace or a missing comma) and was skipped."
        ]
    else:
        assert entries[5]["ref"] == "record 6 at line 54"
        assert invalid[5][0].startswith("It has lines that are not RIS tags")
        assert "this line has no tag and breaks the record" in invalid[5][0]
    assert "Cannot import: It has no year of publication." in response.text

    assert entries[8]["duplicates"] == ["Same DOI as “An article already in the hub”."]
    assert "Likely duplicate: Same DOI as “An article already in the hub”." in response.text
    assert [i for i, e in enumerate(entries) if e.get("duplicates")] == [8]

    first_people = entries[0]["matches"]
    if name.endswith(".bib"):  # the BibTeX file carries Elke Loeffler's ORCID iD
        assert first_people[0] == "Elke Loeffler (author): matched by ORCID iD to Elke Loeffler"
    else:
        assert first_people[0] == "Elke Loeffler (author): matched by name to Elke Loeffler"
    assert first_people[1] == "Tony Bovaird (author): matched by name to Tony Bovaird"
    assert entries[7]["matches"][0] == "Elke Löffler (author): matched by name to Elke Loeffler"
    assert entries[2]["matches"][1] == "Liz Richardson (author): new contributor, created as a draft"

    # The duplicate is offered but not ticked; invalid entries have no checkbox at all.
    assert 'name="entry" value="8" id="entry-8" aria-label' in response.text
    assert 'value="7" id="entry-7" checked' in response.text
    assert 'value="5"' not in response.text and 'value="10"' not in response.text
    assert (Publication.objects.count(), Contributor.objects.count()) == before


@pytest.mark.parametrize("name", ["import_sample.bib", "import_sample.ris"])
def test_confirming_creates_drafts_with_contributors_in_file_order(editor_client, hub, name):
    preview = upload(editor_client, name)
    response = confirm(editor_client, preview)
    assert "Imported 9 publications from " + name + " as drafts." in response.text
    imported = Publication.objects.exclude(pk=hub["existing"].pk)
    assert sorted(imported.values_list("title", flat=True)) == sorted(
        t for i, t in enumerate(EXPECTED_TITLES) if i not in (5, 8, 10)
    )
    assert set(imported.values_list("status", flat=True)) == {"draft"}
    assert Publication.objects.filter(title="From Engagement to Co-production").count() == 0

    assert credits("Co-production and Co-creation of Public Services") == [
        ("Elke", "Loeffler", "author"),
        ("Tony", "Bovaird", "author"),
    ]
    assert credits("Democratic Innovation in Local Government") == [
        ("Jason", "Griffiths", "author"),
        ("Karin", "Bottom", "author"),
        ("Catherine", "Durose", "author"),
    ]
    assert credits("The Palgrave Handbook of Co-Production of Public Services and Outcomes") == [
        ("Elke", "Loeffler", "editor"),
        ("Tony", "Bovaird", "editor"),
    ]
    assert credits("The Evaluation of Co-production") == [
        ("Elke", "Loeffler", "author"),
        ("Klaus-Peter", "Timm-Arnold", "author"),
    ]
    # Existing people are reused; each new person is created once, as a draft.
    new_people = Contributor.objects.exclude(pk__in=[p.pk for k, p in hub.items() if k != "existing"])
    assert sorted(new_people.values_list("family_name", flat=True)) == [
        "Bottom", "Griffiths", "Muldoon-Smith", "Needham", "Perry", "Richardson", "Sandford", "Timm-Arnold",
    ]
    assert set(new_people.values_list("status", flat=True)) == {"draft"}

    book = Publication.objects.get(title="Co-production and Co-creation of Public Services")
    assert (book.kind, book.year, book.publisher, book.place, book.doi, book.isbn) == (
        "book", 2021, "Palgrave Macmillan", "Cham", "10.1007/978-3-030-55509-2", "9783030555085",
    )
    assert book.slug == "co-production-and-co-creation-of-public-services"
    assert book.history.latest().history_user.username == "editor"
    article = Publication.objects.get(title__startswith="Realising the Potential")
    assert (article.container_title, article.volume, article.issue, article.pages) == (
        "Social Policy and Society", "7", "2", "221-231",
    )
    working = Publication.objects.get(title__startswith="Co-design in Adult")
    assert working.abstract.startswith("<p>A study of co-design in three councils.</p>")


def test_an_editor_may_choose_to_import_a_flagged_duplicate(editor_client, hub):
    preview = upload(editor_client, "import_sample.bib")
    confirm(editor_client, preview, chosen=[8])
    assert Publication.objects.filter(doi="10.1007/s11266-012-9309-6").count() == 2


def test_a_malformed_file_saves_nothing(editor_client, hub):
    before = (Publication.objects.count(), Contributor.objects.count())
    response = upload(editor_client, "import_malformed.bib")
    assert response.status_code == 200
    assert "None of the entries in this file could be read, so nothing can be imported" in response.text
    assert "entry only at line 1" in response.text
    assert "payload" not in response.context or not response.context.get("payload")
    assert (Publication.objects.count(), Contributor.objects.count()) == before


def test_a_file_with_no_entries_is_explained(editor_client):
    response = upload(editor_client, "import_not_bibliography.ris")
    assert "No entries were found in this file." in response.text
    assert Publication.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.docx", b"PK\x03\x04", "Upload a file ending in .bib or .ris."),
        ("latin1.bib", "@book{x, title={Café}, year={2020}}".encode("latin-1"), "The file is not UTF-8 text."),
    ],
)
def test_unreadable_uploads_get_a_clear_message(editor_client, name, content, message):
    response = upload(editor_client, name, content)
    assert response.status_code == 200
    assert message in response.text
    assert Publication.objects.count() == 0


def test_a_failure_while_saving_rolls_back_every_entry(editor_client, hub, monkeypatch):
    preview = upload(editor_client, "import_sample.bib")
    before = (Publication.objects.count(), Contributor.objects.count(), PublicationContributor.objects.count())
    original = PublicationContributor.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 6:  # part-way through the third entry
            raise IntegrityError("simulated failure")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PublicationContributor, "save", failing_save)
    response = confirm(editor_client, preview)
    assert "The import failed while saving and nothing was saved." in response.text
    assert (Publication.objects.count(), Contributor.objects.count(), PublicationContributor.objects.count()) == before


def test_a_tampered_preview_is_refused(editor_client, hub):
    preview = upload(editor_client, "import_sample.bib")
    payload = preview.context["payload"]
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = editor_client.post(URL, {"payload": tampered, "entry": [0]}, follow=True)
    assert "The preview could not be verified. Upload the file again." in response.text
    assert Publication.objects.count() == 1


def test_a_preview_cannot_be_confirmed_by_another_user(client, hub):
    client.force_login(make_editor("first"))
    preview = upload(client, "import_sample.bib")
    client.force_login(make_editor("second"))
    response = client.post(URL, {"payload": preview.context["payload"], "entry": [0]}, follow=True)
    assert "This preview belongs to another user." in response.text
    assert Publication.objects.count() == 1


def test_duplicates_within_the_file_are_flagged():
    text = (
        "@book{a, title={Same Title}, author={One, Ann}, year={2020}, isbn={978-1-910029-78-7}}\n"
        "@book{b, title={Same  title!}, author={Two, Bob}, year={2020}}\n"
        "@book{c, title={Other}, author={Three, Cy}, year={2020}, isbn={978 1910029787}}\n"
    )
    entries = importing.build_preview(importing.parse_bibtex(text))
    assert entries[0]["duplicates"] == []
    assert entries[1]["duplicates"] == ["Same title and year as “Same Title”."]
    assert entries[2]["duplicates"] == ["Same ISBN as “Same Title”."]


def test_an_invalid_doi_is_reported_for_its_entry():
    entries = importing.parse_bibtex("@article{a, title={T}, year={2020}, doi={not-a-doi}}")
    assert entries[0]["errors"] == ["Its DOI “not-a-doi” is not a valid DOI."]


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [("Elke", "Löffler", "elke loeffler"), ("Elke", "Loeffler", "elke loeffler"), ("José", "Núñez", "jose nunez"), (" Ann-Marie ", "O'Neil", "ann marie o neil")],
)
def test_names_are_normalised_for_matching(given, family, expected):
    assert importing.person_key(given, family) == expected
