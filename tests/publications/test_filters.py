"""The FilterSets: one grammar, sanitised once, with errors the API can turn into a 400."""

import pytest
from django.db import connection
from django.http import QueryDict

from publications.filters import CaseStudyFilter, PublicationFilter
from publications.models import Publication
from tests.publications.listing_data import catalogue_for_module

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming and ranking are PostgreSQL features; SQLite uses icontains"
)


@pytest.fixture(scope="module")
def cat(django_db_setup, django_db_blocker):
    with catalogue_for_module(django_db_blocker) as catalogue:
        yield catalogue


def fs_for(query, cls=PublicationFilter):
    return cls(QueryDict(query))


def titles(filterset):
    return [p.title for p in filterset.qs]


def test_valid_parameters_give_no_errors_and_filter(cat):
    fs = fs_for("theme=co-design&kind=journal_article&year_from=2019&open_access=false")
    assert fs.is_valid()
    assert fs.problems == {}
    assert titles(fs) == ["Health and care integration"]


def test_unknown_slug_is_reported_under_its_parameter_and_known_ones_still_apply(cat):
    fs = fs_for("theme=no-such-theme&theme=local-governance")
    assert not fs.is_valid()
    assert list(fs.problems) == ["theme"]
    assert "“no-such-theme”" in fs.problems["theme"]
    assert fs.errors["theme"] == [fs.problems["theme"]]
    assert sorted(titles(fs)) == [
        "Councils and austerity",
        "Governing with citizens",
        "Local governance futures",
        "Participatory budgeting",
    ]


def test_draft_contributor_slug_is_treated_as_unknown(cat):
    fs = fs_for("contributor=secret-person")
    assert "contributor" in fs.problems
    assert fs.qs.count() == 12


def test_non_numeric_year_is_ignored_with_a_message(cat):
    fs = fs_for("year_from=twenty&year_to=2009")
    assert set(fs.problems) == {"year_from"}
    assert "not a year" in fs.problems["year_from"]
    assert titles(fs) == ["Participatory budgeting"]


def test_out_of_range_year_is_ignored(cat):
    fs = fs_for("year_to=99999999999999999999")
    assert "year_to" in fs.problems
    assert fs.qs.count() == 12


def test_reversed_year_range_is_swapped_and_noted(cat):
    fs = fs_for("year_from=2012&year_to=2008")
    assert fs.selection["year"] == (2008, 2012)
    assert "swapped" in fs.problems["year_to"]
    assert sorted(titles(fs)) == ["Governing with citizens", "Neighbourhood democracy", "Participatory budgeting"]


def test_very_long_query_is_truncated_to_200_characters(cat):
    fs = fs_for("q=" + "service " * 1250)
    assert len(fs.q) <= 200
    assert fs.q.startswith("service service")
    assert "too long" in fs.problems["q"]
    assert fs.qs.count() == 5


def test_control_characters_and_nul_are_stripped(cat):
    fs = PublicationFilter({"q": "ser\x00vice\x07", "kind": ["book\x1b"]})
    assert fs.q == "ser vice"
    assert fs.selection["kind"] == ["book"]
    assert "Control characters" in fs.problems["q"]
    assert "Control characters" in fs.problems["kind"]
    list(fs.qs)  # PostgreSQL would reject a NUL byte: it must never reach the query


def test_repeated_single_valued_parameter_uses_the_first(cat):
    fs = fs_for("year_from=2021&year_from=1990&sort=title&sort=oldest")
    assert fs.selection["year"] == (2021, None)
    assert fs.sort == "title"
    assert set(fs.problems) == {"year_from", "sort"}


def test_unknown_sort_falls_back_with_a_message_and_relevance_needs_a_query(cat):
    fs = fs_for("sort=random")
    assert fs.sort == "newest"
    assert "sort" in fs.problems
    fs = fs_for("sort=relevance")
    assert fs.sort == "newest"
    assert fs.problems == {}


def test_parameters_outside_the_grammar_are_ignored_silently(cat):
    fs = fs_for("page_size=5&format=json&facets=theme&utm_source=x")
    assert fs.is_valid()
    assert fs.qs.count() == 12


