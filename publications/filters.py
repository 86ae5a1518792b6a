"""The FilterSets behind the publication and case-study listings, the API, exports and feeds.

One grammar for every consumer (see ``inlogov/faceting.py`` for semantics, error handling and
the query budget):

``PublicationFilter``
    ``theme`` (repeatable slug, sub-themes included), ``kind`` (repeatable ``Publication.Kind``
    value), ``year_from``/``year_to`` (on ``year``), ``contributor`` (repeatable slug),
    ``open_access`` (``true``/``false``), ``q`` (full text: title and subtitle above abstract),
    ``sort`` (``relevance|newest|oldest|title``).

``CaseStudyFilter``
    ``theme``, ``service_area`` (repeatable slug), ``country`` (repeatable ISO code),
    ``year_from``/``year_to`` (on ``year_started``), ``q`` (title above summary/locality above
    body), ``sort`` (``relevance|newest|oldest|title``; newest/oldest by ``year_started``).

Use them as plain django-filter FilterSets::

    fs = PublicationFilter(request.GET, queryset=Publication.objects.published().for_listing())
    fs.qs            # filtered and sorted
    fs.is_valid()    # False if anything was ignored or repaired; fs.errors / fs.problems say what
    fs.facets()      # facet counts (list of faceting.Facet)

or through ``faceting.faceted_search(PublicationFilter, request.GET, queryset)``. A search page
can pass just ``{"q": text}``. Every ordering ends with ``pk`` so paging is stable.
"""

import django_filters
from django.db import connection
from django.db.models import F

from inlogov import fulltext
from inlogov.faceting import (
    BooleanFacet,
    ChoiceFacet,
    FacetedFilterSet,
    RelatedFacet,
    RepeatableFilter,
    YearRangeFacet,
)
from inlogov.publishing import published_sql
from publications.countries import country_choices
from publications.facet_counts import PrecomputedCounts, StatementCounts, theme_years
from publications.models import YEAR_MAX, YEAR_MIN, CaseStudy, Publication, PublicationContributor

SORT_CHOICES = [
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("title", "Title A to Z"),
]


def _published_themes():
    from themes.models import Theme

    return Theme.objects.published().order_by(*THEME_ORDER)


THEME_ORDER = ("order", "name", "pk")


def _public_rows(model, fields, pks=None, order=(), published=True):
    """``model.objects.published()`` (filtered to ``pks``, ordered by ``order``) as
    ``.values(*fields)`` gives it, from one hand-written statement; with ``published=False``
    (a model without a publishing rule, such as service areas), every row.

    Why: every listing reads the public themes for its theme facet and its contributor facet's
    labels, and Django took longer to build and compile those two small queries than the
    database took to answer them (about 8% of a listing's Python in a sampling profile,
    docs/performance.md, tenth session). The publishing rule comes from ``published_sql``;
    ``tests/publications/test_filters.py`` checks these rows against the ORM's. ``fields`` and
    ``order`` name model fields (``pk`` for the key; ``parent_id`` for a foreign key's column),
    never user input.
    """
    quote = connection.ops.quote_name

    def column(name):
        return "v." + quote(model._meta.pk.column if name == "pk" else model._meta.get_field(name).column)

    rule, params = published_sql("v") if published else ("TRUE", [])
    sql = f"SELECT {', '.join(column(name) for name in fields)} FROM {quote(model._meta.db_table)} v WHERE {rule}"  # noqa: S608 (field names, quoted)
    if pks is not None:
        sql += f" AND v.{quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})"
        params += list(pks)
    if order:
        sql += " ORDER BY " + ", ".join(column(name) for name in order)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]


def _theme_rows(fields, pks=None):
    from themes.models import Theme

    return _public_rows(Theme, fields, pks, order=THEME_ORDER)


def _contributor_rows(fields, pks=None):
    from people.models import Contributor

    return _public_rows(Contributor, fields, pks, order=("family_name", "given_name", "pk"))


def _service_areas():
    from themes.models import ServiceArea

    return ServiceArea.objects.order_by(*SERVICE_AREA_ORDER)


SERVICE_AREA_ORDER = ("order", "name", "pk")


def _service_area_rows(fields, pks=None):
    from themes.models import ServiceArea

    return _public_rows(ServiceArea, fields, pks, order=SERVICE_AREA_ORDER, published=False)


def _published_contributors():
    from people.models import Contributor

    return Contributor.objects.published()


def _contributor_label(row):
    return row.get("display_name") or " ".join(
        part for part in (row.get("given_name"), row.get("family_name")) if part
    )


