"""The publication and case study admin: ordered contributors, list pages, workflow actions,
images, export, dashboard and the rich text editor's assets."""

import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from inlogov.publishing import Status
from publications.models import CaseStudy, Publication, PublicationContributor
from tests.admin_users import make_editor
from tests.factories import (
    future,
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def publication_form_data(publication, contributions, **overrides):
    """The change form's POST data for `publication`, with `contributions` as the inline rows:
    a list of dicts with contributor, role, position and optionally id and DELETE."""
    data = {
        "title": publication.title,
        "subtitle": publication.subtitle,
        "slug": publication.slug,
        "kind": publication.kind,
        "year": publication.year,
        "date": "",
        "parent": publication.parent_id or "",
        "container_title": publication.container_title,
        "publisher": publication.publisher,
        "place": publication.place,
        "edition": publication.edition,
        "volume": publication.volume,
        "issue": publication.issue,
        "pages": publication.pages,
        "doi": publication.doi,
        "isbn": publication.isbn,
        "url": publication.url,
        "abstract": publication.abstract,
        "themes": [t.pk for t in publication.themes.all()] if publication.pk else [],
        "service_areas": [],
        "cover_alt": publication.cover_alt,
        "status": publication.status,
        "publish_from_0": "",
        "publish_from_1": "",
        "contributions-TOTAL_FORMS": len(contributions),
        "contributions-INITIAL_FORMS": sum(1 for c in contributions if c.get("id")),
        "contributions-MIN_NUM_FORMS": 0,
        "contributions-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(contributions):
        data[f"contributions-{i}-id"] = row.get("id", "")
        data[f"contributions-{i}-publication"] = publication.pk or ""
        data[f"contributions-{i}-contributor"] = row["contributor"].pk
        data[f"contributions-{i}-role"] = row.get("role", "author")
        data[f"contributions-{i}-position"] = row["position"]
        if row.get("DELETE"):
            data[f"contributions-{i}-DELETE"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def credited(publication):
    return [
        (c.contributor.family_name, c.role, c.position)
        for c in PublicationContributor.objects.filter(publication=publication)
        .select_related("contributor")
        .order_by("position")
    ]


# --- contributors in citation order -----------------------------------------------------------


def test_swapping_two_contributors_in_the_admin_saves_the_new_order(editor_client):
    first, second = make_contributor("Elke", "Loeffler"), make_contributor("Tony", "Bovaird")
    publication = make_publication("Co-production", contributors=[first, second])
    a, b = PublicationContributor.objects.filter(publication=publication).order_by("position")
    data = publication_form_data(
        publication,
        [
            {"id": a.pk, "contributor": first, "position": 1},
            {"id": b.pk, "contributor": second, "position": 0},
        ],
    )
    response = editor_client.post(f"/admin/publications/publication/{publication.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert credited(publication) == [("Bovaird", "author", 0), ("Loeffler", "author", 1)]


def test_rotating_three_contributors_and_deleting_one_saves_cleanly(editor_client):
    people = [make_contributor("A", name) for name in ("Ash", "Birch", "Cedar", "Daisy")]
    publication = make_publication("Rotation", contributors=people)
    rows = list(PublicationContributor.objects.filter(publication=publication).order_by("position"))
    data = publication_form_data(
        publication,
        [
            {"id": rows[0].pk, "contributor": people[0], "position": 2},
            {"id": rows[1].pk, "contributor": people[1], "position": 0},
            {"id": rows[2].pk, "contributor": people[2], "position": 1},
            {"id": rows[3].pk, "contributor": people[3], "position": 3, "DELETE": True},
            {"contributor": make_contributor("E", "Elm"), "position": 3, "role": "editor"},
        ],
    )
    response = editor_client.post(f"/admin/publications/publication/{publication.pk}/change/", data)
    assert response.status_code == 302
    assert credited(publication) == [
        ("Birch", "author", 0),
        ("Cedar", "author", 1),
        ("Ash", "author", 2),
        ("Elm", "editor", 3),
    ]


def test_a_new_row_without_a_position_is_added_after_the_existing_contributors(editor_client):
    first, second = make_contributor("Elke", "Loeffler"), make_contributor("Tony", "Bovaird")
    publication = make_publication("Appended", contributors=[first])
    row = PublicationContributor.objects.get(publication=publication)
    html = editor_client.get(f"/admin/publications/publication/{publication.pk}/change/").text
    assert 'name="contributions-__prefix__-position" class="_reorder_"' in html
    assert 'name="contributions-__prefix__-position" value=' not in html
    data = publication_form_data(
        publication,
        [{"id": row.pk, "contributor": first, "position": 0}, {"contributor": second, "position": ""}],
    )
    response = editor_client.post(f"/admin/publications/publication/{publication.pk}/change/", data)
    assert response.status_code == 302
    assert credited(publication) == [("Loeffler", "author", 0), ("Bovaird", "author", 1)]


def test_two_contributors_in_the_same_position_get_an_error_not_a_crash(editor_client):
    first, second = make_contributor("Elke", "Loeffler"), make_contributor("Tony", "Bovaird")
    publication = make_publication("Clash", contributors=[first])
    row = PublicationContributor.objects.get(publication=publication)
    data = publication_form_data(
        publication,
        [
            {"id": row.pk, "contributor": first, "position": 0},
            {"contributor": second, "position": 0},
        ],
    )
    response = editor_client.post(f"/admin/publications/publication/{publication.pk}/change/", data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for position" in response.text
    assert credited(publication) == [("Loeffler", "author", 0)]


def test_adding_a_publication_with_contributors_in_a_chosen_order(editor_client):
    theme = make_theme("Co-production")
    first, second = make_contributor("Tony", "Bovaird"), make_contributor("Elke", "Loeffler")
    draft = Publication(title="New book", slug="new-book", kind="book", year=2024, status="draft")
    data = publication_form_data(
        draft,
        [{"contributor": first, "position": 1}, {"contributor": second, "position": 2}],
        themes=[theme.pk],
    )
    data.pop("contributions-0-publication")
    data.pop("contributions-1-publication")
    response = editor_client.post("/admin/publications/publication/add/", data)
    assert response.status_code == 302
    publication = Publication.objects.get(slug="new-book")
    assert publication.status == Status.DRAFT
    assert [c[0] for c in credited(publication)] == ["Bovaird", "Loeffler"]
    assert list(publication.themes.values_list("name", flat=True)) == ["Co-production"]
    record = publication.history.latest()
    assert record.history_user.username == "editor"


# --- list page ---------------------------------------------------------------------------------


def test_publication_changelist_shows_status_year_kind_first_author(editor_client):
    make_publication(
        "Scheduled book", year=2023, contributors=[make_contributor("Elke", "Loeffler")], publish_from=future(3)
    )
    make_publication("Draft report", kind="report", status="draft", year=2020, themes=[make_theme()])
    response = editor_client.get("/admin/publications/publication/")
    rows = re.findall(r"<tr>.*?</tr>", response.text, re.S)
    scheduled = next(row for row in rows if "Scheduled book" in row)
    assert "Scheduled for" in scheduled and "Elke Loeffler" in scheduled and "2023" in scheduled
    draft = next(row for row in rows if "Draft report" in row)
    assert "Draft" in draft and "Report" in draft and ">-<" in draft
    for label in ("By status", "By kind", "By themes", "By year", "By open access"):
        assert label in response.text
    assert "Import BibTeX or RIS" in response.text
    assert "Recover deleted" in response.text


def test_publication_search_finds_by_contributor_name_doi_and_isbn(editor_client):
    make_publication("Found by name", contributors=[make_contributor("Elke", "Loeffler")])
    make_publication("Found by DOI", doi="10.1007/978-3-030-53705-0")
    make_publication("Found by ISBN", isbn="978-1-910029-78-7")
    make_publication("Never found")
    for query, expected in (
        ("Loeffler", "Found by name"),
        ("10.1007/978-3-030-53705-0", "Found by DOI"),
        ("9781910029787", "Found by ISBN"),
    ):
        response = editor_client.get("/admin/publications/publication/", {"q": query})
        assert expected in response.text
        assert "Never found" not in response.text
        assert "1 result" in response.text


def test_parent_publication_autocomplete_finds_books_by_title(editor_client):
    make_publication("The Palgrave Handbook of Co-Production")
    make_publication("Unrelated report", kind="report")
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "handbook", "app_label": "publications", "model_name": "publication", "field_name": "parent"},
    )
    assert [item["text"] for item in response.json()["results"]] == ["The Palgrave Handbook of Co-Production"]


CHANGELISTS = {
    "publication": lambda i: make_publication(
        f"Book {i}", contributors=[make_contributor("A", f"Author{i}")], themes=[make_theme()]
    ),
    "casestudy": lambda i: make_case_study(f"Case {i}", themes=[make_theme()]),
    "contributor": lambda i: make_contributor("Given", f"Family{i}"),
    "theme": lambda i: make_theme(f"Theme {i}", parent=make_theme(f"Parent {i}")),
}
URLS = {
    "publication": "/admin/publications/publication/",
    "casestudy": "/admin/publications/casestudy/",
    "contributor": "/admin/people/contributor/",
    "theme": "/admin/themes/theme/",
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"all": ""})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("model", sorted(CHANGELISTS))
def test_changelist_runs_the_same_number_of_queries_for_5_and_100_rows(editor_client, model):
    # Editors page through hundreds of rows: a query per row would make every list page slow.
    build = CHANGELISTS[model]
    for i in range(5):
        build(i)
    small, response = count_queries(editor_client, URLS[model])
    assert response.context["cl"].result_count >= 5
    for i in range(5, 100):
        build(i)
    large, response = count_queries(editor_client, URLS[model])
    assert response.context["cl"].result_count >= 100
    assert len(response.context["cl"].result_list) >= 100
    assert small == large


# --- workflow ---------------------------------------------------------------------------------


def test_publish_action_publishes_each_item_and_records_who_did_it(editor_client, monkeypatch):
    bumps = []
    monkeypatch.setattr("inlogov.admin_workflow.bump_content_version", lambda: bumps.append(1))
    drafts = [make_publication(f"Draft {i}", status="draft") for i in range(3)]
    response = editor_client.post(
        "/admin/publications/publication/",
        {"action": "publish_selected", "_selected_action": [p.pk for p in drafts[:2]]},
        follow=True,
    )
    assert "Published 2 publications." in response.text
    assert list(Publication.objects.published().values_list("title", flat=True).order_by("title")) == [
        "Draft 0",
        "Draft 1",
    ]
    assert Publication.objects.get(pk=drafts[2].pk).status == Status.DRAFT
    latest = drafts[0].history.latest()
    assert (latest.status, latest.history_type, latest.history_user.username) == ("published", "~", "editor")
    assert bumps == [1]
    assert LogEntry.objects.filter(change_message="Published with the bulk action.").count() == 2


def test_unpublish_action_returns_items_to_draft(editor_client):
    items = [make_case_study(f"Case {i}") for i in range(2)]
    response = editor_client.post(
        "/admin/publications/casestudy/",
        {"action": "unpublish_selected", "_selected_action": [c.pk for c in items]},
        follow=True,
    )
    assert "Unpublished 2 case studies." in response.text
    assert set(CaseStudy.objects.values_list("status", flat=True)) == {"draft"}
    assert items[0].history.latest().history_user.username == "editor"


def test_change_page_links_to_the_public_page(editor_client):
    publication = make_publication("On the site", slug="on-the-site")
    response = editor_client.get(f"/admin/publications/publication/{publication.pk}/change/")
    assert 'href="/publications/on-the-site/"' in response.text
    assert "View on site" in response.text


# --- rich text editor ---------------------------------------------------------------------------


def test_rich_text_editor_assets_load_from_static_with_the_csp_nonce(editor_client):
    response = editor_client.get("/admin/publications/publication/add/")
    html = response.text
    assert 'src="/static/django_prose_editor/editor.js"' in html
    assert 'href="/static/django_prose_editor/editor.css"' in html
    assert "data-django-prose-editor-configurable" in html
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script type="importmap" nonce="{nonce}">' in html
    importmap = re.search(r'<script type="importmap"[^>]*>(.*?)</script>', html, re.S).group(1)
    assert "/static/django_prose_editor/editor.js" in importmap
    # No script, style or font from another origin.
    assert not re.search(r'(src|href)="(https?:)?//', html)


# --- images -----------------------------------------------------------------------------------


def image_file(name="cover.png", size=(400, 600), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, fmt)
    buffer.seek(0)
    buffer.name = name
    return buffer


def post_cover(client, publication, upload, alt):
    data = publication_form_data(publication, [], cover=upload, cover_alt=alt)
    return client.post(f"/admin/publications/publication/{publication.pk}/change/", data)


def test_valid_cover_with_alt_text_is_saved(editor_client):
    publication = make_publication("Covered")
    response = post_cover(editor_client, publication, image_file(), "Navy blue cover")
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.cover.name.startswith("covers/cover")
    assert publication.cover_alt == "Navy blue cover"


def test_cover_without_alt_text_is_refused(editor_client):
    publication = make_publication("No alt")
    response = post_cover(editor_client, publication, image_file(), "")
    assert response.status_code == 200
    assert "alt text is required when an image is given" in response.text
    publication.refresh_from_db()
    assert not publication.cover


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: image_file("cover.gif", fmt="GIF"), "This is a GIF image; upload a JPEG, PNG or WebP picture instead."),
        (lambda: image_file(size=(50, 400)), "This image is 50 x 400 pixels; it must be at least 100 pixels"),
        (lambda: image_file(size=(6100, 200)), "This image is 6100 x 200 pixels; the largest allowed is 6000"),
    ],
    ids=["gif", "too-small", "too-wide"],
)
def test_unsuitable_cover_images_get_a_clear_error(editor_client, upload, message):
    publication = make_publication("Bad cover")
    response = post_cover(editor_client, publication, upload(), "A picture")
    assert response.status_code == 200
    assert message in response.text
    publication.refresh_from_db()
    assert not publication.cover


