"""Content-version caching: whole responses for anonymous visitors, correct before fast.

One small record in the shared cache, the *content state*, says which version of the content the
site is showing:

    {"v": "<random token>", "at": <epoch seconds of the last change>, "next": <epoch or None>}

Every save, delete and many-to-many change of a content model (connected in `InlogovConfig.ready`)
and every call to `bump_content_version()` replaces the token. Cached pages and ETags carry the
token, so after a change no server will use an old entry: the very next request on any app server
renders fresh content and overwrites it. Entries expire after CACHE_TIMEOUT or are evicted.

Scheduled publishing needs no write to happen: "next" holds the earliest future publish-from
time of a published item, and the first request after that moment bumps the version itself.

The middleware reads the state and the page together, in one cache round trip per request (the
state is never memoised in the process: another server may have changed it a millisecond ago).
A page entry records the version it was rendered for and counts only if that is still current.

Writes inside a transaction bump twice: at once (so the same connection sees its own change,
which is also what makes tests inside a transaction coherent) and again once the transaction
commits, because another server may have rendered the old rows under the first new token in the
meantime. The commit bump is registered once per transaction, not once per saved row.

If the cache (Redis) is unreachable the site serves uncached and logs a warning; a process that
saw the outage bumps the version when the cache answers again, because a bump made during the
outage was lost and Redis may still hold pages from before it.

The page cache is on by default only when REDIS_URL is set (settings.PAGE_CACHE): a per-process
memory cache cannot see a change made in another worker process.
"""

import hashlib
import logging
import time
import uuid
from contextlib import ExitStack

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Min
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

logger = logging.getLogger("inlogov.caching")

STATE_KEY = "content-state"
CONTENT_APPS = ("themes", "people", "publications")
# Never cached by the middleware: staff pages, health checks, files served elsewhere.
EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/readyz", "/static/", "/media/")
# Response Vary headers the page key already accounts for (anything else: not stored).
KEYED_VARY = {"cookie", "accept", "hx-request"}
# After the cache is found unreachable, skip it for this long (per process) instead of paying a
# connection timeout on every request. Serving uncached is always correct.
OUTAGE_BACKOFF_SECONDS = 5
WARNING_INTERVAL_SECONDS = 60

_outage = {"until": 0.0, "warned_at": 0.0, "bump_on_recovery": False}


def page_cache_enabled():
    return getattr(settings, "PAGE_CACHE", False)


# --- The content state ----------------------------------------------------------------------


def _now():
    # timezone.now, not time.time: tests move the clock by patching timezone.now.
    return timezone.now().timestamp()


def _publishable_models():
    from django.apps import apps

    from inlogov.publishing import Publishable

    return [
        model
        for label in CONTENT_APPS
        for model in apps.get_app_config(label).get_models()
        if issubclass(model, Publishable)
    ]


def next_publish_at():
    """Earliest future publish-from time (epoch seconds) of a published item, or None."""
    from inlogov.publishing import Status

    now = timezone.now()
    times = []
    for model in _publishable_models():
        first = model.objects.filter(status=Status.PUBLISHED, publish_from__gt=now).aggregate(
            first=Min("publish_from")
        )["first"]
        if first is not None:
            times.append(first.timestamp())
    return min(times) if times else None


def _new_state(previous, next_at, advance_clock):
    now = int(_now())
    previous_at = previous["at"] if previous else 0
    # Last-Modified has one-second resolution. A full bump moves "at" to a later second than the
    # previous one, so If-Modified-Since never matches content that changed within that second.
    at = max(now, previous_at + 1) if advance_clock else max(now, previous_at)
    return {"v": uuid.uuid4().hex, "at": at, "next": next_at}


def _record_outage():
    now = time.monotonic()
    _outage["until"] = now + OUTAGE_BACKOFF_SECONDS
    _outage["bump_on_recovery"] = True
    if now - _outage["warned_at"] >= WARNING_INTERVAL_SECONDS or not _outage["warned_at"]:
        _outage["warned_at"] = now
        logger.warning(
            "Cache unreachable: serving pages uncached until it answers again.",
            extra={"cache_backend": settings.CACHES["default"]["BACKEND"]},
        )


