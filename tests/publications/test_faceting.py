"""Facet counts for a known catalogue (issue 4, acceptance 1 and 2).

Counts were worked out by hand from the table in tests/publications/listing_data.py. For each
facet the expected counts apply every *other* facet's selection but not its own; values with no
items are absent unless selected; selected values are marked.
"""

import pytest
from django.http import QueryDict

from inlogov.faceting import faceted_search
from publications.filters import CaseStudyFilter, PublicationFilter
from tests.publications.listing_data import catalogue_for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cat(django_db_setup, django_db_blocker):
    with catalogue_for_module(django_db_blocker) as catalogue:
        yield catalogue


def facet_counts(result):
    """{facet name: {value: count}} plus {facet name: set of selected values}."""
    counts = {facet.name: {v.value: v.count for v in facet.values} for facet in result.facets}
    selected = {facet.name: {v.value for v in facet.values if v.selected} for facet in result.facets}
    return counts, selected


def titles(result):
    return sorted(p.title for p in result.queryset)


def search(filterset_class, query):
    return faceted_search(filterset_class, QueryDict(query))


UNFILTERED_PUBLICATIONS = {
    "theme": {"co-production": 7, "co-design": 4, "co-commissioning": 2, "local-governance": 4},
    "kind": {"book": 3, "journal_article": 4, "report": 3, "chapter": 1, "handbook": 1},
    "year": {"2020": 4, "2010": 7, "2000": 1},
    "contributor": {"elke-loeffler": 5, "tony-bovaird": 5, "catherine-needham": 4},
    "open_access": {"true": 5, "false": 7},
}

PUBLICATION_CASES = [
    # (query string, number of results, expected counts per facet, expected selected per facet)
    ("", 12, UNFILTERED_PUBLICATIONS, {}),
    (
        "theme=co-production",  # a parent theme includes its sub-themes
        7,
        {
            "theme": {"co-production": 7, "co-design": 4, "co-commissioning": 2, "local-governance": 4},
            "kind": {"book": 1, "journal_article": 3, "report": 1, "chapter": 1, "handbook": 1},
            "year": {"2020": 3, "2010": 4},
            "contributor": {"elke-loeffler": 4, "tony-bovaird": 3, "catherine-needham": 2},
            "open_access": {"true": 3, "false": 4},
        },
        {"theme": {"co-production"}},
    ),
    (
        "kind=book&kind=report",  # two values of one facet are OR'd
        6,
        {
            "theme": {"co-production": 2, "co-commissioning": 1, "local-governance": 1},
            "kind": {"book": 3, "journal_article": 4, "report": 3, "chapter": 1, "handbook": 1},
            "year": {"2020": 2, "2010": 4},
            "contributor": {"elke-loeffler": 3, "tony-bovaird": 3, "catherine-needham": 1},
            "open_access": {"true": 3, "false": 3},
        },
        {"kind": {"book", "report"}},
    ),
    (
        "q=service",  # a search: titles P1, P3, P8, P11 and the abstract of P2
        5,
        {
            "theme": {"co-production": 3, "co-design": 1, "co-commissioning": 1},
            "kind": {"book": 1, "journal_article": 1, "report": 3},
            "year": {"2020": 3, "2010": 2},
            "contributor": {"elke-loeffler": 3, "tony-bovaird": 2, "catherine-needham": 1},
            "open_access": {"true": 3, "false": 2},
        },
        {},
    ),
    (
        "theme=local-governance&open_access=true&contributor=catherine-needham",
        1,
        {
            "theme": {"co-production": 2, "co-design": 2, "local-governance": 1},
            "kind": {"chapter": 1},
            "year": {"2010": 1},
            "contributor": {"elke-loeffler": 1, "catherine-needham": 1},
            "open_access": {"true": 1, "false": 1},
        },
        {"theme": {"local-governance"}, "open_access": {"true"}, "contributor": {"catherine-needham"}},
    ),
    (
        "year_from=2015&year_to=2020&kind=journal_article",
        3,
        {
            "theme": {"co-production": 3, "co-design": 2, "co-commissioning": 1, "local-governance": 1},
            "kind": {"journal_article": 3, "report": 2, "book": 1},
            "year": {"2020": 1, "2010": 2, "2000": 1},
            "contributor": {"tony-bovaird": 1, "catherine-needham": 1},
            "open_access": {"true": 1, "false": 2},
        },
        {"kind": {"journal_article"}},
    ),
    (
        "theme=co-design&theme=co-commissioning",  # two sub-themes
        6,
        {
            "theme": {"co-production": 7, "co-design": 4, "co-commissioning": 2, "local-governance": 4},
            "kind": {"journal_article": 3, "chapter": 1, "handbook": 1, "report": 1},
            "year": {"2020": 2, "2010": 4},
            "contributor": {"elke-loeffler": 3, "tony-bovaird": 2, "catherine-needham": 2},
            "open_access": {"true": 2, "false": 4},
        },
        {"theme": {"co-design", "co-commissioning"}},
    ),
    (
        "theme=co-commissioning&kind=book",  # no results; both selected values stay visible at 0
        0,
        {
            "theme": {"co-production": 1, "co-commissioning": 0, "local-governance": 1},
            "kind": {"report": 1, "journal_article": 1, "book": 0},
            "year": {},
            "contributor": {},
            "open_access": {},
        },
        {"theme": {"co-commissioning"}, "kind": {"book"}},
    ),
]


