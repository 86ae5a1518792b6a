"""``published()`` and ``scheduled()`` split the items with status "published" between them."""

from datetime import timedelta

import pytest
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
