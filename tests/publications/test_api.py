"""API v1 publications and case studies: filters, errors, paging, exports, and drafts never leaking
(issue 5, acceptance 4 and 7; the field contract is in tests/inlogov/test_api_contract.py)."""

import json

import bibtexparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    future,
    make_case_study,
    make_contributor,
    make_publication,
    make_theme,
)

pytestmark = pytest.mark.django_db

EDITOR = "editor"


@pytest.fixture
def library():
    """Published items beside drafts and scheduled items of every kind that could leak."""
    parent = make_theme("Co-production", slug="co-production")
    co_design = make_theme("Co-design", parent=parent, slug="co-design")
    make_theme("Co-secret", parent=parent, slug="co-secret", status="draft")
    alice = make_contributor("Alice", "Archer", slug="alice-archer")
    bob = make_contributor("Bob", "Baker", slug="bob-baker")
    ghost = make_contributor("Gina", "Ghostwriter", slug="gina-ghostwriter", status="draft")
    book = make_publication(
        "Alpha Book", slug="alpha-book", year=2021, themes=[parent],
        contributors=[(alice, EDITOR), (ghost, EDITOR), (bob, EDITOR)],
        doi="10.1000/alpha", is_open_access=True,
    )
    chapter = make_publication(
        "Beta Chapter", slug="beta-chapter", kind="chapter", year=2021, parent=book,
        themes=[co_design], contributors=[bob],
    )
    make_publication("Draft Chapter", slug="draft-chapter", kind="chapter", parent=book, status="draft",
                     contributors=[alice])
    make_publication("Scheduled Chapter", slug="scheduled-chapter", kind="chapter", parent=book,
                     publish_from=future(), themes=[co_design])
    draft_book = make_publication("Hidden Book", slug="hidden-book", status="draft", themes=[co_design])
    orphan = make_publication("Orphan Chapter", slug="orphan-chapter", kind="chapter", year=2019,
                              parent=draft_book, contributors=[alice])
    report = make_publication("Gamma Report", slug="gamma-report", kind="report", year=2015,
                              contributors=[ghost, alice])
    case = make_case_study(
        "Walsall networks", slug="walsall-networks", country="GB", year_started=2012,
        themes=[co_design], publications=[book, draft_book], contributors=[alice, ghost],
    )
    make_case_study("Draft case", slug="draft-case", status="draft", themes=[co_design], publications=[book])
    make_case_study("Later case", slug="later-case", publish_from=future(), publications=[book])
    return {"book": book, "chapter": chapter, "orphan": orphan, "report": report, "case": case}


def slugs(response):
    return [item["slug"] for item in response.json()["results"]]


# --- Drafts and scheduled items never leak (acceptance 4) ------------------------------------


def test_draft_and_scheduled_publications_are_missing_from_the_list(client, library):
    response = client.get("/api/v1/publications/")
    assert response.json()["count"] == 4
    assert slugs(response) == ["alpha-book", "beta-chapter", "orphan-chapter", "gamma-report"]


@pytest.mark.parametrize("slug", ["draft-chapter", "scheduled-chapter", "hidden-book"])
def test_draft_or_scheduled_publication_detail_is_a_json_404(client, library, slug):
    response = client.get(f"/api/v1/publications/{slug}/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404, "code": "not_found", "detail": "No published item matches this address.",
    }


def test_published_book_never_lists_a_draft_or_scheduled_chapter(client, library):
    book = client.get("/api/v1/publications/alpha-book/").json()
    assert [child["slug"] for child in book["children"]] == ["beta-chapter"]


def test_draft_contributor_never_appears_among_a_publications_contributors(client, library):
    book = client.get("/api/v1/publications/alpha-book/").json()
    assert [(c["slug"], c["role"]) for c in book["contributors"]] == [
        ("alice-archer", "editor"), ("bob-baker", "editor"),
    ]
    report = client.get("/api/v1/publications/gamma-report/").json()
    assert [c["slug"] for c in report["contributors"]] == ["alice-archer"]


def test_chapter_of_a_draft_book_shows_no_parent(client, library):
    orphan = client.get("/api/v1/publications/orphan-chapter/").json()
    assert orphan["parent"] is None
    chapter = client.get("/api/v1/publications/beta-chapter/").json()
    assert chapter["parent"]["slug"] == "alpha-book"


def test_publication_lists_only_published_case_studies_and_themes(client, library):
    book = client.get("/api/v1/publications/alpha-book/").json()
    assert [c["slug"] for c in book["case_studies"]] == ["walsall-networks"]
    assert [t["slug"] for t in book["themes"]] == ["co-production"]