@pytest.mark.parametrize(("query", "total", "expected", "expected_selected"), PUBLICATION_CASES)
def test_publication_facet_counts_apply_every_other_facet(cat, query, total, expected, expected_selected):
    result = search(PublicationFilter, query)
    counts, selected = facet_counts(result)
    assert result.queryset.count() == total
    assert counts == expected
    assert {name: values for name, values in selected.items() if values} == expected_selected
    assert result.errors == {}


def test_search_results_are_exactly_the_matching_published_items(cat):
    result = search(PublicationFilter, "q=service")
    assert titles(result) == sorted(
        [
            "Co-production of public services",
            "Co-design in social care",
            "Commissioning services together",
            "Service user voice",
            "Digital public services",
        ]
    )


def test_search_ranks_title_matches_above_abstract_matches(cat):
    result = search(PublicationFilter, "q=service")
    assert result.sort == "relevance"
    ordered = [p.title for p in result.queryset]
    assert ordered[-1] == "Co-design in social care"  # the only abstract-only match
    assert len(ordered) == 5


def test_parent_theme_selection_matches_sub_themes_but_not_draft_sub_theme(cat):
    result = search(PublicationFilter, "theme=co-production")
    assert titles(result) == sorted(
        [
            "Co-production of public services",
            "Co-design in social care",
            "Commissioning services together",
            "Governing with citizens",
            "The co-production handbook",
            "Councils and austerity",
            "Health and care integration",
        ]
    )
    assert "Service user voice" not in titles(result)  # tagged only with the draft sub-theme


def test_sub_themes_are_listed_under_their_parent_with_depth(cat):
    result = search(PublicationFilter, "")
    theme = next(f for f in result.facets if f.name == "theme")
    assert [(v.value, v.label, v.depth) for v in theme.values] == [
        ("co-production", "Co-production", 0),
        ("co-design", "Co-design", 1),
        ("co-commissioning", "Co-commissioning", 1),
        ("local-governance", "Local governance", 0),
    ]


def test_draft_theme_and_draft_contributor_are_never_listed_or_counted(cat):
    for query in ("", "theme=hidden-theme", "contributor=secret-person", "theme=draft-sub-theme", "q=service"):
        result = search(PublicationFilter, query)
        values = {v.value for facet in result.facets for v in facet.values}
        labels = {v.label for facet in result.facets for v in facet.values}
        assert not values & {"hidden-theme", "draft-sub-theme", "secret-person"}
        assert not labels & {"Hidden theme", "Draft sub-theme", "Secret Person"}


