"""The facet rows and counts PostgreSQL keeps (migrations 0005 and 0007, publications/facet_counts.py).

Two promises: the stored rows and counts are exactly what a fresh count gives after every kind
of write, and the facets read from them are exactly the facets the plain GROUP BY path computes
(which ``test_faceting.py`` checks against hand-worked numbers), for every selection.
"""

import threading
from collections import Counter
from datetime import timedelta
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inlogov import publishing
from inlogov.faceting import faceted_search, page_number, paginate
from publications.filters import CaseStudyFilter, PublicationFilter, theme_publications_per_year
from publications.models import Publication, PublicationContributor
from tests.factories import future, make_contributor, make_publication, make_theme
from tests.publications.listing_data import build_catalogue
from themes.models import Theme

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the facet rows and counts are PostgreSQL-only"),
]


class GroupByFilter(PublicationFilter):
    """The same FilterSet with every facet counted by GROUP BY queries."""

    precomputed_counts = None


def _stored():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT publication_id, status, kind, year, is_open_access, theme_ids, contributor_ids "
            "FROM publications_facetrow ORDER BY publication_id"
        )
        rows = [tuple(row) for row in cursor.fetchall()]
        cursor.execute("SELECT facet, value, n FROM publications_facetcount WHERE n <> 0")
        counts = {(facet, value): n for facet, value, n in cursor.fetchall()}
        cursor.execute("SELECT contributor_id, n FROM publications_contributorcount WHERE n <> 0")
        contributors = dict(cursor.fetchall())
        cursor.execute("SELECT scope_id, kind, year, is_open_access, n FROM publications_scopecount WHERE n <> 0")
        scopes = {tuple(row[:4]): row[4] for row in cursor.fetchall()}
        cursor.execute("SELECT scope_id, contributor_id, n FROM publications_scopecontributorcount WHERE n <> 0")
        scope_contributors = {(scope, pk): n for scope, pk, n in cursor.fetchall()}
        cursor.execute("SELECT scope_id, n FROM publications_scopetotal WHERE n <> 0")
        totals = dict(cursor.fetchall())
    return rows, counts, contributors, scopes, scope_contributors, totals


def _fresh():
    rows = []
    for publication in Publication.objects.order_by("pk").prefetch_related("themes", "contributions"):
        rows.append(
            (
                publication.pk,
                publication.status,
                publication.kind,
                publication.year,
                publication.is_open_access,
                sorted({theme.pk for theme in publication.themes.all()}),
                sorted({credit.contributor_id for credit in publication.contributions.all()}),
            )
        )
    # Scope 0: every item; +t: the items of theme t; -p: those of top-level theme p or its sub-themes.
    group_of = {pk: parent or pk for pk, parent in Theme.objects.values_list("pk", "parent_id")}
    counts, contributors, scopes, scope_contributors = Counter(), Counter(), Counter(), Counter()
    for _pk, status, kind, year, open_access, theme_ids, contributor_ids in rows:
        if status != "published":
            continue
        counts["kind", kind] += 1
        counts["year", str(year)] += 1
        counts["open_access", str(open_access).lower()] += 1
        counts["themes", ",".join(str(pk) for pk in theme_ids)] += 1
        contributors.update(contributor_ids)
        for scope in [0, *theme_ids, *{-group_of[pk] for pk in theme_ids if pk in group_of}]:
            scopes[scope, kind, year, open_access] += 1
            scope_contributors.update((scope, pk) for pk in contributor_ids)
    totals = Counter()  # every scope but 0 (migration 0014)
    for (scope, *_cell), n in scopes.items():
        if scope != 0:
            totals[scope] += n
    return rows, dict(counts), dict(contributors), dict(scopes), dict(scope_contributors), dict(totals)


