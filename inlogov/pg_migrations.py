"""Migrations that run raw SQL on PostgreSQL only (full-text columns, covering indexes, facet
triggers): on SQLite they do nothing, because the features they build are PostgreSQL's.

    operations = [postgresql_only(FORWARD, BACKWARD)]

``FORWARD`` and ``BACKWARD`` are lists of SQL statements, run in order. Keep the statements in
the migration file itself, so a migration keeps doing what it did when it was written.
"""

from django.db import migrations


def _runner(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def postgresql_only(forward, backward):
    return migrations.RunPython(_runner(forward), _runner(backward), elidable=False)
