"""Publication facet counts from the narrow facet rows PostgreSQL keeps (see migration 0005).

``PublicationFilter`` names :class:`PrecomputedCounts` as its ``precomputed_counts``; the
FilterSet (``inlogov/faceting.py``) then asks it for every facet marked ``precomputed``:

- facets whose counts need no filter but the publishing rule (every facet of the unfiltered
  listing and of deep pages, and a facet's own counts when it is the only selection) are read
  from the stored counts: three small queries whatever the data size;
- all the other facets of the request are counted together in **one** query over the facet rows
  (:meth:`PrecomputedCounts.restricted`), instead of one GROUP BY per facet over the wide
  publication table and the two link tables.

On SQLite :meth:`PrecomputedCounts.available` is False, nothing here runs, and every facet is a
plain GROUP BY (the results are the same; the suite checks both on every CI run).

Exactness. The stored counts and the facet rows cover publications whose status is "published".
Items among them whose ``publish_from`` is still ahead are taken out here, found with
``scheduled()`` (``inlogov/publishing.py``, where the publishing rule is written) and Django's
clock, as every other public path does. Facet values that are not public (a draft theme or
contributor) are left out by the facet definitions exactly as on the GROUP BY path.

Every SQL string below is fixed text; values go in as parameters, and the subqueries (scheduled
items, hidden contributors, search matches) are compiled by Django from querysets.
"""

from collections import Counter

from django.db import connection

