"""Facet counts by theme, kind, year and access, kept by PostgreSQL triggers (PostgreSQL only).

Why: after 0005 the unfiltered listing reads its counts, but a listing filtered by one theme (the
most common filtered page: every theme page links to it) still counted the kind, year, access
and contributor facets of every item of the theme on each request: 50,000 facet rows and
125,000 credits for a parent theme at 100,000 publications, 150-300 ms. Here the database keeps
those counts per *scope*:

- scope ``0``: every item;
- scope ``+t``: the items with theme ``t``;
- scope ``-p``: the items with top-level theme ``p`` or any of its sub-themes, each counted once
  (what a visitor selecting the parent sees, while every sub-theme of ``p`` is public).

``publications_scopecount (scope_id, kind, year, is_open_access, n)`` is a small cube (a few
hundred cells per scope): from it the kind, year, access and theme counts of any selection of
one theme, kinds, a year range and access values are sums, with no item read.
``publications_scopecontributorcount (scope_id, contributor_id, n)`` holds the credits, indexed
by count so the top contributors of a scope are read without a sort.
Like the counts of 0005 they cover items with status "published"; the reader subtracts
scheduled items and drops hidden contributors (``publications/facet_counts.py``).

How they stay exact, whatever writes the data:

- a statement trigger on the facet rows applies each statement's difference, computing the
  ``-p`` scopes of the old and the new rows from the theme hierarchy as it is at that moment;
- so the stored counts always equal a fresh count under the *current* hierarchy, a statement
  trigger on ``themes_theme`` rebuilds the two groups involved when a theme's parent changes
  (a rare editorial act; it reads the facet rows of those groups only), and the group of a
  theme inserted or deleted (raw SQL may do either out of order with the links);
- the facet-row trigger locks the themes its rows name before reading their parents, so a
  move and a write committing at the same moment cannot leave a row in the old group;
- a TRUNCATE of the facet rows empties them, and one of the themes rebuilds them.

``publications_rebuild_scope_counts(NULL)`` rebuilds every scope from the facet rows (about 7 s
at 100,000 publications). A bulk load may ``SET LOCAL inlogov.defer_scope_counts = on`` to skip
the per-statement work and must then call it before its transaction commits: the synthetic
generator does (one set-based rebuild is cheaper than maintaining the counts batch by batch).
docs/deployment.md says when an operator would call it.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

# The scopes of a facet row ``r``: all, its themes, then the negated top-level theme of each.
SCOPES = (
    "ARRAY[0::bigint] || r.theme_ids || ARRAY(SELECT DISTINCT -coalesce(t.parent_id, t.id) FROM themes_theme t "
    "WHERE t.id = ANY(r.theme_ids))"
)


def _rows(table, sign, scopes=SCOPES, where=""):
    return (
        f"SELECT {scopes} AS scopes, r.kind, r.year, r.is_open_access, r.contributor_ids, {sign} AS sign "
        f"FROM {table} r WHERE r.status = 'published'{where}"
    )


def _count(rows_sql):
    """One statement adding the signed rows of ``rows_sql`` to both scope-count tables."""
    return f"""
    WITH d AS ({rows_sql}),
    s AS (SELECT scope, d.kind, d.year, d.is_open_access, d.contributor_ids, d.sign FROM d, unnest(d.scopes) AS scope),
    counted AS (
        INSERT INTO publications_scopecount (scope_id, kind, year, is_open_access, n)
        SELECT s.scope, s.kind, s.year, s.is_open_access, sum(s.sign) FROM s
        GROUP BY 1, 2, 3, 4 HAVING sum(s.sign) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (scope_id, kind, year, is_open_access)
        DO UPDATE SET n = publications_scopecount.n + EXCLUDED.n
        RETURNING 1
    )
    INSERT INTO publications_scopecontributorcount (scope_id, contributor_id, n)
    SELECT s.scope, c, sum(s.sign) FROM s, unnest(s.contributor_ids) AS c
    GROUP BY 1, 2 HAVING sum(s.sign) <> 0 ORDER BY 1, 2
    ON CONFLICT (scope_id, contributor_id) DO UPDATE SET n = publications_scopecontributorcount.n + EXCLUDED.n
    """


# The themes the rows name are locked (FOR SHARE, in id order) before their scopes are read
# from the hierarchy: a theme being moved in another transaction holds its row, so the write
# waits for the move to commit and then sees the new parent (each statement of a trigger takes
# a new snapshot); a move that starts later waits for the write, and its rebuild sees it.
# Without this, a move and a write committing together left a row in the old parent's cells.
_LOCK_THEMES = (
    "PERFORM 1 FROM themes_theme WHERE id IN (SELECT unnest(r.theme_ids) FROM {rows} AS r) "
    "ORDER BY id FOR SHARE;"
)

# Groups (top-level theme ids) of themes added or removed (raw SQL can link a theme before it
# exists or delete it before its links, as foreign keys are checked at commit).
# Only then (normally no facet row names a theme being created or deleted) is it rebuilt.
CHANGED_GROUPS = "ARRAY(SELECT DISTINCT coalesce(t.parent_id, t.id) FROM {table} t)"
_NAMED = "SELECT 1 FROM publications_facetrow WHERE theme_ids && ARRAY(SELECT t.id::bigint FROM {table} t)"

# Groups (top-level theme ids) whose membership changed in an UPDATE of themes_theme.
MOVED_GROUPS = (
    "ARRAY(SELECT coalesce(o.parent_id, o.id) FROM old_table o JOIN new_table n ON n.id = o.id "
    "WHERE o.parent_id IS DISTINCT FROM n.parent_id "
    "UNION SELECT coalesce(n.parent_id, n.id) FROM old_table o JOIN new_table n ON n.id = o.id "
    "WHERE o.parent_id IS DISTINCT FROM n.parent_id)"
)

FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS publications_scopecount (
        scope_id bigint NOT NULL,
        kind varchar(20) NOT NULL,
        year integer NOT NULL,
        is_open_access boolean NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (scope_id, kind, year, is_open_access)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS publications_scopecontributorcount (
        scope_id bigint NOT NULL,
        contributor_id bigint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (scope_id, contributor_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS scopecontributorcount_top_idx "
    "ON publications_scopecontributorcount (scope_id, n DESC, contributor_id)",
    # Rebuild every scope (roots NULL) or the groups of the given top-level themes.
    f"""
    CREATE OR REPLACE FUNCTION publications_rebuild_scope_counts(roots bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF roots IS NULL THEN
            -- DELETE, not TRUNCATE: readers keep the old cells until this commits, not a lock.
            DELETE FROM publications_scopecount;
            DELETE FROM publications_scopecontributorcount;
            {_count(_rows("publications_facetrow", "1"))};
        ELSIF cardinality(roots) > 0 THEN
            DELETE FROM publications_scopecount WHERE scope_id = ANY(ARRAY(SELECT -r FROM unnest(roots) r));
            DELETE FROM publications_scopecontributorcount
            WHERE scope_id = ANY(ARRAY(SELECT -r FROM unnest(roots) r));
            {_count(_rows(
                "publications_facetrow", "1",
                scopes="ARRAY(SELECT DISTINCT -coalesce(t.parent_id, t.id) FROM themes_theme t "
                       "WHERE t.id = ANY(r.theme_ids) AND coalesce(t.parent_id, t.id) = ANY(roots))",
                where=" AND r.theme_ids && ARRAY(SELECT t.id FROM themes_theme t "
                      "WHERE coalesce(t.parent_id, t.id) = ANY(roots))",
            ))};
        END IF;
    END $$
    """,
    # Facet rows -> scope counts.
    f"""
    CREATE OR REPLACE FUNCTION publications_facetrow_scope_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE publications_scopecount, publications_scopecontributorcount;
        ELSIF current_setting('inlogov.defer_scope_counts', true) = 'on' THEN
            RETURN NULL;  -- a bulk load in this transaction rebuilds them before it commits
        ELSIF TG_OP = 'INSERT' THEN
            {_LOCK_THEMES.format(rows="new_rows")}
            {_count(_rows("new_rows", "1"))};
        ELSIF TG_OP = 'DELETE' THEN
            {_LOCK_THEMES.format(rows="old_rows")}
            {_count(_rows("old_rows", "-1"))};
        ELSE
            {_LOCK_THEMES.format(rows="(SELECT theme_ids FROM new_rows UNION ALL SELECT theme_ids FROM old_rows)")}
            {_count(_rows("new_rows", "1") + " UNION ALL " + _rows("old_rows", "-1"))};
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER facetrow_scope_ins AFTER INSERT ON publications_facetrow REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_scope_count()",
    "CREATE TRIGGER facetrow_scope_del AFTER DELETE ON publications_facetrow REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_scope_count()",
    "CREATE TRIGGER facetrow_scope_upd AFTER UPDATE ON publications_facetrow REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_scope_count()",
    "CREATE TRIGGER facetrow_scope_trunc AFTER TRUNCATE ON publications_facetrow "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_scope_count()",
    # Theme hierarchy -> the groups it moved.
    f"""
    CREATE OR REPLACE FUNCTION publications_theme_scope_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            PERFORM publications_rebuild_scope_counts(NULL);
        ELSIF TG_OP = 'INSERT' THEN
            IF EXISTS ({_NAMED.format(table="new_table")}) THEN
                PERFORM publications_rebuild_scope_counts({CHANGED_GROUPS.format(table="new_table")});
            END IF;
        ELSIF TG_OP = 'DELETE' THEN
            IF EXISTS ({_NAMED.format(table="old_table")}) THEN
                PERFORM publications_rebuild_scope_counts({CHANGED_GROUPS.format(table="old_table")});
            END IF;
        ELSE
            PERFORM publications_rebuild_scope_counts({MOVED_GROUPS});
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER theme_scope_ins AFTER INSERT ON themes_theme REFERENCING NEW TABLE AS new_table "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_theme_scope_count()",
    "CREATE TRIGGER theme_scope_del AFTER DELETE ON themes_theme REFERENCING OLD TABLE AS old_table "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_theme_scope_count()",
    "CREATE TRIGGER theme_scope_upd AFTER UPDATE ON themes_theme REFERENCING OLD TABLE AS old_table "
    "NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION publications_theme_scope_count()",
    "CREATE TRIGGER theme_scope_trunc AFTER TRUNCATE ON themes_theme "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_theme_scope_count()",
    # Existing data.
    "SELECT publications_rebuild_scope_counts(NULL)",
    "ANALYZE publications_scopecount",
    "ANALYZE publications_scopecontributorcount",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS theme_scope_ins ON themes_theme",
    "DROP TRIGGER IF EXISTS theme_scope_del ON themes_theme",
    "DROP TRIGGER IF EXISTS theme_scope_upd ON themes_theme",
    "DROP TRIGGER IF EXISTS theme_scope_trunc ON themes_theme",
    *(f"DROP TRIGGER IF EXISTS facetrow_scope_{event} ON publications_facetrow" for event in ("ins", "del", "upd", "trunc")),
    "DROP FUNCTION IF EXISTS publications_theme_scope_count()",
    "DROP FUNCTION IF EXISTS publications_facetrow_scope_count()",
    "DROP FUNCTION IF EXISTS publications_rebuild_scope_counts(bigint[])",
    "DROP TABLE IF EXISTS publications_scopecount",
    "DROP TABLE IF EXISTS publications_scopecontributorcount",
]


class Migration(migrations.Migration):
    dependencies = [("publications", "0006_deep_page_indexes"), ("themes", "0001_initial")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