def test_case_study_lists_only_published_publications_and_people(client, library):
    case = client.get("/api/v1/case-studies/walsall-networks/").json()
    assert [p["slug"] for p in case["publications"]] == ["alpha-book"]
    assert [p["slug"] for p in case["contributors"]] == ["alice-archer"]
    listing = client.get("/api/v1/case-studies/")
    assert slugs(listing) == ["walsall-networks"]
    assert client.get("/api/v1/case-studies/draft-case/").status_code == 404
    assert client.get("/api/v1/case-studies/later-case/").status_code == 404


def facet(body, name):
    found = next(f for f in body["facets"] if f["name"] == name)
    return {v["value"]: v["count"] for v in found["values"]}


def test_facet_counts_count_only_published_items_and_values(client, library):
    body = client.get("/api/v1/facets/publications/").json()
    assert body["count"] == 4
    # Co-design: only the published chapter (not the scheduled one, not the draft book).
    assert facet(body, "theme") == {"co-production": 2, "co-design": 1}
    assert facet(body, "kind") == {"book": 1, "chapter": 2, "report": 1}
    assert facet(body, "contributor") == {"alice-archer": 3, "bob-baker": 2}
    assert facet(body, "open_access") == {"true": 1, "false": 3}
    cases = client.get("/api/v1/facets/case-studies/").json()
    assert cases["count"] == 1
    assert facet(cases, "theme") == {"co-production": 1, "co-design": 1}
    assert facet(cases, "country") == {"GB": 1}


def test_draft_theme_or_contributor_is_a_400_in_filters_as_if_it_did_not_exist(client, library):
    response = client.get("/api/v1/publications/?contributor=gina-ghostwriter")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["contributor"]
    assert client.get("/api/v1/facets/publications/?theme=co-secret").status_code == 400


def test_csl_json_list_and_item_hold_only_published_items_and_people(client, library):
    response = client.get("/api/v1/citations/csl-json/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    assert response["X-Total-Count"] == "4"
    items = json.loads(response.content)
    assert sorted(item["title"] for item in items) == [
        "Alpha Book", "Beta Chapter", "Gamma Report", "Orphan Chapter",
    ]
    assert "Ghostwriter" not in response.content.decode()
    assert "Hidden Book" not in response.content.decode()
    one = client.get("/api/v1/publications/alpha-book/csl-json/")
    book = json.loads(one.content)
    assert book["title"] == "Alpha Book"
    assert [person["family"] for person in book["editor"]] == ["Archer", "Baker"]
    assert client.get("/api/v1/publications/hidden-book/csl-json/").status_code == 404


def test_bibtex_list_and_item_hold_only_published_items_and_people(client, library):
    response = client.get("/api/v1/citations/bibtex/?sort=title")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    library_db = bibtexparser.parse_string(response.content.decode())
    assert [entry["title"].strip("{}") for entry in library_db.entries] == [
        "Alpha Book", "Beta Chapter", "Gamma Report", "Orphan Chapter",
    ]
    text = response.content.decode()
    assert "Ghostwriter" not in text and "Hidden Book" not in text and "Draft Chapter" not in text
    one = client.get("/api/v1/publications/gamma-report/bibtex/")
    entries = bibtexparser.parse_string(one.content.decode()).entries
    assert len(entries) == 1 and entries[0]["author"] == "Archer, Alice"
    assert client.get("/api/v1/publications/draft-chapter/bibtex/").status_code == 404


def test_citation_lists_follow_the_list_filters_and_pages(client, library):
    response = client.get("/api/v1/citations/csl-json/?kind=chapter&page_size=1&sort=title")
    assert [item["title"] for item in json.loads(response.content)] == ["Beta Chapter"]
    assert response["X-Total-Count"] == "2"
    assert response["Link"] == (
        '<http://testserver/api/v1/citations/csl-json/?kind=chapter&page=2&page_size=1&sort=title>; '
        'rel="next"'
    )
    bad = client.get("/api/v1/citations/bibtex/?year_from=soon")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["year_from"]


# --- Filtering with the listing grammar ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=co-production", ["alpha-book", "beta-chapter"]),  # parent includes sub-themes
        ("theme=co-design", ["beta-chapter"]),
        ("kind=chapter&kind=report", ["beta-chapter", "orphan-chapter", "gamma-report"]),
        ("year_from=2016&year_to=2020", ["orphan-chapter"]),
        ("contributor=bob-baker", ["alpha-book", "beta-chapter"]),
        ("open_access=true", ["alpha-book"]),
        ("sort=oldest", ["gamma-report", "orphan-chapter", "alpha-book", "beta-chapter"]),
        ("sort=title", ["alpha-book", "beta-chapter", "gamma-report", "orphan-chapter"]),
        ("q=chapter", ["beta-chapter", "orphan-chapter"]),
    ],
)
def test_publication_filters_use_the_listing_grammar(client, library, query, expected):
    response = client.get(f"/api/v1/publications/?{query}")
    assert response.status_code == 200
    assert slugs(response) == expected


