"""The publishing rule, written once.

An item is public when its status is "published" and its publish-from time, if any, has passed.
`PublishableQuerySet.published()` (through ``published_q``) is how every public path (pages, API,
feeds, sitemap, search, facet counts, related lists) reaches content. The few statements written
by hand for speed take the same rule as SQL text from ``published_sql``, written beside it;
``tests/inlogov/test_publishing_rule.py`` checks that the two select the same rows. Scheduled
publishing needs no cron job: the time comparison happens in each query.
"""

from django.db import connection, models
from django.db.models import Q
from django.db.models.lookups import Exact, IsNull, LessThanOrEqual
from django.db.models.sql.where import AND, OR, WhereNode
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def published_q(prefix="", now=None):
    """The rule as a Q object, for filtering related rows (e.g. `themes__` in a facet count)."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": Status.PUBLISHED}) & (
        Q(**{f"{prefix}publish_from__isnull": True}) | Q(**{f"{prefix}publish_from__lte": now})
    )


def published_sql(alias, now=None):
    """The rule as SQL text for table alias ``alias``, and its parameters, for the statements
    written by hand (a theme's people): ``published_q`` in SQL, and it must stay so.

    A naive ``now`` is read in the default time zone (settings.TIME_ZONE), as the ORM reads it;
    the database gets the value as Django would store it (UTC text on SQLite).
    """
    if not alias.isidentifier():
        raise ValueError(f"not a table alias: {alias!r}")
    return f"({alias}.status = %s AND ({alias}.publish_from IS NULL OR {alias}.publish_from <= %s))", [
        Status.PUBLISHED,
        _database_time(now),
    ]


def _database_time(now):
    """``now`` (default: the current time) as the database gets a DateTimeField's value from
    the ORM; a naive time is read in the default time zone, as the ORM reads it."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, timezone.get_default_timezone())
    return connection.ops.adapt_datetimefield_value(now)


def scheduled_q(prefix="", now=None):
    """The complement of the rule among items with status "published": their time has not come.

    Written here, beside ``published_q``, because the two must change together: every item with
    status "published" is in exactly one of them (``tests/inlogov/test_publishing_rule.py``).
    """
    now = now or timezone.now()
    return Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}publish_from__gt": now})


def scheduled_sql(table, now=None):
    """``scheduled_q`` as SQL, for the statements written by hand (the facet counts): a subquery
    of the ids of ``table``'s items that are set to "published" and not public yet, and its
    parameters, for ``IN`` and ``NOT IN``. The same statement Django compiled from
    ``scheduled()`` (an index range on status and publish_from), without building and
    compiling a queryset on every request."""
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    return f"SELECT id FROM {table} WHERE status = %s AND publish_from > %s", [  # noqa: S608 (an identifier, checked)
        Status.PUBLISHED,
        _database_time(now),
    ]


def _published_where(model, alias, now):
    """``published_q()`` for ``model``'s own table under ``alias``, as the condition the ORM
    builds from it (the same lookups in the same tree, so the same SQL), made directly.

    Why: ``published()`` runs several times on every public page (the listing, the people and
    themes its facets name, the page's rows), and building the rule through ``filter(Q)``
    resolves each of its three lookups by name, about 50 µs a time: 9% of a listing's Python
    under a sampling profiler (docs/performance.md, tenth session). The lookups here are the
    classes ``filter`` would have chosen, so each value is prepared as the ORM prepares it.
    ``tests/inlogov/test_publishing_rule.py`` checks that the SQL is the ORM's, text and
    parameters, on every publishable model.
    """
    status = model._meta.get_field("status")
    publish_from = model._meta.get_field("publish_from")
    return WhereNode(
        [
            Exact(status.get_col(alias), Status.PUBLISHED),
            WhereNode(
                [IsNull(publish_from.get_col(alias), True), LessThanOrEqual(publish_from.get_col(alias), now)],
                connector=OR,
            ),
        ],
        connector=AND,
    )


def hidden_sql(table, now=None):
    """The items of ``table`` the public may not see now (``exclude(published_q())``), as a
    subquery of their ids for ``NOT IN``, and its parameters: the statements written by hand
    (the contributor facets) leave these people out.

    Written in the shape Django compiles ``exclude(published_q())`` to: the negation of the
    rule, with the ``IS NOT NULL`` Django adds when it negates a comparison with a nullable
    column. PostgreSQL chooses the partial index ``contributor_maybe_hidden_idx`` (people
    migration 0003) only when it can prove that the condition implies the index's: it proves it
    for this shape (and for the same without the ``IS NOT NULL``), not for every equivalent one
    (a ``coalesce()`` form fails). ``tests/inlogov/test_publishing_rule.py`` checks both the rows
    and that the index is used. Building and compiling the queryset on every listing cost more than
    the statement it wrote.
    """
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    return (
        f"SELECT id FROM {table} WHERE NOT (status = %s AND (publish_from IS NULL OR "  # noqa: S608 (an identifier, checked)
        "(publish_from <= %s AND publish_from IS NOT NULL)))",
        [Status.PUBLISHED, _database_time(now)],
    )


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """Items a member of the public may see now: ``filter(published_q())``, built directly
        (see ``_published_where``), with ``filter``'s own checks."""
        self._not_support_combined_queries("published")
        if self.query.is_sliced:
            raise TypeError("Cannot filter a query once a slice has been taken.")
        clone = self._chain()
        query = clone.query
        query.where.add(_published_where(self.model, query.get_initial_alias(), timezone.now()), AND)
        return clone

    def scheduled(self):
        """Items set to "published" that will appear by themselves later (staff only)."""
        return self.filter(scheduled_q())


class Publishable(models.Model):
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Drafts are visible to staff only. Published items appear on the site and API.",
    )
    publish_from = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Optional. A published item stays hidden until this date and time (UK time), "
        "then appears by itself.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return self.status == Status.PUBLISHED and (
            self.publish_from is None or self.publish_from <= timezone.now()
        )


class PublicParentMixin:
    """For publishable models with a ``parent`` (publications, themes)."""

    @property
    def public_parent(self):
        """The parent if there is one and the public may see it now, else None: a draft or
        scheduled parent is never shown, linked or cited."""
        if not self.parent_id:
            return None
        parent = self.parent
        return parent if parent.is_public else None


def year_bounds():
    """Years accepted in forms: from 1900 to one year ahead of today."""
    return 1900, timezone.now().year + 1


def validate_form_year(value):
    from django.core.exceptions import ValidationError

    low, high = year_bounds()
    if value is not None and not low <= value <= high:
        raise ValidationError(f"Enter a year between {low} and {high}.", code="year_range")
