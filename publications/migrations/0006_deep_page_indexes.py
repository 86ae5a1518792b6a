"""Indexes for deep pages of the publication listing (PostgreSQL only, like 0004).

A page far into the listing reads the ids of that page first (``faceting.CountedPaginator``).
With the ordering columns and ``publish_from`` in one index, that read is an index-only scan:
page 2,000 of 100,000 publications took about 140 ms reading whole rows and takes about 10 ms.
"newest" (the default) and "title" are covered; "oldest" and "relevance" are not.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS publication_newest_idx ON publications_publication "
    "(status, year DESC, title, id) INCLUDE (publish_from)",
    "CREATE INDEX IF NOT EXISTS publication_title_idx ON publications_publication "
    "(status, title, id) INCLUDE (publish_from)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS publication_title_idx",
    "DROP INDEX IF EXISTS publication_newest_idx",
]


class Migration(migrations.Migration):
    dependencies = [("publications", "0005_facet_counts")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
