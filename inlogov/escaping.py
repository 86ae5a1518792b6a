"""HTML escaping for markup built in Python: exactly Django's ``conditional_escape``, cheaper.

Django's ``escape`` wraps ``html.escape`` in ``keep_lazy``, whose check of every argument for
lazy translations cost more than the escaping itself: the facet panel escapes some 450 values
a listing, and Django's helpers were a third of rendering it (docs/performance.md, eighth
session). ``escape`` here gives the same text: markup that is already safe (anything with
``__html__``, such as ``format_html``'s result) as it is, everything else through
``html.escape`` (``&``, ``<``, ``>``, ``"`` and ``'`` as ``&#x27;``, as Django writes them).
"""

from html import escape as _html_escape


def escape(value):
    """``value`` as HTML text (a plain ``str``; mark the whole result safe once built)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))
