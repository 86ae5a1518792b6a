"""Filter parity (issue 5, acceptance 2): for the same query string, the API returns exactly the
items, in the same order, and the same facet counts as the public HTML listing.

The HTML side is read from the view's context (`page_obj`, `result.facets`), not by scraping, so
the comparison is of data. Both sides use one FilterSet per type (publications/filters.py).
"""

import pytest

from tests.api_helpers import load_starter
from tests.factories import future, make_case_study, make_contributor, make_publication, make_theme

pytestmark = pytest.mark.django_db

HTML_PAGE_SIZE = 20  # PublicationListView.paginate_by / CaseStudyListView.paginate_by


@pytest.fixture
def content():
    """The starter content, 24 more publications across kinds, years and access, and drafts."""
    load_starter()
    from people.models import Contributor
    from themes.models import Theme

    co_design = Theme.objects.get(slug="co-design")
    participatory = Theme.objects.get(slug="participatory-governance")
    elke = Contributor.objects.get(slug="elke-loeffler")
    sonia = Contributor.objects.get(slug="sonia-bussu")
    extra = make_contributor("Rowan", "Reed", slug="rowan-reed")
    kinds = ["journal_article", "report", "working_paper", "chapter"]
    for n in range(24):
        make_publication(
            f"Study {n:02d} of local co-design" if n % 3 == 0 else f"Paper {n:02d} on participation",
            slug=f"extra-{n:02d}",
            kind=kinds[n % 4],
            year=2008 + n % 15,
            themes=[co_design] if n % 2 else [participatory],
            contributors=[(elke if n % 2 else sonia), extra] if n % 5 == 0 else [extra],
            is_open_access=n % 3 == 0,
        )
    for n in range(3):
        make_case_study(f"Extra case {n}", slug=f"extra-case-{n}", country="NL", year_started=2010 + n,
                        themes=[participatory])
    hidden = make_theme("Hidden sub-theme", parent=co_design.parent, status="draft", slug="hidden-sub")
    ghost = make_contributor("Ghost", "Writer", status="draft", slug="ghost-writer")
    make_publication("Draft co-design study", status="draft", themes=[co_design, hidden],
                     contributors=[ghost, elke], kind="report", year=2020)
    make_publication("Scheduled paper", publish_from=future(), themes=[participatory], year=2021)
    make_case_study("Draft case", status="draft", country="NL", themes=[co_design])


def html_listing(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    context = response.context
    assert not context["problems"], context["problems"]
    slugs = [item.slug for item in context["page_obj"].object_list]
    facets = {
        facet.name: [(v.value, v.count, v.selected) for v in facet.values]
        for facet in context["result"].facets
    }
    return slugs, context["paginator"].count, facets


def api_listing(client, resource, facets_path, query):
    joiner = "&" if query else ""
    response = client.get(f"/api/v1/{resource}/?{query}{joiner}page_size={HTML_PAGE_SIZE}")
    assert response.status_code == 200, response.json()
    body = response.json()
    facet_response = client.get(f"/api/v1/facets/{facets_path}/?{query}")
    assert facet_response.status_code == 200
    facet_body = facet_response.json()
    assert facet_body["count"] == body["count"]
    facets = {
        facet["name"]: [(v["value"], v["count"], v["selected"]) for v in facet["values"]]
        for facet in facet_body["facets"]
    }
    return [item["slug"] for item in body["results"]], body["count"], facets


PUBLICATION_QUERIES = [
    "",
    "theme=co-production",
    "theme=co-design&theme=participatory-governance",
    "kind=report&kind=journal_article",
    "year_from=2012&year_to=2016",
    "contributor=elke-loeffler",
    "contributor=rowan-reed&open_access=true",
    "open_access=false&sort=oldest",
    "q=co-design",
    "q=participation&sort=title",
    "theme=democratic-and-social-innovation&kind=working_paper&year_from=2010",
    "sort=title&page=2",
    "theme=co-production&contributor=elke-loeffler&kind=chapter",
]

CASE_STUDY_QUERIES = [
    "",
    "theme=co-delivery",
    "service_area=health&service_area=social-care",
    "country=GB",
    "country=gb&country=nl&sort=title",
    "year_from=2011",
    "q=dementia",
    "theme=co-production&country=GB&sort=oldest",
]


def test_api_publications_match_the_html_listing(client, content):
    # One set of content for all the combinations: building it is the slow part.
    for query in PUBLICATION_QUERIES:
        html_slugs, html_count, html_facets = html_listing(client, "/publications/", query)
        api_slugs, api_count, api_facets = api_listing(client, "publications", "publications", query)
        assert api_slugs == html_slugs, query
        assert api_count == html_count, query
        assert api_facets == html_facets, query
        assert html_count > 0, f"{query!r} should match something, or the check proves little"


def test_api_case_studies_match_the_html_listing(client, content):
    for query in CASE_STUDY_QUERIES:
        html_slugs, html_count, html_facets = html_listing(client, "/case-studies/", query)
        api_slugs, api_count, api_facets = api_listing(client, "case-studies", "case-studies", query)
        assert api_slugs == html_slugs, query
        assert api_count == html_count, query
        assert api_facets == html_facets, query
        assert html_count > 0, query


def test_drafts_are_in_neither_listing_nor_facet_counts(client, content):
    html_slugs, html_count, html_facets = html_listing(client, "/publications/", "")
    api_slugs, api_count, api_facets = api_listing(client, "publications", "publications", "")
    assert api_count == html_count == 32  # 8 starter + 24 extra; no draft, no scheduled item
    theme_values = {value for value, _count, _selected in api_facets["theme"]}
    contributor_values = {value for value, _count, _selected in api_facets["contributor"]}
    assert "hidden-sub" not in theme_values and "ghost-writer" not in contributor_values
