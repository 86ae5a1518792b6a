"""Faceted search: the one module behind the HTML listings, the API, exports and feeds.

Grammar (query parameters; the FilterSets in ``publications/filters.py`` declare which apply)
    Publications: ``theme`` (repeatable slug; a parent theme includes its published sub-themes),
    ``kind`` (repeatable), ``year_from``, ``year_to``, ``contributor`` (repeatable slug),
    ``open_access`` (``true``/``false``; both given means either), ``q``, ``sort``
    (``relevance|newest|oldest|title``; default ``newest``, or ``relevance`` when ``q`` is given;
    ``relevance`` without ``q`` falls back to ``newest`` silently), ``page``.
    Case studies: ``theme``, ``service_area`` (repeatable slug), ``country`` (repeatable ISO
    3166 alpha-2 code, any case), ``year_from``/``year_to`` (on ``year_started``), ``q``,
    ``sort``, ``page``. Parameters outside the grammar (``page_size``, ``format``...) are ignored
    here, so the API can add its own.

Semantics
    Values within one facet are OR'd; facets are AND'd with each other and with ``q``. The counts
    of each facet are computed with every other facet's selection (and ``q``) applied but not its
    own. Every count is a database ``GROUP BY`` over ``published()`` items only, and only published
    facet values are listed (a draft theme or contributor is never shown, and items reached only
    through one are not counted under it). Selected values stay visible with a zero count.

    Years: the ``year`` facet lists counts per decade (value ``"2010"``, label ``"2010s"``); its
    links set ``year_from=2010&year_to=2019``. Free ranges come from the two number inputs.

Bad input never raises
    Unknown or draft slugs, unknown kinds/countries/sorts, non-numeric or out-of-range years,
    repeated single-valued parameters (the first is used), too many values, queries longer than
    ``MAX_QUERY_LENGTH`` (truncated), control characters and NUL (stripped) are all ignored or
    repaired, and recorded as ``{param: message}``. A reversed year range is swapped (and noted).
    The HTML page shows the messages above the results; the API answers 400 with them.

Interface (stable; the API and the search page depend on it)
    ``faceted_search(filterset_class, data, queryset=None, request=None, facets=True)``
        -> :class:`FacetedResult` with
        ``filterset``   the bound FilterSet (``filterset.problems`` is the same dict as ``errors``),
        ``queryset``    filtered and sorted, built on the ``queryset`` you pass (pass
                        ``Model.objects.published().for_listing()``; default ``published()``).
                        Facet counts are always computed over ``Model.objects.published()``,
                        so express restrictions as parameters, not by narrowing ``queryset``,
        ``facets``      list of :class:`Facet` (``name`` = query parameter, ``label``, ``kind``
                        ``"checkbox"`` or ``"years"``, ``values`` = list of :class:`FacetValue`
                        (``value``, ``label``, ``count``, ``selected``, ``depth``,
                        ``querystring`` = "?..." toggling that value, other params kept, page
                        dropped, worked out when first read)); ``facets=False`` skips counting,
                        or pass an iterable of names,
        ``errors``      ``{param: message}`` for everything ignored or repaired,
        ``active``      list of :class:`ActiveFilter` (``param``, ``value``, ``label``,
                        ``remove_querystring``): removable chips, one per selected value,
        ``querydict``   the sanitised parameters as a ``QueryDict`` (no ``page``), to feed
                        ``{% querystring result.querydict page=2 %}``,
        ``q``, ``sort`` the effective search text and sort key,
        ``suggestion()`` for an empty result: the :class:`ActiveFilter`-like removal that brings
                        back the most results (a few ``COUNT`` queries, only when asked).
    ``paginate(queryset, page_value, per_page)`` -> ``(page_obj, message_or_None)``: page 0,
        text, or past-the-end pages give the first or last page and a message, never a 404.

    The FilterSets are ordinary django-filter FilterSets, so ``DjangoFilterBackend`` works: their
    ``is_valid()`` is False and ``errors`` is an ``ErrorDict`` keyed by parameter whenever
    anything was ignored, which DRF turns into a 400 naming the parameter. ``filterset.qs`` is
    the same filtered and sorted queryset as ``FacetedResult.queryset``.

Query budget (constant whatever the page size or the number of facet values)
    One query for the published themes (reused for filtering, expansion, labels and counts), one
    per other small vocabulary (service areas), one to resolve selected contributors (only when
    ``contributor`` is given), then one ``GROUP BY`` per facet, plus one query for the labels of
    the top contributors. Many-to-many filters are
    semi-joins (``pk IN (SELECT ... FROM through)``), so facet queries never see duplicate rows.
    A FilterSet with a ``precomputed_counts`` reader (publications, on PostgreSQL) replaces the
    GROUP BYs: a few small queries for the facets that need only the publishing rule, and one
    query for all the others (``publications/facet_counts.py``). The listing's total comes from
    the counts of an unselected facet marked ``exhaustive``, so it needs no COUNT query.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from urllib.parse import urlencode

import django_filters
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.sql.where import WhereNode
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from django.utils.functional import SimpleLazyObject

from inlogov import fulltext
from inlogov.publishing import hidden_sql, published_q

MAX_QUERY_LENGTH = 200
MAX_VALUES = 30  # per repeatable parameter; more is never a real visitor
MAX_PARAM_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def shorten_query(q):
    """The first MAX_QUERY_LENGTH characters of a search, cut at the last space within them so
    no word is cut in half (the listings, the API and the search page cut alike)."""
    if len(q) <= MAX_QUERY_LENGTH:
        return q
    head = q[:MAX_QUERY_LENGTH]
    return head.rsplit(" ", 1)[0] if " " in head else head


def clean_text(value):
    """Strip control characters (including NUL) and collapse whitespace. Returns (text, changed)."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", str(value))).strip()
    return text, _CONTROL.search(str(value)) is not None


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    depth: int = 0
    # Set by FacetedFilterSet.facets(): makes the querystring below.
    toggle: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def querystring(self):
        """"?..." toggling this value, other parameters kept, page dropped. Worked out when first
        read: a listing has dozens of values and its page links only the decades (about 1.5 ms
        of a cold listing when every one was built)."""
        return self.toggle() if self.toggle is not None else ""


@dataclass
class Facet:
    name: str
    label: str
    values: list
    kind: str = "checkbox"
    extra: dict = field(default_factory=dict)

    @property
    def selected_count(self):
        return sum(1 for value in self.values if value.selected)


@dataclass
class ActiveFilter:
    param: str
    value: str
    label: str
    remove_querystring: str
    facet_label: str = ""
    count: int | None = None


