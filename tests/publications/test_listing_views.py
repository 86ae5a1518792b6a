"""The faceted listing pages: what a visitor sees, hostile addresses, query counts, links."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from publications.filters import PublicationFilter
from tests.factories import (
    future,
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)
from tests.publications.listing_data import catalogue_for_module

pytestmark = pytest.mark.django_db

LISTINGS = ["/publications/", "/case-studies/"]

HOSTILE = [
    "theme=no-such-theme",
    "theme=hidden-theme",
    "kind=spaceship",
    "contributor=secret-person",
    "service_area=nowhere",
    "country=ZZ&country=gb",
    "year_from=abc&year_to=xyz",
    "year_from=2020&year_to=1990",
    "year_from=-5&year_to=1e9",
    "year_from=99999999999999999999999",
    "page=0",
    "page=-1",
    "page=1000000000",
    "page=abc",
    "page=1&page=2",
    "q=" + "a" * 10000,
    "q=%00%01%02abc%7f",
    "q=%22unclosed&q=second",
    "q=%27%3B+DROP+TABLE+publications_publication%3B--",
    "q=!!!%26%26||(())::*",
    "q=the",
    "sort=__class__",
    "sort=-id",
    "open_access=maybe",
    "theme=" + "x" * 5000,
    "kind=book&kind=book&kind=book",
    "theme=%00",
    "%00=%00",
    "year_from=%EF%BF%BD",
    "theme[]=a&theme=co-design",
]


@pytest.fixture(scope="module")
def cat(django_db_setup, django_db_blocker):
    with catalogue_for_module(django_db_blocker) as catalogue:
        yield catalogue


def links(html, css_class):
    return [unescape(href) for href in re.findall(rf'<a class="{css_class}" href="([^"]*)"', html)]


@pytest.mark.parametrize("url", LISTINGS)
def test_hostile_parameters_give_a_normal_page_never_a_server_error(cat, client, url):
    # One catalogue for the whole corpus keeps this fast; failures name every bad query.
    failures = []
    for query in HOSTILE:
        response = client.get(f"{url}?{query}")
        if response.status_code != 200 or "<h1>" not in response.text or "\x00" in response.text:
            failures.append((query[:60], response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        ("theme=no-such-theme", "theme", "No published theme matches “no-such-theme”, so it was ignored."),
        ("year_from=abc", "year_from", "“abc” is not a year, so it was ignored. Enter a year such as 2019."),
        ("year_from=2020&year_to=1990", "year_to", "The years were the wrong way round, so they were swapped: 1990 to 2020."),
        ("page=0", "page", "Pages are numbered from 1, so the first page is shown."),
        ("page=1000000000", "page", "There is no page 1000000000; the last page (1) is shown."),
        ("q=" + "a" * 10000, "q", "The search was too long, so only its first 200 characters were used."),
        ("q=a%00b", "q", "Control characters were removed."),
        ("sort=__class__", "sort", "“__class__” is not a sort order; choose one of relevance, newest, oldest, title."),
    ],
)
def test_ignored_parameters_are_listed_in_a_message(cat, client, query, param, message):
    for url in LISTINGS:
        response = client.get(f"{url}?{query}")
        text = unescape(response.text)
        assert "Some of the filters in the address could not be used as given:" in text
        assert f"<code>{param}</code>: {message}" in text


def test_a_clean_address_shows_no_message(cat, client):
    response = client.get("/publications/?theme=co-production&kind=book")
    assert "could not be used" not in response.text


def test_listing_shows_counts_for_screen_readers_and_hides_drafts(cat, client):
    html = client.get("/publications/").text
    assert 'Co-production <span class="facet__count">7<span class="visually-hidden"> publications</span></span>' in html
    assert "<h2 id=\"results-heading\" class=\"listing__count\">12 publications</h2>" in html
    for hidden in ("Secret draft book", "Future report on service", "Hidden theme", "Draft sub-theme", "Secret Person"):
        assert hidden not in html
    html = client.get("/case-studies/").text
    assert 'Health <span class="facet__count">3<span class="visually-hidden"> case studies</span></span>' in html
    assert "6 case studies" in html
    for hidden in ("Secret case", "Future case", "Hidden theme"):
        assert hidden not in html


def test_selected_value_with_no_results_stays_visible_and_checked(cat, client):
    html = client.get("/publications/?theme=co-commissioning&kind=book").text
    assert re.search(
        r'<input type="checkbox" name="kind" value="book" id="facet-kind-\d+" checked>\s*'
        r'<label for="facet-kind-\d+">Book <span class="facet__count">0<',
        html,
    )
    assert "0 publications" in html


def test_no_results_suggests_removing_the_narrowest_filter(cat, client):
    html = unescape(client.get("/publications/?theme=co-commissioning&kind=book").text)
    # Without the theme there are 3 books; without the kind there are 2 co-commissioning items.
    assert "No publications match these filters." in html
    assert 'Try <a href="?kind=book">removing the theme filter</a>, which would show 3 publications' in html


def test_chips_each_remove_exactly_one_filter(cat, client):
    html = client.get("/publications/?theme=co-production&kind=book&kind=report&year_from=2010&q=service").text
    chips = links(html, "chip")
    assert [parse_qs(urlsplit(href).query) for href in chips] == [
        {"kind": ["book", "report"], "year_from": ["2010"], "q": ["service"]},
        {"theme": ["co-production"], "kind": ["report"], "year_from": ["2010"], "q": ["service"]},
        {"theme": ["co-production"], "kind": ["book"], "year_from": ["2010"], "q": ["service"]},
        {"theme": ["co-production"], "kind": ["book", "report"], "q": ["service"]},
        {"theme": ["co-production"], "kind": ["book", "report"], "year_from": ["2010"]},
    ]
    assert "Remove filter </span>Theme: Co-production" in html
    assert "Remove filter </span>Year: from 2010" in html


def test_decade_links_keep_other_filters_and_set_the_range(cat, client):
    html = unescape(client.get("/publications/?kind=journal_article").text)
    assert '<a href="?kind=journal_article&year_from=2010&year_to=2019" data-facet-value="2010">2010s' in html


def _many_publications(count, theme, kind="report"):
    author = make_contributor("Pat", "Page")
    for number in range(count):
        make_publication(f"Paged item {number:03d}", year=2000 + number % 20, kind=kind, themes=[theme], contributors=[author])


def test_pagination_links_keep_every_filter(client):
    theme = make_theme("Paging", slug="paging")
    _many_publications(45, theme)
    make_publication("Other kind", kind="book", themes=[theme])
    html = unescape(client.get("/publications/?theme=paging&kind=report&sort=title").text)
    assert "45 publications" in html
    assert '<a rel="next" href="?theme=paging&kind=report&sort=title&page=2">' in html
    assert '<a href="?theme=paging&kind=report&sort=title&page=3">Last' in html
    page3 = unescape(client.get("/publications/?theme=paging&kind=report&sort=title&page=3").text)
    assert "Page 3 of 3" in page3
    assert "Paged item 044" in page3 and "Paged item 039" not in page3
    assert '<a rel="prev" href="?theme=paging&kind=report&sort=title&page=2">' in page3


def test_page_past_the_end_shows_the_last_page(client):
    theme = make_theme("Paging", slug="paging")
    _many_publications(25, theme)
    html = client.get("/publications/?theme=paging&sort=title&page=1000000000").text
    assert "Page 2 of 2" in html
    assert "Paged item 024" in html


def test_sort_orders_on_the_page(cat, client):
    def order(query):
        html = client.get(f"/publications/?{query}").text
        return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)

    assert order("sort=title")[:3] == [
        "Co-design in social care",
        "Co-production of public services",
        "Commissioning services together",
    ]
    assert order("sort=oldest")[0] == "Participatory budgeting"
    assert order("")[0] == "Digital public services"
    searched = order("q=service")
    assert len(searched) == 5 and searched[-1] == "Co-design in social care"


def _listing_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _build_publications(count):
    parent = make_theme("Parent")
    themes = [make_theme(f"Sub {n}", parent=parent) for n in range(3)] + [make_theme("Other")]
    people = [make_contributor("Person", f"Number {n}") for n in range(count)]
    for n in range(count):
        make_publication(
            year=1990 + n,
            kind=["book", "report", "chapter", "journal_article"][n % 4],
            themes=[themes[n % len(themes)]],
            contributors=[people[n], people[(n + 1) % count]],
            is_open_access=n % 2 == 0,
        )
    return parent


def _build_case_studies(count):
    parent = make_theme("Parent")
    themes = [make_theme(f"Sub {n}", parent=parent) for n in range(3)]
    areas = [make_service_area(f"Area {n}") for n in range(count)]
    for n in range(count):
        make_case_study(
            country=["GB", "DE", "NZ", "FR", "IT"][n % 5],
            themes=[themes[n % 3]],
            service_areas=[areas[n]],
            year_started=1980 + n,
        )
    return parent


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("filtered", [True, False], ids=["filtered", "unfiltered"])
def test_publication_listing_query_count_is_constant(client, django_assert_num_queries, count, filtered):
    # However many items, contributors, decades or themes there are (here 5 or 50 of each, all on
    # one page), the listing runs the same queries; see _publication_queries for the list.
    parent = _build_publications(count)
    client.get("/publications/")  # warm anything process-wide (content types, sessions)
    from django.core.cache import cache

    cache.clear()
    url = f"/publications/?theme={parent.slug}&open_access=true&q=publication&sort=title" if filtered else "/publications/?"
    with django_assert_num_queries(_publication_queries(filtered)):
        response = client.get(url + "&per=" + str(count))
    # The total shown without a COUNT query is the number a COUNT gives.
    query = QueryDict(urlsplit(url).query)
    assert response.context["paginator"].count == PublicationFilter(query).qs.count() > 0


@pytest.mark.parametrize("count", [5, 50])
def test_case_study_listing_query_count_is_constant(client, django_assert_num_queries, count):
    # Same budget reasoning as publications: vocabularies, one GROUP BY per facet, count, page, prefetches.
    parent = _build_case_studies(count)
    client.get("/case-studies/")
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(_EXPECTED["case_studies"]):
        client.get(f"/case-studies/?theme={parent.slug}&country=gb&country=de&per={count}")


def _publication_queries(filtered):
    """Queries for one publication listing.

    Always: published themes, the top contributors' labels, the page, and the credits its cards
    show (they show no themes). No COUNT: the total is the sum of an unselected facet that gives every
    item one value (kind, year or access). Then, for the facet counts:
    - SQLite: one GROUP BY each for theme, kind, decade, contributor and open access;
    - PostgreSQL, filtered (every facet has another selection or the search applied): one query
      over the facet rows for all five (publications/facet_counts.py);
    - PostgreSQL, unfiltered: the stored counts with the scheduled items to subtract, and the
      top contributors in count order.
    """
    if connection.vendor != "postgresql":
        return 4 + 5
    return 4 + (1 if filtered else 2)


# Case studies: published themes, service areas, page, the service areas its cards show, and
# the counts: on SQLite one GROUP BY each for theme, service area, country and decade, on
# PostgreSQL one statement for all four (publications/facet_counts.py, StatementCounts). No
# COUNT: with countries selected the total is the sum of their counts
# (test_a_country_selection_totals_its_counts_not_a_count).
_EXPECTED = {"case_studies": 5 if connection.vendor == "postgresql" else 8}


def test_a_country_selection_totals_its_counts_not_a_count(client):
    # A case study has one country, so the selected countries' counts (every other selection
    # applied) add up to the results: no COUNT query, and the number a COUNT gives.
    parent = make_theme("Parent")
    sub = make_theme("Sub", parent=parent)
    for country in ("GB", "GB", "DE"):
        make_case_study(country=country, themes=[sub])
    make_case_study(country="GB")  # outside the theme
    make_case_study(country="FR", themes=[parent])  # another country
    make_case_study(country="GB", themes=[sub], status="draft")
    make_case_study(country="DE", themes=[parent], publish_from=future())
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/case-studies/?theme={parent.slug}&country=gb&country=DE")
    html = response.content.decode()
    assert '<h2 id="results-heading" class="listing__count">3 case studies</h2>' in html
    assert response.context["paginator"].count == len(response.context["page_obj"].object_list) == 3
    assert not any(query["sql"].upper().startswith("SELECT COUNT(*)") for query in queries.captured_queries)

    # With no country (nor any other single-valued facet) selected the total is counted: by a
    # COUNT query, or on PostgreSQL by the statement that counts the facets
    # (publications/facet_counts.py, StatementCounts).
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/case-studies/?theme={parent.slug}")
    assert response.context["paginator"].count == 4
    counted = any(query["sql"].upper().startswith("SELECT COUNT(*)") for query in queries.captured_queries)
    assert counted == (connection.vendor != "postgresql")


def test_card_credits_name_each_public_person_in_order_with_role_and_escaped(client):
    # The card's credit line (publications/cards.py): citation order, "(ed.)" and
    # "(trans.)" after editors and translators, nothing after authors, names escaped, and a
    # draft person left out.
    from publications.models import PublicationContributor as Credit

    make_publication(
        "Credits in order", slug="credits-in-order",
        contributors=[
            make_contributor("Ada", "<Lovelace>"),
            (make_contributor("Hidden", "Draft", status="draft"), Credit.Role.EDITOR),
            (make_contributor("Kim", "Lee"), Credit.Role.EDITOR),
            (make_contributor("Sam", "Roe & Co"), Credit.Role.TRANSLATOR),
        ],
    )
    response = client.get("/publications/?q=credits+in+order")
    (card,) = [card for card in response.text.split("<article")[1:] if "Credits in order" in card]
    assert re.findall(r'<p class="card__people">(.*?)</p>', card) == [
        "Ada &lt;Lovelace&gt;, Kim Lee (ed.), Sam Roe &amp; Co (trans.)"
    ]


@pytest.mark.django_db
def test_facet_labels_are_escaped_in_the_checkbox_labels(client):
    theme = make_theme('Health & "care" <pilots>', slug="health-care-pilots")
    make_publication("Escaped", themes=[theme])
    html = client.get("/publications/").text
    assert (
        '<input type="checkbox" name="theme" value="health-care-pilots" id="facet-theme-1">\n'
        '      <label for="facet-theme-1">Health &amp; &quot;care&quot; &lt;pilots&gt; '
        '<span class="facet__count">1<span class="visually-hidden"> publications</span></span></label>'
    ) in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the counts query chooses a search's page on PostgreSQL")
def test_a_searched_page_the_counts_chose_never_builds_the_ranked_queryset(client, monkeypatch):
    # The facet query ranks the matches and keeps the page's ids; the page is read by id from
    # the unfiltered base, so the searched, ranked and sorted queryset is not built at all. A
    # page past the end falls back to the last page, read through that queryset as before.
    built = []
    original = PublicationFilter.filter_queryset

    def filter_queryset(self, queryset):
        built.append(self.data.get("page"))
        return original(self, queryset)

    monkeypatch.setattr(PublicationFilter, "filter_queryset", filter_queryset)
    for n in range(25):
        make_publication(f"Zebra crossings {n:02d}", year=2000 + n)
    make_publication("Pelican crossings", year=2030)
    make_publication("Zebra crossings in draft", status="draft")

    response = client.get("/publications/?q=zebra")
    assert built == []
    page = response.context["page_obj"]
    assert response.context["paginator"].count == 25
    # Equal ranks: newest first, as the relevance order breaks ties.
    assert [item.title for item in page.object_list] == [f"Zebra crossings {n:02d}" for n in range(24, 4, -1)]
    assert all(item.card_credits == "" for item in page.object_list)

    response = client.get("/publications/?q=zebra&page=9")
    assert built == ["9"]
    assert [item.title for item in response.context["page_obj"].object_list] == [
        f"Zebra crossings {n:02d}" for n in range(4, -1, -1)
    ]
    assert "There is no page 9; the last page (2) is shown." in response.text


FIRST_PAGES = [
    "/publications/", "/publications/?page=2", "/publications/?page=5", "/publications/?sort=oldest&page=2",
    "/publications/?sort=title&page=3", "/publications/?theme=co-production", "/publications/?theme=co-design&sort=title",
    "/publications/?kind=book&kind=report&year_from=2010", "/publications/?open_access=true&sort=oldest",
    "/publications/?contributor=elke-loeffler&page=2", "/publications/?theme=local-governance&open_access=false",
    "/publications/?year_to=2009", "/publications/?q=service",  # a search: the counts statement's page, as before
    "/publications/?open_access=true&open_access=false&sort=title", "/publications/?theme=hidden-theme&page=2",
    "/case-studies/", "/case-studies/?page=2", "/case-studies/?sort=oldest", "/case-studies/?sort=title&page=2",
    "/case-studies/?theme=co-production", "/case-studies/?country=gb&service_area=health",
    "/case-studies/?year_from=2010&year_to=2019", "/case-studies/?theme=co-production&sort=oldest",
    "/case-studies/?year_to=2016", "/case-studies/?q=care", "/case-studies/?q=care&page=2",  # searches: by id
]


@pytest.mark.parametrize("url", FIRST_PAGES)
def test_first_pages_read_by_hand_equal_the_querysets_pages(client, cat, monkeypatch, url):
    # The listings read their first pages with SQL written by hand (publications/cards.py,
    # listing_page): every selection, order and page must show what the queryset showed, with
    # as many queries. Three to a page, so that the pages and their order matter (a case
    # study without a start year sorts last, newest or oldest first).
    from django.core.cache import cache

    from publications.views import CaseStudyListView, PublicationListView

    pages = []
    for view in (PublicationListView, CaseStudyListView):
        monkeypatch.setattr(view, "paginate_by", 3)
    for reader in ("by hand", None):
        if reader is None:
            for view in (PublicationListView, CaseStudyListView):
                monkeypatch.setattr(view, "read_page", None)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        pages.append((response.text, len(queries)))
    (by_hand, by_hand_queries), (by_queryset, by_queryset_queries) = pages
    assert by_hand == by_queryset
    assert by_hand_queries == by_queryset_queries
    assert by_hand.count('class="card card--') == len(response.context["page_obj"].object_list) > 0
