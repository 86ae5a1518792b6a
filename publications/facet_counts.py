"""Publication facet counts from the narrow facet rows PostgreSQL keeps (see migration 0005).

``PublicationFilter`` names :class:`PrecomputedCounts` as its ``precomputed_counts``; the
FilterSet (``inlogov/faceting.py``) then asks it for every facet marked ``precomputed``:

- facets whose counts need no filter but the publishing rule (every facet of the unfiltered
  listing and of deep pages, and a facet's own counts when it is the only selection) are read
  from the stored counts: three small queries whatever the data size;
- all the other facets of the request are counted together in **one** query over the facet rows
  (:meth:`PrecomputedCounts.restricted`), instead of one GROUP BY per facet over the wide
  publication table and the two link tables. Of that query, the contributor and theme facets
  come back as the matches' ids in one text each, which numpy counts (:func:`rank_credits`,
  :func:`count_theme_sets`): cheaper in the app server than grouping them in the database.

On SQLite :meth:`PrecomputedCounts.available` is False, nothing here runs, and every facet is a
plain GROUP BY (the results are the same; the suite checks both on every CI run).

Exactness. The stored counts and the facet rows cover publications whose status is "published".
Items among them whose ``publish_from`` is still ahead are taken out here, found with
``scheduled()`` (``inlogov/publishing.py``, where the publishing rule is written) and Django's
clock, as every other public path does. Facet values that are not public (a draft theme or
contributor) are left out by the facet definitions exactly as on the GROUP BY path.

Every SQL string below is fixed text; values go in as parameters. The scheduled items'
subquery is ``scheduled_sql`` (inlogov/publishing.py, beside ``scheduled_q``); the hidden
contributors' is ``hidden_sql``, written in the ``NOT (...)`` shape Django compiles, which the
partial index ``contributor_maybe_hidden_idx`` is matched against. A search reads the search
rows of migration 0012, matched and ranked by ``fulltext.match_sql`` and ``fulltext.rank_sql``,
which write what the ORM path (``fulltext.search`` and ``fulltext.rank``) writes.
"""

import json
from collections import Counter
from functools import cached_property

import numpy as np
from django.db import connection
from django.utils import timezone

from inlogov import fulltext
from inlogov.faceting import BooleanFacet, ChoiceFacet, RelatedFacet, YearRangeFacet
from inlogov.publishing import Status, hidden_sql, published_sql, scheduled_sql

ROW_COLUMNS = "kind, year, is_open_access, theme_ids, contributor_ids"


def _theme_groups(fs):
    """SQL ``VALUES`` rows (parent id, [parent and its public sub-theme ids]) and their params,
    for counting each parent theme's distinct items; None when no parent has public children."""
    definition = fs.facet_definition("theme")
    children = definition._children(fs) if definition.hierarchical else {}
    if not children:
        return None, []
    rows = ", ".join(["(%s::bigint, %s::bigint[])"] * len(children))
    params = [value for parent, kids in sorted(children.items()) for value in (parent, [parent, *kids])]
    return f"(VALUES {rows}) AS g(parent, members)", params


def _theme_branches(fs):
    """SELECTs of ('theme', id, n) and ('rollup', parent id, n) over a CTE ``s(ids, n)`` of theme
    sets and their item counts, and their params. Working on the few thousand distinct sets
    rather than on every item is what keeps these counts cheap."""
    groups_sql, groups_params = _theme_groups(fs)
    branches = ["SELECT 'theme', t::text, sum(s.n)::bigint FROM s, unnest(s.ids) AS t GROUP BY t"]
    if groups_sql:
        # One sum per parent over the sets: joining sets to parents and grouping sorted the
        # thousands of pairs (a search's 3,700) for a handful of groups.
        branches.append(
            f"SELECT 'rollup', g.parent::text, r.n FROM {groups_sql}, "  # noqa: S608 (fixed SQL)
            "LATERAL (SELECT sum(s.n)::bigint AS n FROM s WHERE s.ids && g.members) AS r "
            "WHERE r.n IS NOT NULL"  # a parent no set reaches, as a GROUP BY leaves it out
        )
    return branches, groups_params