@dataclass
class FacetedResult:
    filterset: object
    facets: list
    errors: dict
    active: list
    querydict: QueryDict
    q: str
    sort: str
    total: int | None = None  # number of results when known without a COUNT query
    # (page number, ids) when the counts query also chose the page's items (see paginate()).
    chosen_page: tuple | None = None
    # Matching items per year in the listing's order, when it is ordered by year (paginate()).
    year_seek: tuple | None = None

    @property
    def queryset(self):
        """The filtered and sorted queryset (``filterset.qs``), built when first read: a listing
        whose page the counts query chose fetches that page by id from the unfiltered base and
        never needs it (a search's filter, rank and ordering were about a tenth of a searched
        page's Python, docs/performance.md, eleventh session)."""
        return self.filterset.qs

    def suggestion(self):
        """The active facet whose removal brings back the most items (for the "no results" state).

        Returns an ActiveFilter with ``count`` set, or None when nothing is selected. Costs one
        COUNT per active parameter, so call it only when the result is empty.
        """
        best = None
        for name in self.filterset.active_facet_names():
            count = self.filterset.filtered(exclude=name).count()
            if best is None or count > best.count:
                definition = self.filterset.facet_definition(name)
                params = definition.params
                querystring = _querystring(self.querydict, dict.fromkeys(params))
                best = ActiveFilter(name, "", definition.label, querystring, definition.label, count)
        if self.q:
            count = self.filterset.filtered(exclude="q").count()
            if best is None or count > best.count:
                best = ActiveFilter(
                    "q", self.q, "search", _querystring(self.querydict, {"q": None, "sort": None}), "Search", count
                )
        return best


def changed_query(querydict, changes):
    """A copy of ``querydict`` with each key of ``changes`` set to its value (a list or other
    iterable sets several values), or removed when the value is None. Facet links and the
    templates' ``querystring`` (inlogov/jinja.py) both build on it."""
    params = querydict.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        elif isinstance(value, Iterable) and not isinstance(value, str):
            params.setlist(key, list(value))
        else:
            params[key] = value
    return params


@lru_cache(maxsize=1024)  # the FilterSet's values are cleaned and at most 200 characters
def _encoded(key, value):
    """``key=value`` as ``QueryDict.urlencode()`` writes one pair."""
    return urlencode({key.encode(): value.encode()})


def _querystring(querydict, changes):
    """"?..." with ``changes`` applied and the page dropped (a changed filter starts at page 1):
    the text ``changed_query(querydict, changes)`` without "page" would give as ``urlencode()``.

    Why not through ``changed_query``: every value of the facet panel links to its toggle, and
    copying the QueryDict (a deep copy) and encoding every parameter again for each of some 40
    links was about 4% of a listing's Python (docs/performance.md, eleventh session). Here the
    pairs are encoded once each (remembered) and joined in ``changed_query``'s order: the
    query's keys where they stand, then new keys in the order of ``changes``.
    tests/inlogov/test_facet_links.py compares the two on varied queries.
    """

    def values(value):
        if isinstance(value, Iterable) and not isinstance(value, str):
            return [str(item) for item in value]
        return [str(value)]

    pairs = []
    for key, current in querydict.lists():
        if key in changes:
            if changes[key] is None:
                continue
            current = values(changes[key])
        if key != "page":
            pairs += [_encoded(key, str(value)) for value in current]
    for key, value in changes.items():
        if key not in querydict and key != "page" and value is not None:
            pairs += [_encoded(key, item) for item in values(value)]
    return "?" + "&".join(pairs)


# ---------------------------------------------------------------------------------------------
# Facet definitions: how one facet parses, filters and counts. Declared on a FilterSet.


class FacetDefinition:
    kind = "checkbox"
    # Every item has exactly one value (so the counts of an unselected facet add up to the number
    # of results, and the listing needs no COUNT query).
    exhaustive = False
    # No item has more than one value (a model field's choices): with the facet selected, its
    # selected values' counts add up to the number of results, so again no COUNT query.
    single_valued = False
    # Counts may come from the FilterSet's ``precomputed_counts`` reader instead of a GROUP BY
    # (see ``FacetedFilterSet.precomputed_counts``).
    precomputed = False

    def __init__(self, name, label):
        self.name, self.label = name, label

    @property
    def params(self):
        return (self.name,)

    def parse(self, values, fs):
        """Return (selection or None, message or None) from the list of raw string values."""
        raise NotImplementedError

    def apply(self, queryset, selection, fs):
        raise NotImplementedError

    def counts(self, base, selection, fs):
        """Return FacetValues (without querystrings) for the items in ``base``."""
        raise NotImplementedError

    def counts_precomputed(self, reader, selection, fs):
        """The same FacetValues as ``counts``, from a reader of the FilterSet's
        ``precomputed_counts`` (stored counts, or one query for all the filtered facets)."""
        raise NotImplementedError

    def chips(self, selection, fs):
        """Return (param, value, label) for each selected value."""
        labels = {value.value: value.label for value in self.known_values(selection, fs)}
        return [(self.name, value, labels.get(value, value)) for value in selection]

    def known_values(self, selection, fs):
        return []

    def toggle(self, selection, value):
        selection = list(selection or [])
        return [v for v in selection if v != value] if value in selection else selection + [value]


class _ListFacet(FacetDefinition):
    """A repeatable parameter whose values come from a known vocabulary."""

    noun = "value"
    case_insensitive = False

    def vocabulary(self, fs, values):
        """{value: row} for the given raw values that exist (and are public)."""
        raise NotImplementedError

    def parse(self, values, fs):
        if self.case_insensitive:
            values = [value.upper() for value in values]
        values = list(dict.fromkeys(values))
        message = None
        if len(values) > MAX_VALUES:
            values = values[:MAX_VALUES]
            message = f"Only the first {MAX_VALUES} values were used."
        known = self.vocabulary(fs, values)
        unknown = [value for value in values if value not in known]
        selection = [value for value in values if value in known]
        if unknown:
            shown = ", ".join(f"“{value[:40]}”" for value in unknown[:5])
            message = f"No {self.noun} matches {shown}, so {'it was' if len(unknown) == 1 else 'they were'} ignored."
        return (selection or None), message


class ChoiceFacet(_ListFacet):
    """A closed vocabulary on a model field (e.g. ``kind``)."""

    single_valued = True

    def __init__(self, name, label, field, choices, noun="value", exhaustive=False, precomputed=False):
        super().__init__(name, label)
        self.field, self.noun = field, noun
        self._choices = choices
        self.exhaustive, self.precomputed = exhaustive, precomputed

    @property
    def choices(self):
        return dict(self._choices() if callable(self._choices) else self._choices)

    def db_value(self, value):
        return value

    def vocabulary(self, fs, values):
        choices = self.choices
        return {value: choices[value] for value in values if value in choices}

    def apply(self, queryset, selection, fs):
        return queryset.filter(**{f"{self.field}__in": [self.db_value(value) for value in selection]})

    def condition_sql(self, alias, selection, fs):
        """``apply``'s condition as SQL on table alias ``alias``, and its parameters (for a
        counts reader that writes one statement, publications/facet_counts.py)."""
        column = connection.ops.quote_name(fs.queryset.model._meta.get_field(self.field).column)
        values = [self.db_value(value) for value in selection]
        return f"{alias}.{column} IN ({', '.join(['%s'] * len(values))})", values

    def counts(self, base, selection, fs):
        rows = base.order_by().values(self.field).annotate(n=Count("pk")).values_list(self.field, "n")
        return self.values_from({self.from_db(key): n for key, n in rows}, selection)

    def counts_precomputed(self, reader, selection, fs):
        return self.values_from(reader.choice(self.name), selection)

    def values_from(self, by_value, selection):
        selection = selection or []
        return [
            FacetValue(value, label, by_value.get(value, 0), value in selection)
            for value, label in self.choices.items()
            if by_value.get(value) or value in selection
        ]

    def from_db(self, key):
        return key

    def known_values(self, selection, fs):
        choices = self.choices
        return [FacetValue(value, choices.get(value, value), 0) for value in selection]


