"""Deep pages fetch their ids first (``faceting.CountedPaginator``): the same items, in the same
order, as reading the page directly, in the HTML listing and in the API."""

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from inlogov.faceting import CountedPaginator, faceted_search, paginate
from publications.filters import PublicationFilter
from publications.models import Publication
from tests.factories import future, make_publication, make_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    # Years repeat and titles tie across kinds, so the ordering's tie-breaks matter.
    for n in range(13):
        make_publication(f"Service design {n % 4}", year=2000 + n % 3, abstract="<p>services</p>")
    make_publication("A draft", status="draft")


@pytest.mark.parametrize("query", ["", "sort=title", "sort=oldest", "q=service"])
def test_id_first_pages_equal_direct_pages(catalogue, monkeypatch, query):
    queryset = PublicationFilter(QueryDict(query)).qs
    direct = Paginator(queryset, 4)
    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 0)  # every page but the first, id-first
    for number in direct.page_range:
        page, message = paginate(queryset, number, 4)
        assert message is None
        assert [item.slug for item in page] == [item.slug for item in direct.page(number)]
    assert page.paginator.count == 13


def test_api_pages_are_the_same_id_first(client, catalogue, monkeypatch):
    def slugs():
        cache.clear()  # the page cache, when configured, must not answer for the second run
        pages = []
        for number in (1, 2, 3, 4):
            response = client.get(f"/api/v1/publications/?page_size=4&page={number}&sort=title")
            pages.append([item["slug"] for item in response.json()["results"]])
        return pages

    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 10**9)
    direct = slugs()
    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 0)
    assert slugs() == direct
    assert sum(len(page) for page in direct) == 13


def test_search_pages_by_relevance_are_read_ids_first(catalogue):
    # Ordered by a computed rank, every page (the first too) sorts narrow (id, rank) rows and
    # then fetches its items: the same items in the same order as reading them directly.
    queryset = PublicationFilter(QueryDict("q=service")).qs
    direct = Paginator(queryset, 4)
    for number in direct.page_range:
        with CaptureQueriesContext(connection) as queries:
            page, _message = paginate(queryset, number, 4, count=13)
            slugs = [item.slug for item in page]
        assert slugs == [item.slug for item in direct.page(number)]
        narrow = queries.captured_queries[0]["sql"]
        assert narrow.startswith('SELECT "publications_publication"."id"') and " FROM " in narrow
        assert "abstract" not in narrow.split(" FROM ")[0]
    # Other orders read the first pages directly: one query for the page.
    with CaptureQueriesContext(connection) as queries:
        page, _message = paginate(PublicationFilter(QueryDict("sort=title")).qs, 1, 4, count=13)
        list(page)
    assert '"publications_publication"."abstract"' in queries.captured_queries[0]["sql"]


def test_id_first_rows_are_fetched_by_id_and_an_item_made_private_in_between_is_left_out(catalogue):
    queryset = PublicationFilter(QueryDict("q=service")).qs
    paginator = CountedPaginator(queryset, 4, count=13)
    ids = list(queryset.values_list("pk", flat=True)[:4])
    Publication.objects.filter(pk=ids[1]).update(status="draft")
    with CaptureQueriesContext(connection) as queries:
        rows = paginator._rows(ids)
    assert [row.pk for row in rows] == [ids[0], ids[2], ids[3]]
    # By id, with the publishing rule, not the search again.
    where = queries.captured_queries[0]["sql"].split(" WHERE ", 1)[1]
    assert '"publications_publication"."id" IN (' in where
    assert "@@" not in where and "LIKE" not in where  # the search (PostgreSQL, SQLite) is not redone
    # Nor the rank, nor a sort: the ids come in the page's order and the rows are put in it.
    sql = queries.captured_queries[0]["sql"]
    assert "ORDER BY" not in sql and "ts_rank" not in sql and "CASE WHEN" not in sql


@pytest.mark.parametrize("query", ["q=service", "q=service&page=3", "page=2", "sort=title&page=3", "page=4"])
def test_listing_pages_chosen_by_id_show_the_same_cards_read_by_hand(client, catalogue, monkeypatch, query):
    # The listings read a page whose items were chosen by id (a search, a deep page) with
    # publications.cards.cards_by_id: the page must be exactly what the queryset gave.
    from publications.views import PublicationListView

    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 0)  # every page but the first, id-first
    monkeypatch.setattr(PublicationListView, "paginate_by", 4)
    make_publication("In a book", kind="chapter", parent=make_publication("Service design book"),
                     year=2001, abstract="<p>services</p>")
    pages = []
    for reader in (PublicationListView.read_rows, None):
        monkeypatch.setattr(PublicationListView, "read_rows", reader)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            pages.append((client.get(f"/publications/?{query}").text, len(queries)))
    (by_hand, by_hand_queries), (by_queryset, by_queryset_queries) = pages
    assert by_hand == by_queryset
    assert by_hand_queries == by_queryset_queries  # nothing a card shows is read on its own
    assert by_hand.count('class="card card--publication"') == (3 if query == "page=4" else 4)


