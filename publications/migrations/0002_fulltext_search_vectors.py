"""PostgreSQL full-text search columns and indexes (see inlogov/fulltext.py).

Each ``search_vector`` is a generated stored column, so the database keeps it right on every
insert and update, including ``bulk_create`` and raw SQL. The columns are not in Django's model
state: SQLite has no tsvector, and on SQLite this migration does nothing (search falls back to
``icontains``). Keep the weights in step with ``fulltext.SearchSpec`` on the FilterSets.
"""

from django.db import migrations

from inlogov.pg_migrations import postgresql_only

FORWARD = [
    """
    ALTER TABLE publications_publication ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(subtitle, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX IF NOT EXISTS publication_search_vector_idx ON publications_publication USING GIN (search_vector)",
    """
    ALTER TABLE publications_casestudy ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '') || ' ' || coalesce(locality, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX IF NOT EXISTS casestudy_search_vector_idx ON publications_casestudy USING GIN (search_vector)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS casestudy_search_vector_idx",
    "ALTER TABLE publications_casestudy DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS publication_search_vector_idx",
    "ALTER TABLE publications_publication DROP COLUMN IF EXISTS search_vector",
]


class Migration(migrations.Migration):
    dependencies = [("publications", "0001_initial")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
