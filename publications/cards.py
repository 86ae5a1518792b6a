"""The cards every list of publications shows (templates/jinja2/includes/publication_card.html).

A card names the publication's published contributors in one line ("Ada Lovelace, Kim Lee
(ed.)"), which the template prints as ``publication.card_credits``. The lines are written here,
in bulk:

- ``for_cards()`` querysets (publications/models.py) evaluate through :class:`CardIterable`,
  which reads the credits of all the rows it returns in one statement, written by hand;
- ``prefetch_for_cards()`` (a publication page, whose own credits are linked and so come as
  whole rows) writes each line from the credits it prefetched, with :func:`credit_line`;
- any other publication computes its line on first use, one query each (the pages' query-count
  tests catch a list that does that).

Why by hand: the prefetch of credits as model instances (a queryset to build and compile, two
instances per credit, Django's prefetch bookkeeping) was about 3 ms of CPU for a page of 20
cards at 100,000 publications, two thirds of fetching the page's cards; these rows and strings
take under 1 ms (docs/performance.md, ninth session). The publishing rule comes from
``published_sql``, beside ``published_q``; tests/publications/test_listing_views.py checks the
line (order, roles, escaping, hidden people) on both databases.
"""

from django.db import connections
from django.db.models.query import ModelIterable
from django.utils.safestring import mark_safe

from inlogov.escaping import escape
from inlogov.publishing import published_sql
from people.models import person_name

# What a card adds after a credited name, by role; authors get nothing.
ROLE_SUFFIX = {"editor": " (ed.)", "translator": " (trans.)"}


def _line(credits):
    """The line for (name, role) pairs in order, names escaped."""
    return mark_safe(  # noqa: S308 (every name is escaped; the suffixes are fixed text)
        ", ".join(f"{escape(name)}{ROLE_SUFFIX.get(role, '')}" for name, role in credits)
    )


def credit_line(contributions):
    """The line for credits already loaded (``PublicationContributor`` rows with their
    contributors, published ones only, in order)."""
    return _line((credit.contributor.name, credit.role) for credit in contributions)


def credit_lines(publication_ids, using="default"):
    """{publication id: its card's line} for ``publication_ids``, in one query: the credits of
    published contributors in their stored order. A publication without any gets ""."""
    credits = {pk: [] for pk in publication_ids}
    if not credits:
        return {}
    rule, rule_params = published_sql("c")
    ids = list(credits)
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT pc.publication_id, pc.role, c.display_name, c.given_name, c.family_name "  # noqa: S608 (fixed SQL; values are parameters)
            "FROM publications_publicationcontributor pc JOIN people_contributor c ON c.id = pc.contributor_id "
            f"WHERE pc.publication_id IN ({', '.join(['%s'] * len(ids))}) AND {rule} "
            "ORDER BY pc.publication_id, pc.position, pc.id",
            [*ids, *rule_params],
        )
        for publication_id, role, display_name, given_name, family_name in cursor.fetchall():
            credits[publication_id].append((person_name(display_name, given_name, family_name), role))
    return {pk: _line(pairs) for pk, pairs in credits.items()}


def attach_credit_lines(publications, using="default"):
    """Set ``card_credits`` on each of ``publications`` (model instances), in one query."""
    lines = credit_lines({publication.pk for publication in publications}, using)
    for publication in publications:
        publication.card_credits = lines[publication.pk]


class CardIterable(ModelIterable):
    """Publications as ``ModelIterable`` gives them, each with its ``card_credits``, read for all
    of them at once after the rows (``for_cards()`` sets it as the queryset's iterable class,
    which Django keeps through ``filter()``, ``order_by()`` and slicing, and which ``values()``
    and ``values_list()`` replace)."""

    def __iter__(self):
        publications = list(super().__iter__())
        attach_credit_lines(publications, self.queryset.db)
        yield from publications
