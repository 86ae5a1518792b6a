"""The API's public contract (issue 5, acceptance 1): exact field names and JSON types of every
list and detail response, on the real starter content. Changing any of these is a breaking
change and needs a new API version (docs/api.md)."""

import pytest

from tests.api_helpers import NULL, assert_shape, load_starter

pytestmark = pytest.mark.django_db

LINK_THEME = {"slug": str, "name": str, "url": str, "api_url": str}
LINK_PUBLICATION = {
    "slug": str, "title": str, "subtitle": str, "kind": str, "year": int, "url": str, "api_url": str,
}
LINK_CASE_STUDY = {"slug": str, "title": str, "url": str, "api_url": str}
LINK_CONTRIBUTOR = {"slug": str, "name": str, "url": str, "api_url": str}

PUBLICATION = {
    "slug": str,
    "title": str,
    "subtitle": str,
    "full_title": str,
    "kind": str,
    "kind_label": str,
    "year": int,
    "date": (str, NULL),
    "publisher": str,
    "place": str,
    "container_title": str,
    "volume": str,
    "issue": str,
    "pages": str,
    "edition": str,
    "identifiers": {"doi": str, "doi_url": (str, NULL), "isbn": str},
    "external_url": (str, NULL),
    "is_open_access": bool,
    "abstract": str,
    "contributors": [
        {
            "name": str, "slug": str, "orcid": str, "role": str, "role_label": str,
            "position": int, "url": str, "api_url": str,
        }
    ],
    "themes": [LINK_THEME],
    "parent": (dict, NULL),
    "children": [LINK_PUBLICATION],
    "case_studies": [LINK_CASE_STUDY],
    "cover": (str, NULL),
    "cover_alt": str,
    "url": str,
    "api_url": str,
    "csl_json_url": str,
    "bibtex_url": str,
    "updated_at": str,
}

CONTRIBUTOR = {
    "slug": str,
    "name": str,
    "honorific": str,
    "given_name": str,
    "family_name": str,
    "position": str,
    "relation": str,
    "relation_label": str,
    "biography": str,
    "orcid": str,
    "orcid_url": (str, NULL),
    "website": (str, NULL),
    "portrait": (str, NULL),
    "portrait_alt": str,
    "expertise": [LINK_THEME],
    "url": str,
    "api_url": str,
    "publications_api_url": str,
    "updated_at": str,
}

THEME = {
    "slug": str,
    "name": str,
    "description": str,
    "parent": (dict, NULL),
    "children": [LINK_THEME],
    "order": int,
    "url": str,
    "api_url": str,
    "publications_api_url": str,
    "case_studies_api_url": str,
    "updated_at": str,
}

CASE_STUDY = {
    "slug": str,
    "title": str,
    "summary": str,
    "body": str,
    "country": {"code": str, "name": str},
    "locality": str,
    "service_areas": [{"slug": str, "name": str}],
    "themes": [LINK_THEME],
    "year_started": (int, NULL),
    "year_ended": (int, NULL),
    "is_ongoing": bool,
    "organisations": [str],
    "outcomes": str,
    "publications": [LINK_PUBLICATION],
    "contributors": [LINK_CONTRIBUTOR],
    "url": str,
    "api_url": str,
    "updated_at": str,
}

PAGE = {"count": int, "next": (str, NULL), "previous": (str, NULL), "results": list}

# (list address, item spec, number of published starter items, a slug to fetch in detail)
ENDPOINTS = [
    ("/api/v1/publications/", PUBLICATION, 8, "palgrave-handbook-of-co-production"),
    ("/api/v1/contributors/", CONTRIBUTOR, 8, "elke-loeffler"),
    ("/api/v1/themes/", THEME, 10, "co-production"),
    ("/api/v1/case-studies/", CASE_STUDY, 6, "civivo-rimini"),
]


@pytest.fixture
def starter():
    load_starter()


@pytest.mark.parametrize(("address", "spec", "count", "slug"), ENDPOINTS)
def test_list_response_has_exact_fields_and_types(client, starter, address, spec, count, slug):
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert_shape(body, PAGE, "page")
    assert body["count"] == count
    assert len(body["results"]) == count
    assert body["next"] is None and body["previous"] is None
    for item in body["results"]:
        assert_shape(item, spec, f"{address} item")


