"""Health endpoints for load balancers and orchestrators.

`/healthz` (liveness) answers whether this process can serve HTTP at all. It never touches the
database, so a database outage does not make an orchestrator restart healthy app servers.

`/readyz` (readiness) answers whether this process should receive traffic: the database is
reachable and every migration on disk has been applied. It runs one cheap query for the applied
migrations; the migration graph from disk is read once per process, since the files cannot change
under a running server.

Both answer JSON and are never cached by browsers, proxies or CDNs.
"""

import logging
import threading

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("inlogov.health")

RETRY_AFTER_SECONDS = 5

_graph_lock = threading.Lock()
_disk_loader = None


def _migration_graph():
    """The migration graph from the files on disk (no database access), built once."""
    global _disk_loader
    with _graph_lock:
        if _disk_loader is None:
            _disk_loader = MigrationLoader(None, ignore_no_migrations=True)
        return _disk_loader.graph


def unapplied_migrations():
    """Names of migrations on disk that the database has not applied.

    The same answer as MigrationExecutor's plan towards the leaf nodes, without rebuilding the
    graph from disk on every probe: only the applied set is read from the database. A squashed
    migration counts as applied when everything it replaces has been applied.
    """
    graph = _migration_graph()
    applied = set(MigrationRecorder(connection).applied_migrations())
    pending = []
    for key, migration in graph.nodes.items():
        if key in applied:
            continue
        if migration.replaces and all(tuple(target) in applied for target in migration.replaces):
            continue
        pending.append(f"{key[0]}.{key[1]}")
    return sorted(pending)


def _no_store(response):
    response["Cache-Control"] = "no-store, max-age=0"
    return response


@require_safe
@never_cache
def healthz(request):
    """Liveness: the process is up and answering. No database, no cache, no templates."""
    return _no_store(JsonResponse({"status": "ok"}))


@require_safe
@never_cache
def readyz(request):
    """Readiness: 200 when the database answers and no migration is pending, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        pending = unapplied_migrations()
    except DatabaseError as exc:
        logger.warning("readiness check failed: database unreachable", extra={"error": str(exc)})
        response = JsonResponse(
            {"status": "unavailable", "database": "unreachable", "migrations": "unknown"}, status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return _no_store(response)
    if pending:
        response = JsonResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": "pending",
                "pending_migrations": pending,
            },
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return _no_store(response)
    return _no_store(JsonResponse({"status": "ok", "database": "ok", "migrations": "ok"}))
