"""The cards every list of publications and case studies shows (templates/jinja2/includes/).

A publication card names the publication's published contributors in one line ("Ada Lovelace,
Kim Lee (ed.)"), which the template prints as ``publication.card_credits``; a case-study card
lists its service areas' names, ``case_study.card_areas``. Both are read here, in bulk:

- ``for_cards()`` querysets (publications/models.py) evaluate through :class:`CardIterable`
  or :class:`CaseStudyCardIterable`, which read the credits or the service areas of all the
  rows they return in one statement, written by hand;
- ``prefetch_for_cards()`` (a publication page, whose own credits are linked and so come as
  whole rows) writes each line from the credits it prefetched, with :func:`credit_line`;
- any other publication or case study reads its own on first use, one query each (the pages'
  query-count tests catch a list that does that).

Why by hand: the prefetch of credits as model instances (a queryset to build and compile, two
instances per credit, Django's prefetch bookkeeping) was about 3 ms of CPU for a page of 20
cards at 100,000 publications, two thirds of fetching the page's cards; these rows and strings
take under 1 ms (docs/performance.md, ninth session); the service areas as instances were 1.4
of the 1.9 ms of a page of case-study cards. The publishing rule comes from
``published_sql``, beside ``published_q``. tests/publications/test_cards.py checks every path
(draft, scheduled and lately public people; stored positions against the order of creation;
the service areas' order) and tests/publications/test_listing_views.py the roles and the
escaping, on both databases.
"""

from django.db import connections
from django.db.models.query import ModelIterable
from django.utils.safestring import mark_safe

from inlogov.escaping import escape
from inlogov.publishing import published_sql
from inlogov.rows import RowReader
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


def _rows_by_id(ids, sql, params, using):
    """{id: [the rest of each row, in order]} for ``ids``, in one query; an id without rows gets
    []. ``sql`` returns the id first and has ``{ids}`` where the ids' placeholders go; its other
    ``params`` follow the ids."""
    rows = {pk: [] for pk in ids}
    if rows:
        with connections[using].cursor() as cursor:
            cursor.execute(sql.replace("{ids}", ", ".join(["%s"] * len(rows))), [*rows, *params])
            for pk, *rest in cursor.fetchall():
                rows[pk].append(rest)
    return rows


def credit_lines(publication_ids, using="default"):
    """{publication id: its card's line} for ``publication_ids``, in one query: the credits of
    published contributors in their stored order. A publication without any gets ""."""
    rule, rule_params = published_sql("c")
    credits = _rows_by_id(
        publication_ids,
        "SELECT pc.publication_id, c.display_name, c.given_name, c.family_name, pc.role "  # noqa: S608 (fixed SQL; values are parameters)
        "FROM publications_publicationcontributor pc JOIN people_contributor c ON c.id = pc.contributor_id "
        f"WHERE pc.publication_id IN ({{ids}}) AND {rule} ORDER BY pc.publication_id, pc.position, pc.id",
        rule_params,
        using,
    )
    return {pk: _line((person_name(*names), role) for *names, role in rows) for pk, rows in credits.items()}


def service_area_names(case_study_ids, using="default"):
    """{case study id: [its service areas' names]} for ``case_study_ids``, in one query, in the
    service areas' own order (``ServiceArea.Meta.ordering``, then id)."""
    areas = _rows_by_id(
        case_study_ids,
        "SELECT link.casestudy_id, area.name FROM publications_casestudy_service_areas link "
        "JOIN themes_servicearea area ON area.id = link.servicearea_id "
        'WHERE link.casestudy_id IN ({ids}) ORDER BY link.casestudy_id, area."order", area.name, area.id',
        [],
        using,
    )
    return {pk: [name for (name,) in rows] for pk, rows in areas.items()}


class CardIterable(ModelIterable):
    """Publications as ``ModelIterable`` gives them, each with its ``card_credits``, read for all
    of them at once after the rows (``for_cards()`` sets it as the queryset's iterable class,
    which Django keeps through ``filter()``, ``order_by()`` and slicing, and which ``values()``
    and ``values_list()`` replace)."""

    attribute, read = "card_credits", staticmethod(credit_lines)

    def __iter__(self):
        objects = list(super().__iter__())
        values = self.read({obj.pk for obj in objects}, self.queryset.db)
        for obj in objects:
            setattr(obj, self.attribute, values[obj.pk])
        yield from objects


class CaseStudyCardIterable(CardIterable):
    """Case studies, each with its ``card_areas``, the same way."""

    attribute, read = "card_areas", staticmethod(service_area_names)


def linked_sql(through, own, other, ids, alias="i", using="default"):
    """An existence test, as SQL on table alias ``alias``, for "linked through the many-to-many
    table of ``through`` to any of ``ids``" (``own``: its field to the item, ``other``: to the
    value), and its parameters: the condition of the hand-written lists that walk an index in
    order and stop after a few (the theme page's latest work, a publication's related
    publications and case studies), where a join with DISTINCT would collect every match."""
    opts, quote = through._meta, connections[using].ops.quote_name
    return (
        f"EXISTS (SELECT 1 FROM {quote(opts.db_table)} l "  # noqa: S608 (names from the model; ids are parameters)
        f"WHERE l.{quote(opts.get_field(own).column)} = {alias}.id "
        f"AND l.{quote(opts.get_field(other).column)} IN ({', '.join(['%s'] * len(ids))}))",
        list(ids),
    )


