"""An index of the facet rows by kind and year that carries every column the counts read.

Why: a listing filtered by kind (with or without a year range) and a theme counts its top
contributors over the matching facet rows (publications/facet_counts.py, the "live" part of the
restricted counts). PostgreSQL found those rows through the theme's GIN index and then visited
every facet row of the theme: at 100,000 publications, 15,838 rows on 1,851 heap pages for
2,224 matches (theme + kind + years); at 1,000,000, 508,000 rows on 18,500 pages for the API
facets of a parent theme and a kind. This index holds the rows in (kind, year) order with the
columns the counts use, so the same rows come from an index-only scan of one range, and the
theme is tested in the index entries (EXPLAIN ANALYZE of the counts' statement, best of five):

- 100,000 publications: theme + kind + years 12.2 -> 8.6 ms; API facets 38.1 -> 28.5 ms;
- 1,000,000: theme + kind + years 158 -> 86 ms; API facets 450 -> 333 ms;

and no other request of the benchmark changed beyond its noise (docs/performance.md, ninth
session). It is about the size of the facet rows themselves (15 MB at 100,000, 148 MB at
1,000,000) and one more index entry per facet-row write. Index-only scans need the visibility
map, which autovacuum keeps; the synthetic generator builds it after its load, like the others.

PostgreSQL only, like the facet rows of 0005.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS facetrow_kind_year_cover_idx ON publications_facetrow (kind, year) "
    "INCLUDE (status, is_open_access, publication_id, theme_ids, contributor_ids)",
]
BACKWARD = ["DROP INDEX IF EXISTS facetrow_kind_year_cover_idx"]


class Migration(migrations.Migration):
    dependencies = [("publications", "0012_search_rows")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