def _search_rows():
    """The search rows (migration 0012) and what they must be: each facet row with its
    publication's title and search vector."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT publication_id, status, kind, year, is_open_access, theme_ids, contributor_ids, title, "
            "search_vector::text FROM publications_searchrow ORDER BY publication_id"
        )
        stored = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT f.publication_id, f.status, f.kind, f.year, f.is_open_access, f.theme_ids, f.contributor_ids, "
            "p.title, p.search_vector::text FROM publications_facetrow f "
            "JOIN publications_publication p ON p.id = f.publication_id ORDER BY f.publication_id"
        )
        expected = [tuple(row) for row in cursor.fetchall()]
    return stored, expected


def _assert_in_step():
    assert _stored() == _fresh()
    stored, expected = _search_rows()
    assert stored == expected


def test_rows_and_counts_stay_exact_through_every_kind_of_write():
    t = build_catalogue()
    _assert_in_step()

    # Links through the ORM: add, remove, set, clear.
    t.P9.themes.add(t.GOV, t.CD)
    t.P1.themes.remove(t.CP)
    t.P4.themes.set([t.CM, t.DT])
    t.P6.themes.clear()
    _assert_in_step()

    # Credits: reorder, a second role for the same person (counted once), remove, add.
    first, second = t.P1.contributions.order_by("position")
    first.position, second.position = 5, 0
    first.save()
    second.save()
    PublicationContributor.objects.create(publication=t.P1, contributor=t.A, role="editor", position=9)
    t.P5.contributions.filter(contributor=t.C).delete()
    PublicationContributor.objects.create(publication=t.P6, contributor=t.A, position=1)
    _assert_in_step()

    # Status, kind and year through save(), and through queryset.update().
    t.P2.status = "draft"
    t.P2.save()
    t.D1.status = "published"
    t.D1.save()
    Publication.objects.filter(pk__in=[t.P3.pk, t.P10.pk]).update(kind="book", year=1999, is_open_access=True)
    _assert_in_step()

    # The searched text (title, subtitle, abstract): no facet row or count moves.
    before = _stored()
    t.P1.title = "Renamed for the search"
    t.P1.save()
    Publication.objects.filter(pk=t.P4.pk).update(abstract="<p>Participatory budgeting in Porto Alegre.</p>")
    Publication.objects.filter(pk=t.P5.pk).update(subtitle="A new subtitle")
    assert _stored() == before
    _assert_in_step()  # the search rows followed the new text
    search_rows = {row[0]: row for row in _search_rows()[0]}
    assert search_rows[t.P1.pk][7] == "Renamed for the search"
    assert "'porto'" in search_rows[t.P4.pk][8] and "'subtitl'" in search_rows[t.P5.pk][8]

    # Deleting publications (their links go by cascade), and links by raw SQL.
    t.P7.delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM publications_publication_themes WHERE publication_id = %s", [t.P5.pk])
    _assert_in_step()

    # Bulk writes: bulk_create of items and links, and the synthetic generator (COPY).
    created = Publication.objects.bulk_create(
        [Publication(title=f"Bulk {n}", slug=f"bulk-{n}", year=2000 + n, kind="report", status="published")
         for n in range(3)]
    )
    Publication.themes.through.objects.bulk_create(
        [Publication.themes.through(publication=item, theme=t.GOV) for item in created]
    )
    call_command("generate_synthetic_content", publications=40, contributors=10, case_studies=2, seed=3,
                 stdout=StringIO())
    _assert_in_step()

    # The theme hierarchy: a sub-theme moves to another parent, another becomes top-level, and
    # one is moved back, through save() and queryset.update().
    t.CM.parent = t.GOV
    t.CM.save()
    Theme.objects.filter(pk=t.CD.pk).update(parent=None)
    _assert_in_step()
    Theme.objects.filter(pk__in=[t.CM.pk, t.CD.pk]).update(parent=t.CP)
    _assert_in_step()

    # Raw SQL out of order (foreign keys are checked at commit): a link to a theme that is
    # created afterwards; then the links and the theme deleted.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("INSERT INTO publications_publication_themes (publication_id, theme_id) VALUES (%s, %s)",
                       [t.P6.pk, 990001])  # P6 has no theme left by now
        make_theme("Late", slug="late", parent=t.GOV, pk=990001)
        _assert_in_step()
        cursor.execute("DELETE FROM publications_publication_themes WHERE theme_id = %s", [990001])
        cursor.execute("DELETE FROM themes_theme WHERE id = %s", [990001])
        _assert_in_step()

    # A rebuild from scratch (what the generator runs after a bulk load) changes nothing.
    before = _stored()
    with connection.cursor() as cursor:
        cursor.execute("SELECT publications_rebuild_scope_counts(NULL)")
    assert _stored() == before

    # A truncate (as a test-database flush does) empties them all.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred foreign-key checks first
        cursor.execute("TRUNCATE publications_publication CASCADE")
    assert _stored() == ([], {}, {}, {}, {}, {})
    assert _search_rows() == ([], [])


def test_deferred_facet_rows_are_left_alone_until_the_rebuild_makes_them_exact():
    """``inlogov.defer_facet_rows`` (migration 0008): while it is on, no write touches the
    facet rows or counts; the rebuild then adds, rewrites and deletes rows until they are
    exactly what the triggers would have kept."""
    t = build_catalogue()
    reused = make_publication("The Four Co's", kind="report", year=2020)
    _assert_in_step()
    before = _stored()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL inlogov.defer_facet_rows = on")
        cursor.execute("SET LOCAL inlogov.defer_scope_counts = on")
    new = make_publication("Deferred report", kind="report", year=2024, themes=[t.GOV], contributors=[t.A])
    # Deleted and inserted again under the same id with the same facet values: the rebuild has
    # no facet row to rewrite, but the search row must carry the new text.
    reused_pk = reused.pk
    reused.delete()
    make_publication("Zebra crossing quagga", kind="report", year=2020, pk=reused_pk, slug="zebra-crossing")
    t.P2.status = "draft"
    t.P2.save()
    t.P4.themes.set([t.CM, t.DT])
    t.P5.contributions.filter(contributor=t.C).delete()
    Publication.objects.filter(pk=t.P3.pk).update(kind="book", year=1999)
    Publication.objects.filter(pk=t.P1.pk).update(title="Renamed while deferred")  # not deferred: see 0012
    t.P7.delete()
    assert _stored() == before
    assert new.pk not in [row[0] for row in before[0]]

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL inlogov.defer_facet_rows = off")
        cursor.execute("SELECT publications_rebuild_facet_rows()")
        cursor.execute("SET LOCAL inlogov.defer_scope_counts = off")
        cursor.execute("SELECT publications_rebuild_scope_counts(NULL)")
    _assert_in_step()
    stored_ids = [row[0] for row in _stored()[0]]
    assert new.pk in stored_ids
    assert t.P7.pk not in stored_ids
    assert {row[0]: row[7] for row in _search_rows()[0]}[reused_pk] == "Zebra crossing quagga"

    # A rebuild with nothing deferred rewrites nothing: no row is touched, so no count moves.
    rebuilt = _stored()
    with connection.cursor() as cursor:
        cursor.execute("SELECT publications_rebuild_facet_rows()")
        cursor.execute("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'publications_facetrow'")
        (updated_in_this_transaction,) = cursor.fetchone()
        cursor.execute("SELECT publications_rebuild_facet_rows()")
        cursor.execute("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'publications_facetrow'")
        assert cursor.fetchone() == (updated_in_this_transaction,)
    assert _stored() == rebuilt


def test_the_search_rows_rebuild_repairs_them_and_writes_nothing_when_they_are_right():
    """``publications_rebuild_search_rows()`` (migration 0012), for repairs: it adds, rewrites and
    deletes search rows until they match the facet rows and the publications."""
    t = build_catalogue()
    _assert_in_step()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM publications_searchrow WHERE publication_id = %s", [t.P1.pk])
        cursor.execute(
            "UPDATE publications_searchrow SET title = 'Wrong', theme_ids = '{}', search_vector = to_tsvector('wrong') "
            "WHERE publication_id = %s",
            [t.P2.pk],
        )
        cursor.execute(
            "INSERT INTO publications_searchrow SELECT 999999, status, kind, year, is_open_access, theme_ids, "
            "contributor_ids, title, search_vector FROM publications_searchrow WHERE publication_id = %s",
            [t.P3.pk],
        )
    stored, expected = _search_rows()
    assert len(stored) == len(expected) and stored != expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT publications_rebuild_search_rows()")
    _assert_in_step()

    def written():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
                "WHERE relname = 'publications_searchrow'"
            )
            return cursor.fetchone()[0]

    before = written()
    with connection.cursor() as cursor:
        cursor.execute("SELECT publications_rebuild_search_rows()")
    assert written() == before


QUERIES = [
    "",
    "theme=co-production",
    "theme=co-design",
    "theme=local-governance",
    "theme=co-commissioning",
    "theme=local-governance&theme=co-commissioning",
    "kind=book",
    "kind=book&kind=report",
    "year_from=2010&year_to=2019",
    "year_from=2015",
    "contributor=elke-loeffler",
    "contributor=elke-loeffler&contributor=tony-bovaird",
    "open_access=true",
    "open_access=false&open_access=true",
    "q=service",
    "q=service&theme=co-production",
    "theme=co-production&kind=journal_article&open_access=false",
    "theme=co-production&contributor=catherine-needham&year_from=2000",
    "kind=handbook&open_access=true",  # nothing matches; selected values stay with 0
    "theme=hidden-theme",  # a draft theme is ignored
    "contributor=secret-person",  # a draft contributor is ignored
]


def _facets(filterset_class, query):
    filterset = filterset_class(QueryDict(query))
    facets = filterset.facets()
    shown = [
        (facet.name, [(v.value, v.label, v.count, v.selected, v.depth, v.querystring) for v in facet.values])
        for facet in facets
    ]
    return shown, filterset.known_total(facets), filterset.qs.count()


@pytest.mark.parametrize("query", QUERIES)
def test_read_counts_equal_group_by_counts(query):
    build_catalogue()
    fast, total, actual = _facets(PublicationFilter, query)
    assert fast == _facets(GroupByFilter, query)[0]
    assert total in (None, actual)


class CaseStudyGroupByFilter(CaseStudyFilter):
    """The case-study FilterSet with every facet counted by the ORM's GROUP BYs."""

    precomputed_counts = None


