"""Items per scope, kept beside the cube of 0007 (PostgreSQL only).

Why: every listing whose theme facet is read from the cube without a filter (the unfiltered
listing, a listing filtered by one theme, deep pages) summed all of ``publications_scopecount``
by scope to get the number of items per theme: 13,338 cells at 100,000 publications (the same at
1,000,000: the cube grows with themes, kinds and years, not with items), 3.1 of the 3.3 ms of
that statement on a slow host, for 20 numbers. ``publications_scopetotal (scope_id, n)`` holds
those numbers: ``n`` is always the sum of the scope's cells (every scope but 0).

How it stays exact: statement triggers on the cube itself, not on what writes the cube. Every
statement that changes ``publications_scopecount`` (0007's per-statement counts, its rebuilds of
every scope or of the groups a theme move touched, a TRUNCATE, an operator's repair) adds the
difference of its rows, scope by scope, in the same transaction. An ``INSERT ... ON CONFLICT DO
UPDATE`` (how 0007 adds to the cube) fires both the INSERT trigger, with the rows it inserted,
and the UPDATE trigger, with the rows it changed (PostgreSQL's documented behaviour for
statement triggers with transition tables), so each cell counts once.

Scope 0 (every item) has no total here: nothing reads it (the theme facet needs the themes'
scopes), and every write of an item would have updated that one row, making all writers wait
for each other. The other totals are written in scope order within a statement, as 0007 writes
its cells, so one statement never deadlocks another. Across the statements of a transaction
the order is not global: two transactions writing items of the same two themes, in opposite
orders and both still open, can deadlock, and PostgreSQL then cancels one (an editor's save
fails and must be made again). The cube's own cells carry the same risk at a finer grain; a
total is shared by every item of its theme, so it is likelier than before, though editorial
transactions are short and a bulk load defers the cube (0007) and writes it once. If it shows
in the logs, serialise the writers of facet rows (a transaction-level advisory lock taken
first by the facet-row trigger) or keep the totals as appended deltas folded now and then.

tests/publications/test_facet_counts.py compares the totals with a fresh count after every kind
of write, with the cube's other tables.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only


def _add(rows_sql):
    """Add the signed per-cell numbers of ``rows_sql`` (columns scope_id, d) to the totals."""
    return (
        "INSERT INTO publications_scopetotal (scope_id, n) "  # noqa: S608 (fixed SQL)
        f"SELECT scope_id, sum(d) FROM ({rows_sql}) AS cells WHERE scope_id <> 0 "
        "GROUP BY scope_id HAVING sum(d) <> 0 ORDER BY scope_id "
        "ON CONFLICT (scope_id) DO UPDATE SET n = publications_scopetotal.n + EXCLUDED.n"
    )


FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS publications_scopetotal (
        scope_id bigint PRIMARY KEY,
        n bigint NOT NULL
    )
    """,
    f"""
    CREATE OR REPLACE FUNCTION publications_scopecount_total() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE publications_scopetotal;
        ELSIF TG_OP = 'INSERT' THEN
            {_add("SELECT scope_id, n AS d FROM new_rows")};
        ELSIF TG_OP = 'DELETE' THEN
            {_add("SELECT scope_id, -n AS d FROM old_rows")};
        ELSE
            {_add("SELECT scope_id, n AS d FROM new_rows UNION ALL SELECT scope_id, -n FROM old_rows")};
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER scopecount_total_ins AFTER INSERT ON publications_scopecount REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_scopecount_total()",
    "CREATE TRIGGER scopecount_total_del AFTER DELETE ON publications_scopecount REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_scopecount_total()",
    "CREATE TRIGGER scopecount_total_upd AFTER UPDATE ON publications_scopecount "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_scopecount_total()",
    "CREATE TRIGGER scopecount_total_trunc AFTER TRUNCATE ON publications_scopecount "
    "FOR EACH STATEMENT EXECUTE FUNCTION publications_scopecount_total()",
    # Existing data (the cube is locked first, so no write lands between the read and the triggers).
    "LOCK TABLE publications_scopecount IN SHARE MODE",
    "DELETE FROM publications_scopetotal",
    "INSERT INTO publications_scopetotal (scope_id, n) "
    "SELECT scope_id, sum(n) FROM publications_scopecount WHERE scope_id <> 0 GROUP BY scope_id ORDER BY scope_id",
    "ANALYZE publications_scopetotal",
]

BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS scopecount_total_{event} ON publications_scopecount" for event in ("ins", "del", "upd", "trunc")),
    "DROP FUNCTION IF EXISTS publications_scopecount_total()",
    "DROP TABLE IF EXISTS publications_scopetotal",
]


class Migration(migrations.Migration):
    dependencies = [("publications", "0013_facet_rows_by_kind_and_year")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