@pytest.mark.parametrize(("address", "spec", "count", "slug"), ENDPOINTS)
def test_detail_response_has_exact_fields_and_types(client, starter, address, spec, count, slug):
    response = client.get(f"{address}{slug}/")
    assert response.status_code == 200
    item = response.json()
    assert_shape(item, spec, f"{address}{slug}/")
    assert item["slug"] == slug
    assert item["api_url"] == f"http://testserver{address}{slug}/"


def test_publication_detail_carries_contributors_in_order_with_roles_and_identifiers(client, starter):
    item = client.get("/api/v1/publications/understanding-developments-in-participatory-governance/").json()
    assert [(c["slug"], c["role"], c["position"]) for c in item["contributors"]] == [
        ("sonia-bussu", "author", 0),
        ("yaron-golan", "author", 1),
        ("anna-hargreaves", "author", 2),
    ]
    assert item["contributors"][0]["name"] == "Sonia Bussu"
    assert item["contributors"][0]["api_url"] == "http://testserver/api/v1/contributors/sonia-bussu/"
    assert item["identifiers"] == {"doi": "", "doi_url": None, "isbn": "9781910029787"}
    assert item["kind"] == "report" and item["kind_label"] == "Report"
    assert item["url"] == "http://testserver/publications/understanding-developments-in-participatory-governance/"
    assert [t["slug"] for t in item["themes"]] == [
        "participatory-governance", "digital-participation", "inclusion-of-disempowered-groups",
    ]


def test_book_lists_its_chapters_and_chapter_links_its_book(client, starter):
    book = client.get("/api/v1/publications/co-production-of-public-services-and-outcomes/").json()
    assert book["identifiers"]["doi_url"] == "https://doi.org/10.1007/978-3-030-55509-2"
    assert sorted(c["slug"] for c in book["children"]) == [
        "challenges-to-effective-co-production",
        "co-production-in-health-social-care-and-public-safety",
        "the-four-cos",
    ]
    assert book["parent"] is None
    assert len(book["case_studies"]) == 6
    chapter = client.get("/api/v1/publications/the-four-cos/").json()
    assert_shape(chapter["parent"], LINK_PUBLICATION, "parent")
    assert chapter["parent"]["slug"] == "co-production-of-public-services-and-outcomes"
    assert chapter["pages"] == "75-176"
    assert chapter["children"] == []


def test_case_study_carries_country_service_areas_themes_and_publications(client, starter):
    item = client.get("/api/v1/case-studies/civivo-rimini/").json()
    assert item["country"] == {"code": "IT", "name": "Italy"}
    assert [a["slug"] for a in item["service_areas"]] == ["community-safety", "public-spaces"]
    assert sorted(t["slug"] for t in item["themes"]) == ["co-delivery", "co-production"]
    assert sorted(p["slug"] for p in item["publications"]) == [
        "co-production-of-public-services-and-outcomes",
        "palgrave-handbook-of-co-production",
    ]


def test_theme_carries_parent_and_children(client, starter):
    parent = client.get("/api/v1/themes/co-production/").json()
    assert parent["parent"] is None
    assert [c["slug"] for c in parent["children"]] == [
        "co-commissioning", "co-design", "co-delivery", "co-assessment",
    ]
    assert parent["publications_api_url"] == "http://testserver/api/v1/publications/?theme=co-production"
    child = client.get("/api/v1/themes/co-design/").json()
    assert child["parent"] == {
        "slug": "co-production",
        "name": "Co-production",
        "url": "http://testserver/themes/co-production/",
        "api_url": "http://testserver/api/v1/themes/co-production/",
    }


def test_contributor_links_to_their_filtered_publications(client, starter):
    item = client.get("/api/v1/contributors/elke-loeffler/").json()
    assert item["name"] == "Elke Loeffler"
    assert item["publications_api_url"] == "http://testserver/api/v1/publications/?contributor=elke-loeffler"
    listed = client.get(item["publications_api_url"]).json()
    assert listed["count"] == 5


