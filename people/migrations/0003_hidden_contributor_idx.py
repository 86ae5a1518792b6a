"""An index of the contributors who are not public (PostgreSQL only, like publications/0004).

Every contributor facet leaves out the people who are not public (``NOT published_q()``, see
``publications/facet_counts.py``). That list was a sequential scan of every contributor: 4 ms
at 20,000 people, 25 ms at 200,000, on each listing page. This partial index holds only people
who are not published or have a publish-from time (the only ones the rule can hide); the
planner proves the rule's negation implies its condition and reads it index-only.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS contributor_maybe_hidden_idx ON people_contributor (id) "
    "INCLUDE (status, publish_from) WHERE status <> 'published' OR publish_from IS NOT NULL",
]

BACKWARD = ["DROP INDEX IF EXISTS contributor_maybe_hidden_idx"]


class Migration(migrations.Migration):
    dependencies = [("people", "0002_contributor_name_order")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