class _Counts:
    """Answers for the facet definitions, from loaded counts (see the two subclasses).

    ``values`` holds {facet: Counter(value -> n)} for ``kind``, ``year``, ``open_access``,
    ``theme`` (items per theme id) and ``rollup`` (distinct items per parent theme id under the
    parent or any public sub-theme).
    """

    def __init__(self):
        self.values = {name: Counter() for name in ("kind", "year", "open_access", "theme", "rollup")}

    def _add_row(self, facet, value, n):
        if facet in ("theme", "rollup"):
            value = int(value)
        self.values[facet][value] += n

    def _load(self):
        """Fill ``values`` (once); each subclass reads its counts its own way."""
        raise NotImplementedError

    def total(self):
        self._load()
        return sum(n for n in self.values["kind"].values() if n > 0)

    def choice(self, facet):
        """{value: n} for ``kind`` or ``open_access`` (values as the query parameter spells them)."""
        self._load()
        return {value: n for value, n in self.values[facet].items() if n > 0}

    def years(self):
        """{year: n} for the years with items."""
        self._load()
        return {int(year): n for year, n in self.values["year"].items() if n > 0}

    def decades(self):
        decades = Counter()
        for year, n in self.years().items():
            decades[year // 10 * 10] += n
        return decades

    def themes(self, public_ids, children):
        """(direct, rolled): {theme id: n} and {parent id: n}. The facet definition passes the
        public themes and sub-themes; the same ones were used to build the query (the FilterSet
        caches them), so they are not needed again here."""
        self._load()
        return self.values["theme"], self.values["rollup"]

    def related(self, name, public_ids, children):
        """``themes()`` for the facet ``name`` of a many-to-many relation (RelatedFacet); these
        readers count the theme facet only."""
        if name != "theme":
            raise ValueError(f"No stored counts for the {name!r} facet.")
        return self.themes(public_ids, children)


def _hidden_sql(model):
    """Ids of values that are not public (few), as SQL for ``NOT IN`` (see ``hidden_sql``)."""
    return hidden_sql(model._meta.db_table)


def _scheduled_sql(model):
    """Ids of items with status "published" that are not public yet (few; an index range), as SQL
    for ``IN`` and ``NOT IN``."""
    return scheduled_sql(model._meta.db_table)


class PrecomputedCounts(_Counts):
    """The stored counts over every public publication (three queries, loaded once per request)."""

    def __init__(self, fs):
        super().__init__()
        self.fs, self.model = fs, fs._meta.model
        self._scheduled_contributors = None
        self._scheduled_rows = None

    @staticmethod
    def available():
        return connection.vendor == "postgresql"

    def scheduled_sql(self):
        return _scheduled_sql(self.model)

    def _load(self):
        if self._scheduled_contributors is not None:
            return
        fs = self.fs
        theme = fs.facet_definition("theme")
        children = theme._children(fs) if theme.hierarchical else {}
        groups = {parent: {parent, *kids} for parent, kids in children.items()}
        # Items per theme, and per parent with its sub-themes, are the totals of the cube's
        # scopes, which migration 0014 keeps in ``publications_scopetotal`` (a row per theme
        # and per parent, 20 in the benchmark; summing the cube's 13,000 cells took 2-3 ms at
        # 100,000 publications, and rolling up the 2,500 stored theme sets 8). A parent's scope is its roll-up only while it is top-level and
        # all its sub-themes are public (``cube_exact``); otherwise the same statement rolls up
        # the theme sets instead, so the query count never changes.
        valid_sql, valid_params = CubeCounts._parents_valid(
            sorted(children), [row["pk"] for row in theme._all_rows(fs)]
        )
        theme_branches, groups_params = _theme_branches(fs)
        scheduled_branch, scheduled_params = [], []
        if self._scheduled_rows is None:
            # The scheduled items' facet rows travel with the counts, as one JSON text, rather
            # than in a statement of their own (usually none: one row of "[]").
            rows_sql, scheduled_params = self._scheduled_rows_sql()
            scheduled_branch = [f"SELECT 'scheduled', coalesce(json_agg(json_build_array({ROW_COLUMNS}))::text, '[]'), 0 FROM ({rows_sql}) AS r"]  # noqa: S608
        sql = (
            f"WITH v AS (SELECT {valid_sql} AS cube_exact), "  # noqa: S608 (fixed SQL)
            "s AS (SELECT string_to_array(value, ',')::bigint[] AS ids, n FROM publications_facetcount "
            "WHERE facet = 'themes' AND n <> 0 AND value <> '' AND NOT (SELECT cube_exact FROM v)) "
            "SELECT facet, value, n FROM publications_facetcount WHERE facet <> 'themes' AND n <> 0 "
            "UNION ALL SELECT 'scope', scope_id::text, n FROM publications_scopetotal "
            "WHERE (SELECT cube_exact FROM v) AND scope_id <> 0 AND n <> 0"
            + "".join(f" UNION ALL {branch}" for branch in [*theme_branches, *scheduled_branch])
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*valid_params, *groups_params, *scheduled_params])
            for facet, value, n in cursor.fetchall():
                if facet == "scheduled":
                    self._scheduled_rows = [tuple(row) for row in json.loads(value)]
                elif facet != "scope":
                    self._add_row(facet, value, n)
                elif int(value) > 0:
                    self.values["theme"][int(value)] += n
                elif -int(value) in children:
                    self.values["rollup"][-int(value)] += n
            contributors = Counter()
            for kind, year, open_access, theme_ids, contributor_ids in self.scheduled_rows():
                self.values["kind"][kind] -= 1
                self.values["year"][str(year)] -= 1
                self.values["open_access"][str(open_access).lower()] -= 1
                for pk in theme_ids:
                    self.values["theme"][pk] -= 1
                for parent, members in groups.items():
                    if members.intersection(theme_ids):
                        self.values["rollup"][parent] -= 1
                contributors.update(contributor_ids)
        self._scheduled_contributors = contributors

    def scheduled_rows(self):
        """Facet rows (kind, year, access, theme ids, contributor ids) of the scheduled items
        (few: an index range), read once per request: with the stored counts when those are
        read first (``_load``), else by a statement of their own."""
        if self._scheduled_rows is None:
            with connection.cursor() as cursor:
                cursor.execute(*self._scheduled_rows_sql())
                self._scheduled_rows = cursor.fetchall()
        return self._scheduled_rows

    def _scheduled_rows_sql(self):
        scheduled_sql, scheduled_params = self.scheduled_sql()
        return (
            f"SELECT {ROW_COLUMNS} FROM publications_facetrow "  # noqa: S608 (fixed SQL)
            f"WHERE status = %s AND publication_id IN ({scheduled_sql})",
            [Status.PUBLISHED, *scheduled_params],
        )

    def total(self):
        """Public publications: one small query when no facet needs the rest of the counts."""
        if self._scheduled_contributors is not None:
            return super().total()  # already loaded
        scheduled_sql, scheduled_params = self.scheduled_sql()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce((SELECT sum(n) FROM publications_facetcount WHERE facet = 'kind'), 0) "  # noqa: S608
                "- (SELECT count(*) FROM publications_facetrow "
                f"WHERE status = %s AND publication_id IN ({scheduled_sql}))",
                [Status.PUBLISHED, *scheduled_params],
            )
            return int(cursor.fetchone()[0])


    def top_contributors(self, contributor_model, selected_ids, limit):
        """[(id, n)]: the selected contributors and the ``limit`` public ones with most items,
        ranked as the GROUP BY path ranks them (count descending, then id)."""
        self._load()
        scheduled = self._scheduled_contributors
        hidden_sql, hidden_params = _hidden_sql(contributor_model)
        selected = list(selected_ids)
        with connection.cursor() as cursor:
            # Read in index order (count descending) and stop early; scheduled items may lower
            # a few counts, so read enough rows to re-rank after subtracting them.
            cursor.execute(
                "(SELECT contributor_id, n FROM publications_contributorcount WHERE contributor_id = ANY(%s)) "  # noqa: S608 (fixed SQL; see the module docstring)
                "UNION ALL (SELECT contributor_id, n FROM publications_contributorcount "
                f"WHERE n > 0 AND NOT contributor_id = ANY(%s) AND contributor_id NOT IN ({hidden_sql}) "
                "ORDER BY n DESC, contributor_id LIMIT %s)",
                [selected, selected, *hidden_params, limit + len(scheduled)],
            )
            rows = cursor.fetchall()
        chosen = [(pk, n - scheduled.get(pk, 0)) for pk, n in rows if pk in selected]
        others = [(pk, n - scheduled.get(pk, 0)) for pk, n in rows if pk not in selected]
        others = sorted((row for row in others if row[1] > 0), key=lambda row: (-row[1], row[0]))
        return [row for row in chosen if row[1] > 0] + others[:limit]

    def matching_total(self):
        """The number of items matching the selection when the stored cube can say, else None."""
        return CubeCounts(self, self.fs, []).matching_total() if CubeCounts.applies(self.fs) else None

    def restricted(self, names):
        """A reader for facets ``names``, which have other selections (or the search) applied:
        sums of the stored cube when it can answer the selection, else one query."""
        fs = self.fs
        if CubeCounts.applies(fs):
            return CubeCounts(self, fs, names)
        return RestrictedCounts(self, fs, names)


