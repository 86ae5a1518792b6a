"""/healthz (liveness) and /readyz (readiness) for load balancers."""

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder

from inlogov import health


def test_healthz_answers_ok_json_without_touching_the_database(client):
    # No django_db mark: pytest-django refuses any database access in this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_refuses_post(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_readyz_is_ready_when_database_answers_and_migrations_are_applied(client, django_assert_max_num_queries):
    # One query for SELECT 1 and one for the applied migrations (plus, once per process, one to see
    # that the migrations table exists): cheap enough to probe every second.
    with django_assert_max_num_queries(3):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_readyz_is_not_ready_while_a_migration_is_unapplied(client):
    MigrationRecorder(connection).migration_qs.filter(app="publications", name="0001_initial").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["migrations"] == "pending"
    assert "publications.0001_initial" in body["pending_migrations"]
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_not_ready_when_the_database_cannot_be_reached(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable", "migrations": "unknown"}
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]


def test_unapplied_migrations_counts_a_squashed_migration_as_applied_when_its_parts_are(monkeypatch):
    class Squashed:
        replaces = [("themes", "0001_initial"), ("themes", "0002_more")]

    class Graph:
        nodes = {("themes", "0001_squashed_0002"): Squashed()}

    class Recorder:
        def __init__(self, connection):
            pass

        def applied_migrations(self):
            return {("themes", "0001_initial"): None, ("themes", "0002_more"): None}

    monkeypatch.setattr(health, "_migration_graph", lambda: Graph())
    monkeypatch.setattr(health, "MigrationRecorder", Recorder)
    assert health.unapplied_migrations() == []
