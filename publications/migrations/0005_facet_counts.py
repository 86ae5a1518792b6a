"""Precomputed facet counts for the publication listing, kept by PostgreSQL triggers.

Why: at 100,000 publications, counting themes and contributors over every published item took
about 150-250 ms per request (a GROUP BY over 250,000 link rows each), more than the whole
cold-page budget. Most requests need exactly those counts (the unfiltered listing, deep pages,
and each facet's own counts when only that facet is selected), so the database keeps them.

Two tables, both PostgreSQL-only and outside Django's model state (like 0002 and 0004; on
SQLite this migration does nothing and facets are counted with plain GROUP BY queries):

``publications_facetrow``
    One narrow row per publication: its status, kind, year, open-access flag, and the sorted
    ids of its themes and of its contributors. Statement-level triggers on the publication table
    and on the two link tables keep it in step, for every write path (the admin, ``save()``,
    ``bulk_create``, COPY, ``queryset.update()``, raw SQL); a TRUNCATE of the publication table
    empties it. Rows whose values did not change are not rewritten.

``publications_facetcount`` and ``publications_contributorcount``
    ``(facet, value) -> n``: how many publications with status "published" have each kind,
    year, open-access value and each exact *set* of themes (``value`` is the comma-joined sorted
    ids; there are a few thousand distinct sets); ``contributor_id -> n`` likewise, indexed by
    count so the top contributors are read without a sort. A trigger on the facet
    rows applies the difference of every statement, so the counts change in the same
    transaction as the data.

The counts deliberately ignore ``publish_from``: a scheduled item becomes public with no write
at all, so it cannot be counted by a trigger. The reader (``publications/facet_counts.py``)
subtracts the items whose status is "published" but whose time has not come, found with
``published_q()``, the one place the publishing rule is written. Counting theme *sets* rather
than single themes is what lets the reader count a parent theme exactly (an item in two
sub-themes counts once) under whatever hierarchy and theme statuses hold at that moment.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

ROW_COLUMNS = "publication_id, status, kind, year, is_open_access, theme_ids, contributor_ids"

THEME_IDS = (
    "coalesce((SELECT array_agg(DISTINCT l.theme_id::bigint ORDER BY l.theme_id::bigint) "
    "FROM publications_publication_themes l WHERE l.publication_id = {pid}), '{{}}')"
)
CONTRIBUTOR_IDS = (
    "coalesce((SELECT array_agg(DISTINCT l.contributor_id::bigint ORDER BY l.contributor_id::bigint) "
    "FROM publications_publicationcontributor l WHERE l.publication_id = {pid}), '{{}}')"
)


def _row_select(source):
    return (
        f"SELECT p.id, p.status, p.kind, p.year, p.is_open_access, "
        f"{THEME_IDS.format(pid='p.id')}, {CONTRIBUTOR_IDS.format(pid='p.id')} FROM {source} p"
    )


def _deltas(table, sign):
    """(facet, value, +1/-1) for each counted value of the published rows in ``table``."""
    published = f"FROM {table} r WHERE r.status = 'published'"
    return " UNION ALL ".join(
        [
            f"SELECT 'kind', r.kind::text, {sign} {published}",
            f"SELECT 'year', r.year::text, {sign} {published}",
            f"SELECT 'open_access', r.is_open_access::text, {sign} {published}",
            f"SELECT 'themes', array_to_string(r.theme_ids, ','), {sign} {published}",
        ]
    )


def _contributor_deltas(table, sign):
    return f"SELECT c, {sign} FROM {table} r, unnest(r.contributor_ids) c WHERE r.status = 'published'"


def _apply_deltas(*tables):
    """Add the rows of ``new_rows`` and subtract those of ``old_rows`` (whichever are given)."""
    signs = {"new_rows": "1", "old_rows": "-1"}
    values = " UNION ALL ".join(_deltas(table, signs[table]) for table in tables)
    contributors = " UNION ALL ".join(_contributor_deltas(table, signs[table]) for table in tables)
    return (
        "INSERT INTO publications_facetcount (facet, value, n) "
        f"SELECT facet, value, sum(d) FROM ({values}) AS delta(facet, value, d) "
        "GROUP BY facet, value HAVING sum(d) <> 0 ORDER BY facet, value "
        "ON CONFLICT (facet, value) DO UPDATE SET n = publications_facetcount.n + EXCLUDED.n; "
        "INSERT INTO publications_contributorcount (contributor_id, n) "
        f"SELECT contributor_id, sum(d) FROM ({contributors}) AS delta(contributor_id, d) "
        "GROUP BY contributor_id HAVING sum(d) <> 0 ORDER BY contributor_id "
        "ON CONFLICT (contributor_id) DO UPDATE SET n = publications_contributorcount.n + EXCLUDED.n"
    )


def _link_function(name, link_table, column, ids_sql):
    """Recompute one array column of the facet rows whose links changed in the statement."""

    def refresh(source):
        return (
            f"UPDATE publications_facetrow f SET {column} = {ids_sql.format(pid='f.publication_id')} "
            f"WHERE f.publication_id IN (SELECT publication_id FROM {source}) "
            f"AND f.{column} IS DISTINCT FROM {ids_sql.format(pid='f.publication_id')};"
        )

    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            UPDATE publications_facetrow SET {column} = '{{}}' WHERE {column} <> '{{}}';
        ELSIF TG_OP = 'INSERT' THEN
            {refresh("new_table")}
        ELSIF TG_OP = 'DELETE' THEN
            {refresh("old_table")}
        ELSE
            {refresh("(SELECT publication_id FROM new_table UNION SELECT publication_id FROM old_table) AS c")}
        END IF;
        RETURN NULL;
    END $$
    """