CASE_STUDY_QUERIES = [
    "",
    "theme=co-production",  # a parent: its sub-themes too, and its count rolled up
    "theme=co-design",
    "theme=local-governance&theme=co-commissioning",
    "service_area=health",
    "service_area=health&service_area=housing",
    "country=gb",  # any case
    "country=GB&country=DE",
    "year_from=2010&year_to=2016",
    "year_to=2012",
    "theme=co-production&country=GB",
    "theme=co-production&service_area=social-care&year_from=2012",
    "theme=co-production&service_area=health&country=NZ&year_from=2000&year_to=2030",
    "country=DE&service_area=social-care",  # nothing matches; selected values stay with 0
    "theme=hidden-theme",  # a draft theme is ignored
    "theme=co-design&sort=title",
]


@pytest.mark.parametrize("query", CASE_STUDY_QUERIES)
def test_case_study_counts_from_one_statement_equal_group_by_counts(query, django_assert_num_queries):
    build_catalogue()
    filterset = CaseStudyFilter(QueryDict(query))
    assert filterset.precomputed() is not None  # the statement, not the GROUP BYs
    fast, total, actual = _facets(CaseStudyFilter, query)
    assert fast == _facets(CaseStudyGroupByFilter, query)[0]
    assert total == actual  # the number of results comes from the same statement
    assert [facet[0] for facet in fast] == ["theme", "service_area", "country", "year"]
    # The vocabularies (themes, service areas) and one statement for every count.
    with django_assert_num_queries(3):
        CaseStudyFilter(QueryDict(query)).facets()


