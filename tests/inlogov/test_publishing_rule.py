"""``published()`` and ``scheduled()`` split the items with status "published" between them."""

from datetime import timedelta

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


def test_the_rule_in_sql_selects_what_the_rule_in_the_orm_selects():
    now = timezone.now()
    items = [
        make_publication(),
        make_publication(publish_from=now - timedelta(microseconds=1)),
        make_publication(publish_from=now),
        make_publication(publish_from=now + timedelta(microseconds=1)),
        make_publication(status="draft"),
        make_publication(status="draft", publish_from=now - timedelta(days=1)),
    ]
    ids = [item.pk for item in items]
    rule, params = publishing.published_sql("p", now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id FROM publications_publication p WHERE {rule} ORDER BY p.id", params)  # noqa: S608
        by_sql = [row[0] for row in cursor.fetchall()]
    by_orm = list(Publication.objects.filter(publishing.published_q(now=now)).order_by("pk").values_list("pk", flat=True))
    assert by_sql == by_orm == ids[:3]  # published now, a moment ago, and exactly now
