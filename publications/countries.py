"""Country names for the case studies' facet and cards, worked out once per language.

django-countries translates and sorts some 250 names each time its ``countries`` list is
iterated, and a ``Country``'s ``name`` translates its own on every read. The case-study
listing read both dozens of times a request (the facet's choices several times, each card's
country once): about 9% of that page's Python (docs/performance.md, eleventh session). The
names depend only on the active language and on django-countries' settings, read once per
process, so they are kept per language here.
"""

from functools import lru_cache

from django.utils.translation import get_language, override
from django_countries import countries
from django_countries.fields import Country


def country_choices():
    """(code, name) for every country, in the active language's names and order: what iterating
    ``django_countries.countries`` gives."""
    return _choices(get_language())[0]


def country_name(code):
    """The name of the country ``code`` in the active language ("" for no or an unknown code):
    what ``Country(code).name`` gives. A code not stored as django-countries writes it (in lower
    case, or as a number or three letters, from an import) goes the slow way, which reads those."""
    if not code:
        return ""
    name = _choices(get_language())[1].get(code)
    return name if name is not None else Country(code=code).name


@lru_cache(maxsize=16)
def _choices(language):
    with override(language):
        choices = [(code, str(name)) for code, name in countries]
    return choices, dict(choices)
