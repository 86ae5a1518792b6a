"""A search table: each publication's search vector beside a copy of its facet row.

Why: a searched listing reads every match once, to count the facets and rank the page. It found
the matches in the publication table (a wide row per match, one heap page each) and then looked
up each match's facet row by primary key: at 100,000 publications, 4,600 matches for a common
phrase took about 8 ms for the first part and 10 ms for the second, of a 30 ms query; at
1,000,000 the same query was over the 500 ms target on a slower host (docs/performance.md). The
search table answers both from one narrow row per match, with its own GIN index.

``publications_searchrow`` (PostgreSQL only, outside Django's model state, like the facet rows
of 0005): the facet row's columns (status, kind, year, access, theme and contributor ids), the
publication's title (the relevance order breaks ties on it) and its ``search_vector`` (the
generated column of 0002, with the same weights, so ``ts_rank`` gives the same ranks).

Kept in step by statement-level triggers, in the same transaction as the data:

- on the facet rows (which 0005 and 0008 keep for every write path): a row inserted, changed or
  deleted there is inserted, changed or deleted here, with the publication's current title and
  vector; a TRUNCATE empties this table too. Loads that defer the facet rows (0008) therefore
  fill this table at their rebuild, in one statement;
- on the publications, for a changed title or search vector (a title, subtitle or abstract
  edit, or an insert under an id whose old search row is still there because its deletion was
  deferred): never deferred, because the facet rows do not see those columns. A publication
  without a facet row yet (during a deferred load) has no search row to update, and gets one
  with the current values when its facet row is inserted.

``publications_rebuild_search_rows()`` makes the table equal to what the triggers would have
written, for repairs (docs/deployment.md); nothing calls it routinely.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

COLUMNS = "publication_id, status, kind, year, is_open_access, theme_ids, contributor_ids, title, search_vector"
FROM_FACET_ROWS = (
    "SELECT f.publication_id, f.status, f.kind, f.year, f.is_open_access, f.theme_ids, f.contributor_ids, "
    "p.title, p.search_vector FROM {rows} f JOIN publications_publication p ON p.id = f.publication_id"
)
UPSERT = (
    "ON CONFLICT (publication_id) DO UPDATE SET status = EXCLUDED.status, kind = EXCLUDED.kind, "
    "year = EXCLUDED.year, is_open_access = EXCLUDED.is_open_access, theme_ids = EXCLUDED.theme_ids, "
    "contributor_ids = EXCLUDED.contributor_ids, title = EXCLUDED.title, search_vector = EXCLUDED.search_vector"
)


def _values(table):
    """The row's columns but the key, qualified, as one row value for IS DISTINCT FROM."""
    return "(" + ", ".join(f"{table}.{column}" for column in COLUMNS.split(", ")[1:]) + ")"


FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS publications_searchrow (
        publication_id bigint PRIMARY KEY,
        status varchar(20) NOT NULL,
        kind varchar(20) NOT NULL,
        year integer NOT NULL,
        is_open_access boolean NOT NULL,
        theme_ids bigint[] NOT NULL DEFAULT '{}',
        contributor_ids bigint[] NOT NULL DEFAULT '{}',
        title text NOT NULL,
        search_vector tsvector NOT NULL
    )
    """,
    # Facet rows -> search rows.
    f"""
    CREATE OR REPLACE FUNCTION publications_facetrow_searchrow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE publications_searchrow;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO publications_searchrow ({COLUMNS}) {FROM_FACET_ROWS.format(rows="new_rows")}
            ORDER BY f.publication_id {UPSERT};
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM publications_searchrow WHERE publication_id IN (SELECT publication_id FROM old_rows);
        ELSE
            -- The publication's text too: a facet row rewritten by a rebuild may belong to a
            -- publication whose text changed without an UPDATE (deleted and inserted again
            -- under the same id while the facet rows were deferred).
            UPDATE publications_searchrow s
            SET status = f.status, kind = f.kind, year = f.year, is_open_access = f.is_open_access,
                theme_ids = f.theme_ids, contributor_ids = f.contributor_ids,
                title = p.title, search_vector = p.search_vector
            FROM new_rows f JOIN publications_publication p ON p.id = f.publication_id
            WHERE s.publication_id = f.publication_id
              AND (s.status, s.kind, s.year, s.is_open_access, s.theme_ids, s.contributor_ids, s.title, s.search_vector)
                  IS DISTINCT FROM
                  (f.status, f.kind, f.year, f.is_open_access, f.theme_ids, f.contributor_ids, p.title::text,
                   p.search_vector);
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER facetrow_search_ins AFTER INSERT ON publications_facetrow REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_searchrow()",
    "CREATE TRIGGER facetrow_search_del AFTER DELETE ON publications_facetrow REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_searchrow()",
    "CREATE TRIGGER facetrow_search_upd AFTER UPDATE ON publications_facetrow REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_searchrow()",
    "CREATE TRIGGER facetrow_search_trunc AFTER TRUNCATE ON publications_facetrow "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_facetrow_searchrow()",
    # Publications -> search rows: the columns the facet rows do not carry.
    """
    CREATE OR REPLACE FUNCTION publications_publication_searchrow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE publications_searchrow s SET title = p.title, search_vector = p.search_vector
        FROM new_table p
        WHERE s.publication_id = p.id
          AND (s.title, s.search_vector) IS DISTINCT FROM (p.title::text, p.search_vector);
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER publication_searchrow_upd AFTER UPDATE ON publications_publication "
    "REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_publication_searchrow()",
    # An insert under the id of a publication deleted while the facet rows were deferred finds
    # that publication's search row still there, and must not leave its old text in it.
    "CREATE TRIGGER publication_searchrow_ins AFTER INSERT ON publications_publication "
    "REFERENCING NEW TABLE AS new_table "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_publication_searchrow()",
    f"""
    CREATE OR REPLACE FUNCTION publications_rebuild_search_rows() RETURNS void LANGUAGE sql AS $$
        INSERT INTO publications_searchrow ({COLUMNS}) {FROM_FACET_ROWS.format(rows="publications_facetrow")}
        ORDER BY f.publication_id {UPSERT}
        WHERE {_values("publications_searchrow")} IS DISTINCT FROM {_values("EXCLUDED")};
        DELETE FROM publications_searchrow s
        WHERE NOT EXISTS (SELECT 1 FROM publications_facetrow f WHERE f.publication_id = s.publication_id);
    $$
    """,
    # Existing data, then the index (built once, rather than row by row with a pending list).
    "SELECT publications_rebuild_search_rows()",
    "CREATE INDEX IF NOT EXISTS searchrow_vector_idx ON publications_searchrow USING gin (search_vector)",
    "ANALYZE publications_searchrow",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS publication_searchrow_upd ON publications_publication",
    "DROP TRIGGER IF EXISTS publication_searchrow_ins ON publications_publication",
    *(f"DROP TRIGGER IF EXISTS facetrow_search_{event} ON publications_facetrow" for event in ("ins", "del", "upd", "trunc")),
    "DROP FUNCTION IF EXISTS publications_rebuild_search_rows()",
    "DROP FUNCTION IF EXISTS publications_publication_searchrow()",
    "DROP FUNCTION IF EXISTS publications_facetrow_searchrow()",
    "DROP TABLE IF EXISTS publications_searchrow",
]


class Migration(migrations.Migration):
    dependencies = [("publications", "0011_case_study_newest_added_index")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