def test_oversized_cover_names_the_limit(editor_client, settings):
    settings.IMAGE_MAX_BYTES = 1000
    publication = make_publication("Huge cover")
    response = post_cover(editor_client, publication, image_file(size=(800, 800)), "A picture")
    assert response.status_code == 200
    assert "images may be at most 1000\xa0bytes" in response.text


def test_a_text_file_named_like_an_image_is_refused(editor_client):
    publication = make_publication("Fake cover")
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "cover.png"
    response = post_cover(editor_client, publication, fake, "A picture")
    assert response.status_code == 200
    assert "Upload a valid image" in response.text
    publication.refresh_from_db()
    assert not publication.cover


# --- dashboard ---------------------------------------------------------------------------------


def test_admin_index_dashboard_lists_drafts_scheduled_and_recent_changes(editor_client):
    make_publication("A draft book", status="draft")
    make_case_study("A scheduled case", publish_from=future(2))
    make_contributor("Recently", "Edited")
    response = editor_client.get("/admin/")
    html = response.text
    drafts = re.search(r'<ul id="dashboard-drafts">(.*?)</ul>', html, re.S).group(1)
    scheduled = re.search(r'<ul id="dashboard-scheduled">(.*?)</ul>', html, re.S).group(1)
    recent = re.search(r'<ul id="dashboard-recent">(.*?)</ul>', html, re.S).group(1)
    assert "A draft book" in drafts and "A scheduled case" not in drafts
    assert "A scheduled case" in scheduled and "A draft book" not in scheduled
    assert "Recently Edited" in recent and "A draft book" in recent
    assert "1 draft publications" in html
    assert "INLOGOV Research Hub: editing" in html


