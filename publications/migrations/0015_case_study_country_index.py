"""The published case studies of a country, as an index that carries what the facets read
(PostgreSQL only, like 0004 and 0009).

A case-study listing filtered by country ran each facet's count (themes, service areas,
decades) and its page over ``casestudy_facet_cover_idx`` (0004), which is ordered by status and
publication date: it read every published case study's entry and kept the country's, 4,878
entries for 194 at 5,000 case studies, in four statements a request. Ordered by status and
country, the same statements read the 194 entries alone, without visiting the table. The
benchmark's "case studies 2 facets" page: about 10.7 -> 7.9 ms of SQL (docs/performance.md,
eleventh session).
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS casestudy_country_cover_idx ON publications_casestudy "
    "(status, country) INCLUDE (id, publish_from, year_started)",
]

BACKWARD = ["DROP INDEX IF EXISTS casestudy_country_cover_idx"]


class Migration(migrations.Migration):
    dependencies = [("publications", "0014_scope_totals")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
