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


def _public_by_both_rules(moment):
    """Ids of the publications public at ``moment`` by the SQL rule and by the ORM's."""
    rule, params = publishing.published_sql("p", moment)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id FROM publications_publication p WHERE {rule} ORDER BY p.id", params)  # noqa: S608
        by_sql = [row[0] for row in cursor.fetchall()]
    by_orm = Publication.objects.filter(publishing.published_q(now=moment)).order_by("pk").values_list("pk", flat=True)
    return by_sql, list(by_orm)


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


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_the_rule_in_sql_reads_a_naive_time_in_the_sites_time_zone_as_the_orm_does(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    now = timezone.now()
    ids = _items_around(now)
    by_sql, by_orm = _public_by_both_rules(timezone.make_naive(now, ZoneInfo("Asia/Tokyo")))
    assert by_sql == by_orm == ids[:3]


def test_the_rule_in_sql_takes_only_a_table_alias():
    with pytest.raises(ValueError, match="not a table alias"):
        publishing.published_sql("p; DROP TABLE x")