# --- export actions ---------------------------------------------------------------------------


def export(client, url, action, items):
    return client.post(url, {"action": action, "_selected_action": [item.pk for item in items]})


@pytest.fixture
def three_books():
    loeffler, bovaird = make_contributor("Elke", "Loeffler"), make_contributor("Tony", "Bovaird")
    return [
        make_publication("Exported first", contributors=[loeffler, bovaird], doi="10.1000/one"),
        make_publication("Exported draft", status="draft", contributors=[bovaird]),
        make_publication("Not selected"),
    ]


def test_bibtex_export_downloads_the_selected_publications(editor_client, three_books):
    response = export(editor_client, "/admin/publications/publication/", "export_bibtex", three_books[:2])
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="inlogov-publications-\d{4}-\d\d-\d\d\.bib"', response["Content-Disposition"])
    text = response.content.decode()
    assert text.count("@book{") == 2
    assert "Exported first" in text and "Exported draft" in text and "Not selected" not in text
    assert "Loeffler, Elke and Bovaird, Tony" in text
    assert "10.1000/one" in text


def test_ris_export_lists_authors_in_citation_order(editor_client, three_books):
    response = export(editor_client, "/admin/publications/publication/", "export_ris", three_books[:1])
    assert response["Content-Disposition"].endswith('.ris"')
    text = response.content.decode()
    assert text.count("TY  - BOOK") == 1
    assert text.index("AU  - Loeffler, Elke") < text.index("AU  - Bovaird, Tony")
    assert "Not selected" not in text


