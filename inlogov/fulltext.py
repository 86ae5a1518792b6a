"""Full-text search for publications and case studies, on PostgreSQL and on SQLite.

PostgreSQL
    Each searchable table has a ``search_vector`` tsvector column that the database computes
    itself (``GENERATED ALWAYS AS (...) STORED``, created by migration
    ``publications/0002_fulltext_search_vectors``), with a GIN index on it. Because the database
    computes the column on every INSERT and UPDATE, it is right for every write path: the admin,
    ``save()``, ``bulk_create`` (the synthetic generator), ``queryset.update()`` and raw SQL. The
    column is deliberately not part of Django's model state (SQLite has no tsvector), so queries
    reach it through :class:`SearchVectorColumn`, an expression that follows table aliases when the
    queryset is nested as a subquery (facet counts do that).

    Weights: publications title and subtitle ``A``, abstract ``B``; case studies title ``A``,
    summary and locality ``B``, body ``C``. The ``english`` configuration stems words, so
    "services" finds "service" and "governing" finds "govern". The visitor's text goes through
    ``websearch_to_tsquery``, which accepts any input without syntax errors ("quoted phrases",
    ``or``, ``-word``). Ranking is ``ts_rank`` with weights D=0.05, C=0.1, B=0.2, A=1.0, so a
    title match outranks an abstract match. HTML tags in rich text are skipped by the parser.

SQLite (development and the second CI run)
    A simpler match: every word of the query (split on whitespace) must occur, case-insensitively,
    in one of the model's text fields (``icontains``). Word forms are not stemmed: "service" finds
    "services" but not the reverse. Relevance: items whose title contains the whole query first,
    then items whose title contains any word, then the rest; ties by the listing's default order.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Expression, IntegerField, Q, Value, When

# Weights for D, C, B, A: a title (A) match counts five times an abstract (B) match.
RANK_WEIGHTS = [0.05, 0.1, 0.2, 1.0]
CONFIG = "english"


@dataclass(frozen=True)
class SearchSpec:
    """What to search on one model.

    ``title_fields`` and ``other_fields`` are used by the SQLite fallback; the PostgreSQL column
    definition (with weights) lives in the migration and must cover the same fields.
    """

    title_fields: tuple
    other_fields: tuple
    column: str = "search_vector"


class _VectorCol(Expression):
    def __init__(self, alias, column):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.alias, self.column = alias, column

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name(self.column)}", []

    def relabeled_clone(self, change_map):
        return _VectorCol(change_map.get(self.alias, self.alias), self.column)

    def get_group_by_cols(self):
        return [self]


class SearchVectorColumn(Expression):
    """The model table's ``search_vector`` column (PostgreSQL only), usable at any nesting depth."""

    def __init__(self, column="search_vector"):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.column = column

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return _VectorCol(query.get_initial_alias(), self.column)


def is_postgres():
    return connection.vendor == "postgresql"


def _terms(text):
    return [term for term in text.split() if term][:20]


def search(queryset, text, spec):
    """Restrict ``queryset`` to items matching ``text``. No ranking (see :func:`rank`)."""
    if not text:
        return queryset
    if is_postgres():
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return queryset.alias(_search_vector=SearchVectorColumn(spec.column)).filter(_search_vector=query)
    condition = Q()
    for term in _terms(text):
        any_field = Q()
        for field in spec.title_fields + spec.other_fields:
            any_field |= Q(**{f"{field}__icontains": term})
        condition &= any_field
    return queryset.filter(condition)


def rank(queryset, text, spec):
    """Annotate ``search_rank`` (higher is better) on an already searched queryset."""
    if is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return queryset.annotate(
            search_rank=SearchRank(SearchVectorColumn(spec.column), query, weights=RANK_WEIGHTS)
        )
    whole = Q()
    for field in spec.title_fields:
        whole |= Q(**{f"{field}__icontains": text})
    any_term = Q()
    for term in _terms(text):
        for field in spec.title_fields:
            any_term |= Q(**{f"{field}__icontains": term})
    return queryset.annotate(
        search_rank=Case(
            When(whole, then=Value(2)),
            When(any_term, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def match_sql(text, column="search_vector"):
    """(SQL, params): ``column`` matches ``text``, as :func:`search` matches it (PostgreSQL), for
    hand-written statements over a copy of the vector (``publications_searchrow``)."""
    return f"{column} @@ websearch_to_tsquery(%s::regconfig, %s)", [CONFIG, text]


def rank_sql(text, column="search_vector"):
    """(SQL, params): the ``search_rank`` that :func:`rank` annotates (PostgreSQL), the same value
    for the same vector."""
    return f"ts_rank(%s::float4[], {column}, websearch_to_tsquery(%s::regconfig, %s))", [RANK_WEIGHTS, CONFIG, text]