def test_case_study_filters_use_the_listing_grammar(client, library):
    make_case_study("Rimini volunteers", slug="rimini", country="IT", year_started=2005)
    assert slugs(client.get("/api/v1/case-studies/?country=it")) == ["rimini"]
    assert slugs(client.get("/api/v1/case-studies/?theme=co-production")) == ["walsall-networks"]
    assert slugs(client.get("/api/v1/case-studies/?year_to=2010")) == ["rimini"]
    assert slugs(client.get("/api/v1/case-studies/?sort=oldest")) == ["rimini", "walsall-networks"]


# --- Errors are JSON and name the parameter ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        ("year_from=soon", "year_from", "“soon” is not a year, so it was ignored. Enter a year such as 2019."),
        ("theme=no-such-theme", "theme", "No published theme matches “no-such-theme”, so it was ignored."),
        ("kind=poem", "kind", "No kind of publication matches “poem”, so it was ignored."),
        ("sort=random", "sort", "“random” is not a sort order; choose one of relevance, newest, oldest, title."),
        ("page=0", "page", "Expected a whole number from 1 to 1000000000."),
        ("page=two", "page", "Expected a whole number from 1 to 1000000000."),
        ("page_size=1000", "page_size", "Expected a whole number from 1 to 100."),
        ("page_size=-1", "page_size", "Expected a whole number from 1 to 100."),
    ],
)
def test_bad_parameter_is_a_400_naming_it_and_what_it_expects(client, library, query, param, message):
    response = client.get(f"/api/v1/publications/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["code"] == "invalid_parameter"
    assert body["errors"] == {param: [message]}
    assert body["detail"] == f"Invalid query parameter: {param} ({message})"


def test_detail_address_ignores_list_filters(client, library):
    response = client.get("/api/v1/publications/alpha-book/?kind=report&theme=nope")
    assert response.status_code == 200
    assert response.json()["slug"] == "alpha-book"


def test_page_past_the_end_is_a_404_saying_how_many_pages_there_are(client, library):
    response = client.get("/api/v1/publications/?page=3&page_size=2")
    assert response.status_code == 404
    assert response.json()["detail"] == "Page 3 does not exist: this list has 2 pages."


def test_hostile_inputs_never_cause_a_server_error(client, library):
    for query in [
        "q=" + "x" * 10_000, "q=%00%01", "theme=%25s%25d", "year_from=1e9", "year_to=-5",
        "page=" + "9" * 40, "contributor=" + "a" * 5000, "kind=book&kind=book&kind=" + "k" * 300,
        "open_access=maybe", "sort=relevance",
    ]:
        for address in ("/api/v1/publications/", "/api/v1/facets/publications/",
                        "/api/v1/citations/bibtex/", "/api/v1/case-studies/"):
            response = client.get(f"{address}?{query}")
            assert response.status_code in (200, 400, 404), (address, query, response.status_code)
            assert response["Content-Type"].startswith(("application/json", "application/x-bibtex"))


# --- Paging is stable ------------------------------------------------------------------------------


def test_paging_never_skips_or_repeats_items_with_equal_sort_keys(client):
    # Same year and same title: only the primary key tells them apart.
    made = [make_publication("Same title", year=2020, slug=f"same-{n}").slug for n in range(7)]
    seen = []
    for page in (1, 2, 3):
        seen += slugs(client.get(f"/api/v1/publications/?page_size=3&page={page}&sort=newest"))
    assert seen == made


# --- Constant queries (acceptance 7) -------------------------------------------------------------


def _queries_for(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured), response


@pytest.fixture
def volume():
    """100 of each: publications, case studies, contributors and themes, all with relations."""
    theme = make_theme("Volume theme", slug="volume-theme")
    sub = make_theme("Volume sub-theme", parent=theme)
    people = [make_contributor("Person", f"Number{n}") for n in range(3)]
    # "A volume book" sorts first, so the page of 5 has every kind of relation the page of 100 has.
    book = make_publication("A volume book", themes=[theme], contributors=people)
    for n in range(99):
        make_publication(f"Item {n}", parent=book, kind="chapter", themes=[theme, sub],
                         contributors=people[: 1 + n % 3])
    for n in range(100):
        make_case_study(f"Case {n}", themes=[theme, sub], publications=[book], contributors=people[:2])
    for n in range(97):
        make_contributor("Extra", f"Person{n}").expertise.set([theme, sub])
    for person in people:
        person.expertise.set([theme])
    for n in range(98):
        make_theme(f"Extra sub-theme {n}", parent=theme)


def test_list_queries_are_the_same_for_5_and_100_items_per_page(client, volume):
    # Every nested list is one prefetch query, so the count cannot grow with the page size.
    for address in [
        "/api/v1/publications/", "/api/v1/publications/?theme=volume-theme", "/api/v1/case-studies/",
        "/api/v1/citations/csl-json/", "/api/v1/citations/bibtex/", "/api/v1/contributors/",
        "/api/v1/themes/",
    ]:
        joiner = "&" if "?" in address else "?"
        small, small_response = _queries_for(client, f"{address}{joiner}page_size=5")
        large, large_response = _queries_for(client, f"{address}{joiner}page_size=100")
        assert small == large, f"{address}: {small} queries for 5 items but {large} for 100"
        if address in ("/api/v1/publications/", "/api/v1/case-studies/"):
            # The count, the page, and one query per nested list (for_api(): links carry no
            # relations of their own).
            assert small == 6, f"{address}: {small} queries"
        if "citations" in address:
            assert small_response["X-Total-Count"] == large_response["X-Total-Count"] == "100"
        else:
            count = small_response.json()["count"]
            assert len(small_response.json()["results"]) == min(5, count)
            assert len(large_response.json()["results"]) == min(100, count)


def test_detail_queries_do_not_grow_with_chapters_people_or_case_studies(client):
    # Each related list is one prefetch, however long it is.
    counts = {}
    for size in (2, 30):
        people = [make_contributor("Person", f"Size{size}n{n}") for n in range(size)]
        theme = make_theme(f"Theme {size}")
        book = make_publication(f"Book {size}", slug=f"book-{size}", themes=[theme], contributors=people)
        for n in range(size):
            make_publication(f"Chapter {size}.{n}", parent=book, kind="chapter", contributors=people[:2])
        case = make_case_study(f"Case {size}", slug=f"case-{size}", themes=[theme],
                               publications=[book], contributors=people)
        for n in range(size):
            make_case_study(f"Other case {size}.{n}", publications=[book])
        counts[size] = (
            _queries_for(client, f"/api/v1/publications/{book.slug}/")[0],
            _queries_for(client, f"/api/v1/case-studies/{case.slug}/")[0],
            _queries_for(client, f"/api/v1/publications/{book.slug}/csl-json/")[0],
        )
    assert counts[2] == counts[30]
    # Publication: the item with its parent, credits, themes, chapters, case studies (chapters and
    # case studies are links, so no credits or themes of theirs: for_api()). Case study: the
    # item, themes, service areas, publications, contributors. The CSL-JSON export also names a
    # chapter's book editors, so it reads what the page's item reads (for_detail(), whose case
    # studies come with their cards' service areas; the cards of the chapters are the page's own
    # extra).
    assert counts[2] == (5, 5, 7)


# --- Read-only ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_methods_are_a_json_405(client, library, method):
    for address in ("/api/v1/publications/", "/api/v1/publications/alpha-book/"):
        response = getattr(client, method)(address, data={}, content_type="application/json")
        assert response.status_code == 405
        assert response.json()["code"] == "method_not_allowed"
        assert response.json()["detail"] == (
            f"Method {method.upper()} is not allowed: this API is read-only (GET, HEAD and OPTIONS only)."
        )


def test_facet_endpoints_run_the_same_queries_for_5_and_55_facet_values(client):
    # Facet counts are one query per facet (or one for all, on PostgreSQL), never one per value.
    from django.core.cache import cache

    parent = make_theme("Facet parent", slug="facet-parent")
    addresses = [
        "/api/v1/facets/publications/", "/api/v1/facets/publications/?theme=facet-parent&kind=book",
        "/api/v1/facets/case-studies/", "/api/v1/facets/case-studies/?theme=facet-parent&country=GB",
    ]
    counts = []
    for size in (5, 50):
        for n in range(size):
            sub = make_theme(f"Facet sub {size}.{n}", parent=parent)
            person = make_contributor("Facet", f"Person{size}n{n}")
            make_publication(f"Facet item {size}.{n}", year=1950 + n, kind=["book", "report"][n % 2],
                             themes=[sub], contributors=[person])
            make_case_study(f"Facet case {size}.{n}", themes=[sub], country=["GB", "DE", "FR"][n % 3],
                            year_started=1950 + n)
        cache.clear()
        counts.append([_queries_for(client, address)[0] for address in addresses])
    assert counts[0] == counts[1]