def test_case_study_counts_of_one_facet_count_only_that_facet(django_assert_num_queries):
    build_catalogue()
    filterset = CaseStudyFilter(QueryDict("country=GB"))
    with CaptureQueriesContext(connection) as queries:
        (facet,) = filterset.facets(names=["theme"])
    assert [(v.value, v.count) for v in facet.values] == [("co-production", 2), ("co-design", 1), ("co-commissioning", 1)]
    statement = queries.captured_queries[-1]["sql"]
    assert "servicearea" not in statement and "year_started" not in statement
    # A search is counted by the ORM, as before.
    assert CaseStudyFilter(QueryDict("q=care")).precomputed() is None


def test_case_study_facets_asked_after_the_total_are_counted_too():
    # The total alone is one small statement (the API's lists); facets asked afterwards on the
    # same FilterSet must be counted, not read empty from it.
    build_catalogue()
    filterset = CaseStudyFilter(QueryDict("theme=co-production&year_from=2010"))
    assert filterset.known_total() == filterset.qs.count() == 3
    shown = [(facet.name, [(v.value, v.count) for v in facet.values]) for facet in filterset.facets()]
    expected = CaseStudyGroupByFilter(QueryDict("theme=co-production&year_from=2010")).facets()
    assert shown == [(facet.name, [(v.value, v.count) for v in facet.values]) for facet in expected]
    assert dict(shown)["country"] == [("NZ", 1), ("GB", 2)]  # in the order of their names