def theme_years(model, theme_id, child_ids):
    """{year: n} of the public items under the public theme ``theme_id`` with its public
    sub-themes ``child_ids`` (as the listing filtered by the theme counts them), in one query.
    ``child_ids`` must be exactly the theme's public sub-themes: the statement checks that no
    other sub-theme exists, not that these are public.

    The theme page knows the theme and its sub-themes already, so this asks nothing else: the
    cube's scope summed by year, less the scheduled items under the theme. Where the scope is not
    what a visitor gets (a parent with a sub-theme that is not public) the same statement counts
    the theme's facet rows instead, so the page never needs a second query.
    """
    ids = [theme_id, *child_ids]
    parents = [theme_id] if child_ids else []
    scope = -theme_id if child_ids else theme_id
    valid_sql, valid_params = CubeCounts._parents_valid(parents, ids)
    scheduled_sql, scheduled_params = _scheduled_sql(model)
    sql = (
        f"WITH v AS (SELECT {valid_sql} AS cube_exact) "  # noqa: S608 (fixed SQL; see the module docstring)
        "SELECT year, sum(n)::bigint FROM ("
        # The stored scope...
        "SELECT year, n FROM publications_scopecount "
        "WHERE (SELECT cube_exact FROM v) AND scope_id = %s AND n <> 0 "
        # ...less its scheduled items,
        "UNION ALL SELECT year, -1 FROM publications_facetrow "
        f"WHERE (SELECT cube_exact FROM v) AND status = %s AND theme_ids && %s::bigint[] AND publication_id IN ({scheduled_sql}) "
        # or, where the scope is not what a visitor gets, the public items counted.
        "UNION ALL SELECT year, 1 FROM publications_facetrow "
        f"WHERE NOT (SELECT cube_exact FROM v) AND status = %s AND theme_ids && %s::bigint[] AND publication_id NOT IN ({scheduled_sql})"
        ") AS cells GROUP BY year"
    )
    params = [*valid_params, scope, Status.PUBLISHED, ids, *scheduled_params, Status.PUBLISHED, ids, *scheduled_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {year: int(n) for year, n in cursor.fetchall() if n > 0}


def _numbers_sql(column):
    """SQL for an aggregate's two values that ``_numbers`` reads: the ids of the array ``column``
    over the rows, joined by commas (an empty array adds nothing: string_agg skips the NULL),
    and how many there are."""
    return (
        f"string_agg(NULLIF(array_to_string({column}, ','), ''), ','), "
        f"coalesce(sum(cardinality({column})), 0)"
    )


def _numbers(text, count, what):
    """The ``count`` integers of ``text`` (joined by commas; None or "" for none) as a numpy
    array. The facet statement sends numbers and commas only and says how many; a malformed
    text raises in ``fromstring`` and a short one here, never a short count."""
    numbers = np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, dtype=np.int64)
    if len(numbers) != count:
        raise ValueError(f"Read {len(numbers)} of {count} {what} from the facet statement.")
    return numbers


