"""The publishing rule: ``published()`` and ``scheduled()`` split the items with status "published"
between them, and its SQL forms (hand-written, and built directly) are the ORM's."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import NotSupportedError, connection
from django.db.models import Count, Q
from django.utils import timezone

from inlogov import publishing
from people.models import Contributor
from publications.models import CaseStudy, Publication
from tests.factories import make_contributor, make_publication
from themes.models import Theme

pytestmark = pytest.mark.django_db


def test_published_and_scheduled_partition_the_published_status(monkeypatch):
    now = timezone.now()
    items = {
        "no date": make_publication(),
        "past": make_publication(publish_from=now - timedelta(minutes=1)),
        "future": make_publication(publish_from=now + timedelta(minutes=1)),
        "draft": make_publication(status="draft"),
        "draft in future": make_publication(status="draft", publish_from=now + timedelta(minutes=1)),
    }

    def names(queryset):
        return sorted(name for name, item in items.items() if queryset.filter(pk=item.pk).exists())

    monkeypatch.setattr(publishing.timezone, "now", lambda: now)
    assert names(Publication.objects.published()) == ["no date", "past"]
    assert names(Publication.objects.scheduled()) == ["future"]
    # The moment the scheduled time passes, the item moves from one to the other.
    monkeypatch.setattr(publishing.timezone, "now", lambda: now + timedelta(minutes=1))
    assert names(Publication.objects.published()) == ["future", "no date", "past"]
    assert names(Publication.objects.scheduled()) == []


def _ids_by_both(sql, params, q):
    """Publication ids selected by a hand-written statement and by the ORM's ``q``, in id order."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        by_sql = [row[0] for row in cursor.fetchall()]
    return by_sql, list(Publication.objects.filter(q).order_by("pk").values_list("pk", flat=True))


def _public_by_both_rules(moment):
    """Ids of the publications public at ``moment`` by the SQL rule and by the ORM's."""
    rule, params = publishing.published_sql("p", moment)
    sql = f"SELECT p.id FROM publications_publication p WHERE {rule} ORDER BY p.id"  # noqa: S608
    return _ids_by_both(sql, params, publishing.published_q(now=moment))


def _items_around(now):
    return [
        make_publication().pk,
        make_publication(publish_from=now - timedelta(microseconds=1)).pk,
        make_publication(publish_from=now).pk,
        make_publication(publish_from=now + timedelta(microseconds=1)).pk,
        make_publication(publish_from=now + timedelta(hours=8)).pk,
        make_publication(status="draft").pk,
        make_publication(status="draft", publish_from=now - timedelta(days=1)).pk,
    ]


def test_the_rule_in_sql_selects_what_the_rule_in_the_orm_selects():
    now = timezone.now()
    ids = _items_around(now)
    # The same moment given in UTC and in Tokyo (nine hours ahead): compared as text or without
    # its zone, the item eight hours ahead would look public.
    for moment in (now, timezone.localtime(now, ZoneInfo("Asia/Tokyo"))):
        by_sql, by_orm = _public_by_both_rules(moment)
        assert by_sql == by_orm == ids[:3]  # published now, a moment ago, and exactly now


def _scheduled_by_both_rules(moment):
    """Ids of the publications scheduled at ``moment`` by the SQL subquery and by the ORM's rule."""
    subquery, params = publishing.scheduled_sql("publications_publication", moment)
    sql = f"SELECT id FROM ({subquery}) AS s ORDER BY id"  # noqa: S608
    return _ids_by_both(sql, params, publishing.scheduled_q(now=moment))


def test_the_scheduled_items_in_sql_are_the_orms_and_the_rest_of_the_published_ones():
    now = timezone.now()
    ids = _items_around(now)
    for moment in (now, timezone.localtime(now, ZoneInfo("Asia/Tokyo"))):
        by_sql, by_orm = _scheduled_by_both_rules(moment)
        assert by_sql == by_orm == ids[3:5]  # a moment ahead and eight hours ahead; no drafts
        public, _ = _public_by_both_rules(moment)
        assert sorted(public + by_sql) == ids[:5]  # every published item is in exactly one


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
@pytest.mark.parametrize(
    ("both_rules", "expected"),
    [(_public_by_both_rules, slice(0, 3)), (_scheduled_by_both_rules, slice(3, 5))],
    ids=["public", "scheduled"],
)
def test_the_rules_in_sql_read_a_naive_time_in_the_sites_time_zone_as_the_orm_does(settings, both_rules, expected):
    settings.TIME_ZONE = "Asia/Tokyo"
    now = timezone.now()
    ids = _items_around(now)
    by_sql, by_orm = both_rules(timezone.make_naive(now, ZoneInfo("Asia/Tokyo")))
    assert by_sql == by_orm == ids[expected]