SEARCH_PAGES = [
    "q=service",
    "q=service&page=2",
    "q=service&page=3",
    "q=service&theme=co-production",
    "q=service&kind=book&kind=report&open_access=false",
    "q=service&year_from=2010",
    "q=service&page=99",  # past the end: the last page, chosen the usual way
    "q=service&page=99999999999999999999",  # an OFFSET no bigint holds: never sent to the database
    "q=service&page=x",  # not a number: the first page
    "q=nothing-matches-this",
    "q=service&sort=newest",  # not by relevance: nothing chosen
]


@pytest.mark.parametrize("query", SEARCH_PAGES)
def test_a_search_by_relevance_gets_its_page_from_the_facet_query(query):
    """The facet query of a search ranks the matches it reads and keeps the requested page's
    ids; the page is exactly the paginator's own, and the query that ranked the matches a
    second time is gone."""
    build_catalogue()
    listed = Publication.objects.published().for_listing()
    for page_size in (2, 3):
        chosen = faceted_search(PublicationFilter, QueryDict(query), listed, page_size=page_size)
        plain = faceted_search(PublicationFilter, QueryDict(query), listed)
        assert plain.chosen_page is None
        with CaptureQueriesContext(connection) as with_chosen:
            page, message = paginate(chosen.queryset, chosen.filterset.page, page_size, chosen.total, chosen.chosen_page)
            shown = [item.pk for item in page.object_list]
        with CaptureQueriesContext(connection) as without:
            expected, expected_message = paginate(plain.queryset, plain.filterset.page, page_size, plain.total)
            expected_ids = [item.pk for item in expected.object_list]
        assert (shown, page.number, message) == (expected_ids, expected.number, expected_message)
        used = chosen.chosen_page is not None and chosen.chosen_page[0] == page.number
        # Chosen whenever the search is listed by relevance and the requested page exists.
        assert used == ("sort=" not in query and page_number(chosen.filterset.page) == expected.number)
        assert len(with_chosen) == len(without) - (1 if used and shown else 0)
    if query == "q=service":
        assert len(shown) == 3  # the five matches, three to a page: a real page, not an empty one


CUBE_QUERIES = [
    "kind=book",
    "kind=book&kind=report",
    "year_from=2010&year_to=2019",
    "open_access=true",
    "theme=co-production",
    "theme=co-design",
    "theme=local-governance",
    "theme=co-production&kind=journal_article&open_access=false",
    "theme=co-design&year_from=2015",
    "theme=co-production&kind=book&kind=report&year_from=2012&year_to=2021&open_access=true",
    "kind=handbook&open_access=true",
]


@pytest.mark.parametrize("query", CUBE_QUERIES)
def test_theme_kind_year_and_access_selections_are_summed_from_the_cube(query):
    # With every sub-theme of Co-production public, the stored parent scope is exact; the
    # draft sub-theme of the catalogue makes the same queries fall back to counting (QUERIES).
    t = build_catalogue()
    t.DR.status = "published"
    t.DR.save()
    fast, total, actual = _facets(PublicationFilter, query)
    assert fast == _facets(GroupByFilter, query)[0]
    assert total == actual
    # Without facets (the API list), the total is summed from the cube too, not counted.
    with CaptureQueriesContext(connection) as queries:
        assert PublicationFilter(QueryDict(query)).known_total([]) == actual
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    filterset = PublicationFilter(QueryDict(query))
    with CaptureQueriesContext(connection) as queries:
        filterset.known_total(filterset.facets())
    sql = [query["sql"] for query in queries.captured_queries]
    # One read of the cube, for the facets. The total needs none: an unselected exhaustive facet
    # (kind, year or access) or the selected kinds' counts add up to it.
    cube_reads = [s for s in sql if "publications_scopecount" in s and "publications_facetcount" not in s]
    assert len(cube_reads) == 1
    if query.startswith("theme=") and "&" not in query:
        # Read, not counted: the vocabulary, the stored counts (the scheduled items' rows come
        # with them), the scope.
        assert len(sql) == 3
        assert not any("MATERIALIZED" in statement or "count(*)" in statement.lower() for statement in sql)


