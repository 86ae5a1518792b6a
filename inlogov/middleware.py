"""Site-wide middleware: structured request logging and database-outage handling.

`RequestLogMiddleware` (first in MIDDLEWARE) writes one JSON log line per request: method, path,
status and duration, plus the number of SQL queries when DEBUG is on or LOG_QUERY_COUNT=true.

`DatabaseOutageMiddleware` (second) turns a lost database into a friendly 503 with Retry-After
instead of a 500 and a traceback per request: an HTML page in the site's layout, or JSON for the
API and for clients that ask for JSON. Persistent connections with health checks (settings) then
let the same app server recover by itself as soon as the database is back.
"""

import logging
import time
from contextlib import ExitStack

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

request_logger = logging.getLogger("inlogov.request")
outage_logger = logging.getLogger("inlogov.outage")

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
OUTAGE_MESSAGE = (
    "The research hub cannot reach its database just now. This is usually over within a minute: "
    "please try again shortly."
)

# A bare page for the unlikely case that even the 503 template cannot be rendered.
_FALLBACK_HTML = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Temporarily unavailable'
    "</title></head><body><main><h1>Temporarily unavailable</h1><p>{message}</p></main></body></html>"
)


def _count_queries_enabled():
    return settings.DEBUG or settings.LOG_QUERY_COUNT


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    """One structured log line per request, for a production log pipeline."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        counter = _QueryCounter() if _count_queries_enabled() else None
        with ExitStack() as stack:
            if counter is not None:
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        }
        if counter is not None:
            fields["query_count"] = counter.count
        level = logging.WARNING if response.status_code >= 500 else logging.INFO
        request_logger.log(
            level, "%s %s %s", request.method, request.path, response.status_code, extra=fields
        )
        return response


def wants_json(request):
    """API paths and clients that ask for JSON get JSON errors; browsers get a page."""
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _render_outage_page(request):
    try:
        return loader.render_to_string(
            "503.html", {"message": OUTAGE_MESSAGE, "retry_after": RETRY_AFTER_SECONDS}, request
        )
    except Exception:  # the page must never fail: fall back to bare HTML
        outage_logger.exception("could not render 503.html; serving the bare fallback page")
        return _FALLBACK_HTML.format(message=OUTAGE_MESSAGE)


def outage_response(request):
    """The 503 answer for a request that could not reach the database."""
    if wants_json(request):
        response = JsonResponse({"detail": OUTAGE_MESSAGE}, status=503)
    else:
        response = HttpResponse(_render_outage_page(request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _remember_outage(sender, request=None, **kwargs):
    """Mark requests whose unhandled exception was a lost database (see the middleware)."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, OUTAGE_ERRORS):
        request._inlogov_db_outage = exc


got_request_exception.connect(_remember_outage, dispatch_uid="inlogov.outage")


class DatabaseOutageMiddleware:
    """Answer 503 + Retry-After, not 500, when the database is unreachable.

    Views are covered by `process_exception`: the 503 then passes through every other
    middleware, so it carries the usual security headers. A database error raised inside another
    middleware becomes a 500 response before it reaches us; Django signals it through
    `got_request_exception`, and `__call__` rewrites that 500 in place (keeping its headers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, "_inlogov_db_outage", None)
        if exc is not None and response.status_code == 500:
            self._log(request, exc)
            replacement = outage_response(request)
            response.status_code = 503
            response.reason_phrase = replacement.reason_phrase
            response.content = replacement.content
            response["Content-Type"] = replacement["Content-Type"]
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            for header in ("Retry-After", "Cache-Control", "Expires"):
                response[header] = replacement[header]
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE_ERRORS):
            self._log(request, exception)
            return outage_response(request)
        return None

    @staticmethod
    def _log(request, exc):
        outage_logger.warning(
            "database unavailable: answered 503",
            extra={"method": request.method, "path": request.path, "error": str(exc).strip()[:300]},
        )