from inlogov import fulltext
from inlogov.publishing import Status, published_q

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
        branches.append(
            f"SELECT 'rollup', g.parent::text, sum(s.n)::bigint FROM s, {groups_sql} "  # noqa: S608 (fixed SQL)
            "WHERE s.ids && g.members GROUP BY g.parent"
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

    def decades(self):
        self._load()
        decades = Counter()
        for year, n in self.values["year"].items():
            if n > 0:
                decades[int(year) // 10 * 10] += n
        return decades

    def themes(self, public_ids, children):
        """(direct, rolled): {theme id: n} and {parent id: n}. The facet definition passes the
        public themes and sub-themes; the same ones were used to build the query (the FilterSet
        caches them), so they are not needed again here."""
        self._load()
        return self.values["theme"], self.values["rollup"]


def _hidden_sql(model):
    """Ids of values that are not public (few), as SQL for ``NOT IN``."""
    return model.objects.exclude(published_q()).order_by().values("pk").query.sql_with_params()


class PrecomputedCounts(_Counts):
    """The stored counts over every public publication (three queries, loaded once per request)."""

    def __init__(self, fs):
        super().__init__()
        self.fs, self.model = fs, fs._meta.model
        self._scheduled_contributors = None

    @staticmethod
    def available():
        return connection.vendor == "postgresql"

    def scheduled_sql(self):
        """Ids of items with status "published" that are not public yet (few; an index range)."""
        return self.model.objects.scheduled().order_by().values("pk").query.sql_with_params()

    def _load(self):
        if self._scheduled_contributors is not None:
            return
        scheduled_sql, scheduled_params = self.scheduled_sql()
        theme_branches, groups_params = _theme_branches(self.fs)
        sql = " UNION ALL ".join(
            [
                "WITH s AS (SELECT string_to_array(value, ',')::bigint[] AS ids, n FROM publications_facetcount "
                "WHERE facet = 'themes' AND n <> 0 AND value <> '') "
                "SELECT facet, value, n FROM publications_facetcount WHERE facet <> 'themes' AND n <> 0",
                *theme_branches,
            ]
        )
        groups = {parent: set(members) for parent, members in zip(groups_params[::2], groups_params[1::2], strict=True)}
        self._scheduled_rows = []
        with connection.cursor() as cursor:
            cursor.execute(sql, groups_params)
            for facet, value, n in cursor.fetchall():
                self._add_row(facet, value, n)
            cursor.execute(
                f"SELECT {ROW_COLUMNS} FROM publications_facetrow "  # noqa: S608 (fixed SQL)
                f"WHERE status = %s AND publication_id IN ({scheduled_sql})",
                [Status.PUBLISHED, *scheduled_params],
            )
            contributors = Counter()
            self._scheduled_rows = cursor.fetchall()
            for kind, year, open_access, theme_ids, contributor_ids in self._scheduled_rows:
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

    def restricted(self, names):
        """A reader for facets ``names``, which have other selections (or the search) applied:
        the stored counts of a theme scope when one theme is the only selection, else one query."""
        fs = self.fs
        if not fs.q and list(fs.selection) == ["theme"] and len(fs.selection["theme"]) == 1:
            return ScopedCounts(self, fs, names)
        return RestrictedCounts(self, fs, names)


class RestrictedCounts(_Counts):
    """Counts of several facets under the current selections, in one query over the facet rows.

    Each selection becomes a boolean on the row (``m_<facet>``); the counts of facet F use the
    rows that pass every selection except F's own, so a visitor can widen a selection.
    """

    def __init__(self, precomputed, fs, names):
        super().__init__()
        self.precomputed, self.fs, self.names = precomputed, fs, set(names)
        self._contributors = None

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
        if fs.q and fs.search_spec:
            matches = fulltext.search(fs._meta.model.objects.order_by(), fs.q, fs.search_spec).values("pk")
            search_sql, search_params = matches.query.sql_with_params()
            where.append(f"publication_id IN ({search_sql})")
            where_params += search_params
        # Only rows that some counted facet can see: those failing at most that facet's own test.
        visible = " OR ".join(f"({others(name)})" for name in sorted(self.names))
        branches, branch_params = [], []
        for name in ("kind", "year", "open_access"):
            if name in self.names:
                column = "is_open_access" if name == "open_access" else name
                branches.append(f"SELECT '{name}', {column}::text, count(*) FROM b WHERE {others(name)} GROUP BY 2")  # noqa: S608
        theme_sets = ""
        if "theme" in self.names:
            theme_sets = f", s AS (SELECT theme_ids AS ids, count(*) AS n FROM b WHERE {others('theme')} GROUP BY theme_ids) "  # noqa: S608
            theme_branches, groups_params = _theme_branches(fs)
            branches += theme_branches
            branch_params += groups_params
        if "contributor" in self.names:
            definition = fs.facet_definition("contributor")
            hidden_sql, hidden_params = _hidden_sql(definition.values_queryset().model)
            selected = [row["pk"] for row in definition._selected_rows(fs, fs.selection.get("contributor", [])).values()]
            limit = definition.limit
            # unnest in the select list (one ProjectSet) is much cheaper than a lateral join here;
            # hidden contributors are dropped after grouping, on a few thousand ids.
            branches.append(
                "(SELECT 'contributor', c.id::text, c.n FROM (SELECT id, count(*) AS n FROM "  # noqa: S608 (fixed SQL; see the module docstring)
                f"(SELECT unnest(contributor_ids) AS id FROM b WHERE {others('contributor')}) AS u GROUP BY id) AS c "
                f"WHERE c.id = ANY(%s) OR c.id NOT IN ({hidden_sql}) "
                "ORDER BY c.id = ANY(%s) DESC, c.n DESC, c.id LIMIT %s)"
            )
            branch_params += [selected, *hidden_params, selected, limit + len(selected)]
        contributors = []
        if branches:
            sql = (
                f"WITH b AS MATERIALIZED (SELECT * FROM (SELECT {ROW_COLUMNS}{', ' if columns else ''}{columns} "  # noqa: S608
                f"FROM publications_facetrow WHERE {' AND '.join(where)}) AS r WHERE {visible}) "
                + theme_sets
                + " UNION ALL ".join(branches)
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, *where_params, *branch_params])
                for facet, value, n in cursor.fetchall():
                    if facet == "contributor":
                        contributors.append((int(value), n))
                    else:
                        self._add_row(facet, value, n)
        self._contributors = contributors


    def top_contributors(self, contributor_model, selected_ids, limit):
        self._load()
        chosen = [(pk, n) for pk, n in self._contributors if pk in selected_ids]
        others = [(pk, n) for pk, n in self._contributors if pk not in selected_ids]
        return chosen + others[:limit]


class ScopedCounts(RestrictedCounts):
    """Counts within one selected theme, read from the scope counts of migration 0007.

    A theme without public sub-themes is scope ``+id``. A top-level theme with sub-themes is
    scope ``-id`` (it and all its sub-themes, each item once), which equals what the visitor
    selected only while every sub-theme is public and the theme is top-level; the query checks
    that and, when it does not hold, the counts come from :class:`RestrictedCounts` instead.
    Scheduled items of the scope are subtracted, and hidden contributors left out, as in
    :class:`PrecomputedCounts`.
    """

    def _load(self):
        if self._contributors is not None:
            return
        fs = self.fs
        definition = fs.facet_definition("theme")
        ids = definition._ids(fs, fs.selection["theme"])
        if not ids:  # not a public theme: the selection is ignored, as on every other path
            super()._load()
            return
        selected = [row["pk"] for row in definition._selected_rows(fs, fs.selection["theme"]).values()]
        (theme,) = selected
        scope = theme if ids == [theme] else -theme
        self.precomputed._load()
        scheduled = [row for row in self.precomputed._scheduled_rows if set(row[3]).intersection(ids)]
        scheduled_credits = Counter(pk for row in scheduled for pk in row[4])
        contributor_model = fs.facet_definition("contributor").values_queryset().model
        hidden_sql, hidden_params = _hidden_sql(contributor_model)
        limit = fs.facet_definition("contributor").limit
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 'valid', '', 0 WHERE %s > 0 OR ("  # noqa: S608 (fixed SQL; see the module docstring)
                "EXISTS (SELECT 1 FROM themes_theme WHERE id = %s AND parent_id IS NULL) "
                "AND NOT EXISTS (SELECT 1 FROM themes_theme WHERE parent_id = %s AND NOT id = ANY(%s))) "
                "UNION ALL SELECT facet, value, n FROM publications_scopecount WHERE scope_id = %s AND n <> 0 "
                "UNION ALL (SELECT 'contributor', contributor_id::text, n FROM publications_scopecontributorcount "
                f"WHERE scope_id = %s AND n > 0 AND contributor_id NOT IN ({hidden_sql}) "
                "ORDER BY n DESC, contributor_id LIMIT %s)",
                [scope, theme, theme, ids, scope, scope, *hidden_params, limit + sum(scheduled_credits.values())],
            )
            rows = cursor.fetchall()
        if ("valid", "", 0) not in rows:  # a sub-theme is not public: count the items
            super()._load()
            return
        contributors = []
        for facet, value, n in rows:
            if facet == "valid":
                continue
            if facet == "contributor":
                pk = int(value)
                contributors.append((pk, n - scheduled_credits.get(pk, 0)))
            else:
                self._add_row(facet, value, n)
        for kind, year, open_access, _theme_ids, _contributor_ids in scheduled:
            self.values["kind"][kind] -= 1
            self.values["year"][str(year)] -= 1
            self.values["open_access"][str(open_access).lower()] -= 1
        self._contributors = sorted((row for row in contributors if row[1] > 0), key=lambda row: (-row[1], row[0]))