def test_draft_and_scheduled_publications_are_never_counted_or_listed(cat):
    result = search(PublicationFilter, "q=service")
    assert "Secret draft book" not in titles(result)
    assert "Future report on service" not in titles(result)
    result = search(PublicationFilter, "")
    assert result.queryset.count() == 12
    assert sum(v.count for f in result.facets if f.name == "kind" for v in f.values) == 12


def test_selecting_a_draft_theme_is_reported_and_ignored(cat):
    result = search(PublicationFilter, "theme=hidden-theme&theme=co-design")
    assert result.queryset.count() == 4
    assert set(result.errors) == {"theme"}
    assert "hidden-theme" in result.errors["theme"]
    assert [a.value for a in result.active] == ["co-design"]


def test_contributor_facet_lists_names_in_count_order(cat):
    result = search(PublicationFilter, "")
    contributor = next(f for f in result.facets if f.name == "contributor")
    assert [(v.label, v.count) for v in contributor.values] == [
        ("Elke Loeffler", 5),
        ("Tony Bovaird", 5),
        ("Catherine Needham", 4),
    ]


def test_selected_contributor_with_no_items_stays_visible_at_zero(cat):
    result = search(PublicationFilter, "contributor=catherine-needham&kind=report")
    contributor = next(f for f in result.facets if f.name == "contributor")
    assert [(v.value, v.count, v.selected) for v in contributor.values] == [
        ("catherine-needham", 0, True),
        ("elke-loeffler", 2, False),
        ("tony-bovaird", 1, False),
    ]


UNFILTERED_CASE_STUDIES = {
    "theme": {"co-production": 3, "co-design": 1, "co-commissioning": 1, "local-governance": 1},
    "service_area": {"health": 3, "social-care": 2, "housing": 2},
    "country": {"GB": 3, "DE": 2, "NZ": 1},
    "year": {"2020": 1, "2010": 3, "2000": 1},
}

CASE_STUDY_CASES = [
    ("", 6, UNFILTERED_CASE_STUDIES, {}),
    (
        "service_area=health&service_area=housing&country=de",
        2,
        {
            "theme": {"local-governance": 1},
            "service_area": {"health": 1, "housing": 2},
            "country": {"GB": 1, "DE": 2, "NZ": 1},
            "year": {"2010": 1},
        },
        {"service_area": {"health", "housing"}, "country": {"DE"}},
    ),
    (
        "theme=co-production&year_from=2014",
        2,
        {
            "theme": {"co-production": 2, "co-design": 1, "local-governance": 1},
            "service_area": {"health": 2, "social-care": 1},
            "country": {"GB": 1, "NZ": 1},
            "year": {"2020": 1, "2010": 2},
        },
        {"theme": {"co-production"}},
    ),
    (
        "q=care",
        2,
        {
            "theme": {"co-production": 2, "co-design": 1, "co-commissioning": 1},
            "service_area": {"health": 1, "social-care": 2},
            "country": {"GB": 2},
            "year": {"2010": 2},
        },
        {},
    ),
]


@pytest.mark.parametrize(("query", "total", "expected", "expected_selected"), CASE_STUDY_CASES)
def test_case_study_facet_counts_apply_every_other_facet(cat, query, total, expected, expected_selected):
    result = search(CaseStudyFilter, query)
    counts, selected = facet_counts(result)
    assert result.queryset.count() == total
    assert counts == expected
    assert {name: values for name, values in selected.items() if values} == expected_selected
    assert result.errors == {}


def test_case_study_listing_hides_draft_and_scheduled_and_sorts_newest_first(cat):
    result = search(CaseStudyFilter, "")
    assert [c.title for c in result.queryset] == [
        "Wellington health partnership",
        "Berlin neighbourhood councils",
        "Walsall co-design of care",
        "Birmingham care homes",
        "Kent libraries",
        "Hamburg housing cooperative",  # no start year: last
    ]


def test_country_facet_labels_are_country_names(cat):
    result = search(CaseStudyFilter, "")
    country = next(f for f in result.facets if f.name == "country")
    assert {(v.value, v.label) for v in country.values} == {
        ("GB", "United Kingdom"),
        ("DE", "Germany"),
        ("NZ", "New Zealand"),
    }