def test_one_theme_counts_follow_the_hierarchy_and_scheduled_items(monkeypatch):
    t = build_catalogue()
    t.DR.status = "published"
    t.DR.save()
    t.GOV.parent = t.CP  # GOV has no sub-themes, so it may become one
    t.GOV.save()
    queries = ("theme=co-production", "theme=local-governance", "kind=report", "open_access=true",
               "theme=co-production&kind=report&year_from=2000", "theme=local-governance&open_access=true")
    def check():
        for query in queries:
            assert _facets(PublicationFilter, query)[0] == _facets(GroupByFilter, query)[0]
            filterset = PublicationFilter(QueryDict(query))
            assert filterset.known_total([]) == filterset.qs.count()

    check()
    monkeypatch.setattr(publishing.timezone, "now", lambda: t.D2.publish_from + timedelta(seconds=1))
    check()


def _theme_counts():
    facets = PublicationFilter(QueryDict()).facets()
    return {value.value: value.count for facet in facets if facet.name == "theme" for value in facet.values}


def test_scheduled_items_join_the_counts_when_their_time_comes(monkeypatch):
    t = build_catalogue()
    theme = t.D2.themes.get()  # the scheduled report is under Local governance, by Tony Bovaird
    before = _theme_counts()
    monkeypatch.setattr(publishing.timezone, "now", lambda: t.D2.publish_from + timedelta(seconds=1))
    for query in ("", "kind=report", "contributor=tony-bovaird"):
        assert _facets(PublicationFilter, query)[0] == _facets(GroupByFilter, query)[0]
    after = _theme_counts()
    assert after[theme.slug] == before[theme.slug] + 1
    assert PublicationFilter(QueryDict()).known_total([]) == Publication.objects.published().count() == 13