def test_a_plain_dict_with_only_q_works_for_the_search_page(cat):
    fs = PublicationFilter({"q": "participatory"})
    assert titles(fs) == ["Participatory budgeting"]
    fs = CaseStudyFilter({"q": "Kent"})
    assert [c.title for c in fs.qs] == ["Kent libraries"]


def test_open_access_true_false_and_both(cat):
    assert fs_for("open_access=true").qs.count() == 5
    assert fs_for("open_access=FALSE").qs.count() == 7
    assert fs_for("open_access=true&open_access=false").qs.count() == 12
    fs = fs_for("open_access=maybe")
    assert "open_access" in fs.problems
    assert fs.qs.count() == 12


def test_country_codes_are_accepted_in_any_case_and_unknown_codes_reported(cat):
    fs = fs_for("country=nz&country=XX", CaseStudyFilter)
    assert fs.selection["country"] == ["NZ"]
    assert "“XX”" in fs.problems["country"]
    assert [c.title for c in fs.qs] == ["Wellington health partnership"]


def test_sort_orders(cat):
    assert titles(fs_for("sort=oldest"))[:3] == [
        "Participatory budgeting",
        "Neighbourhood democracy",
        "Governing with citizens",
    ]
    assert titles(fs_for("sort=newest"))[:3] == [
        "Digital public services",
        "Co-production of public services",
        "The co-production handbook",
    ]
    assert titles(fs_for("sort=title"))[:3] == [
        "Co-design in social care",
        "Co-production of public services",
        "Commissioning services together",
    ]
    assert [c.title for c in fs_for("sort=title", CaseStudyFilter).qs][:2] == [
        "Berlin neighbourhood councils",
        "Birmingham care homes",
    ]


def test_drf_filter_backend_answers_400_naming_the_parameter(cat):
    from django_filters.rest_framework import DjangoFilterBackend
    from rest_framework.exceptions import ValidationError
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    class View:
        filterset_class = PublicationFilter

    request = Request(APIRequestFactory().get("/api/v1/publications/?year_from=abc&kind=book"))
    with pytest.raises(ValidationError) as caught:
        DjangoFilterBackend().filter_queryset(request, Publication.objects.published(), View())
    assert list(caught.value.detail) == ["year_from"]
    assert "not a year" in str(caught.value.detail["year_from"][0])
    ok = Request(APIRequestFactory().get("/api/v1/publications/?kind=book&year_from=2011"))
    qs = DjangoFilterBackend().filter_queryset(ok, Publication.objects.published(), View())
    assert [p.title for p in qs] == ["Co-production of public services", "Local governance futures"]


@postgres_only
def test_postgres_search_matches_word_forms(cat):
    assert titles(fs_for("q=services")) == titles(fs_for("q=service"))
    assert "Service user voice" in titles(fs_for("q=services"))
    assert sorted(titles(fs_for("q=governance"))) == ["Governing with citizens", "Local governance futures"]


@postgres_only
def test_postgres_search_vector_is_maintained_for_bulk_created_and_updated_rows(cat):
    Publication.objects.bulk_create(
        [Publication(title="Zebra crossings and councils", slug="zebra", year=2020, kind="report", status="published")]
    )
    assert titles(fs_for("q=zebra")) == ["Zebra crossings and councils"]
    Publication.objects.filter(slug="zebra").update(title="Pelican crossings")
    assert titles(fs_for("q=zebra")) == []
    assert titles(fs_for("q=pelican")) == ["Pelican crossings"]