def test_root_lists_every_resource(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "version": "v1",
        "publications": "http://testserver/api/v1/publications/",
        "contributors": "http://testserver/api/v1/contributors/",
        "themes": "http://testserver/api/v1/themes/",
        "case_studies": "http://testserver/api/v1/case-studies/",
        "publication_facets": "http://testserver/api/v1/facets/publications/",
        "case_study_facets": "http://testserver/api/v1/facets/case-studies/",
        "publications_csl_json": "http://testserver/api/v1/citations/csl-json/",
        "publications_bibtex": "http://testserver/api/v1/citations/bibtex/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


# --- HTTP behaviour other sites rely on -----------------------------------------------------------


def test_unknown_api_address_is_a_json_404(client):
    for address in ("/api/v2/", "/api/v1/books/", "/api/v1/publications/a/b/c/", "/api/anything"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "status": 404,
            "code": "not_found",
            "detail": "There is no API endpoint at this address: see /api/v1/ for the list.",
        }


def test_address_without_trailing_slash_redirects_keeping_the_query(client):
    response = client.get("/api/v1/publications?kind=book")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/publications/?kind=book"


def test_cors_allows_a_configured_origin_and_no_other(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example.ac.uk"]
    allowed = client.get("/api/v1/themes/", HTTP_ORIGIN="https://partner.example.ac.uk")
    assert allowed["Access-Control-Allow-Origin"] == "https://partner.example.ac.uk"
    assert allowed["Access-Control-Expose-Headers"] == "ETag, Last-Modified, Retry-After, Link, X-Total-Count"
    other = client.get("/api/v1/themes/", HTTP_ORIGIN="https://elsewhere.example.com")
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other
    page = client.get("/themes/", HTTP_ORIGIN="https://partner.example.ac.uk")
    assert "Access-Control-Allow-Origin" not in page, "only the API is shared cross-origin"


def test_cors_preflight_offers_read_methods_only(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example.ac.uk"]
    response = client.options(
        "/api/v1/publications/",
        HTTP_ORIGIN="https://partner.example.ac.uk",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_anonymous_clients_get_429_with_retry_after_past_the_rate(client, settings, monkeypatch):
    # DRF reads THROTTLE_RATES once at import, so the rate is set on the class (API_ANON_RATE).
    from rest_framework.throttling import AnonRateThrottle

    settings.PAGE_CACHE = False  # a cached response is served before the throttle is consulted
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    statuses = [client.get("/api/v1/themes/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/api/v1/themes/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["status"] == 429 and body["code"] == "throttled"
    assert body["detail"].startswith("Too many requests: try again in ")
    # Another client address has its own allowance.
    assert client.get("/api/v1/themes/", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_conditional_get_gives_304_until_the_content_changes(client, settings, starter):
    from publications.models import Publication

    settings.PAGE_CACHE = True
    address = "/api/v1/publications/the-four-cos/"
    first = client.get(address)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
    assert client.get(address, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(address, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    listing = client.get("/api/v1/publications/")
    assert client.get("/api/v1/publications/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304

    chapter = Publication.objects.get(slug="the-four-cos")
    chapter.pages = "75-177"
    chapter.save()

    changed = client.get(address, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["pages"] == "75-177"
    assert changed["ETag"] != etag
    assert client.get("/api/v1/publications/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


def test_schema_is_served_as_openapi_3_json(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "INLOGOV Research Hub API"
    assert "/api/v1/publications/{slug}/" in schema["paths"]


def test_docs_page_runs_no_inline_script_and_loads_assets_from_this_site(client):
    import re

    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    sources = []
    for attributes, body in scripts:
        assert body.strip() == "", "inline script: the Content-Security-Policy would block it"
        sources.append(re.search(r'src="([^"]+)"', attributes).group(1))
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    for src in sources:
        asset = client.get(src.replace("&amp;", "&"))
        assert asset.status_code == 200, src
        assert "javascript" in asset["Content-Type"], (src, asset["Content-Type"])
    init = client.get(sources[-1].replace("&amp;", "&")).content.decode()
    assert "/api/schema/" in init