def test_the_scheduled_subquery_takes_only_a_table_name():
    with pytest.raises(ValueError, match="not a table name"):
        publishing.scheduled_sql("publications_publication; DROP TABLE x")


def test_the_rule_in_sql_takes_only_a_table_alias():
    with pytest.raises(ValueError, match="not a table alias"):
        publishing.published_sql("p; DROP TABLE x")


PUBLISHABLE = [Publication, CaseStudy, Contributor, Theme]


def _shapes(model):
    """Querysets of ``model`` as the site narrows them before or after the rule: plain, filtered,
    ORed, excluded, through a join, ordered to values, combined with ``|``, annotated."""
    return {
        "all": model.objects.all(),
        "filtered": model.objects.filter(pk__in=[1, 2]),
        "ored": model.objects.filter(Q(pk=1) | Q(slug="x")),
        "excluded": model.objects.exclude(pk=3),
        "values": model.objects.order_by("-pk").values("pk", "slug"),
        "combined": model.objects.filter(pk__gt=1) | model.objects.filter(slug="y"),
        "annotated": model.objects.annotate(n=Count("pk")),
        "joined": model.objects.filter(
            **{Publication: {"themes__slug": "x"}, CaseStudy: {"themes__slug": "x"},
               Contributor: {"contributions__publication__title": "x"}, Theme: {"parent__slug": "x"}}[model]
        ),
    }


@pytest.mark.parametrize("model", PUBLISHABLE, ids=lambda model: model.__name__)
def test_published_writes_the_sql_that_filtering_by_the_rule_writes(model, monkeypatch):
    """``published()`` builds the rule's condition directly (``_published_where``) rather than
    through ``filter(published_q())``, for speed; the statement must be the one the ORM writes,
    text and parameters, before and after other filters and inside a subquery."""
    now = timezone.now()
    monkeypatch.setattr(publishing.timezone, "now", lambda: now)
    for name, queryset in _shapes(model).items():
        by_rule = queryset.filter(publishing.published_q())
        built = queryset.published()
        assert built.query.sql_with_params() == by_rule.query.sql_with_params(), name
        assert (built.filter(pk__gt=5).exclude(pk=9).query.sql_with_params()
                == by_rule.filter(pk__gt=5).exclude(pk=9).query.sql_with_params()), name
    inner_built = Publication.objects.filter(pk__in=model.objects.published().values("pk"))
    inner_rule = Publication.objects.filter(pk__in=model.objects.filter(publishing.published_q()).values("pk"))
    assert inner_built.query.sql_with_params() == inner_rule.query.sql_with_params()


def test_published_refuses_what_filter_refuses():
    with pytest.raises(TypeError, match="slice has been taken"):
        Publication.objects.all()[:2].published()
    with pytest.raises(NotSupportedError, match=r"published\(\) after union\(\)"):
        Publication.objects.all().union(Publication.objects.all()).published()


def test_published_keeps_the_rows_of_a_joined_queryset_and_applies_the_rule_to_its_own_table():
    """Through a join the rule applies to the queried model's table, not to the joined one's:
    a published person credited on a draft publication is kept, a draft one is not."""
    shown = make_contributor(family="Shown")
    hidden = make_contributor(family="Hidden", status="draft")
    make_publication(title="Draft work", status="draft", contributors=[shown, hidden])
    found = Contributor.objects.filter(contributions__publication__title="Draft work").published()
    assert list(found.values_list("family_name", flat=True)) == ["Shown"]


def test_the_hidden_items_in_sql_are_the_orms():
    now = timezone.now()
    ids = _items_around(now)
    for moment in (now, timezone.localtime(now, ZoneInfo("Asia/Tokyo"))):
        subquery, params = publishing.hidden_sql("publications_publication", moment)
        by_sql, by_orm = _ids_by_both(f"SELECT id FROM ({subquery}) AS h ORDER BY id", params, ~publishing.published_q(now=moment))  # noqa: S608
        assert by_sql == by_orm == ids[3:]  # ahead of time, and the two drafts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL partial index: runs in the PostgreSQL pass")
def test_the_hidden_people_are_read_from_their_partial_index():
    """The contributor facets leave out hidden people with ``hidden_sql``; PostgreSQL reads them
    from ``contributor_maybe_hidden_idx`` only if it can prove the subquery's condition implies
    the index's, which depends on how the condition is written. With sequential scans priced out,
    a condition it cannot match would read the whole table some other way."""
    make_contributor(status="draft")
    subquery, params = publishing.hidden_sql("people_contributor")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT 1 WHERE 5 NOT IN ({subquery})", params)  # noqa: S608
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "contributor_maybe_hidden_idx" in plan, plan


def test_the_hidden_subquery_takes_only_a_table_name():
    with pytest.raises(ValueError, match="not a table name"):
        publishing.hidden_sql("people_contributor; DROP TABLE x")