def count_theme_sets(theme_ids, id_count, sizes, item_count, groups):
    """({theme id: items}, {parent id: items under it or any of its public sub-themes}) from the
    matches' theme ids joined by commas (``id_count`` of them) and the number each item has
    (``item_count`` items, in the same order); ``groups`` is {parent: [parent, *sub-themes]}.
    Themes and parents with no item are left out, as a GROUP BY leaves them.

    Why here: grouping a search's 4,400 matches by theme set, unnesting the sets and summing
    them per theme and per parent was about 4 ms of PostgreSQL's CPU; sending the ids costs it
    under 1 and numpy counts them in well under 1.
    """
    ids = _numbers(theme_ids, id_count, "theme ids")
    lengths = _numbers(sizes, item_count, "theme set sizes")
    if int(lengths.sum()) != len(ids):
        raise ValueError(f"{len(ids)} theme ids for theme sets of {int(lengths.sum())} in all.")
    themes, counts = np.unique(ids, return_counts=True)
    direct = Counter(dict(zip(themes.tolist(), counts.tolist(), strict=True)))
    rolled = Counter()
    if groups and len(ids):
        items = np.repeat(np.arange(len(lengths)), lengths)  # the item each id belongs to
        parents = list(groups)
        members = [np.asarray(group, dtype=np.int64) for group in groups.values()]
        every = np.concatenate(members)
        if len(np.unique(every)) == len(every):
            # Themes nest one level, so a theme is in one group at most: a table from theme id
            # to its group's place (-1: in none) replaces an np.isin per group (a third of this
            # function's time for a search's 4,400 matches under four parents).
            group_of = np.full(max(int(themes[-1]), int(every.max())) + 1, -1, dtype=np.int64)
            for place, group in enumerate(members):
                group_of[group] = place
            places = group_of[ids]
            kept = places >= 0
            # An item under two of a parent's themes counts once for it.
            present = np.zeros((len(lengths), len(parents)), dtype=bool)
            present[items[kept], places[kept]] = True
            found = np.count_nonzero(present, axis=0).tolist()
        else:  # a theme under two parents (rows the admin's validation would refuse): one by one
            found = [int(np.count_nonzero(np.bincount(items[np.isin(ids, group)], minlength=1))) for group in members]
        rolled.update({parent: n for parent, n in zip(parents, found, strict=True) if n})
    return direct, rolled


def rank_credits(credits, credit_count, hidden, selected, limit):
    """[(contributor id, n)] as the GROUP BY path ranks a contributor facet: the ``selected`` ids
    that have items first, then the ``limit`` others with most items that are not ``hidden``,
    each part by count descending, then id.

    ``credits`` is the matches' contributor ids joined by commas (None when nothing matched),
    ``credit_count`` how many there are, and ``hidden`` the hidden people's ids joined by commas
    (or None). numpy parses, counts and ranks them in C: about 0.8 ms for a search's 11,000
    credits, where collections.Counter took 2.3 and PostgreSQL's GROUP BY about 7.
    """
    ids = _numbers(credits, credit_count, "contributor ids")
    if not len(ids):
        return []
    people, counts = np.unique(ids, return_counts=True)  # ids ascending: ties stay in id order
    chosen = np.isin(people, np.array(selected, dtype=np.int64))
    others = ~chosen
    if hidden:
        others &= ~np.isin(people, np.fromstring(hidden, dtype=np.int64, sep=","))
    ranked = []
    for mask, most in ((chosen, len(selected)), (others, limit)):
        part, part_counts = people[mask], counts[mask]
        if len(part) > most:
            # Every tie at the count in place ``most`` is kept, so the id decides among them.
            floor = np.partition(part_counts, len(part) - most)[len(part) - most] if most else part_counts.max() + 1
            part, part_counts = part[part_counts >= floor], part_counts[part_counts >= floor]
        order = np.argsort(-part_counts, kind="stable")[:most]
        ranked += zip(part[order].tolist(), part_counts[order].tolist(), strict=True)
    return ranked


# The ordering fields a search's page can be chosen by, as columns of the search rows (the rank
# is computed from the row's vector).
SEARCH_ROW_ORDER = {"search_rank": None, "pk": "publication_id", "year": "year", "title": "title"}