def test_top_contributors_match_with_ties_hidden_people_and_scheduled_items(monkeypatch):
    # 20 people with 1..20 items each (ties at the cut, a hidden person with the most items,
    # and scheduled items that change the ranking until their time comes).
    theme = make_theme("Ranked", slug="ranked")
    people = [make_contributor("Person", f"P{n:02d}") for n in range(20)]
    hidden = make_contributor("Hidden", "Person", status="draft")
    for n, person in enumerate(people):
        for k in range(1 + n // 2):
            make_publication(f"Item {n}-{k}", themes=[theme], contributors=[person, hidden],
                             kind="book" if k % 2 else "report")
    later = timezone.now() + timedelta(days=1)
    for k in range(6):
        make_publication(f"Scheduled {k}", contributors=[people[0]], publish_from=later, kind="book")
    queries = ("", "kind=book", f"contributor={people[3].slug}", "theme=ranked&kind=report", "theme=ranked",
               # Searches count their credits in numpy (rank_credits), with and without a
               # selected person; a hidden person asked for by name is ignored, as a draft is.
               "q=item", f"q=item&kind=book&contributor={people[5].slug}", f"q=item&contributor={hidden.slug}")
    for query in queries:
        fast = _facets(PublicationFilter, query)[0]
        assert fast == _facets(GroupByFilter, query)[0]
        contributor_values = dict(fast)["contributor"]
        assert hidden.slug not in [value for value, *_rest in contributor_values]
    monkeypatch.setattr(publishing.timezone, "now", lambda: later + timedelta(seconds=1))
    fast = _facets(PublicationFilter, "")[0]
    assert fast == _facets(GroupByFilter, "")[0]
    ranked = [(value, count) for value, _label, count, *_rest in dict(fast)["contributor"]]
    # P18 and P19 have 10 items each; P00 now has 1 + 6 and enters the top 15 at its place.
    assert ranked[:2] == [(people[18].slug, 10), (people[19].slug, 10)]
    assert (people[0].slug, 7) in ranked
    assert len(ranked) == 15


def test_theme_page_year_counts_read_from_the_cube_equal_a_count(monkeypatch):
    t = build_catalogue()

    def public_children(theme):
        return list(theme.children.filter(publishing.published_q()).values_list("pk", flat=True))

    def counted(theme):
        ids = [theme.pk, *public_children(theme)]
        matching = set(Publication.objects.published().filter(themes__in=ids).values_list("pk", "year"))
        return [{"year": year, "total": n} for year, n in sorted(Counter(year for _pk, year in matching).items())]

    def per_year(theme):
        children = public_children(theme)
        with CaptureQueriesContext(connection) as queries:
            years = theme_publications_per_year(theme, children)
        assert len(queries) == 1  # the theme page's chart is one query, whichever way it counts
        return years

    # Co-production has a draft sub-theme, so its stored scope is not what a visitor gets and the
    # same query counts its facet rows instead; a scheduled item under Co-design is left out.
    scheduled = make_publication("Co-design to come", year=2023, themes=[t.CD], publish_from=future())
    assert per_year(t.CP) == counted(t.CP)
    assert [row["year"] for row in counted(t.CP)] == [2012, 2016, 2019, 2020, 2021]
    assert per_year(t.CD) == counted(t.CD)
    monkeypatch.setattr(publishing.timezone, "now", lambda: scheduled.publish_from + timedelta(seconds=1))
    assert per_year(t.CP) == counted(t.CP)
    assert {"year": 2023, "total": 1} in per_year(t.CP)
    monkeypatch.undo()
    # Once the sub-theme is published, the stored scope answers.
    t.DR.status = "published"
    t.DR.save()
    for theme in (t.CP, t.CD, t.GOV):
        assert per_year(theme) == counted(theme)
    assert sum(row["total"] for row in per_year(t.CP)) == 8  # P1, P2, P3, P5, P7, P8, P10, P12
    # A scheduled report under Local governance joins when its time comes.
    monkeypatch.setattr(publishing.timezone, "now", lambda: t.D2.publish_from + timedelta(seconds=1))
    assert per_year(t.GOV) == counted(t.GOV)
    assert sum(row["total"] for row in counted(t.GOV)) == 5
    # A theme that is not public (a staff preview) is counted by the page itself.
    assert theme_publications_per_year(t.DT, []) is None
    # A top-level theme whose only sub-theme is a draft counts its own items (its scope), not
    # the draft sub-theme's; a theme with no items has an empty chart.
    alone = make_theme("Alone", slug="alone")
    hidden = make_theme("Hidden child", slug="hidden-child", parent=alone, status="draft")
    make_publication("Alone's own", year=2011, themes=[alone])
    make_publication("Under the hidden child", year=2013, themes=[hidden])
    assert per_year(alone) == counted(alone) == [{"year": 2011, "total": 1}]
    assert per_year(make_theme("Empty", slug="empty")) == []


def test_tied_contributors_are_cut_by_id_as_a_number_not_as_text():
    # 16 people with one item each: the top 15 leave out the highest id (1000005). Sorted as
    # text, "999990".."999999" would come after "1000000".."1000005" and the wrong ones would go.
    theme = make_theme("Ties", slug="ties")
    people = {pk: make_contributor("Tied", f"P{pk}", pk=pk) for pk in range(999990, 1000006)}
    for person in people.values():
        make_publication(themes=[theme], contributors=[person])
    for query in ("theme=ties", "", "kind=book"):
        fast = _facets(PublicationFilter, query)[0]
        assert fast == _facets(GroupByFilter, query)[0]
        shown = {value for value, *_rest in dict(fast)["contributor"]}
        assert shown == {person.slug for pk, person in people.items() if pk != 1000005}


def _dsn():
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432, password=settings["PASSWORD"] or None,
    )