def test_csv_export_has_a_header_and_one_row_per_publication(editor_client, three_books):
    import csv

    from inlogov.citations import PUBLICATION_CSV_HEADER

    response = export(editor_client, "/admin/publications/publication/", "export_csv", three_books[:2])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == PUBLICATION_CSV_HEADER
    assert sorted(row[1] for row in rows[1:]) == ["Exported draft", "Exported first"]


def test_case_study_csv_export(editor_client):
    import csv

    from inlogov.citations import CASE_STUDY_CSV_HEADER

    cases = [make_case_study("Walsall KeyRing", locality="Walsall"), make_case_study("Left out")]
    response = export(editor_client, "/admin/publications/casestudy/", "export_case_studies_csv", cases[:1])
    assert response["Content-Disposition"].startswith('attachment; filename="inlogov-case-studies-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == CASE_STUDY_CSV_HEADER
    assert [row[1] for row in rows[1:]] == ["Walsall KeyRing"]
    assert rows[1][3] == "Walsall"


@pytest.mark.parametrize(
    ("url", "action", "make"),
    [
        ("/admin/publications/publication/", "export_csv", lambda n: make_publication(f"Book {n}", themes=[make_theme(f"T{n}")])),
        ("/admin/publications/casestudy/", "export_case_studies_csv",
         lambda n: make_case_study(f"Case {n}", themes=[make_theme(f"T{n}")], service_areas=[make_service_area(f"A{n}")])),
    ],
)
def test_csv_exports_read_themes_and_areas_once_for_the_whole_selection(editor_client, url, action, make):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 6):
        items = [make(f"{size}-{n}") for n in range(size)]
        with CaptureQueriesContext(connection) as captured:
            response = export(editor_client, url, action, items)
        assert response.status_code == 200
        assert response.content.decode().count("\n") == size + 1  # the header and a row each
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
