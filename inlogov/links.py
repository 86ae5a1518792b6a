"""Addresses of items' pages, reversed once per kind of page instead of once per item.

Every card, credit and theme link calls an item's ``get_absolute_url()``; ``reverse()`` walks
the URL patterns each time (about 25 µs), so a person's page with 34 cards spent a millisecond
on it. These addresses differ between items only by the slug, so the path is reversed once with
a stand-in and the slug is put in its place.

The remembered paths belong to the URL configuration in use (they live as long as its resolver
object, so ``clear_url_caches()`` and ``override_settings(ROOT_URLCONF=...)`` forget them) and
to the script prefix (a site mounted under /research/ gets /research/... addresses). A slug
that is not plain ``[-a-zA-Z0-9_]`` (slug fields only hold those) goes through ``reverse()``,
which quotes it or refuses it as before.
"""

import re
import weakref

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# Accepted by every slug pattern and in no real address; the API's absolute URLs use it too
# (inlogov/api_fields.py).
STAND_IN = "0slug0"
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_paths = weakref.WeakKeyDictionary()  # resolver -> {(view name, script prefix): path with stand-in}


def slug_path(view_name, slug):
    """``reverse(view_name, kwargs={"slug": slug})``, without walking the patterns per item."""
    if not isinstance(slug, str) or not _PLAIN_SLUG.match(slug):
        return reverse(view_name, kwargs={"slug": slug})
    known = _paths.setdefault(get_resolver(get_urlconf()), {})
    key = (view_name, get_script_prefix())
    path = known.get(key)
    if path is None:
        path = known[key] = reverse(view_name, kwargs={"slug": STAND_IN})
    return path.replace(STAND_IN, slug)