def test_id_first_rows_read_by_hand_leave_out_an_item_made_private_in_between(catalogue):
    from publications.cards import cards_by_id

    queryset = PublicationFilter(QueryDict("q=service")).qs
    paginator = CountedPaginator(queryset, 4, count=13, rows_reader=lambda ids: cards_by_id(Publication, ids))
    ids = list(queryset.values_list("pk", flat=True)[:4])
    Publication.objects.filter(pk=ids[1]).update(status="draft")
    Publication.objects.filter(pk=ids[2]).update(publish_from=future())
    with CaptureQueriesContext(connection) as queries:
        rows = paginator._rows(ids[::-1])
    assert [row.pk for row in rows] == [ids[3], ids[0]]  # in the order given
    assert "@@" not in queries.captured_queries[0]["sql"]  # the search is not redone
    assert paginator._rows([]) == []


def test_id_first_rows_keep_filters_that_join_so_no_item_repeats(catalogue):
    # The item has two themes; a filter on one joins the link table. Without its condition the
    # join would give the item twice.
    first, second = make_theme("First"), make_theme("Second")
    item = make_publication("In both", themes=[first, second])
    joined = Publication.objects.published().filter(themes__in=[first]).for_listing().order_by("title")
    assert CountedPaginator(joined, 4)._rows([item.pk]) == [item]


def test_id_first_rows_keep_annotations_a_page_shows_and_serve_values_rows(catalogue, monkeypatch):
    """Rows fetched by id drop the ordering and the search rank (never shown), but keep any other
    annotation, even one the list is ordered by, and a ``values()`` list pages as before."""
    from django.db.models import F

    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 0)
    annotated = Publication.objects.published().annotate(shown=F("year") * 10).order_by("-shown", "title", "pk")
    direct = Paginator(annotated, 4).page(2)
    page = CountedPaginator(annotated, 4).page(2)
    assert [(item.slug, item.shown) for item in page] == [(item.slug, item.shown) for item in direct]
    values = Publication.objects.published().order_by("-year", "title", "pk").values("slug", "year")
    assert list(CountedPaginator(values, 4).page(3)) == list(Paginator(values, 4).page(3))


@pytest.fixture
def years_catalogue():
    # 31 public items over ten years (1995-2004), two kinds, titles that tie within a year; a
    # scheduled item and a draft that no count or page may include.
    for n in range(31):
        year = 1995 + (n * 7) % 10
        kind = Publication.Kind.REPORT if n % 3 else Publication.Kind.BOOK
        make_publication(f"Service year {n % 5}", year=year, kind=kind, abstract="<p>services</p>")
    make_publication("Service to come", year=2000, publish_from=future())
    make_publication("Service draft", year=2001, status="draft")


@pytest.mark.parametrize(
    "query",
    ["", "sort=oldest", "kind=report", "year_from=1997&year_to=2002", "q=service&sort=newest",
     "kind=book&sort=oldest&year_to=2001", "sort=title"],
)
def test_deep_pages_of_a_list_by_year_start_at_their_year(years_catalogue, monkeypatch, query):
    """A deep page of a list ordered by year reads from its first item's year on, skipping only
    that year's earlier items: the same items as the plain OFFSET, on every page."""
    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 0)
    result = faceted_search(
        PublicationFilter, QueryDict(query), Publication.objects.published().for_cards(), page_size=4
    )
    listed = list(result.filterset.qs)
    direct = Paginator(listed, 4)
    by_year = connection.vendor == "postgresql" and "title" not in query  # the counts are precomputed there
    assert (result.year_seek is not None) == by_year
    for number in direct.page_range:
        with CaptureQueriesContext(connection) as queries:
            page, message = paginate(
                result.queryset, number, 4, result.total, result.chosen_page,
                rows_source=result.filterset.queryset, year_seek=result.year_seek,
            )
            slugs = [item.slug for item in page]
        assert message is None
        assert slugs == [item.slug for item in direct.page(number)]
        if by_year and number > 1:
            first = direct.page(number)[0]
            earlier = sum(1 for item in listed[: (number - 1) * 4] if item.year == first.year)
            ids_sql = queries.captured_queries[0]["sql"]
            sign = ">=" if "oldest" in query else "<="
            assert f'"publications_publication"."year" {sign} {first.year}' in ids_sql
            limit = f"LIMIT {len(slugs)}"
            assert ids_sql.endswith(f"{limit} OFFSET {earlier}" if earlier else limit)
    assert page.paginator.count == len(listed)


def test_year_counts_that_do_not_add_up_are_not_used(years_catalogue):
    # Counts read before an edit and a count read after it may disagree: then the page is read
    # with the plain OFFSET rather than from a year that may be wrong.
    queryset = PublicationFilter(QueryDict("")).qs
    stale = ("year", True, [(2004, 3), (2003, 3), (2002, 4)])
    paginator = CountedPaginator(queryset, 4, count=31, year_seek=stale)
    assert paginator._seek(8) == (paginator.object_list, 8)
    counted = [(year, queryset.filter(year=year).count()) for year in range(2004, 1994, -1)]
    paginator = CountedPaginator(queryset, 4, count=31, year_seek=("year", True, counted))
    seeking, offset = paginator._seek(8)
    assert (counted[:3], offset) == ([(2004, 3), (2003, 3), (2002, 3)], 2)  # place 8 is 2002's third
    assert sorted(set(seeking.values_list("year", flat=True))) == list(range(1995, 2003))