def _write_state(state):
    """Store the state; True if the cache holds a state afterwards (i.e. it is reachable)."""
    cache.set(STATE_KEY, state, timeout=None)
    # Backends disagree on what set() returns (None for the memory cache, None for an ignored
    # Redis error), so a read tells whether the cache is there.
    if cache.get(STATE_KEY) is None:
        _record_outage()
        return False
    return True


def _full_bump():
    previous = cache.get(STATE_KEY)
    state = _new_state(previous, next_publish_at(), advance_clock=True)
    if _write_state(state):
        _outage["bump_on_recovery"] = False
        return state
    return None


def _light_bump(publish_from=None, advance_clock=False):
    """A new token without querying the database (inside a transaction, per saved row)."""
    previous = cache.get(STATE_KEY)
    next_at = previous["next"] if previous else None
    if publish_from is not None:
        candidate = publish_from.timestamp()
        if candidate > _now() and (next_at is None or candidate < next_at):
            next_at = candidate
    _write_state(_new_state(previous, next_at, advance_clock=advance_clock))


def _bump_after_commit():
    _full_bump()


def _commit_bump_registered(connection):
    # Django keeps (savepoint ids, callback, robust) tuples; a rolled-back transaction drops them,
    # so a registration can never outlive its transaction.
    return any(entry[1] is _bump_after_commit for entry in connection.run_on_commit)


def bump_content_version(using="default", publish_from=None, _from_signal=False):
    """Make every cached page and API response stale, on every app server.

    Called by the model signals and, explicitly, after writes that send no signals (bulk_create,
    queryset.update(), raw SQL): the synthetic generator, the starter loader, admin bulk actions.
    `publish_from` (a datetime) is the saved item's, so scheduled items are noticed at once.
    """
    if not page_cache_enabled():
        return
    connection = connections[using]
    if connection.in_atomic_block:
        # A row-by-row save loop must not push Last-Modified seconds ahead per row; the commit
        # bump advances it. An explicit call (rare: once after a bulk write) advances it now.
        _light_bump(publish_from, advance_clock=not _from_signal)
        if not _commit_bump_registered(connection):
            transaction.on_commit(_bump_after_commit, using=using, robust=True)
    else:
        _full_bump()


_UNREAD = object()


def current_state(prefetched=_UNREAD):
    """The content state, or None when the cache is unreachable (serve uncached then).

    `prefetched` is the state already read along with the page (one round trip for both).
    """
    if prefetched is _UNREAD:
        if time.monotonic() < _outage["until"]:
            return None
        prefetched = cache.get(STATE_KEY)
    state = prefetched
    if state is None:
        # Nothing stored yet (first request, flushed cache) or the cache is down: add() tells
        # them apart (None means the backend swallowed a connection error).
        fresh = _new_state(None, next_publish_at(), advance_clock=True)
        added = cache.add(STATE_KEY, fresh, timeout=None)
        if added is None and cache.get(STATE_KEY) is None:
            _record_outage()
            return None
        state = cache.get(STATE_KEY) or fresh
        _outage["bump_on_recovery"] = False
    elif _outage["bump_on_recovery"]:
        state = _full_bump()
    if state is not None and state.get("next") is not None and _now() >= state["next"]:
        # A scheduled item has just become public: nothing was written, but pages changed.
        state = _full_bump()
    return state


# --- Signal receivers (connected in InlogovConfig.ready) -------------------------------------


def content_changed(sender, instance=None, using="default", **kwargs):
    bump_content_version(
        using=using, publish_from=getattr(instance, "publish_from", None), _from_signal=True
    )