MOVE = "UPDATE themes_theme SET parent_id = %s WHERE id = %s"
TAG = "INSERT INTO publications_publication_themes (publication_id, theme_id) VALUES (%s, %s)"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["move", "tag"])
def test_a_theme_move_and_a_write_committing_together_leave_the_cube_exact(first):
    # Two editors at once: one moves sub-theme C from A to B, the other tags an item with C.
    # Whichever starts first, the second waits for it, and the cube ends as a fresh count.
    parent_a, parent_b = make_theme("A", slug="a"), make_theme("B", slug="b")
    child = make_theme("C", slug="c", parent=parent_a)
    item = make_publication("Tagged", themes=[], kind="book", year=2010)
    statements = {"move": (MOVE, [parent_b.pk, child.pk]), "tag": (TAG, [item.pk, child.pk])}
    second = "tag" if first == "move" else "move"
    with psycopg.connect(_dsn()) as one, psycopg.connect(_dsn()) as two:
        one.execute(*statements[first])
        errors = []

        def run_second():
            try:
                two.execute(*statements[second])
                two.commit()
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)

        thread = threading.Thread(target=run_second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # the second waits for the first to commit
        one.commit()
        thread.join(timeout=10)
        assert not thread.is_alive() and not errors
    assert _stored() == _fresh()
    fast, total, actual = _facets(PublicationFilter, "theme=b")
    assert fast == _facets(GroupByFilter, "theme=b")[0]
    assert total == actual == 1


def test_a_search_finds_edited_text_on_the_next_request_and_ranks_title_matches_first(client):
    """A search page's matches and their facet counts come from one query over the facet rows
    and the publications' full-text column: an abstract changed by queryset.update() and a
    title changed by save() are found at once, a draft never, and a title match ranks first."""
    t = build_catalogue()
    Publication.objects.filter(pk=t.P4.pk).update(abstract="<p>Quadratic voting in Taipei.</p>")
    t.P6.title = "Quadratic voting explained"
    t.P6.save()
    t.P2.abstract = "<p>On quadratic voting.</p>"  # it matches, but as a draft
    t.P2.status = "draft"
    t.P2.save()

    response = client.get("/publications/?q=quadratic+voting")
    listed = [item.title for item in response.context["page_obj"].object_list]
    # P6 matches in its title (weight A); P4 only in its abstract; the draft P2 never.
    assert listed == ["Quadratic voting explained", "Local governance futures"]
    kinds = {value.value: value.count for facet in response.context["result"].facets if facet.name == "kind"
             for value in facet.values}
    assert kinds == {"book": 1, "journal_article": 1}


@pytest.mark.parametrize("threshold", [0, 10**9])
def test_both_forms_of_the_theme_and_contributor_counts_equal_group_by(monkeypatch, threshold):
    # Up to TEXT_COUNTED_ITEMS visible rows the ids go to numpy; past it the database groups
    # them. Both forms must give the GROUP BY path's facets, and only one of them may run.
    from publications import facet_counts

    monkeypatch.setattr(facet_counts.RestrictedCounts, "TEXT_COUNTED_ITEMS", threshold)
    used = []  # the numpy counters that ran, over all the queries
    for name in ("rank_credits", "count_theme_sets"):
        real = getattr(facet_counts, name)
        monkeypatch.setattr(facet_counts, name, lambda *args, real=real, name=name: used.append(name) or real(*args))
    rows = set()  # the kinds of row the statements returned
    read = facet_counts.RestrictedCounts._read
    monkeypatch.setattr(facet_counts.RestrictedCounts, "_read", lambda self, got: rows.update(r[0] for r in got) or read(self, got))
    build_catalogue()
    for query in ("q=service", "q=service&theme=co-production", "contributor=elke-loeffler",
                  "theme=local-governance&theme=co-commissioning",
                  "theme=co-production&contributor=catherine-needham&year_from=2000"):
        assert _facets(PublicationFilter, query)[0] == _facets(GroupByFilter, query)[0]
    assert set(used) == (set() if threshold == 0 else {"rank_credits", "count_theme_sets"})
    grouped, sent = {"contributor", "theme", "rollup"}, {"credits", "hidden", "theme_ids", "theme_sizes"}
    assert rows >= (grouped if threshold == 0 else sent)
    assert not rows & (sent if threshold == 0 else grouped)