class RestrictedCounts(_Counts):
    """Counts of several facets under the current selections, in one query over the facet rows.

    Each selection becomes a boolean on the row (``m_<facet>``); the counts of facet F use the
    rows that pass every selection except F's own, so a visitor can widen a selection.
    """

    # Above this many visible rows the theme and contributor facets are counted in the database,
    # not sent to the app server as ids (see _query).
    TEXT_COUNTED_ITEMS = 100_000

    def __init__(self, precomputed, fs, names):
        super().__init__()
        self.precomputed, self.fs, self.names = precomputed, fs, set(names)
        self._contributors = None
        self._page = None

    def _flags(self):
        """{facet name: (SQL condition on a facet row, params)} for every selected facet."""
        fs, flags = self.fs, {}
        for name, selection in fs.selection.items():
            definition = fs.facet_definition(name)
            if name in ("theme", "contributor"):
                column = "theme_ids" if name == "theme" else "contributor_ids"
                flags[name] = (f"{column} && %s::bigint[]", [definition._ids(fs, selection)])
            elif name == "kind":
                flags[name] = ("kind = ANY(%s)", [list(selection)])
            elif name == "open_access":
                flags[name] = ("is_open_access = ANY(%s)", [[value == "true" for value in selection]])
            elif name == "year":
                start, end = selection
                flags[name] = (
                    "year BETWEEN %s AND %s",
                    [start if start is not None else definition.low, end if end is not None else definition.high],
                )
            else:  # a new facet on PublicationFilter needs its condition here
                raise ValueError(f"No facet-row condition for the {name!r} facet.")
        return flags

    def _load(self):
        if self._contributors is not None:
            return
        query = self._query()
        rows = []
        if query:
            with connection.cursor() as cursor:
                cursor.execute(*query)
                rows = cursor.fetchall()
        self._read(rows)

    def _read(self, rows):
        contributors, page, texts = [], [], {}
        for facet, value, n in rows:
            if facet == "contributor":
                contributors.append((int(value), n))
            elif facet in ("credits", "hidden", "theme_ids", "theme_sizes"):
                texts[facet] = (value, n)  # value None when nothing matched
            elif facet == "page":
                page.append((n, int(value)))
            else:
                self._add_row(facet, value, n)
        if "credits" in texts:  # from the matches' credits, not from stored counts
            selected, limit = self._contributor_choice
            contributors = rank_credits(*texts["credits"], texts["hidden"][0], selected, limit)
        if "theme_ids" in texts:
            definition = self.fs.facet_definition("theme")
            children = definition._children(self.fs) if definition.hierarchical else {}
            groups = {parent: [parent, *kids] for parent, kids in children.items()}
            self.values["theme"], self.values["rollup"] = count_theme_sets(
                *texts["theme_ids"], *texts["theme_sizes"], groups
            )
        self._contributors = contributors
        if self._page_order is not None:
            self._page = (self._page_order[0], [pk for _position, pk in sorted(page)])

    def chosen_page(self):
        """(page number, ids in order) when this query also chose the requested page's items,
        else None (see :meth:`_page_order`)."""
        if self._page_order is None:
            return None  # and no query: this reader may have had nothing to count
        self._load()
        return self._page

    @cached_property
    def _page_order(self):
        """(page number, the ordering's field names, SQL ORDER BY over ``o_<name>`` columns)
        when this query can choose the page's items, else None.

        A search listed by relevance reads every match anyway, to count the facets; ranking
        the matches in the same pass and keeping the page's ids saves reading them all again
        in the page query (at 1,000,000 publications, 36,000 heap pages for a common phrase).
        The ordering is the FilterSet's own (``sort_orders``), so the page is the one the
        paginator would have chosen; the paginator then fetches those rows by id.
        """
        from inlogov.faceting import page_number

        fs = self.fs
        if not (fs.q and fs.search_spec and fs.page_size and fs.sort == "relevance"):
            return None
        number = page_number(fs.page)
        ordering = fs.sort_orders[fs.sort][1]
        # A page past the millionth is past the end of any listing: the paginator then shows the
        # last page the usual way (and the OFFSET below must fit in a bigint).
        if number is None or not 1 <= number <= 1_000_000 or not all(isinstance(n, str) for n in ordering):
            return None
        names = [name.lstrip("-") for name in ordering]
        if "pk" not in names:
            names.append("pk")
        if not set(names) <= set(SEARCH_ROW_ORDER):
            return None  # an ordering the search rows cannot give: the paginator orders
        order = ", ".join(f"o_{name.lstrip('-')} {'DESC' if name.startswith('-') else 'ASC'}" for name in ordering)
        return number, names, order

    def _query(self):
        """(SQL, params) counting ``names`` over the facet rows; None when nothing is counted."""
        fs = self.fs
        flags = self._flags()
        order = sorted(flags)
        columns = ", ".join(f"({flags[name][0]}) AS m_{name}" for name in order)
        params = [param for name in order for param in flags[name][1]]

        def others(name):
            return " AND ".join(f"m_{other}" for other in order if other != name) or "TRUE"

        scheduled_sql, scheduled_params = self.precomputed.scheduled_sql()
        where = [f"status = %s AND publication_id NOT IN ({scheduled_sql})"]
        where_params = [Status.PUBLISHED, *scheduled_params]
        source, source_columns, source_params = "publications_facetrow", "", []
        page = self._page_order
        if fs.q and fs.search_spec:
            # The search rows (migration 0012): the facet row's columns beside the vector, so the
            # matches, their rank and their counts come from one row each (no lookup per match).
            source = "publications_searchrow"
            match_sql, match_params = fulltext.match_sql(fs.q)
            where.append(match_sql)
            where_params += match_params
            if page is not None:
                number, names, page_sql = page
                rank_sql, rank_params = fulltext.rank_sql(fs.q)
                expressions = {**SEARCH_ROW_ORDER, "search_rank": rank_sql}
                source_columns = "".join(f", {expressions[name]} AS o_{name}" for name in names)
                source_params = rank_params if "search_rank" in names else []
        # Only rows that some counted facet can see: those failing at most that facet's own test.
        visible = " OR ".join(f"({others(name)})" for name in sorted(self.names))
        branches, branch_params = [], []
        for name in ("kind", "year", "open_access"):
            if name in self.names:
                column = "is_open_access" if name == "open_access" else name
                branches.append(f"SELECT '{name}', {column}::text, count(*) FROM b WHERE {others(name)} GROUP BY 2")  # noqa: S608
        # Small match sets send their theme and contributor ids to the app server, which counts
        # them with numpy (count_theme_sets, rank_credits): grouping a search's 4,400 matches by
        # theme set and rolling them up cost PostgreSQL about 4 ms, hash-aggregating their
        # 11,000 credits and sorting them about 7; the texts cost it about 1.5 and numpy about
        # 1. Past TEXT_COUNTED_ITEMS visible rows the counting stays here, as before: the text
        # of every credit of a million items would be 15 MB in the app server's memory.
        # ``k`` decides once; each form's branches run only on its side (a false uncorrelated
        # condition skips the scan), and a small form's aggregate returns no row on the other.
        ctes, cte_params = ", k AS (SELECT count(*) <= %s AS small FROM b)", [self.TEXT_COUNTED_ITEMS]
        small, large = "(SELECT small FROM k)", "NOT (SELECT small FROM k)"
        if "theme" in self.names:
            condition = others("theme")
            # Both texts from one aggregate, so that the sizes are in the order of the ids.
            branches.append(
                f"SELECT v.facet, v.value, v.n FROM (SELECT {_numbers_sql('theme_ids')}, "  # noqa: S608 (fixed SQL)
                "string_agg(coalesce(cardinality(theme_ids), 0)::text, ','), count(*) "
                f"FROM b WHERE {small} AND {condition} HAVING {small}) AS a(ids, n_ids, sizes, n_items), "
                "LATERAL (VALUES ('theme_ids', a.ids, a.n_ids), ('theme_sizes', a.sizes, a.n_items)) AS v(facet, value, n)"
            )
            ctes += f", s AS (SELECT theme_ids AS ids, count(*) AS n FROM b WHERE {large} AND {condition} GROUP BY theme_ids)"  # noqa: S608
            theme_branches, groups_params = _theme_branches(fs)
            branches += theme_branches
            branch_params += groups_params
        if "contributor" in self.names:
            condition = others("contributor")
            definition = fs.facet_definition("contributor")
            hidden_sql, hidden_params = _hidden_sql(definition.values_queryset().model)
            branches.append(
                f"SELECT 'credits', {_numbers_sql('contributor_ids')} FROM b WHERE {small} AND {condition} HAVING {small}"  # noqa: S608 (fixed SQL)
            )
            branches.append(f"SELECT 'hidden', (SELECT string_agg(id::text, ',') FROM ({hidden_sql}) AS h), 0 WHERE {small}")  # noqa: S608
            branch_params += hidden_params
            # The large form: unnest in the select list (one ProjectSet) is much cheaper than a
            # lateral join; hidden contributors are dropped after grouping. The selected people
            # come first; with none selected the sort has one key less to compare.
            selected, limit = self._contributor_choice
            if selected:
                keep, first, selected_params = "c.id = ANY(%s) OR ", "c.id = ANY(%s) DESC, ", [selected]
            else:
                keep, first, selected_params = "", "", []
            branches.append(
                "(SELECT 'contributor', c.id::text, c.n FROM (SELECT id, count(*) AS n FROM "  # noqa: S608 (fixed SQL)
                f"(SELECT unnest(contributor_ids) AS id FROM b WHERE {large} AND {condition}) AS u GROUP BY id) AS c "
                f"WHERE {keep}c.id NOT IN ({hidden_sql}) "
                f"ORDER BY {first}c.n DESC, c.id LIMIT %s)"
            )
            branch_params += [*selected_params, *hidden_params, *selected_params, limit + len(selected)]
        if not branches:
            return None
        if page is not None:
            number, names, page_sql = page
            every = " AND ".join(f"m_{name}" for name in order) or "TRUE"
            # Only the ordering's columns go through the sort, not the whole row.
            sorted_columns = ", ".join(f"o_{name}" for name in names)
            branches.append(
                f"SELECT 'page', o_pk::text, row_number() OVER (ORDER BY {page_sql}) FROM "  # noqa: S608 (fixed SQL)
                f"(SELECT {sorted_columns} FROM b WHERE {every} ORDER BY {page_sql} LIMIT %s OFFSET %s) AS p"
            )
            branch_params += [fs.page_size, (number - 1) * fs.page_size]
        sql = (
            f"WITH b AS MATERIALIZED (SELECT * FROM (SELECT {ROW_COLUMNS}{source_columns}{', ' if columns else ''}{columns} "  # noqa: S608
            f"FROM {source} WHERE {' AND '.join(where)}) AS r WHERE {visible}){ctes} "
            + " UNION ALL ".join(branches)
        )
        return sql, [*source_params, *params, *where_params, *cte_params, *branch_params]

    @cached_property
    def _contributor_choice(self):
        """(ids of the selected contributors, how many others the facet lists)."""
        fs = self.fs
        definition = fs.facet_definition("contributor")
        selected = [row["pk"] for row in definition._selected_rows(fs, fs.selection.get("contributor", [])).values()]
        return selected, definition.limit

    def top_contributors(self, contributor_model, selected_ids, limit):
        self._load()
        chosen = [(pk, n) for pk, n in self._contributors if pk in selected_ids]
        others = [(pk, n) for pk, n in self._contributors if pk not in selected_ids]
        return chosen + others[:limit]


