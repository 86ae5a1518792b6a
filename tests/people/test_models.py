"""Contributors: the publishing rule, ORCID iDs, portraits, and integrity at the database."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inlogov import publishing
from inlogov.publishing import Status
from people.models import Contributor
from tests.factories import future, make_contributor, past

pytestmark = pytest.mark.django_db

VALID_ORCID = "0000-0002-1825-0097"  # ORCID's own documented example iD


def published_families():
    return sorted(Contributor.objects.published().values_list("family_name", flat=True))


def test_draft_contributor_is_absent_from_published_until_its_status_flips():
    make_contributor("Sonia", "Bussu")
    draft = make_contributor("Koen", "Bartels", status=Status.DRAFT)
    assert published_families() == ["Bussu"]

    draft.status = Status.PUBLISHED
    draft.save()
    assert published_families() == ["Bartels", "Bussu"]


def test_scheduled_contributor_is_absent_until_publish_from_passes(monkeypatch):
    scheduled = make_contributor("Elke", "Loeffler", publish_from=future())
    make_contributor("Tony", "Bovaird", publish_from=past())
    assert published_families() == ["Bovaird"]
    assert [c.family_name for c in Contributor.objects.published().for_listing()] == ["Bovaird"]

    later = scheduled.publish_from + timedelta(seconds=1)
    monkeypatch.setattr(publishing.timezone, "now", lambda: later)
    assert published_families() == ["Bovaird", "Loeffler"]


def test_orcid_link_is_stored_as_the_bare_canonical_id():
    person = make_contributor(orcid=f"https://orcid.org/{VALID_ORCID.replace('-', '')}")
    person.refresh_from_db()
    assert person.orcid == VALID_ORCID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0000-0002-1825-0098", "This ORCID iD's check digit is wrong: please copy it again from orcid.org."),
        ("0000-0002-1825", "Enter an ORCID iD as 16 characters in four groups, e.g. 0000-0002-1825-0097."),
        ("orcid please", "Enter an ORCID iD as 16 characters in four groups, e.g. 0000-0002-1825-0097."),
    ],
)
def test_invalid_orcid_is_rejected_naming_the_orcid_field(value, message):
    person = Contributor(given_name="Ada", family_name="Lovelace", slug="ada-lovelace", orcid=value)
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert error.value.message_dict == {"orcid": [message]}


def test_invalid_contributor_slug_is_rejected_naming_the_slug_field():
    person = Contributor(given_name="Ada", family_name="Lovelace", slug="Ada Lovelace")
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert list(error.value.message_dict) == ["slug"]


def test_database_refuses_a_second_contributor_with_the_same_orcid():
    make_contributor("Ada", "One", orcid=VALID_ORCID)
    with pytest.raises(IntegrityError), transaction.atomic():
        # Spelled differently: both normalise to the same stored iD.
        make_contributor("Ada", "Two", orcid=f"https://orcid.org/{VALID_ORCID}")


def test_many_contributors_may_have_no_orcid():
    make_contributor("Ada", "One", orcid="")
    make_contributor("Ada", "Two", orcid="")
    assert Contributor.objects.filter(orcid="").count() == 2


def test_database_refuses_a_portrait_without_alt_text():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contributor(portrait="portraits/face.jpg", portrait_alt="")


def test_portrait_with_alt_text_is_accepted_by_the_database():
    person = make_contributor(portrait="portraits/face.jpg", portrait_alt="Head and shoulders, smiling")
    assert Contributor.objects.filter(pk=person.pk, portrait_alt__startswith="Head").exists()


def test_form_validation_names_the_portrait_alt_field():
    person = Contributor(
        given_name="Ada", family_name="Lovelace", slug="ada", portrait="portraits/face.jpg"
    )
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert error.value.message_dict["portrait_alt"] == [
        "Describe the portrait for people who cannot see it."
    ]


def test_database_refuses_a_duplicate_contributor_slug():
    make_contributor(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contributor(slug="same")


def test_display_name_is_used_when_given_and_names_otherwise():
    assert str(make_contributor("Elke", "Loeffler")) == "Elke Loeffler"
    assert str(make_contributor("Anthony", "Bovaird", display_name="Tony Bovaird")) == "Tony Bovaird"
