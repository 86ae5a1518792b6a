"""Facet rows can be deferred to one rebuild in a bulk-load transaction.

Why: the facet-row triggers of migration 0005 rewrite a publication's row three times while
it is loaded (the publication, then its themes, then its contributors), each time updating
the row's GIN indexes and the stored counts. For the synthetic generator's 100,000
publications that upkeep was about a fifth of the run; one set-based rebuild at the end costs a
few seconds (docs/performance.md, "Generator").

- The triggers on the publication table and on the two link tables now skip their work while
  ``inlogov.defer_facet_rows`` is ``on``. A statement-level ``WHEN`` does it, so the trigger
  functions of 0005 are unchanged. TRUNCATE triggers are not deferred.
- ``publications_rebuild_facet_rows()`` makes every facet row equal to what the triggers would
  have written: it inserts the missing rows, rewrites the rows that differ and deletes the rows
  of publications that are gone. The count triggers of 0005 and 0007 see those writes as
  usual, so the stored counts follow.

The setting is for one transaction that rebuilds before it commits, exactly like
``inlogov.defer_scope_counts`` (0007): ``SET LOCAL inlogov.defer_facet_rows = on``, the bulk
writes, ``SET LOCAL inlogov.defer_facet_rows = off``, ``SELECT
publications_rebuild_facet_rows()``. A transaction that commits with the setting on and no
rebuild leaves the counts wrong until the next rebuild. docs/deployment.md says the same.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

TRIGGERS = (
    ("publications_publication", "publication_facetrow", "publications_publication_facetrow"),
    ("publications_publication_themes", "publication_theme_facetrow", "publications_theme_link_facetrow"),
    (
        "publications_publicationcontributor",
        "publication_contributor_facetrow",
        "publications_contributor_link_facetrow",
    ),
)

EVENTS = (
    ("ins", "INSERT", "REFERENCING NEW TABLE AS new_table"),
    ("del", "DELETE", "REFERENCING OLD TABLE AS old_table"),
    ("upd", "UPDATE", "REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table"),
)

NOT_DEFERRED = "WHEN (current_setting('inlogov.defer_facet_rows', true) IS DISTINCT FROM 'on')"


def _triggers(condition):
    statements = []
    for table, prefix, function in TRIGGERS:
        for suffix, event, referencing in EVENTS:
            statements += [
                f"DROP TRIGGER IF EXISTS {prefix}_{suffix} ON {table}",
                f"CREATE TRIGGER {prefix}_{suffix} AFTER {event} ON {table} {referencing} "
                f"FOR EACH STATEMENT {condition} EXECUTE FUNCTION {function}()",
            ]
    return statements


# Grouped once over each link table and joined: one pass each, not a subquery per publication.
REBUILD = """
CREATE OR REPLACE FUNCTION publications_rebuild_facet_rows() RETURNS void LANGUAGE sql AS $$
    INSERT INTO publications_facetrow
        (publication_id, status, kind, year, is_open_access, theme_ids, contributor_ids)
    SELECT p.id, p.status, p.kind, p.year, p.is_open_access,
           coalesce(t.ids, '{}'), coalesce(c.ids, '{}')
    FROM publications_publication p
    LEFT JOIN (
        SELECT publication_id, array_agg(DISTINCT theme_id::bigint ORDER BY theme_id::bigint) AS ids
        FROM publications_publication_themes GROUP BY publication_id
    ) t ON t.publication_id = p.id
    LEFT JOIN (
        SELECT publication_id,
               array_agg(DISTINCT contributor_id::bigint ORDER BY contributor_id::bigint) AS ids
        FROM publications_publicationcontributor GROUP BY publication_id
    ) c ON c.publication_id = p.id
    ORDER BY p.id
    ON CONFLICT (publication_id) DO UPDATE SET
        status = EXCLUDED.status, kind = EXCLUDED.kind, year = EXCLUDED.year,
        is_open_access = EXCLUDED.is_open_access, theme_ids = EXCLUDED.theme_ids,
        contributor_ids = EXCLUDED.contributor_ids
    WHERE (publications_facetrow.status, publications_facetrow.kind, publications_facetrow.year,
           publications_facetrow.is_open_access, publications_facetrow.theme_ids,
           publications_facetrow.contributor_ids)
          IS DISTINCT FROM
          (EXCLUDED.status, EXCLUDED.kind, EXCLUDED.year, EXCLUDED.is_open_access,
           EXCLUDED.theme_ids, EXCLUDED.contributor_ids);
    DELETE FROM publications_facetrow f
    WHERE NOT EXISTS (SELECT 1 FROM publications_publication p WHERE p.id = f.publication_id);
$$
"""

FORWARD = [*_triggers(NOT_DEFERRED), REBUILD]

BACKWARD = [*_triggers(""), "DROP FUNCTION IF EXISTS publications_rebuild_facet_rows()"]


class Migration(migrations.Migration):
    dependencies = [("publications", "0007_theme_scope_counts")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