CUBE_FACETS = {"theme", "kind", "year", "open_access"}


class CubeCounts(RestrictedCounts):
    """Counts under a selection of at most one theme, kinds, a year range and access values (no
    search, no contributor), summed from the stored cube of migration 0007 instead of counted.

    The cube has cells (scope, kind, year, access) -> items. Scope 0 is every item, ``+t`` theme
    ``t``, and ``-p`` a top-level theme with all its sub-themes, each item once. A parent's
    scope equals what a visitor selecting it gets (and its roll-up count) only while every
    sub-theme of it is public and it is top-level; the query checks that for the parents it
    uses, and when it does not hold the counts come from :class:`RestrictedCounts` instead.
    The top contributors come from the stored per-scope credits when only a theme is selected,
    else from the facet rows in the same query. Scheduled items are subtracted, and hidden
    contributors left out, as in :class:`PrecomputedCounts`.
    """

    @staticmethod
    def applies(fs):
        return not fs.q and set(fs.selection) <= CUBE_FACETS and len(fs.selection.get("theme", ())) <= 1

    def _load(self):
        if self._contributors is not None:
            return
        fs = self.fs
        theme = fs.facet_definition("theme")
        children = theme._children(fs)
        public_ids = [row["pk"] for row in theme._all_rows(fs)]
        ids, scope = self._scope()
        if scope is None:  # not a public theme: the selection is ignored, as on every other path
            super()._load()
            return
        parents = sorted((set(children) if "theme" in self.names else set()) | ({-scope} if scope < 0 else set()))
        where = self._cube_filter
        branches, params = [], []
        for name in ("kind", "year", "open_access"):
            if name in self.names:
                column = "is_open_access" if name == "open_access" else name
                condition, condition_params = where(name)
                branches.append(
                    f"SELECT '{name}', {column}::text, sum(n)::bigint FROM publications_scopecount "  # noqa: S608 (fixed SQL)
                    f"WHERE scope_id = %s AND {condition} GROUP BY {column}"
                )
                params += [scope, *condition_params]
        if "theme" in self.names:
            condition, condition_params = where("theme")
            branches.append(
                "SELECT 'scope', scope_id::text, sum(n)::bigint FROM publications_scopecount "  # noqa: S608 (fixed SQL)
                f"WHERE scope_id <> 0 AND {condition} GROUP BY scope_id"
            )
            params += condition_params
        every_scheduled = self.precomputed.scheduled_rows()
        scheduled = self._scheduled_in(ids)
        credits = Counter()
        live = None
        if "contributor" in self.names:
            contributor = fs.facet_definition("contributor")
            if set(fs.selection) == {"theme"}:
                credits = Counter(pk for row in scheduled for pk in row[4])
                hidden_sql, hidden_params = _hidden_sql(contributor.values_queryset().model)
                branches.append(
                    "(SELECT 'contributor', contributor_id::text, n FROM publications_scopecontributorcount "  # noqa: S608
                    f"WHERE scope_id = %s AND n > 0 AND contributor_id NOT IN ({hidden_sql}) "
                    # Qualified: the bare name would sort the text output column (10 before 9).
                    "ORDER BY n DESC, publications_scopecontributorcount.contributor_id LIMIT %s)"
                )
                params += [scope, *hidden_params, contributor.limit + sum(credits.values())]
            else:
                live = RestrictedCounts(self.precomputed, fs, ["contributor"])._query()
                branches.append(f"SELECT * FROM ({live[0]}) AS live")  # noqa: S608 (fixed SQL)
                params += live[1]
        valid_sql, valid_params = self._parents_valid(parents, public_ids)
        sql = f"SELECT 'valid', '', 0 WHERE {valid_sql}" + "".join(f" UNION ALL {branch}" for branch in branches)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*valid_params, *params])
            rows = cursor.fetchall()
        if ("valid", "", 0) not in rows:  # a sub-theme is not public: count the items
            super()._load()
            return
        self._read([row for row in rows if row[0] not in ("valid", "scope")])
        for facet, value, n in rows:
            if facet == "scope":
                pk = int(value)
                if pk > 0:
                    self.values["theme"][pk] += n
                elif -pk in children:
                    self.values["rollup"][-pk] += n
        self._subtract(scheduled, every_scheduled, children, credits, live is None)

    def _scope(self):
        """(theme ids the selection matches or None, scope id); scope None for a theme that is
        not public."""
        fs = self.fs
        if "theme" not in fs.selection:
            return None, 0
        theme = fs.facet_definition("theme")
        ids = theme._ids(fs, fs.selection["theme"])
        if not ids:
            return ids, None
        (selected,) = [row["pk"] for row in theme._selected_rows(fs, fs.selection["theme"]).values()]
        return ids, selected if ids == [selected] else -selected

    def _cube_filter(self, exclude="theme"):
        """SQL condition and params on cube cells for the kind, year and access selections,
        but ``exclude``'s."""
        flags = [flag for name, flag in sorted(self._flags().items()) if name not in ("theme", exclude)]
        return " AND ".join(["n <> 0", *(sql for sql, _ in flags)]), [p for _, ps in flags for p in ps]

    def matching_total(self):
        """The number of items matching the selection, summed from the cube; None when the
        cube cannot say (a theme that is not public, or a parent with a hidden sub-theme)."""
        ids, scope = self._scope()
        if scope is None:
            return None
        condition, params = self._cube_filter(None)
        valid_sql, valid_params = self._parents_valid([-scope] if scope < 0 else [], ids or [])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT coalesce(sum(n), 0) FROM publications_scopecount "  # noqa: S608 (fixed SQL)
                f"WHERE scope_id = %s AND {condition}), {valid_sql}",
                [scope, *params, *valid_params],
            )
            total, valid = cursor.fetchone()
        if not valid:  # a sub-theme of the selected parent is not public
            return None
        return int(total) - sum(1 for row in self._scheduled_in(ids) if self._passes(row, None))

    @staticmethod
    def _parents_valid(parents, public_ids):
        """SQL (and params), true when the stored group of each of ``parents`` is what a visitor
        gets: each is top-level and every sub-theme of it is among ``public_ids``."""
        return (
            "NOT EXISTS (SELECT 1 FROM themes_theme WHERE (parent_id = ANY(%s) AND NOT id = ANY(%s)) "
            "OR (id = ANY(%s) AND parent_id IS NOT NULL))",
            [parents, public_ids, parents],
        )

    def _scheduled_in(self, ids):
        """Facet rows of the scheduled items under theme ``ids`` (all of them when None)."""
        rows = self.precomputed.scheduled_rows()
        return [row for row in rows if ids is None or set(row[3]).intersection(ids)]

    def _subtract(self, scheduled, every_scheduled, children, credits, stored_contributors):
        """Take out the scheduled items from every count read from the cube: those of the
        selected theme from the other facets, all of them from the theme counts."""
        passes = self._passes
        for row in scheduled:
            kind, year, open_access, _theme_ids, _contributor_ids = row
            if passes(row, "kind"):
                self.values["kind"][kind] -= 1
            if passes(row, "year"):
                self.values["year"][str(year)] -= 1
            if passes(row, "open_access"):
                self.values["open_access"][str(open_access).lower()] -= 1
        for row in every_scheduled if "theme" in self.names else ():
            theme_ids = row[3]
            if passes(row, "theme"):
                for pk in theme_ids:
                    self.values["theme"][pk] -= 1
                for parent, kids in children.items():
                    if {parent, *kids}.intersection(theme_ids):
                        self.values["rollup"][parent] -= 1
        if stored_contributors:
            adjusted = [(pk, n - credits.get(pk, 0)) for pk, n in self._contributors]
            self._contributors = sorted((row for row in adjusted if row[1] > 0), key=lambda row: (-row[1], row[0]))

    def _passes(self, row, exclude):
        """Whether a facet row passes the kind, year and access selections but ``exclude``'s."""
        flags = self.fs.selection
        kind, year, open_access = row[0], row[1], row[2]
        checks = {
            "kind": lambda: kind in flags["kind"],
            "open_access": lambda: str(open_access).lower() in flags["open_access"],
            "year": lambda: self._in_years(year),
        }
        return all(check() for name, check in checks.items() if name in flags and name != exclude)

    def _in_years(self, year):
        definition = self.fs.facet_definition("year")
        start, end = self.fs.selection["year"]
        return (start if start is not None else definition.low) <= year <= (end if end is not None else definition.high)