def _plan_without(queryset, *plans):
    """PostgreSQL's plan for ``queryset`` with the named plan types (``seqscan``, ``sort``...)
    made too expensive to choose: a dozen rows never need an index, so take the cheap plans away
    and see what is left."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for plan in plans:
            cursor.execute(f"SET LOCAL enable_{plan} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_postgres_search_uses_the_gin_index(cat):
    from inlogov import fulltext

    searched = fulltext.search(Publication.objects.all(), "service", PublicationFilter.search_spec)
    plan = _plan_without(searched, "seqscan", "indexscan")
    assert "Bitmap Index Scan on publication_search_vector_idx" in plan


@postgres_only
def test_postgres_newest_case_studies_are_read_from_the_index_not_sorted(cat):
    from publications.models import CaseStudy

    # The order of the case-study listing's default sort and of a theme page's latest five
    # (migration 0009): with sorting made expensive, the plan walks the index instead.
    ordering = CaseStudyFilter.sort_orders["newest"][1]
    newest = CaseStudy.objects.published().order_by(*ordering)[:5]
    plan = _plan_without(newest, "seqscan", "sort")
    assert "casestudy_newest_idx" in plan
    assert "Sort" not in plan


@postgres_only
def test_postgres_a_countrys_case_studies_are_read_from_the_country_index(cat):
    from publications.models import CaseStudy

    # What the case-study listing's facets and page read under a country selection (migration
    # 0015): that country's entries of the index alone, not every published case study's. Of
    # the plans that read an index without the table (plain index scans are taken away too: on
    # a dozen rows their cost ties with this one's, by the statistics of the moment), the
    # country's range of this index is cheaper than the whole status range of the status/date
    # index (0004), which carries the country too.
    chosen = CaseStudy.objects.published().filter(country__in=["GB"]).order_by().values_list("id", "year_started")
    plan = _plan_without(chosen, "seqscan", "bitmapscan", "indexscan")
    assert "Index Only Scan using casestudy_country_cover_idx" in plan, plan
    assert "Index Cond: ((status = 'published'::text) AND (country = 'GB'::text))" in plan, plan


def test_the_facets_hand_written_rows_are_the_orms(cat):
    """The theme facet's vocabulary and the contributor facet's labels come from hand-written
    statements (``_public_rows``): the same rows, in the same order, as the querysets they stand
    in for, with draft, scheduled and lately public items, and themes sharing a name."""
    from datetime import timedelta

    from django.utils import timezone

    from people.models import Contributor
    from publications.filters import THEME_ORDER, _contributor_rows, _published_themes, _theme_rows
    from tests.factories import make_contributor, make_theme

    now = timezone.now()
    parent = make_theme("Twin", order=0)
    make_theme("Twin", order=0, parent=parent)  # the same name and order: the id decides
    make_theme("Aardvark", order=0)
    make_theme("Draft theme", status="draft")
    make_theme("Scheduled theme", publish_from=now + timedelta(hours=1))
    make_theme("Lately public theme", publish_from=now - timedelta(seconds=1))
    fields = ("pk", "slug", "name", "parent_id")
    by_hand = _theme_rows(fields)
    assert by_hand == list(_published_themes().order_by(*THEME_ORDER).values(*fields))
    names = [row["name"] for row in by_hand]
    assert "Draft theme" not in names and "Scheduled theme" not in names
    assert "Lately public theme" in names and names.count("Twin") == 2

    people = [
        make_contributor(family="Shown"),
        make_contributor(family="Drafted", status="draft"),
        make_contributor(family="Later", publish_from=now + timedelta(hours=1)),
        make_contributor(family="Lately", publish_from=now - timedelta(seconds=1)),
    ]
    label_fields = ("pk", "slug", "display_name", "given_name", "family_name")
    pks = [person.pk for person in people]
    by_hand = _contributor_rows(label_fields, pks)
    assert by_hand == list(Contributor.objects.published().filter(pk__in=pks).values(*label_fields))
    assert [row["family_name"] for row in by_hand] == ["Lately", "Shown"]

    # Service areas have no publishing rule: every one, in their own order, then by name.
    from publications.filters import _service_area_rows, _service_areas
    from tests.factories import make_service_area

    areas = [make_service_area("Beta area", order=2), make_service_area("Alpha area", order=2),
             make_service_area("Zebra area", order=1)]
    fields = ("pk", "slug", "name")
    by_hand = _service_area_rows(fields)
    assert by_hand == list(_service_areas().values(*fields))
    names = [row["name"] for row in by_hand]
    assert names.index("Zebra area") < names.index("Alpha area") < names.index("Beta area")
    assert _service_area_rows(fields, [areas[1].pk]) == [{"pk": areas[1].pk, "slug": areas[1].slug, "name": "Alpha area"}]
