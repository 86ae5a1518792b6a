"""PostgreSQL indexes shaped for the faceted listings (see docs/performance-notes-discovery.md).

Every listing query starts from "published now" (status, publish_from) and reads only a few
narrow columns: the id for semi-joins into the many-to-many tables, and kind, year and open
access for their facet counts. A covering index lets those scans be index-only instead of
reading the wide publication rows (abstract, search vector). The through-table indexes serve
"items with this theme/contributor" lookups without touching the heap.

Kept out of Django's model state (like 0002) because INCLUDE is PostgreSQL-only; on SQLite this
migration does nothing.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS publication_facet_cover_idx ON publications_publication "
    "(status, publish_from) INCLUDE (id, kind, year, is_open_access)",
    "CREATE INDEX IF NOT EXISTS casestudy_facet_cover_idx ON publications_casestudy "
    "(status, publish_from) INCLUDE (id, country, year_started)",
    "CREATE INDEX IF NOT EXISTS publication_theme_pub_idx ON publications_publication_themes (theme_id, publication_id)",
    "CREATE INDEX IF NOT EXISTS contribution_contributor_pub_idx ON publications_publicationcontributor "
    "(contributor_id, publication_id)",
    "CREATE INDEX IF NOT EXISTS contribution_pub_contributor_idx ON publications_publicationcontributor "
    "(publication_id, contributor_id)",
    "CREATE INDEX IF NOT EXISTS casestudy_theme_case_idx ON publications_casestudy_themes (theme_id, casestudy_id)",
    "CREATE INDEX IF NOT EXISTS casestudy_area_case_idx ON publications_casestudy_service_areas "
    "(servicearea_id, casestudy_id)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS " + name
    for name in (
        "casestudy_area_case_idx",
        "casestudy_theme_case_idx",
        "contribution_pub_contributor_idx",
        "contribution_contributor_pub_idx",
        "publication_theme_pub_idx",
        "casestudy_facet_cover_idx",
        "publication_facet_cover_idx",
    )
]


class Migration(migrations.Migration):
    dependencies = [("publications", "0003_editor_groups")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
