"""The Jinja2 environment of the public pages (``templates/jinja2/``).

Why Jinja2 there: Django's template engine resolved every variable of a page through its
generic lookup (a dictionary, then an attribute, then a call, then an index), and a listing
has over a thousand of them. Rendering a listing's already-computed context took 4-8 ms of
Python on the benchmark hosts, a quarter to a third of a cold page (docs/performance.md,
"Runs of 7 December 2026, eighth session"). Jinja2 compiles each template to Python once and
renders the same markup in a fraction of that. The admin, the sign-in lockout page and third-
party templates (DRF, django-filter, sitemaps) stay on Django's engine: ``settings.TEMPLATES``
lists the Jinja2 engine first with only ``templates/jinja2/`` to search, then Django's.

What the templates can use, beyond Jinja2's own tags and filters:

- globals: ``url(name, *args, **kwargs)`` (``reverse``), ``static(path)``,
  ``querystring(query, **changes)`` (Django's ``{% querystring %}``: the query with the given
  parameters set, or removed when ``None``), ``facet_checkboxes(facet, noun)``;
- filters: Django's ``pluralize``, ``date``, ``truncatechars`` and ``urlencode`` (same
  arguments, same output). A card's line of credits comes ready-made as
  ``publication.card_credits`` (publications/cards.py).

Differences from Django's templates that the templates rely on, on purpose:

- Methods are called explicitly: ``{{ publication.get_absolute_url() }}``.
- Output is escaped exactly as Django escapes it (``&#x27;`` and ``&quot;``, not Jinja2's
  ``&#39;`` and ``&#34;``): ``finalize`` below. The pages are byte for byte what Django's
  engine rendered, which the port was checked against.
- A missing variable, or an attribute of one, prints nothing (``ChainableUndefined``), as in
  Django's engine; the 500 page renders without a request.
- Numbers print as ``str()`` does. Django's engine would localise them, which with
  ``USE_THOUSAND_SEPARATOR`` off (the default, kept) prints the same for the integers these
  pages show.
- Only ``inlogov.context_processors.site`` runs (``SITE_NAME``, ``SITE_URL``): the public
  templates read nothing from the auth, messages or CSP processors.

Pitfalls for whoever edits these templates (none is used today; each would change the markup):

- Jinja2's string filters (``lower``, ``replace``, ``join``, ``format``) and ``~`` return a
  plain ``str`` even for safe markup, which is then escaped again: apply them to plain text only.
- A constant (``{{ "O'Brien" }}``) and the ``|e`` filter are escaped by MarkupSafe at compile
  time or outside ``finalize``, as ``&#39;``: write constant text outside ``{{ }}``.
- Comparing a missing or ``None`` value with ``<`` or ``>`` raises, where Django's ``{% if %}``
  was false: guard it (``{% if page_obj and ... %}``).
- A dict key that is also a dict method (``items``, ``values``, ``keys``, ``get``) must be read
  with brackets: ``group["items"]``.
"""

import jinja2
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from markupsafe import Markup

from inlogov.escaping import escape
from inlogov.facet_html import facet_checkboxes
from inlogov.faceting import changed_query


def finalize(value):
    """Every ``{{ ... }}`` output, escaped as Django's ``conditional_escape`` would."""
    return Markup(escape(value))  # noqa: S704 (escaped on this line)


_static_urls = {}


def static_url(path):
    """Django's ``static(path)``, worked out once per path.

    Each call went through the storage's manifest lookup, URL quoting and joining (about 40 µs;
    the five a page makes were 2% of a listing's Python). The answer depends only on the
    settings and the manifest, both read once per process: Django itself keeps ``STATIC_URL``
    (with the script prefix of the moment, for a relative one) from its first reading until a
    setting changes. ``setting_changed`` (tests overriding settings) empties this memory too.
    """
    found = _static_urls.get(path)
    if found is None:
        found = _static_urls[path] = static(path)
    return found


@receiver(setting_changed)
def _forget_static_urls(**kwargs):
    _static_urls.clear()


def url(name, *args, **kwargs):
    return reverse(name, args=args or None, kwargs=kwargs or None)


def querystring(query, **changes):
    """Django's ``{% querystring query key=value %}`` (Django 5.2, same output): ``query`` (a
    QueryDict) with each key set to its value, or removed when the value is None."""
    params = changed_query(query, changes)
    if not params and not query:
        return ""
    return f"?{params.urlencode()}"


def environment(**options):
    # Django's backend passes Undefined (DebugUndefined with DEBUG on); these pages need the
    # leniency of Django's engine instead (see above).
    options["undefined"] = jinja2.ChainableUndefined
    # Django's engine keeps a template's last newline; so does this one, for the same markup.
    options.setdefault("keep_trailing_newline", True)
    env = jinja2.Environment(finalize=finalize, **options)  # noqa: S701 (autoescape is on: Django's backend sets it)
    env.globals.update(url=url, static=static_url, querystring=querystring, facet_checkboxes=facet_checkboxes)
    env.filters.update(
        pluralize=defaultfilters.pluralize,
        date=defaultfilters.date,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
    )
    return env


def instrument_for_tests():
    """Let Django's test client see the template and context of a Jinja2 page
    (``response.context``, ``response.templates``), as ``setup_test_environment`` arranges for
    Django's own engine. Called by tests/conftest.py only: production sends no signal."""
    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    if getattr(backend.Template.render, "instrumented", False):
        return
    original = backend.Template.render

    def render(self, context=None, request=None):
        context = {} if context is None else context
        html = original(self, context, request)  # fills ``context`` with the request and processors
        template_rendered.send(sender=self, template=self.template, context=context)
        return html

    render.instrumented = True
    backend.Template.render = render