class BooleanFacet(ChoiceFacet):
    """``true``/``false`` on a boolean field; both selected means no restriction."""

    # Both selected filter nothing, and a nullable field's items without a value would be
    # missing from the two counts: the total is not theirs to give.
    single_valued = False

    def __init__(self, name, label, field, true_label, false_label, **options):
        super().__init__(name, label, field, [("true", true_label), ("false", false_label)], noun="value", **options)

    def parse(self, values, fs):
        return super().parse([value.lower() for value in values], fs)

    def db_value(self, value):
        return value == "true"

    def from_db(self, key):
        return "true" if key else "false"


class RelatedFacet(_ListFacet):
    """A many-to-many relation through a table (themes, service areas, contributors).

    ``through`` returns the through model; ``source``/``target`` are its FK names to the listed
    item and to the facet value. ``values_queryset`` returns the public facet values. With
    ``limit`` (large vocabularies such as contributors) only the top ``limit`` values by count
    are listed, plus every selected value; their labels come from one more small query.
    ``hierarchical`` (themes): a selected parent also matches its published sub-themes, and a
    parent's count is the number of distinct items under it or any of its sub-themes.
    ``rows`` (optional) reads the values' columns without building a queryset: a callable
    ``rows(fields, pks=None)`` returning what ``values_queryset().values(*fields)`` returns
    (filtered to ``pks`` when given), in the same order. Every listing reads its themes and
    its contributor facet's labels, so publications/filters.py writes those two statements by
    hand.
    """

    def __init__(
        self,
        name,
        label,
        *,
        through,
        source,
        target,
        values_queryset,
        label_fields=("name",),
        make_label=None,
        hierarchical=False,
        limit=None,
        noun="value",
        precomputed=False,
        rows=None,
    ):
        super().__init__(name, label)
        self.precomputed = precomputed
        self.rows = rows
        self.through, self.source, self.target = through, source, target
        self.values_queryset = values_queryset
        self.label_fields = tuple(label_fields)
        self.make_label = make_label or (lambda row: row[self.label_fields[0]])
        self.hierarchical, self.limit, self.noun = hierarchical, limit, noun

    # -- vocabulary --------------------------------------------------------------------------
    def _values(self, fields, pks=None):
        """``fields`` of the public values (those with ``pks``, when given) as dicts, in display
        order: one query, none for no ``pks``."""
        if pks is not None and not pks:
            return []
        if self.rows is not None:
            return self.rows(fields, pks)
        queryset = self.values_queryset()
        if pks is not None:
            queryset = queryset.filter(pk__in=pks)
        return list(queryset.values(*fields))

    def _all_rows(self, fs):
        """Every public value as dicts, in display order (one query per FilterSet)."""
        key = ("vocab", self.name)
        if key not in fs._cache:
            fields = ("pk", "slug", *self.label_fields) + (("parent_id",) if self.hierarchical else ())
            fs._cache[key] = self._values(fields)
        return fs._cache[key]

    def _selected_rows(self, fs, values):
        key = ("selected", self.name)
        if key not in fs._cache:
            if self.limit is None:
                wanted = set(values)
                fs._cache[key] = {row["slug"]: row for row in self._all_rows(fs) if row["slug"] in wanted}
            else:
                clean = [value for value in values if len(value) <= MAX_PARAM_LENGTH]
                # Nothing asked for (the usual case: no contributor chosen) needs no query; the
                # ORM would build and half-compile one before finding it empty (0.2-0.4 ms).
                rows = (
                    self.values_queryset().filter(slug__in=clean).values("pk", "slug", *self.label_fields)
                    if clean
                    else ()
                )
                fs._cache[key] = {row["slug"]: row for row in rows}
        return fs._cache[key]

    def vocabulary(self, fs, values):
        return self._selected_rows(fs, values)

    def _children(self, fs):
        rows = self._all_rows(fs)
        public = {row["pk"] for row in rows}
        children = {}
        for row in rows:
            if row["parent_id"] in public:
                children.setdefault(row["parent_id"], []).append(row["pk"])
        return children

    def _ids(self, fs, selection):
        rows = self._selected_rows(fs, selection)
        ids = {rows[slug]["pk"] for slug in selection}
        if self.hierarchical:
            children = self._children(fs)
            for pk in list(ids):
                ids.update(children.get(pk, ()))
        return sorted(ids)

    # -- filtering ---------------------------------------------------------------------------
    def apply(self, queryset, selection, fs):
        """Items linked to any selected value: ``pk IN (SELECT source FROM through WHERE target
        IN (...))``, the semi-join the ORM writes for ``pk__in=through.filter(...).values(...)``,
        given as SQL: building and compiling that inner queryset was most of the cost of
        filtering a listing (every listing with a theme chosen filters its page by it, and the
        case-study listing its four facet counts). The ids are parameters; the names come
        from the through model."""
        ids = self._ids(fs, selection)
        if not ids:
            return queryset.none()
        return queryset.filter(pk__in=RawSQL(*self._matching_sql(ids)))  # noqa: S611 (see _matching_sql)

    def _matching_sql(self, ids):
        """The ids of the items linked to any of ``ids``, as a subquery, and its parameters."""
        table, source, target = self._link_names()
        return (
            f"SELECT {source} FROM {table} WHERE {target} IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608 (names from the model; ids are parameters)
            list(ids),
        )

    def condition_sql(self, alias, selection, fs):
        """``apply``'s condition as SQL on table alias ``alias``, and its parameters (for a
        counts reader that writes one statement, publications/facet_counts.py)."""
        ids = self._ids(fs, selection)
        if not ids:
            return "FALSE", []
        matching, params = self._matching_sql(ids)
        return f"{alias}.{connection.ops.quote_name(fs.queryset.model._meta.pk.column)} IN ({matching})", params

    def _link_names(self):
        """The through table and its columns for the listed item and for the value, quoted, for
        the statements written by hand (``apply`` and ``_count_rows``)."""
        through = self.through()._meta
        quote = connection.ops.quote_name
        return (
            quote(through.db_table),
            quote(through.get_field(self.source).column),
            quote(through.get_field(self.target).column),
        )

    # -- counting ----------------------------------------------------------------------------
    def _rows_in_base(self, base, fs):
        """The through rows of the items in ``base``, as a queryset."""
        through = self.through()
        if fs.unrestricted_except(self.name):
            # Nothing but the publishing rule applies: exclude the few hidden items (a small
            # hashed anti-join) instead of semi-joining the ~all visible ones (a large hash).
            hidden = base.model.objects.exclude(published_q()).values("pk")
            return through.objects.exclude(**{f"{self.source}_id__in": hidden})
        return through.objects.filter(**{f"{self.source}_id__in": base.order_by().values("pk")})

    def counts(self, base, selection, fs):
        selection = selection or []
        if self.limit is not None:
            return self._top_counts(self._rows_in_base(base, fs), selection, fs)
        public_ids = [row["pk"] for row in self._all_rows(fs)]
        children = self._children(fs) if self.hierarchical else {}
        rows = self._count_rows(base, fs, public_ids, children) if public_ids else []
        direct_counts = {pk: n for pk, n, level in rows if level == 1}
        rolled_counts = {pk: n for pk, n, level in rows if level == 0}
        return self.values_from(direct_counts, rolled_counts, selection, fs)

    def _count_rows(self, base, fs, public_ids, children):
        """[(value id, items, level)]: each public value's items in ``base`` (level 1) and, for a
        parent with public children, its distinct items under itself or them (level 0).

        One statement, written here rather than built with the ORM: the two grouped querysets,
        the CASE of parents and their union took longer to build and compile than the database
        took to count (about a third of the case-study listing's Python). ``base`` is still the
        ORM's (its filters are the facets' own) and is compiled once, as the subquery; the hidden
        items' subquery is ``hidden_sql``, the one the ORM's ``exclude(published_q())`` writes.
        tests/publications/test_faceting.py checks these counts on both databases.
        """
        if fs.unrestricted_except(self.name):
            inner, inner_params = hidden_sql(base.model._meta.db_table)
            negated = True
        else:
            inner, inner_params = base.order_by().values("pk").query.sql_with_params()
            negated = False
        with connection.cursor() as cursor:
            cursor.execute(*self.count_rows_sql(inner, inner_params, public_ids, children, negated))
            return cursor.fetchall()

    def count_rows_sql(self, inner, inner_params, public_ids, children, negated=False):
        """``_count_rows``'s statement, and its parameters, for the items whose ids the subquery
        ``inner`` gives (``negated``: the items it does not give)."""
        table, source, target = self._link_names()
        in_base = f"l.{source} {'NOT IN' if negated else 'IN'} ({inner})"
        public = ", ".join(["%s"] * len(public_ids))
        where = f"{in_base} AND l.{target} IN ({public})"
        where_params = [*inner_params, *public_ids]
        sql = f"SELECT l.{target}, COUNT(l.{source}), 1 FROM {table} l WHERE {where} GROUP BY l.{target}"  # noqa: S608 (column and table names, quoted)
        params = list(where_params)
        if children:
            # Parents count distinct items under themselves or any published sub-theme.
            cases, case_params = [], []
            for parent, kids in children.items():
                cases.append(f"WHEN l.{target} IN ({', '.join(['%s'] * len(kids))}) THEN %s")
                case_params += [*kids, parent]
            sql += (
                f" UNION ALL SELECT CASE {' '.join(cases)} ELSE l.{target} END, COUNT(DISTINCT l.{source}), 0 "  # noqa: S608
                f"FROM {table} l WHERE {where} GROUP BY 1"
            )
            params += [*case_params, *where_params]
        return sql, params

    def counts_precomputed(self, reader, selection, fs):
        selection = selection or []
        if self.limit is not None:
            selected_ids = [row["pk"] for row in self._selected_rows(fs, selection).values()]
            winners = reader.top_contributors(self.values_queryset().model, selected_ids, self.limit)
            return self._top_values(winners, selection, fs)
        public_ids = [row["pk"] for row in self._all_rows(fs)]
        children = self._children(fs) if self.hierarchical else {}
        direct_counts, rolled_counts = reader.related(self.name, public_ids, children)
        return self.values_from(direct_counts, rolled_counts, selection, fs)

    def values_from(self, direct_counts, rolled_counts, selection, fs):
        """FacetValues in display order from {pk: n} for each value and, for parents, rolled up."""
        selection = selection or []
        all_rows = self._all_rows(fs)
        children = self._children(fs) if self.hierarchical else {}
        public = {row["pk"] for row in all_rows}
        values = []
        ordered = all_rows
        if self.hierarchical:
            tops = [row for row in all_rows if row["parent_id"] not in public]
            by_parent = {}
            for row in all_rows:
                if row["parent_id"] in public:
                    by_parent.setdefault(row["parent_id"], []).append(row)
            ordered = []
            for top in tops:
                ordered.append(top)
                ordered.extend(by_parent.get(top["pk"], []))
        for row in ordered:
            is_child = self.hierarchical and row["parent_id"] in public
            if not is_child and row["pk"] in children:
                count = rolled_counts.get(row["pk"], 0)
            else:
                count = direct_counts.get(row["pk"], 0)
            selected = row["slug"] in selection
            if count or selected:
                values.append(
                    FacetValue(row["slug"], self.make_label(row), count, selected, 1 if is_child else 0)
                )
        return values

    def _top_counts(self, rows_in_base, selection, fs):
        # Group on the id alone (narrow sort keys, no join in the aggregate), restrict to public
        # values with a semi-join, then fetch labels for the few winners in a second query.
        target_id, source_id = f"{self.target}_id", f"{self.source}_id"
        selected_rows = self._selected_rows(fs, selection)
        selected_ids = [row["pk"] for row in selected_rows.values()]
        counted = list(
            rows_in_base.filter(**{f"{target_id}__in": self.values_queryset().values("pk")})
            .values(target_id)
            .annotate(
                n=Count(source_id, distinct=True),
                chosen=Case(
                    When(**{f"{target_id}__in": selected_ids}, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
            )
            .order_by("chosen", "-n", target_id)
            .values_list(target_id, "n", "chosen")[: self.limit + len(selected_ids)]
        )
        winners, unselected = [], 0
        for pk, n, chosen in counted:
            if not chosen or unselected < self.limit:
                winners.append((pk, n))
                unselected += 1 if chosen else 0
        return self._top_values(winners, selection, fs)

    def _top_values(self, winners, selection, fs):
        """FacetValues for [(pk, n)], labelled with one query; selected values always listed."""
        selected_rows = self._selected_rows(fs, selection)
        labels = {row["pk"]: row for row in self._values(("pk", "slug", *self.label_fields), [pk for pk, n in winners])}
        values, seen = [], set()
        for pk, n in winners:
            row = labels.get(pk)
            if row is None:  # unpublished between the two queries
                continue
            seen.add(row["slug"])
            values.append(FacetValue(row["slug"], self.make_label(row), n, row["slug"] in selection))
        for slug in selection:
            if slug not in seen and slug in selected_rows:
                values.append(FacetValue(slug, self.make_label(selected_rows[slug]), 0, True))
        values.sort(key=lambda value: (not value.selected, -value.count, value.label))
        return values

    def known_values(self, selection, fs):
        rows = self._selected_rows(fs, selection)
        return [FacetValue(slug, self.make_label(rows[slug]), 0) for slug in selection if slug in rows]


class YearRangeFacet(FacetDefinition):
    """``year_from``/``year_to`` on an integer year field; counts per decade."""

    kind = "years"

    def __init__(self, name, label, field, low=1900, high=2100, exhaustive=False, precomputed=False):
        super().__init__(name, label)
        self.field, self.low, self.high = field, low, high
        self.exhaustive, self.precomputed = exhaustive, precomputed

    @property
    def params(self):
        return (f"{self.name}_from", f"{self.name}_to")

    def parse_bounds(self, raw, fs):
        bounds, problems = {}, {}
        for param in self.params:
            values = raw.get(param) or []
            if not values:
                continue
            value = values[0]
            try:
                number = int(value)
            except ValueError:
                problems[param] = f"“{value[:40]}” is not a year, so it was ignored. Enter a year such as 2019."
                continue
            if not self.low <= number <= self.high:
                problems[param] = f"Enter a year between {self.low} and {self.high}; {number} was ignored."
                continue
            bounds[param] = number
        start, end = bounds.get(self.params[0]), bounds.get(self.params[1])
        if start is not None and end is not None and start > end:
            start, end = end, start
            problems[self.params[1]] = f"The years were the wrong way round, so they were swapped: {start} to {end}."
        if start is None and end is None:
            return None, problems
        return (start, end), problems

    def apply(self, queryset, selection, fs):
        start, end = selection
        if start is not None:
            queryset = queryset.filter(**{f"{self.field}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{self.field}__lte": end})
        return queryset

    def condition_sql(self, alias, selection, fs):
        """``apply``'s condition as SQL on table alias ``alias``, and its parameters (for a
        counts reader that writes one statement, publications/facet_counts.py)."""
        column = f"{alias}.{connection.ops.quote_name(fs.queryset.model._meta.get_field(self.field).column)}"
        start, end = selection
        bounds = [(f"{column} >= %s", start), (f"{column} <= %s", end)]
        return " AND ".join(sql for sql, value in bounds if value is not None), [v for _s, v in bounds if v is not None]

    def counts(self, base, selection, fs):
        from django.db.models import F

        decade = (F(self.field) / 10) * 10
        rows = (
            base.order_by()
            .filter(**{f"{self.field}__isnull": False})
            .annotate(decade=decade)
            .values("decade")
            .annotate(n=Count("pk"))
            .values_list("decade", "n")
        )
        return self.values_from(dict(rows), selection)

    def counts_precomputed(self, reader, selection, fs):
        return self.values_from(reader.decades(), selection)

    def values_from(self, decade_counts, selection):
        start, end = selection or (None, None)
        values = []
        for decade_start, n in sorted(decade_counts.items(), reverse=True):
            decade_start = int(decade_start)
            selected = start == decade_start and end == decade_start + 9
            values.append(FacetValue(str(decade_start), f"{decade_start}s", n, selected))
        return values

    def chips(self, selection, fs):
        start, end = selection
        chips = []
        if start is not None:
            chips.append((self.params[0], str(start), f"from {start}"))
        if end is not None:
            chips.append((self.params[1], str(end), f"to {end}"))
        return chips


# ---------------------------------------------------------------------------------------------
# FilterSet base


class RepeatableFilter(django_filters.MultipleChoiceFilter):
    """A repeatable parameter (``?theme=a&theme=b``); values are checked by the facet definition."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [])
        super().__init__(*args, **kwargs)


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose parameters are sanitised once, up front, into ``selection``.

    Subclasses declare django-filter filters (for the API schema and documentation), and:
    ``facet_definitions`` (FacetDefinition instances), ``search_spec`` (fulltext.SearchSpec),
    ``sort_orders`` ({key: (label, ordering tuple)}), ``default_sort``.
    """

    facet_definitions = ()
    search_spec = None
    sort_orders = {}
    default_sort = "newest"
    # Optional reader of counts (a class taking the FilterSet, with ``available()``, ``total()``,
    # ``matching_total()``, ``restricted(names)`` and what the definitions marked ``precomputed``
    # ask of it: ``choice``, ``decades``, ``related``; optionally ``wanted(names)``, told the
    # facets to count first). publications/facet_counts.py has the two kinds: counts kept by
    # the database over every published item (``PrecomputedCounts``, publications), and every
    # facet counted in one statement (``StatementCounts``, case studies). Without one, or when
    # it is not ``available()``, each facet is a GROUP BY (``counts``).
    precomputed_counts = None
    # Items per page of the listing showing this FilterSet, when it shows pages (set by
    # faceted_search). A counts reader that reads the matches anyway may then choose the
    # page's items in the same query (``chosen_page``).
    page_size = None

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model.objects.published()
        super().__init__(data, queryset, request=request, prefix=prefix)
        self._cache = {}
        self._filtered = {}
        self.problems = {}
        self.selection = {}
        self.q = ""
        self.sort = self.default_sort
        self.page = None
        self.querydict = QueryDict(mutable=True)
        self._parse(self.data if self.is_bound else QueryDict())

    # -- parsing -----------------------------------------------------------------------------
    def _raw(self, data):
        """{param: [clean non-empty strings]} for the grammar's parameters only."""
        grammar = set(self.grammar())
        raw = {}
        getlist = data.getlist if hasattr(data, "getlist") else (
            lambda key: data[key] if isinstance(data.get(key), list | tuple) else [data[key]]
        )
        for key in data:
            if key not in grammar:
                continue
            values = []
            for value in getlist(key):
                text, had_control = clean_text(value)
                if had_control:
                    self._problem(key, "Control characters were removed.")
                if key != "q" and len(text) > MAX_PARAM_LENGTH:
                    self._problem(key, "A value was too long and was ignored.")
                    continue
                if text:
                    values.append(text)
            raw[key] = values
        return raw

    def _problem(self, param, message):
        previous = self.problems.get(param)
        self.problems[param] = f"{previous} {message}" if previous and message not in previous else message

    @classmethod
    def grammar(cls):
        params = []
        for definition in cls.facet_definitions:
            params.extend(definition.params)
        return params + ["q", "sort", "page"]

    def _single(self, raw, param):
        values = raw.get(param) or []
        if len(values) > 1:
            self._problem(param, f"“{param}” was given {len(values)} times; only the first was used.")
        return values[0] if values else None

    def _parse(self, data):
        raw = self._raw(data)
        for param in ("q", "sort", "page"):
            value = self._single(raw, param)
            raw[param] = [value] if value is not None else []
        for definition in self.facet_definitions:
            if isinstance(definition, YearRangeFacet):
                for param in definition.params:
                    value = self._single(raw, param)
                    raw[param] = [value] if value is not None else []
                selection, problems = definition.parse_bounds(raw, self)
                for param, message in problems.items():
                    self._problem(param, message)
            else:
                values = raw.get(definition.name) or []
                if not values:
                    continue
                selection, message = definition.parse(values, self)
                if message:
                    self._problem(definition.name, message)
            if selection is not None:
                self.selection[definition.name] = selection
        q = (raw.get("q") or [""])[0]
        if len(q) > MAX_QUERY_LENGTH:
            q = shorten_query(q)
            self._problem("q", f"The search was too long, so only its first {MAX_QUERY_LENGTH} characters were used.")
        self.q = q
        sort = (raw.get("sort") or [None])[0]
        default = "relevance" if q and "relevance" in self.sort_orders else self.default_sort
        if sort is None:
            self.sort = default
        elif sort not in self.sort_orders:
            self._problem("sort", f"“{sort[:40]}” is not a sort order; choose one of {', '.join(self.sort_orders)}.")
            self.sort = default
        elif sort == "relevance" and not q:
            self.sort = self.default_sort
        else:
            self.sort = sort
        page = (raw.get("page") or [None])[0]
        self.page = page
        self._build_querydict(sort_given=sort is not None and sort in self.sort_orders)

    def _build_querydict(self, sort_given):
        qd = QueryDict(mutable=True)
        for definition in self.facet_definitions:
            selection = self.selection.get(definition.name)
            if selection is None:
                continue
            if isinstance(definition, YearRangeFacet):
                for param, value in zip(definition.params, selection, strict=True):
                    if value is not None:
                        qd[param] = str(value)
            else:
                qd.setlist(definition.name, list(selection))
        if self.q:
            qd["q"] = self.q
        if sort_given:
            qd["sort"] = self.sort
        self.querydict = qd

    # -- django-filter interface -------------------------------------------------------------
    def is_valid(self):
        return self.is_bound and not self.problems

    @property
    def errors(self):
        return ErrorDict(
            {
                param: ErrorList([ValidationError(message, code="invalid")])
                for param, message in self.problems.items()
            }
        )

    def filter_queryset(self, queryset):
        return self.sorted(self.filtered(queryset=queryset))

    # -- building querysets ------------------------------------------------------------------
    def facet_definition(self, name):
        return next(d for d in self.facet_definitions if d.name == name)

    def unrestricted_except(self, name):
        """True when counting facet ``name`` needs no filter but the publishing rule."""
        return not self.q and all(other == name for other in self.selection)

    def active_facet_names(self):
        return [d.name for d in self.facet_definitions if d.name in self.selection]

    def filtered(self, exclude=None, queryset=None):
        """Published items matching every selection except facet ``exclude`` ("q" drops the search)."""
        if exclude not in self.selection and not (exclude == "q" and self.q):
            exclude = None  # nothing to leave out: the same queryset, built once for every such facet
        if queryset is None:
            if exclude in self._filtered:
                return self._filtered[exclude]
            base = self.queryset.model.objects.published()
        else:
            base = queryset
        for definition in self.facet_definitions:
            if definition.name != exclude and definition.name in self.selection:
                base = definition.apply(base, self.selection[definition.name], self)
        if self.q and exclude != "q" and self.search_spec:
            base = fulltext.search(base, self.q, self.search_spec)
        if queryset is None:
            self._filtered[exclude] = base
        return base

    def sorted(self, queryset):
        label, ordering = self.sort_orders[self.sort]
        if self.sort == "relevance" and self.q:
            queryset = fulltext.rank(queryset, self.q, self.search_spec)
        return queryset.order_by(*ordering)

    def precomputed(self):
        """The precomputed-counts reader for this request, or None (not configured/available)."""
        if "precomputed" not in self._cache:
            reader = self.precomputed_counts(self) if self.precomputed_counts else None
            self._cache["precomputed"] = reader if reader is not None and reader.available() else None
        return self._cache["precomputed"]

    def known_total(self, facets=()):
        """The number of results if it is known without a COUNT query, else None.

        Known when nothing is selected (the precomputed total), from the counts of any
        counted facet that has no selection and gives every item exactly one value, from the
        selected values' counts of a selected facet that gives no item two values (a facet's
        counts have every selection but its own applied, and list every selected value), or
        when the precomputed reader can sum it (``matching_total``).
        """
        if not self.selection and not self.q and self.precomputed() is not None:
            return self.precomputed().total()
        for facet in facets:
            definition = self.facet_definition(facet.name)
            if definition.exhaustive and facet.name not in self.selection:
                return sum(value.count for value in facet.values)
            if definition.single_valued and facet.name in self.selection:
                return sum(value.count for value in facet.values if value.selected)
        if self.precomputed() is not None:
            return self.precomputed().matching_total()  # None when it cannot say
        return None

    def facets(self, names=None):
        """Facets with counts (one GROUP BY each, or precomputed). ``names`` limits which."""
        facets = []
        wanted = [d for d in self.facet_definitions if names is None or d.name in names]
        reader = self.precomputed()
        restricted = None
        if reader is not None and hasattr(reader, "wanted"):
            reader.wanted([d.name for d in wanted if d.precomputed])  # a reader counting only what is asked
        if reader is not None:
            # Facets with other selections applied are counted together in one query.
            restricted = reader.restricted(
                [d.name for d in wanted if d.precomputed and not self.unrestricted_except(d.name)]
            )
            self._cache["restricted"] = restricted
        for definition in wanted:
            selection = self.selection.get(definition.name)
            if reader is not None and definition.precomputed:
                source = reader if self.unrestricted_except(definition.name) else restricted
                values = definition.counts_precomputed(source, selection, self)
                if isinstance(definition, YearRangeFacet):
                    self._cache["year_counts"] = (definition, source)  # for year_seek()
            else:
                values = definition.counts(self.filtered(exclude=definition.name), selection, self)
            for value in values:
                value.toggle = partial(self._toggle_querystring, definition, selection, value)
            extra = {}
            if isinstance(definition, YearRangeFacet):
                start, end = selection or (None, None)
                extra = {"from_param": definition.params[0], "to_param": definition.params[1],
                         "from_value": start, "to_value": end, "low": definition.low, "high": definition.high}
            facets.append(Facet(definition.name, definition.label, values, definition.kind, extra))
        return facets

    def year_seek(self):
        """(year field, descending, [(year, matching items)] in the listing's order) when the
        listing is ordered by year first and the precomputed facet counts said how many matching
        items each year has, else None. Call after ``facets()``.

        With it a deep page starts its index scan at the year that holds its first item
        (``CountedPaginator``): page 2000 of the newest publications skipped 40,000 index
        entries (5.5 ms of PostgreSQL's CPU at 100,000 publications) and now skips the 3,944 of
        2018 before it (0.8 ms). The year facet's counts have every selection but its own
        applied; its own (a range) is applied here, so the counts are those of the listing.
        """
        found = self._cache.get("year_counts")
        ordering = self.sort_orders.get(self.sort, (None, ()))[1] if self.sort_orders else ()
        if found is None or not ordering or not isinstance(ordering[0], str):
            return None
        definition, reader = found
        if ordering[0].lstrip("-") != definition.field:
            return None
        start, end = self.selection.get(definition.name) or (None, None)
        descending = ordering[0].startswith("-")
        years = sorted(
            ((year, n) for year, n in reader.years().items()
             if (start is None or year >= start) and (end is None or year <= end)),
            reverse=descending,
        )
        return definition.field, descending, years

    def chosen_page(self):
        """(page number, ids in order) when the facet counts' query also chose the items of the
        requested page, else None. Call after ``facets()``."""
        restricted = self._cache.get("restricted")
        return restricted.chosen_page() if restricted is not None else None

    def _toggle_querystring(self, definition, selection, value):
        if isinstance(definition, YearRangeFacet):
            start_param, end_param = definition.params
            if value.selected:
                return _querystring(self.querydict, {start_param: None, end_param: None})
            start = int(value.value)
            return _querystring(self.querydict, {start_param: str(start), end_param: str(start + 9)})
        return _querystring(self.querydict, {definition.name: definition.toggle(selection, value.value)})

    def active_filters(self):
        chips = []
        for definition in self.facet_definitions:
            selection = self.selection.get(definition.name)
            if selection is None:
                continue
            for param, value, label in definition.chips(selection, self):
                if isinstance(definition, YearRangeFacet):
                    change = {param: None}
                else:
                    change = {param: [v for v in selection if v != value]}
                chips.append(
                    ActiveFilter(param, value, label, _querystring(self.querydict, change), definition.label)
                )
        if self.q:
            chips.append(
                ActiveFilter("q", self.q, f"“{self.q}”", _querystring(self.querydict, {"q": None, "sort": None}), "Search")
            )
        return chips


def faceted_search(filterset_class, data, queryset=None, request=None, facets=True, page_size=None):
    """Filter, sort and count in one call. See the module docstring for the result's fields.

    ``page_size``: the listing shows pages of that many items, so the counts query may choose
    the requested page's items too (``FacetedResult.chosen_page``, for ``paginate()``).
    """
    filterset = filterset_class(data if data is not None else QueryDict(), queryset=queryset, request=request)
    filterset.page_size = page_size
    if facets is True:
        facet_list = filterset.facets()
    elif facets:
        facet_list = filterset.facets(names=set(facets))
    else:
        facet_list = []
    return FacetedResult(
        filterset=filterset,
        facets=facet_list,
        errors=filterset.problems,
        active=filterset.active_filters(),
        querydict=filterset.querydict,
        q=filterset.q,
        sort=filterset.sort,
        total=filterset.known_total(facet_list),
        chosen_page=filterset.chosen_page() if facet_list else None,
        year_seek=filterset.year_seek() if facet_list else None,
    )


class CountedPaginator(Paginator):
    """A Paginator for listings: it can be told the number of items (from the facet counts)
    instead of counting them, and it fetches deep pages by id first.

    Deep pages: ``OFFSET 40000`` over full rows makes the database read and discard 40,000 wide
    rows. Past ``DEFERRED_OFFSET`` skipped rows, the page's ids are read first (an index-only scan
    over the ordering columns; see publications/migrations/0006) and then only those rows are
    fetched, with the queryset's own filters, ordering and prefetches. One more query, on deep
    pages only, and on every page of a list ordered by a computed value (search relevance).
    A list ordered by year first, given the matching items per year (``year_seek``, from the
    facet counts), starts that scan at the year holding the page's first item (``_seek``).
    """

    DEFERRED_OFFSET = 500
    # Annotations the listings order by and no page or API item shows (``fulltext.rank``'s):
    # fetching a page's rows by id leaves them out.
    ORDERING_ONLY_ANNOTATIONS = frozenset({"search_rank"})

    def _ordered_by_annotation(self):
        """True when the order is a computed value (search relevance): then every page is read
        ids first, so the database sorts narrow (id, rank) pairs rather than every matching
        row whole (a search matching 45,000 of 1,000,000 publications sorted 30 MB on disk)."""
        query = self.object_list.query
        names = {name.lstrip("-") for name in query.order_by if isinstance(name, str)}
        return bool(names & set(query.annotations))

    def __init__(
        self, object_list, per_page, count=None, chosen=None, rows_source=None, year_seek=None, rows_reader=None,
        page_reader=None, **kwargs,
    ):
        """``chosen``: (page number, ids) the counts query chose; ``rows_source``: the queryset
        (unfiltered) whose columns and prefetches that page's rows are read with, so that
        ``object_list`` (which may be lazy) is not built for it; ``year_seek``: (year field,
        descending, [(year, items)] in the list's order) for a list ordered by year first;
        ``rows_reader``: a function giving the public items of a list of ids, in any order,
        as ``rows_source`` would (the listings' hand-written cards), used instead of it;
        ``page_reader``: a function (offset, limit) giving that slice of the list as the
        queryset would, or None when it cannot, for the pages before ``DEFERRED_OFFSET``
        (the listings' first pages without ``object_list``, which may be lazy, being built)."""
        self.chosen, self.rows_source, self.year_seek = chosen, rows_source, year_seek
        self.rows_reader, self.page_reader = rows_reader, page_reader
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # fills the cached_property

    def _check_object_list_is_ordered(self):
        # A chosen page comes in its own order, and a page reader gives the list's: the list is
        # not built to check.
        if self.chosen is None and self.page_reader is None:
            super()._check_object_list_is_ordered()

    def page(self, number):
        number = self.validate_number(number)
        if self.chosen is not None and self.chosen[0] == number:
            # The facet counts' query already chose this page's items (a search by relevance,
            # publications/facet_counts.py): fetch them, do not rank the matches again.
            return self._get_page(self._rows(self.chosen[1], self.rows_source), number, self)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if self.page_reader is not None and bottom < self.DEFERRED_OFFSET:
            rows = self.page_reader(bottom, top - bottom) if top > bottom else []
            if rows is not None:
                return self._get_page(rows, number, self)
        if not hasattr(self.object_list, "values_list") or (
            bottom < self.DEFERRED_OFFSET and not self._ordered_by_annotation()
        ):
            return super().page(number)
        queryset, skip = self._seek(bottom)
        ids = list(queryset.values_list("pk", flat=True)[skip : skip + top - bottom])
        return self._get_page(self._rows(ids), number, self)

    def _seek(self, bottom):
        """(queryset, offset) that read the items from place ``bottom`` on: with ``year_seek``,
        the list from the year that holds that place (an index scan that starts there) and the
        offset within it; else the whole list and ``bottom``. Counts that do not add up to the
        list's count are not trusted. That check is a guard, not a lock: the count usually
        comes from the same statement as the years, so an item published or moved between
        that statement and this page's query shifts the page by that item, as it shifts any
        page read by OFFSET, and the page still agrees with the counts shown beside it."""
        if self.year_seek is None:
            return self.object_list, bottom
        field, descending, years = self.year_seek
        if sum(n for _year, n in years) != self.count:
            return self.object_list, bottom
        before = 0
        for year, n in years:
            if before + n > bottom:
                lookup = f"{field}__lte" if descending else f"{field}__gte"
                return self.object_list.filter(**{lookup: year}), bottom - before
            before += n
        return self.object_list, bottom

    def _rows(self, ids, source=None):
        """The rows of ``ids``, in that order, with the queryset's columns and prefetches but
        without its filters: the ids were just chosen by them, and with a search filter
        the database would scan every match again to find 20 of them (10 ms instead of 0.2
        at 100,000 publications). The publishing rule is applied again, so an item made
        private in between is left out rather than shown. (These paginators serve public
        listings only.) A queryset whose filters join other tables keeps them. ``source``
        replaces ``object_list`` as the queryset read from (the same columns, unfiltered), and
        ``rows_reader``, when given, replaces both."""
        if self.rows_reader is not None:
            rows = {row.pk: row for row in self.rows_reader(ids)}
            return [rows[pk] for pk in ids if pk in rows]
        queryset = (self.object_list if source is None else source)._chain()
        query = queryset.query
        if len(query.alias_map) <= 1:
            # No joins (the listings filter by semi-joins): the filters can go. A filter that
            # joined a table must stay, or its join would repeat rows without its condition.
            query.where = WhereNode()
        queryset = queryset.filter(pk__in=ids)
        if queryset._fields is not None:  # values() rows: ordered by the database, as before
            return list(queryset.published() if hasattr(queryset, "published") else queryset)
        # The ids come in the page's order, so model rows are put in it here and the database
        # does not sort them: the ordering, and an annotation the listings only order by (a
        # search's rank), are neither compiled nor computed again. Compiling them was a third of
        # the Python of fetching a searched page. Other annotations stay: a page may show them.
        query = queryset.query
        hidden = self.ORDERING_ONLY_ANNOTATIONS & set(query.annotation_select)
        query.clear_ordering(force=True)
        if hidden:
            query.set_annotation_mask(set(query.annotation_select) - hidden)
        rows = {row.pk: row for row in (queryset.published() if hasattr(queryset, "published") else queryset)}
        return [rows[pk] for pk in ids if pk in rows]


def page_number(page_value):
    """The page a ``page`` parameter asks for: 1 when it is absent, None when it is not a whole
    number (paginate() then shows the first page and says why)."""
    if page_value in (None, ""):
        return 1
    try:
        return int(str(page_value).strip())
    except ValueError:
        return None


def paginate(
    queryset, page_value, per_page, count=None, chosen=None, rows_source=None, year_seek=None, rows_reader=None,
    page_reader=None,
):
    """A page of ``queryset`` whatever ``page_value`` is: returns (page_obj, message or None).

    ``count``, when known (``FacetedResult.total``), saves the COUNT query; ``chosen``
    (``FacetedResult.chosen_page``) saves the query choosing the page's items, which are then
    read from ``rows_source`` (or by ``rows_reader``) when given; ``year_seek``
    (``FacetedResult.year_seek``) lets deep pages start at their year; ``page_reader`` reads
    the first pages (see ``CountedPaginator``).
    """
    paginator = CountedPaginator(
        queryset, per_page, count=count, chosen=chosen, rows_source=rows_source, year_seek=year_seek,
        rows_reader=rows_reader, page_reader=page_reader,
    )
    if page_value in (None, ""):
        return paginator.page(1), None
    number = page_number(page_value)
    if number is None:
        return paginator.page(1), f"“{str(page_value)[:40]}” is not a page number, so the first page is shown."
    if number < 1:
        return paginator.page(1), "Pages are numbered from 1, so the first page is shown."
    if number > paginator.num_pages:
        last = paginator.num_pages
        return paginator.page(last), f"There is no page {number}; the last page ({last}) is shown."
    return paginator.page(number), None


class FacetedListMixin:
    """For a ``ListView``: FilterSet filtering, facet counts and pagination that never 404s.

    Set ``model``, ``filterset_class`` and ``paginate_by``. The context gains ``result`` (a
    FacetedResult), ``problems`` ({param: message}, including ``page``), ``sort_options`` and,
    when nothing matches, ``suggestion`` (see ``FacetedResult.suggestion``).
    """

    filterset_class = None

    # Optional: a method taking a list of ids and giving the public items among them (any
    # order) as the page shows them, for pages whose items were chosen by id (a search, a deep
    # page); without it they are read from the FilterSet's queryset. The listings read them
    # with SQL written by hand (publications/views.py).
    read_rows = None
    # Optional: a method (filterset, offset, limit) giving that slice of the listing as the
    # FilterSet's queryset would, or None when it cannot (a search); the listings read their
    # first pages with SQL written by hand (publications/views.py).
    read_page = None

    def get_queryset(self):
        self.result = faceted_search(
            self.filterset_class,
            self.request.GET,
            self.model.objects.published().for_cards(),
            request=self.request,
            page_size=self.paginate_by,
        )
        # Built on first use: a page the counts query chose is read by id from the FilterSet's
        # unfiltered queryset (``rows_source`` below), and the searched, ranked one is not needed.
        return SimpleLazyObject(lambda: self.result.queryset)

    # ListView reads the model from ``object_list`` for these two names, which would build it.
    def get_context_object_name(self, object_list):
        return self.context_object_name or f"{self.model._meta.model_name}_list"

    def get_template_names(self):
        opts = self.model._meta
        return [*([self.template_name] if self.template_name else []),
                f"{opts.app_label}/{opts.model_name}{self.template_name_suffix}.html"]

    def paginate_queryset(self, queryset, page_size):
        result = self.result
        page, self.page_problem = paginate(
            queryset, result.filterset.page, page_size, result.total, result.chosen_page,
            rows_source=result.filterset.queryset, year_seek=result.year_seek,
            rows_reader=self.read_rows,
            page_reader=partial(self.read_page, result.filterset) if self.read_page is not None else None,
        )
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        problems = dict(self.result.errors)
        if getattr(self, "page_problem", None):
            problems["page"] = self.page_problem
        filterset = self.result.filterset
        context.update(
            result=self.result,
            problems=problems,
            sort_options=[
                (key, label)
                for key, (label, _ordering) in filterset.sort_orders.items()
                if key != "relevance" or self.result.q
            ],
            suggestion=None,
        )
        if context["paginator"].count == 0 and (self.result.active or self.result.q):
            context["suggestion"] = self.result.suggestion()
        return context
