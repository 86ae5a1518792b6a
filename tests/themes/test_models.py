"""Themes and service areas: the publishing rule, nesting, and integrity at the database."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inlogov import publishing
from inlogov.publishing import Status
from tests.factories import future, make_service_area, make_theme, past
from themes.models import Theme

pytestmark = pytest.mark.django_db


def published_names():
    return sorted(Theme.objects.published().values_list("name", flat=True))


def test_draft_theme_is_absent_from_published_until_its_status_flips():
    make_theme("Visible")
    draft = make_theme("Draft", status=Status.DRAFT)
    assert published_names() == ["Visible"]

    draft.status = Status.PUBLISHED
    draft.save()
    assert published_names() == ["Draft", "Visible"]


def test_theme_with_future_publish_from_is_absent_and_one_in_the_past_is_present():
    make_theme("Scheduled", publish_from=future())
    make_theme("Already due", publish_from=past())
    assert published_names() == ["Already due"]


def test_scheduled_theme_appears_once_its_time_has_passed(monkeypatch):
    scheduled = make_theme("Scheduled", publish_from=future(days=1))
    assert published_names() == []

    # Move the clock past publish_from instead of sleeping: no other code or data changes.
    later = scheduled.publish_from + timedelta(minutes=1)
    monkeypatch.setattr(publishing.timezone, "now", lambda: later)
    assert published_names() == ["Scheduled"]


def test_theme_listing_queryset_keeps_the_publishing_rule():
    make_theme("Visible")
    make_theme("Draft", status=Status.DRAFT)
    assert [t.name for t in Theme.objects.published().for_listing()] == ["Visible"]


def test_invalid_theme_slug_is_rejected_naming_the_slug_field():
    theme = Theme(name="Bad slug", slug="not a slug!")
    with pytest.raises(ValidationError) as error:
        theme.full_clean()
    assert "slug" in error.value.message_dict
    assert "letters, numbers, underscores or hyphens" in error.value.message_dict["slug"][0]


def test_sub_theme_cannot_itself_have_a_parent_sub_theme():
    top = make_theme("Co-production")
    sub = make_theme("Co-design", parent=top)
    grandchild = Theme(name="Deeper", slug="deeper", parent=sub)
    with pytest.raises(ValidationError) as error:
        grandchild.full_clean()
    assert error.value.message_dict["parent"] == [
        "Themes nest one level only: choose a top-level theme as the parent."
    ]


def test_theme_cannot_be_its_own_parent_in_a_form():
    theme = make_theme("Loop")
    theme.parent = theme
    with pytest.raises(ValidationError) as error:
        theme.full_clean()
    assert "parent" in error.value.message_dict


def test_database_refuses_a_theme_that_is_its_own_parent():
    theme = make_theme("Loop")
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.filter(pk=theme.pk).update(parent=theme)


def test_database_refuses_a_duplicate_theme_slug():
    make_theme("One", slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(name="Two", slug="same")


def test_database_refuses_an_empty_theme_slug():
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(name="No slug", slug="")


def test_database_refuses_a_duplicate_service_area_name():
    make_service_area("Health", slug="health")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_service_area("Health", slug="health-2")


def test_themes_list_in_display_order_with_sub_themes_after_their_parent():
    top = make_theme("Co-production", order=10)
    make_theme("Co-design", parent=top, order=12)
    make_theme("Co-commissioning", parent=top, order=11)
    make_theme("Democratic and social innovation", order=20)
    assert [t.name for t in Theme.objects.published().for_listing()] == [
        "Co-production",
        "Co-commissioning",
        "Co-design",
        "Democratic and social innovation",
    ]