def _statement_triggers(table, function, prefix):
    return [
        f"CREATE TRIGGER {prefix}_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_table "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_table "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_upd AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_table "
        f"NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_trunc AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS publications_facetrow (
        publication_id bigint PRIMARY KEY,
        status varchar(20) NOT NULL,
        kind varchar(20) NOT NULL,
        year integer NOT NULL,
        is_open_access boolean NOT NULL,
        theme_ids bigint[] NOT NULL DEFAULT '{}',
        contributor_ids bigint[] NOT NULL DEFAULT '{}'
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS publications_facetcount (
        facet varchar(20) NOT NULL,
        value text NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (facet, value)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS publications_contributorcount (
        contributor_id bigint PRIMARY KEY,
        n bigint NOT NULL
    )
    """,
    # Filtered counts select facet rows by theme or contributor ("&&" on the arrays).
    "CREATE INDEX IF NOT EXISTS facetrow_theme_ids_idx ON publications_facetrow USING gin (theme_ids)",
    "CREATE INDEX IF NOT EXISTS facetrow_contributor_ids_idx ON publications_facetrow USING gin (contributor_ids)",
    # The top contributors are read in this order, so a LIMIT stops early.
    "CREATE INDEX IF NOT EXISTS contributorcount_top_idx ON publications_contributorcount (n DESC, contributor_id)",
    # Facet rows -> counts.
    f"""
    CREATE OR REPLACE FUNCTION publications_facetrow_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE publications_facetcount, publications_contributorcount;
        ELSIF TG_OP = 'INSERT' THEN
            {_apply_deltas("new_rows")};
        ELSIF TG_OP = 'DELETE' THEN
            {_apply_deltas("old_rows")};
        ELSE
            {_apply_deltas("new_rows", "old_rows")};
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER facetrow_count_ins AFTER INSERT ON publications_facetrow REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_count()",
    "CREATE TRIGGER facetrow_count_del AFTER DELETE ON publications_facetrow REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_count()",
    "CREATE TRIGGER facetrow_count_upd AFTER UPDATE ON publications_facetrow REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_count()",
    "CREATE TRIGGER facetrow_count_trunc AFTER TRUNCATE ON publications_facetrow "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_count()",
    # Publications -> facet rows.
    f"""
    CREATE OR REPLACE FUNCTION publications_publication_facetrow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE publications_facetrow;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO publications_facetrow ({ROW_COLUMNS}) {_row_select("new_table")}
            ON CONFLICT (publication_id) DO UPDATE SET status = EXCLUDED.status, kind = EXCLUDED.kind,
                year = EXCLUDED.year, is_open_access = EXCLUDED.is_open_access,
                theme_ids = EXCLUDED.theme_ids, contributor_ids = EXCLUDED.contributor_ids;
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM publications_facetrow WHERE publication_id IN (SELECT id FROM old_table);
        ELSE
            UPDATE publications_facetrow f
            SET status = p.status, kind = p.kind, year = p.year, is_open_access = p.is_open_access
            FROM new_table p
            WHERE f.publication_id = p.id
              AND (f.status, f.kind, f.year, f.is_open_access)
                  IS DISTINCT FROM (p.status, p.kind, p.year::integer, p.is_open_access);
        END IF;
        RETURN NULL;
    END $$
    """,
    *_statement_triggers("publications_publication", "publications_publication_facetrow", "publication_facetrow"),
    _link_function("publications_theme_link_facetrow", "publications_publication_themes", "theme_ids", THEME_IDS),
    *_statement_triggers(
        "publications_publication_themes", "publications_theme_link_facetrow", "publication_theme_facetrow"
    ),
    _link_function(
        "publications_contributor_link_facetrow",
        "publications_publicationcontributor",
        "contributor_ids",
        CONTRIBUTOR_IDS,
    ),
    *_statement_triggers(
        "publications_publicationcontributor",
        "publications_contributor_link_facetrow",
        "publication_contributor_facetrow",
    ),
    # Existing data (the count trigger fills publications_facetcount from these rows).
    f"INSERT INTO publications_facetrow ({ROW_COLUMNS}) {_row_select('publications_publication')} "
    "ON CONFLICT (publication_id) DO NOTHING",
    "ANALYZE publications_facetrow",
    "ANALYZE publications_facetcount",
    "ANALYZE publications_contributorcount",
]

BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {prefix}_{event} ON {table}"
        for table, prefix in (
            ("publications_publication", "publication_facetrow"),
            ("publications_publication_themes", "publication_theme_facetrow"),
            ("publications_publicationcontributor", "publication_contributor_facetrow"),
        )
        for event in ("ins", "del", "upd", "trunc")
    ),
    "DROP TABLE IF EXISTS publications_facetrow",
    "DROP TABLE IF EXISTS publications_facetcount",
    "DROP TABLE IF EXISTS publications_contributorcount",
    "DROP FUNCTION IF EXISTS publications_publication_facetrow()",
    "DROP FUNCTION IF EXISTS publications_theme_link_facetrow()",
    "DROP FUNCTION IF EXISTS publications_contributor_link_facetrow()",
    "DROP FUNCTION IF EXISTS publications_facetrow_count()",
]


class Migration(migrations.Migration):
    dependencies = [("publications", "0004_listing_covering_indexes")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