class StatementCounts(_Counts):
    """Every facet of a listing whose FilterSet has no stored counts (the case studies), and the
    number of matching items, counted under the current selections in one statement written
    by hand: for each facet, the GROUP BY the ORM's ``counts`` sends, over the items that pass
    every selection but its own (each selection's SQL is its facet's ``condition_sql``, beside
    its ``apply``), joined by UNION ALL.

    Why: the case-study listing built, compiled and sent a filtered queryset and a GROUP BY for
    each of its four facets, 8-10 ms of Python at 100,000 publications for about 4 ms of SQL.
    The statements keep their shapes, so PostgreSQL plans each branch as it planned them; one
    materialised set of the items with a flag per selection, as ``RestrictedCounts`` uses,
    was tried first and cost PostgreSQL about 3 ms more here (it scans every public case study
    to flag it, where each branch reads only its own matches). PostgreSQL only, and not for a
    search (the ORM counts those, as before); tests/publications/test_facet_counts.py checks
    that every facet, count and total equals the ORM's for many selections.
    """

    def __init__(self, fs):
        super().__init__()
        self.fs = fs
        self.names = set()  # the facets asked for (``wanted``); none: the total alone
        self._loaded = False
        self._total = None

    def available(self):
        """On PostgreSQL, for a FilterSet whose facets are all of the kinds counted here (a
        relation without a limit, a choice that is not a boolean, a year range), without a
        search."""
        fs = self.fs
        return connection.vendor == "postgresql" and not (fs.q and fs.search_spec) and all(
            definition.precomputed and self._kind(definition) is not None for definition in fs.facet_definitions
        )

    @staticmethod
    def _kind(definition):
        if isinstance(definition, RelatedFacet):
            return "related" if definition.limit is None else None
        if isinstance(definition, ChoiceFacet):
            return "choice" if not isinstance(definition, BooleanFacet) else None
        return "year" if isinstance(definition, YearRangeFacet) else None

    def wanted(self, names):
        names = set(names)
        if self._loaded and not names <= self.names:  # counted too little: count again
            previous = self.names
            self.__init__(self.fs)
            self.names = previous
        self.names |= names

    def restricted(self, names):
        return self  # one statement counts every facet with the selections applied

    def chosen_page(self):
        return None  # the page is read as before (RestrictedCounts chooses a search's)

    def years(self):
        self._load()
        return {year: n for year, n in self.values.get("year", Counter()).items() if n > 0}

    def related(self, name, public_ids, children):
        self._load()
        return self.values.get(name, Counter()), self.values.get(f"{name}:rollup", Counter())

    def choice(self, facet):
        self._load()
        return {value: n for value, n in self.values.get(facet, Counter()).items() if n > 0}

    def total(self):
        self._load()
        return self._total

    matching_total = total

    def _load(self):
        if self._loaded:
            return
        self._loaded = True
        for facet, value, n, level in self._rows():
            if facet == "total":
                self._total = n
                continue
            kind = self._kind(self.fs.facet_definition(facet))
            key = f"{facet}:rollup" if kind == "related" and level == 0 else facet
            # Choices keep the database's text (the ORM's values, as the parameter spells them);
            # related ids and years are numbers (years() and decades() read the "year" facet).
            self.values.setdefault(key, Counter())[value if kind == "choice" else int(value)] = n

    def _rows(self):
        """[(facet, value, n, level)] of every counted facet, and ('total', '', n, 1)."""
        fs = self.fs
        model = fs.queryset.model
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        conditions = {name: fs.facet_definition(name).condition_sql("c", selection, fs)
                      for name, selection in fs.selection.items()}
        now = timezone.now()  # one time for every branch, so that the total and the counts agree

        def where(name):
            """The publishing rule and every selection but ``name``'s, with their parameters."""
            rule, params = published_sql("c", now)
            parts = [rule]
            for other in sorted(conditions):
                if other != name:
                    parts.append(f"({conditions[other][0]})")
                    params = [*params, *conditions[other][1]]
            return " AND ".join(parts), params

        branches, params = [], []
        for definition in fs.facet_definitions:
            name = definition.name
            if name not in self.names:
                continue
            sql, sql_params = where(name)
            if self._kind(definition) == "related":
                public_ids = [row["pk"] for row in definition._all_rows(fs)]
                if not public_ids:
                    continue
                children = definition._children(fs) if definition.hierarchical else {}
                if fs.unrestricted_except(name):  # as the ORM's path: leave out the few hidden items
                    inner, inner_params = hidden_sql(model._meta.db_table)
                    counted = definition.count_rows_sql(inner, inner_params, public_ids, children, negated=True)
                else:
                    counted = definition.count_rows_sql(
                        f"SELECT c.{quote(model._meta.pk.column)} FROM {table} c WHERE {sql}", sql_params,  # noqa: S608
                        public_ids, children,
                    )
                branches.append(f"SELECT %s, v::text, n, level FROM ({counted[0]}) AS r_{name}(v, n, level)")  # noqa: S608
                params += [name, *counted[1]]
            else:
                column = "c." + quote(model._meta.get_field(definition.field).column)
                branches.append(
                    f"SELECT %s, {column}::text, count(*), 1 FROM {table} c "  # noqa: S608 (names from the model)
                    f"WHERE {sql} AND {column} IS NOT NULL GROUP BY 2"
                )
                params += [name, *sql_params]
        sql, sql_params = where(None)
        branches.append(f"SELECT 'total', '', count(*), 1 FROM {table} c WHERE {sql}")  # noqa: S608 (names from the model)
        params += sql_params
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(branches), params)
            return cursor.fetchall()