class _CommonFilters(FacetedFilterSet):
    theme = RepeatableFilter(label="Theme slug (repeatable; a parent theme includes its sub-themes)")
    year_from = django_filters.NumberFilter(label="From year (inclusive)")
    year_to = django_filters.NumberFilter(label="To year (inclusive)")
    q = django_filters.CharFilter(label="Search text")
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, label="Sort order")


class PublicationFilter(_CommonFilters):
    kind = django_filters.MultipleChoiceFilter(choices=Publication.Kind.choices, label="Kind (repeatable)")
    contributor = RepeatableFilter(label="Contributor slug (repeatable)")
    open_access = django_filters.BooleanFilter(label="Open access")

    facet_definitions = (
        RelatedFacet(
            "theme",
            "Theme",
            through=lambda: Publication.themes.through,
            source="publication",
            target="theme",
            values_queryset=_published_themes,
            rows=_theme_rows,
            hierarchical=True,
            noun="published theme",
            precomputed=True,
        ),
        ChoiceFacet(
            "kind", "Kind", "kind", Publication.Kind.choices, noun="kind of publication",
            exhaustive=True, precomputed=True,
        ),
        YearRangeFacet("year", "Year", "year", low=YEAR_MIN, high=YEAR_MAX, exhaustive=True, precomputed=True),
        RelatedFacet(
            "contributor",
            "Contributor",
            through=lambda: PublicationContributor,
            source="publication",
            target="contributor",
            values_queryset=_published_contributors,
            rows=_contributor_rows,
            label_fields=("display_name", "given_name", "family_name"),
            make_label=_contributor_label,
            limit=15,
            noun="published contributor",
            precomputed=True,
        ),
        BooleanFacet(
            "open_access", "Access", "is_open_access", "Open access", "Not open access",
            exhaustive=True, precomputed=True,
        ),
    )
    # PostgreSQL keeps these counts over all published items (migration 0005).
    precomputed_counts = PrecomputedCounts
    search_spec = fulltext.SearchSpec(title_fields=("title", "subtitle"), other_fields=("abstract",))
    sort_orders = {
        "relevance": ("Relevance", ("-search_rank", "-year", "title", "pk")),
        "newest": ("Newest first", ("-year", "title", "pk")),
        "oldest": ("Oldest first", ("year", "title", "pk")),
        "title": ("Title A to Z", ("title", "pk")),
    }

    class Meta:
        model = Publication
        fields = []


class CaseStudyFilter(_CommonFilters):
    service_area = RepeatableFilter(label="Service area slug (repeatable)")
    country = RepeatableFilter(label="Country, ISO 3166 code (repeatable)")

    facet_definitions = (
        RelatedFacet(
            "theme",
            "Theme",
            through=lambda: CaseStudy.themes.through,
            source="casestudy",
            target="theme",
            values_queryset=_published_themes,
            rows=_theme_rows,
            hierarchical=True,
            noun="published theme",
            precomputed=True,
        ),
        RelatedFacet(
            "service_area",
            "Service area",
            through=lambda: CaseStudy.service_areas.through,
            source="casestudy",
            target="servicearea",
            values_queryset=_service_areas,
            rows=_service_area_rows,
            noun="service area",
            precomputed=True,
        ),
        ChoiceFacet("country", "Country", "country", country_choices, noun="country code", precomputed=True),
        YearRangeFacet("year", "Year started", "year_started", low=YEAR_MIN, high=YEAR_MAX, precomputed=True),
    )
    # On PostgreSQL, without a search: every facet in one statement (publications/facet_counts.py).
    precomputed_counts = StatementCounts
    # Country codes are accepted in any case.
    facet_definitions[2].case_insensitive = True
    search_spec = fulltext.SearchSpec(title_fields=("title",), other_fields=("summary", "locality", "body"))
    sort_orders = {
        "relevance": ("Relevance", ("-search_rank", F("year_started").desc(nulls_last=True), "title", "pk")),
        "newest": ("Newest first", (F("year_started").desc(nulls_last=True), "title", "pk")),
        "oldest": ("Oldest first", (F("year_started").asc(nulls_last=True), "title", "pk")),
        "title": ("Title A to Z", ("title", "pk")),
    }

    class Meta:
        model = CaseStudy
        fields = []


def theme_publications_per_year(theme, child_ids):
    """[{"year", "total"}] of the public publications under ``theme`` with its public sub-themes
    ``child_ids`` (exactly those: the theme page's ``published_children``), as the listing
    filtered by the theme counts them, read from the stored counts in one query, in year order;
    None where they cannot answer (SQLite, or a theme that is not public, as in a preview)."""
    if not PrecomputedCounts.available() or not theme.is_public:
        return None
    years = theme_years(Publication, theme.pk, child_ids)
    return [{"year": year, "total": n} for year, n in sorted(years.items())]
