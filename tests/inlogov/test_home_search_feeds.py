"""Home page, search, feeds, sitemap, robots.txt and error pages."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tests.factories import future, make_case_study, make_contributor, make_publication, make_theme

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_xml(content):
    return ET.fromstring(content)  # noqa: S314 - our own response, not untrusted input


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def content():
    """One published and one hidden (draft or scheduled) item of every type, all about co-design."""
    theme = make_theme("Co-design", slug="co-design")
    make_theme("Co-design secret theme", slug="co-design-secret", status="draft")
    person = make_contributor("Elke", "Loeffler", slug="elke-loeffler", relation="associate",
                              position="Associate")
    make_contributor("Hidden", "Loeffler", slug="hidden-loeffler", relation="staff", status="draft")
    make_contributor("Scheduled", "Loeffler", slug="scheduled-loeffler", relation="staff", publish_from=future())
    make_publication("Co-design in social care", slug="co-design-care", themes=[theme], contributors=[person],
                     is_featured=True)
    make_publication("Co-design draft", slug="co-design-draft", themes=[theme], status="draft", is_featured=True)
    make_publication("Co-design scheduled", slug="co-design-scheduled", themes=[theme], publish_from=future(),
                     is_featured=True)
    make_case_study("Co-design with young people", slug="co-design-young", themes=[theme])
    make_case_study("Co-design draft case", slug="co-design-draft-case", themes=[theme], status="draft")
    return theme


HIDDEN_TITLES = (
    "Co-design draft", "Co-design scheduled", "Co-design draft case", "Hidden Loeffler",
    "Scheduled Loeffler", "Co-design secret theme",
)


def assert_nothing_hidden(text):
    for title in HIDDEN_TITLES:
        assert title not in text, f"{title!r} leaked"


# --- Home -------------------------------------------------------------------------------------


def test_home_shows_featured_work_themes_cases_and_people(client, content):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert html.count("<h1") == 1
    assert '<a href="/publications/co-design-care/">Co-design in social care</a>' in html
    assert '<a href="/themes/co-design/">Co-design</a>' in html
    assert '<a href="/case-studies/co-design-young/">Co-design with young people</a>' in html
    assert '<a href="/people/elke-loeffler/"><strong>Elke Loeffler</strong></a>' in html
    # The draft and the scheduled items are not counted (on PostgreSQL the publications' total is
    # the stored one, less the scheduled items).
    assert "Browse all 1 publication" in text_of(html)
    assert "1 case study of co-production" in text_of(html)


def test_home_never_shows_draft_or_scheduled_items(client, content):
    assert_nothing_hidden(client.get("/").text)


def test_home_falls_back_to_newest_publications_when_none_are_featured(client):
    make_publication("Not featured but new", year=2024)
    assert "Not featured but new" in client.get("/").text


# The featured publications (+ credits), top-level themes (+ sub-themes), latest case studies
# (+ service areas), key people, two totals (the featured check is the first query). Cards show
# no themes, so none are fetched for them.
HOME_QUERIES = 9


@pytest.mark.parametrize("size", [5, 50])
def test_home_query_count_is_constant(client, django_assert_num_queries, size):
    for _ in range(size):
        parent = make_theme()
        make_theme(parent=parent)
        person = make_contributor(relation="staff")
        make_publication(is_featured=True, contributors=[person], themes=[parent])
        make_case_study(themes=[parent])
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.text.count('class="card card--publication"') == 4
    assert response.text.count('class="card card--case-study"') == 3


# --- Search -----------------------------------------------------------------------------------


def test_search_groups_results_by_type_with_counts(client, content):
    response = client.get("/search/", {"q": "co-design"})
    assert response.status_code == 200
    text = text_of(response.text)
    assert "3 results for co-design : 1 in publications, 1 in case studies, 0 in people, 1 in themes." in text
    assert 'Publications <span class="count">(1)</span>' in response.text
    assert 'Case studies <span class="count">(1)</span>' in response.text
    assert 'Themes <span class="count">(1)</span>' in response.text
    assert 'People <span class="count">' not in response.text
    assert_nothing_hidden(response.text)


def test_search_finds_people_by_full_name_and_hides_draft_people(client, content):
    response = client.get("/search/", {"q": "Loeffler"})
    assert 'People <span class="count">(1)</span>' in response.text
    assert '<a href="/people/elke-loeffler/">Elke Loeffler</a>' in response.text
    assert_nothing_hidden(response.text)
    assert '<a href="/people/elke-loeffler/">Elke Loeffler</a>' in client.get("/search/", {"q": "elke loeffler"}).text


def test_search_form_field_is_labelled_and_keeps_the_query(client, content):
    response = client.get("/search/", {"q": "co-design"})
    assert '<label for="search-q">' in response.text
    assert 'id="search-q" name="q" value="co-design"' in response.text


def test_search_without_a_query_shows_only_the_form(client, content):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "result" not in text_of(response.text).lower().split("search publications")[1]


def test_search_with_no_match_says_so(client, content):
    response = client.get("/search/", {"q": "zzzyxx"})
    assert "0 results for zzzyxx ." in text_of(response.text)
    assert "Nothing matched." in response.text


HOSTILE = [
    {"q": "x" * 10_000},
    {"q": "\x00\x01co-design\x7f"},
    {"q": ["co-design", "loeffler"]},
    {"q": "<script>alert(1)</script>"},
    {"q": "' OR 1=1 --"},
    {"q": "%%%___\\"},
    {"q": "&&& ||| !!! :*"},
    {"q": "\u202e\ufeffunicode \U0001F600"},
    {"page": "0", "q": "co"},
    {"page": str(10**9), "theme": "nope", "kind": "nonsense", "year_from": "abc", "year_to": "-1"},
]


@pytest.mark.parametrize("params", HOSTILE)
def test_hostile_search_parameters_never_cause_a_server_error(client, content, params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text


def test_overlong_search_is_shortened_with_a_note(client, content):
    response = client.get("/search/", {"q": "co-design " * 1000})
    assert "only its first 200 characters were used" in response.text


# Per type: a count and a page (+ the cards' prefetch for publications and case studies: credits,
# service areas). On PostgreSQL
# the publications' count (the kind facet over the stored facet rows) also chooses their first
# page by relevance, and the page is then fetched by id: the same number of queries, one pass
# over the matches.
SEARCH_QUERIES = 10


@pytest.mark.parametrize("size", [5, 50])
def test_search_query_count_is_constant(client, django_assert_num_queries, size):
    theme = make_theme("Co-design")
    for i in range(size):
        person = make_contributor("Co-design", f"Person {i}")
        make_publication(f"Co-design {i}", contributors=[person], themes=[theme])
        make_case_study(f"Co-design case {i}", themes=[theme])
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get("/search/", {"q": "co-design"})
    assert f'Publications <span class="count">({size})</span>' in response.text


def test_search_shows_the_listings_first_publications_in_relevance_order(client):
    """The search page's publications are the first of the listing's ``?q=`` results, in the same
    order (on PostgreSQL they are chosen by the facet query's ranking, on SQLite by the
    listing's ordering)."""
    for number in range(14):
        make_publication(
            f"Report {number:02}", slug=f"report-{number:02}", year=2000 + number % 3,
            abstract="<p>" + " ".join(["co-design"] * (number % 5 + 1)) + " of services.</p>",
        )
    make_publication("Draft on co-design", slug="draft-co-design", status="draft")
    make_publication("Scheduled co-design", slug="scheduled-co-design", publish_from=future())

    def slugs(html):
        return list(dict.fromkeys(re.findall(r'href="/publications/([a-z0-9-]+)/"', html)))

    shown = slugs(client.get("/search/", {"q": "co-design"}).text)
    listed = slugs(client.get("/publications/", {"q": "co-design"}).text)
    assert len(listed) == 14
    assert shown == listed[:10]
    assert "draft-co-design" not in shown and "scheduled-co-design" not in shown


def test_an_overlong_search_finds_what_the_listing_finds(client):
    """Both cut a long search at the last space within the limit, not in the middle of a word
    (the search page once cut "services" to "servi" and found nothing the listing found)."""
    from django.db import connection

    from inlogov.faceting import faceted_search
    from publications.filters import PublicationFilter
    from publications.models import Publication

    make_publication("Public services", slug="public-services")
    q = "services " * 25
    listed = faceted_search(PublicationFilter, {"q": q}, Publication.objects.published(), facets=False).queryset.count()
    response = client.get("/search/", {"q": q})
    assert f'Publications <span class="count">({listed})</span>' in response.text
    if connection.vendor == "postgresql":  # the words are matched (SQLite matches the phrase)
        assert listed == 1


# --- Feeds ------------------------------------------------------------------------------------


def feed_titles(response):
    root = parse_xml(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_publication_feed_lists_published_publications_only(client, content):
    make_publication("Another published book", slug="another")
    response = client.get("/feeds/publications/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert sorted(feed_titles(response)) == ["Another published book", "Co-design in social care"]


@pytest.mark.parametrize("url", ["/feeds/publications/", "/feeds/themes/co-design/publications/"])
def test_feeds_list_the_most_recently_made_public_first(client, content, url):
    """An item scheduled for a date went public then; one never scheduled went public when it
    was created. The order is the same on PostgreSQL and SQLite."""
    from publications.models import Publication

    dates = {
        "Created in January": (None, "2026-01-10T09:00:00Z"),
        "Scheduled for February": ("2026-02-01T09:00:00Z", "2025-12-01T09:00:00Z"),
        "Created in March": (None, "2026-03-01T09:00:00Z"),
        "Co-design in social care": (None, "2025-06-01T09:00:00Z"),
    }
    for title in dates:
        if title != "Co-design in social care":
            make_publication(title, themes=[content])
    for title, (publish_from, created_at) in dates.items():
        Publication.objects.filter(title=title).update(publish_from=publish_from, created_at=created_at)
    assert feed_titles(client.get(url)) == [
        "Created in March", "Scheduled for February", "Created in January", "Co-design in social care",
    ]


def test_publication_feed_accepts_the_listing_filters(client, content):
    make_publication("A report", slug="a-report", kind="report")
    assert feed_titles(client.get("/feeds/publications/?kind=report")) == ["A report"]
    assert feed_titles(client.get("/feeds/publications/?theme=co-design")) == ["Co-design in social care"]


def test_theme_feed_lists_published_publications_of_the_theme_and_its_sub_themes(client, content):
    child = make_theme("Co-design in care", slug="co-design-in-care", parent=content)
    make_publication("On the sub-theme", slug="on-sub", themes=[child])
    make_publication("Off theme", slug="off-theme")
    response = client.get("/feeds/themes/co-design/publications/")
    assert response.status_code == 200
    assert sorted(feed_titles(response)) == ["Co-design in social care", "On the sub-theme"]
    root = parse_xml(response.content)
    assert root.find(f"{ATOM}title").text == "INLOGOV Research Hub: new publications on Co-design"


@pytest.mark.parametrize("slug", ["co-design-secret", "no-such-theme"])
def test_feed_of_a_draft_or_unknown_theme_is_not_found(client, content, slug):
    assert client.get(f"/feeds/themes/{slug}/publications/").status_code == 404


@pytest.mark.parametrize("params", HOSTILE)
@pytest.mark.parametrize("url", ["/feeds/publications/", "/feeds/themes/co-design/publications/"])
def test_hostile_feed_parameters_never_cause_a_server_error(client, content, url, params):
    response = client.get(url, params)
    assert response.status_code == 200
    parse_xml(response.content)  # still a well-formed feed


# --- Sitemap and robots.txt -------------------------------------------------------------------


def sitemap_locs(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml"
    return [loc.text.removeprefix("http://testserver") for loc in parse_xml(response.content).iter(f"{SITEMAP}loc")]


def crawl_sitemaps(client):
    """Every URL a crawler finds by following /sitemap.xml (an index) to its sitemaps."""
    return [url for sitemap in sitemap_locs(client, "/sitemap.xml") for url in sitemap_locs(client, sitemap)]


def _sitemap_pages(section, model):
    """The sitemap pages that list ``model``'s public items: pages hold ranges of ids (2,000 a
    page), and ids keep rising across the tests of a run (PostgreSQL does not roll sequences
    back), so the fixture's items can be on any page, or on two."""
    from inlogov import sitemaps

    size = sitemaps._PublishedSitemap.limit
    numbers = sorted({(pk - 1) // size + 1 for pk in model.objects.published().values_list("pk", flat=True)})
    return [f"/sitemap-{section}.xml" + (f"?p={number}" if number > 1 else "") for number in numbers]


def test_sitemap_lists_every_published_item_and_nothing_else(client, content):
    from people.models import Contributor
    from publications.models import CaseStudy, Publication
    from themes.models import Theme

    assert sitemap_locs(client, "/sitemap.xml") == [
        "/sitemap-pages.xml",
        *_sitemap_pages("publications", Publication),
        *_sitemap_pages("case-studies", CaseStudy),
        *_sitemap_pages("people", Contributor),
        *_sitemap_pages("themes", Theme),
    ]
    assert sorted(crawl_sitemaps(client)) == sorted([
        "/", "/publications/", "/case-studies/", "/people/", "/themes/",
        "/publications/co-design-care/", "/case-studies/co-design-young/", "/people/elke-loeffler/",
        "/themes/co-design/",
    ])


def test_a_large_catalogue_is_split_into_sitemap_pages_the_index_links(client, monkeypatch, django_assert_num_queries):
    """Pages hold the public items of a range of ids (two ids a page here): every public item is
    on exactly one page the index links to, in id order, no hidden item is on any, and a range
    with no public item is neither linked nor served (the schema wants at least one URL)."""
    from inlogov import sitemaps

    monkeypatch.setattr(sitemaps._PublishedSitemap, "limit", 2)
    reports = [make_publication(f"Report {number}", slug=f"report-{number}") for number in range(7)]
    # Three hidden items with consecutive ids: at least one whole range of two holds only them.
    hidden = [
        make_publication("Draft report", slug="draft-report", status="draft"),
        make_publication("Scheduled report", slug="scheduled-report", publish_from=future()),
        make_publication("Second draft", slug="second-draft", status="draft"),
    ]
    last = make_publication("Last report", slug="last-report")
    # A gap in the ids, and a range whose only items are not public.
    reports[2].delete()
    reports[3].delete()
    public = {item.pk: f"/publications/{item.slug}/" for item in [*reports, last] if item.pk}
    pages = sorted({(pk - 1) // 2 + 1 for pk in public})
    hidden_pages = {(item.pk - 1) // 2 + 1 for item in hidden} - set(pages)
    assert hidden_pages
    index = sitemap_locs(client, "/sitemap.xml")
    assert [url for url in index if "publications" in url] == [
        "/sitemap-publications.xml" if n == 1 else f"/sitemap-publications.xml?p={n}" for n in pages
    ]
    for number in pages:
        listed = sitemap_locs(client, f"/sitemap-publications.xml?p={number}")
        assert listed == [url for pk, url in sorted(public.items()) if (number - 1) * 2 < pk <= number * 2]
    assert sorted(url for url in crawl_sitemaps(client) if url.startswith("/publications/")) == sorted(
        ["/publications/", *public.values()]
    )
    # A range with nothing public, a page past the end, or not a number: a 404, not an empty
    # sitemap or a 500.
    for number in hidden_pages:
        assert client.get(f"/sitemap-publications.xml?p={number}").status_code == 404
    assert client.get(f"/sitemap-publications.xml?p={pages[-1] + 1}").status_code == 404
    assert client.get("/sitemap-publications.xml?p=0").status_code == 404
    assert client.get("/sitemap-publications.xml?p=two").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
    # The index asks each of the four types for its pages, and each that has some (only the
    # publications here) for its latest change, whatever the number of items (aggregates only:
    # Django's default read every item to find the latest change); a page reads its highest id
    # and its range of rows, however deep it is.
    with django_assert_num_queries(5) as captured:
        response = client.get("/sitemap.xml")
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert all(" MAX(" in query["sql"] or "DISTINCT" in query["sql"] for query in captured.captured_queries)
    with django_assert_num_queries(2) as captured:
        client.get(f"/sitemap-publications.xml?p={pages[-1]}")
    assert not any("OFFSET" in query["sql"] or "COUNT(" in query["sql"] for query in captured.captured_queries)


def test_a_type_with_nothing_public_is_left_out_of_the_sitemap_index(client):
    make_publication("Draft only", status="draft")
    index = sitemap_locs(client, "/sitemap.xml")
    assert "/sitemap-publications.xml" not in index
    assert "/sitemap-pages.xml" in index
    assert client.get("/sitemap-publications.xml").status_code == 404


def test_the_sitemap_index_says_when_each_type_last_changed(client, content):
    from publications.models import Publication

    Publication.objects.filter(slug="co-design-care").update(updated_at="2026-03-04T05:06:07Z")
    root = parse_xml(client.get("/sitemap.xml").content)
    lastmods = {
        entry.find(f"{SITEMAP}loc").text.removeprefix("http://testserver"): getattr(
            entry.find(f"{SITEMAP}lastmod"), "text", None
        )
        for entry in root.iter(f"{SITEMAP}sitemap")
    }
    # The draft and scheduled publications changed later (when the fixture made them), and do
    # not count; the list pages have no date.
    pages = _sitemap_pages("publications", Publication)
    assert pages and {lastmods[page] for page in pages} == {"2026-03-04T05:06:07+00:00"}
    assert lastmods["/sitemap-pages.xml"] is None


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.text.splitlines()
    assert "Disallow: /admin/" in response.text.splitlines()


# --- Error pages ------------------------------------------------------------------------------


def test_unknown_page_is_a_friendly_404_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert 'class="skip-link" href="#main"' in response.text
    assert '<label for="notfound-q">Search the hub</label>' in response.text


def test_500_page_renders_without_a_request_or_database(django_assert_num_queries):
    from django.template import loader

    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "<h1>Sorry, something went wrong</h1>" in html
    assert "INLOGOV Research Hub" in html


def test_server_error_uses_the_friendly_500_page(settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("broken/", broken)]})
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.text