def content_relation_changed(sender, action, using="default", **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_content_version(using=using, _from_signal=True)


def connect_signals():
    """Bump the content version on every write to a content model or its relations."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical") and hasattr(model, "history_id"):
                continue  # simple_history's copies are written with their originals
            uid = f"inlogov-content-version-{model._meta.label_lower}"
            post_save.connect(content_changed, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(content_changed, sender=model, dispatch_uid=uid + "-delete")
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(
                    content_relation_changed,
                    sender=through,
                    dispatch_uid=f"inlogov-content-version-{through._meta.label_lower}",
                )


# --- The middleware -------------------------------------------------------------------------


def _query_header_enabled():
    return getattr(settings, "BENCH_QUERY_HEADER", False) or settings.DEBUG


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _is_anonymous_request(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _is_cacheable_request(request):
    return (
        page_cache_enabled()
        and request.method in ("GET", "HEAD")
        and _is_anonymous_request(request)
        and not request.path.startswith(EXCLUDED_PREFIXES)
    )


def _negotiates(request):
    # The API chooses its format from Accept; HTML pages do not, and keying them on each
    # browser's Accept string would split one page into many cache entries.
    return request.path.startswith("/api/")


def _variant(request):
    """What besides the URL can change a response: negotiated format and partial requests."""
    accept = request.META.get("HTTP_ACCEPT", "") if _negotiates(request) else ""
    return "|".join((request.build_absolute_uri(), accept, request.META.get("HTTP_HX_REQUEST", "")))


def _digest(*parts):
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _cache_control_header(seconds):
    return f"public, max-age={seconds}" if seconds > 0 else "public, no-cache"


def _is_storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False  # the page carries this request's CSP nonce; others must get their own
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    if "accept" in vary and not _negotiates(request):
        return False  # the key of a page outside the API does not include Accept
    return vary <= KEYED_VARY


def _add_validators(response, etag, state):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(state["at"])
    response["Cache-Control"] = _cache_control_header(settings.PUBLIC_CACHE_SECONDS)
    # A shared cache (CDN, browser) must not hand this anonymous page to a signed-in editor.
    patch_vary_headers(response, ("Cookie",))


def _not_modified(request, etag, state):
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in wanted or etag in wanted
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and state["at"] <= since


def _serialise(version, response):
    headers = [(k, v) for k, v in response.items() if k.lower() not in ("date", "x-query-count", "x-cache")]
    return (version, response.status_code, headers, response.content)


def _deserialise(entry):
    _version, status, headers, content = entry
    response = HttpResponse(content, status=status)
    for key, value in headers:
        response[key] = value
    return response


class ContentCacheMiddleware:
    """Serve anonymous GET/HEAD pages and API responses from the content-versioned cache.

    Placed after CorsMiddleware (its headers depend on the caller's Origin and are added fresh)
    and before SessionMiddleware, so a hit costs no session, auth or database work, and a miss
    sees every header the inner middleware added (Set-Cookie, CSP, Vary) before it is stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _query_header_enabled():
            return self.handle(request)
        counter = _QueryCounter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.handle(request)
        response["X-Query-Count"] = str(counter.count)
        return response

    def handle(self, request):
        if not _is_cacheable_request(request):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                # Signed-in responses are personal: no shared or browser cache may keep them.
                response["Cache-Control"] = "private, no-store, max-age=0"
            return response

        variant = _variant(request)
        # One entry per URL variant, tagged with the version it was rendered for, so the state
        # and the page come back in a single round trip.
        key = f"page:{_digest(request.method, variant)}"
        if time.monotonic() < _outage["until"]:
            state, entry = None, None
        else:
            values = cache.get_many([STATE_KEY, key]) or {}
            state = current_state(values.get(STATE_KEY))
            entry = values.get(key)
        if state is None:  # cache unreachable
            response = self.get_response(request)
            response["X-Cache"] = "unavailable"
            return response

        etag = f'"{_digest(state["v"], variant)[:40]}"'
        if entry is not None and entry[0] == state["v"]:
            response = _deserialise(entry)
            response["X-Cache"] = "hit"
        else:
            response = self.get_response(request)
            if not _is_storable(request, response):
                response["X-Cache"] = "bypass"
                return response
            _add_validators(response, etag, state)
            cache.set(key, _serialise(state["v"], response))
            response["X-Cache"] = "miss"
        if _not_modified(request, etag, state):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
                if header in response:
                    not_modified[header] = response[header]
            not_modified["X-Cache"] = response["X-Cache"]
            return not_modified
        return response
