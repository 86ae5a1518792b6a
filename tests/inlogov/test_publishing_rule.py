"""``published()`` and ``scheduled()`` split the items with status "published" between them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from inlogov import publishing
from publications.models import Publication
from tests.factories import make_publication

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