def public_cards(model, condition, params, tail, tail_params=(), using="default", lines=True):
    """Public publications or case studies (``model``) as cards, as ``for_cards()`` gives them
    (the columns in ``CARD_COLUMNS``, a publication's parent with its link's columns, and
    ``card_credits`` or ``card_areas``), read by a statement written by hand: the items on
    table alias ``i`` meeting the SQL ``condition``, in the order and number that ``tail``
    (``ORDER BY ... LIMIT ...``) gives, with ``params`` and ``tail_params`` for their
    placeholders. Two queries, as for ``for_cards()``; one with ``lines=False``, which leaves the
    credits or service areas to the caller (a book's page reads its chapters' credits with its
    own, ``prefetch_for_cards``).

    For a page whose cards come from a fixed condition (the theme page's latest work): the
    queryset with its ``Exists`` filter took about 1.5 ms of Django to build and compile for a
    few cards, more than PostgreSQL took to run it (docs/performance.md, thirteenth session).
    The publishing rule comes from ``published_sql``, as everywhere else. A publication's
    parent is read whatever its state; the card shows it only when it is public, as before.
    tests/publications/test_cards.py checks that the cards equal ``for_cards()``'s on both
    databases (drafts, scheduled items, a chapter's public, draft and scheduled book).
    """
    from publications.models import CARD_COLUMNS, Publication

    opts = model._meta
    key = "publication" if model is Publication else "case_study"
    own = RowReader(model, [opts.pk, *(opts.get_field(name) for name in CARD_COLUMNS[key] if "__" not in name)], using)
    linked = [name.split("__", 1)[1] for name in CARD_COLUMNS[key] if name.startswith("parent__")]
    parent = RowReader(model, [opts.pk, *map(opts.get_field, linked)], using, start=own.end) if linked else None
    quote = connections[using].ops.quote_name
    rule, rule_params = published_sql("i")
    columns = own.columns("i") + (parent.columns("j") if parent else [])
    join = f" LEFT JOIN {quote(opts.db_table)} j ON j.id = i.parent_id" if parent else ""
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(opts.db_table)} i{join} "  # noqa: S608 (names from the models; values are parameters)
        f"WHERE {rule} AND {condition} {tail}"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*rule_params, *params, *tail_params])
        rows = cursor.fetchall()
    cards = []
    for row in rows:
        card = own(row)
        if parent and card.parent_id is not None:
            card.parent = parent(row)
        cards.append(card)
    if not lines:
        return cards
    iterable = CardIterable if model is Publication else CaseStudyCardIterable
    values = iterable.read([card.pk for card in cards], using)
    for card in cards:
        setattr(card, iterable.attribute, values[card.pk])
    return cards


def cards_by_id(model, ids, using="default"):
    """The public ones of ``ids`` as cards (``public_cards``), in no particular order: a
    listing's page whose items were chosen by id (a search's, a deep page's). The queryset
    this replaces (``for_cards()`` filtered by id, with its ordering cleared) cost about 1 ms
    of Django to build and compile a page (docs/performance.md, thirteenth session)."""
    if not ids:
        return []
    placeholders = ", ".join(["%s"] * len(ids))
    return public_cards(model, f"i.id IN ({placeholders})", list(ids), "", using=using)


def listing_page(model, fs, offset, limit, using="default"):
    """Cards ``offset`` to ``offset + limit`` of the listing FilterSet ``fs`` gives, as its
    sorted queryset would give them (``public_cards``), or None when this cannot say: a search
    (ordered by rank; the counts statement chooses its page) or an ordering it cannot write.

    Each selection's SQL is its facet's ``condition_sql``, beside its ``apply``; the ordering
    is the FilterSet's ``sort_orders``. The queryset this replaces on a listing's first pages
    (the filters, the ordering and the parent's columns to build and compile) was about 1 ms of
    Django a page (docs/performance.md, thirteenth session). tests/publications/
    test_listing_views.py checks pages of many selections and orders against the queryset's.
    """
    if fs.q or not all(hasattr(fs.facet_definition(name), "condition_sql") for name in fs.selection):
        return None
    order = _order_sql(model, fs.sort_orders[fs.sort][1], connections[using].ops.quote_name)
    if order is None:
        return None
    conditions, params = [], []
    for name, selection in fs.selection.items():
        sql, condition_params = fs.facet_definition(name).condition_sql("i", selection, fs)
        conditions.append(f"({sql})")
        params += condition_params
    return public_cards(
        model, " AND ".join(conditions) or "TRUE", params, f"ORDER BY {order} LIMIT %s OFFSET %s", [limit, offset],
        using=using,
    )


def _order_sql(model, ordering, quote):
    """``ordering`` (names, "-" for descending, or ``F(...).asc()/.desc()`` with their NULLS
    placement) as SQL on table alias ``i``, or None for anything else (an annotation, a
    relation)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import F
    from django.db.models.expressions import OrderBy

    opts, parts = model._meta, []
    for item in ordering:
        if isinstance(item, str):
            name, descending, nulls = item.lstrip("-"), item.startswith("-"), ""
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            name, descending = item.expression.name, item.descending
            nulls = " NULLS LAST" if item.nulls_last else " NULLS FIRST" if item.nulls_first else ""
        else:
            return None
        try:
            field = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist:  # an annotation, such as a search's rank
            return None
        if field.is_relation:  # the ORM orders by the related model's ordering: leave it the ORM
            return None
        column = field.column
        parts.append(f"i.{quote(column)} {'DESC' if descending else 'ASC'}{nulls}")
    return ", ".join(parts)
