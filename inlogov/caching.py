"""Content-version caching (to be completed by the performance work, issue 6).

`bump_content_version()` must be called after any write that bypasses model signals (bulk
inserts, queryset.update()). Management commands call it at their end.
"""


def bump_content_version():
    """Invalidate every cached page and API response. (Stub until the cache layer lands.)"""
    return None
