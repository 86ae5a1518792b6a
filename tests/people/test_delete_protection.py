"""A contributor credited on publications cannot be deleted (the credit's foreign key is PROTECT).

The admin must explain why, name the publications that hold the person, and keep the person.
"""

import pytest
from django.db.models import ProtectedError

from people.models import Contributor
from publications.models import PublicationContributor
from tests.admin_users import make_user
from tests.factories import make_contributor, make_publication


@pytest.fixture
def chief_client(client, db):
    client.force_login(make_user("chief", is_superuser=True))
    return client


@pytest.fixture
def credited(db):
    person = make_contributor("Tony", "Bovaird")
    make_publication("The Palgrave Handbook of Co-Production", contributors=[person])
    make_publication("Public Management and Governance", contributors=[make_contributor("Elke", "Loeffler"), person])
    return person


def test_admin_explains_that_a_credited_contributor_cannot_be_deleted(chief_client, credited):
    url = f"/admin/people/contributor/{credited.pk}/delete/"
    page = chief_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cannot delete contributor" in html
    assert "would require deleting the following protected related objects" in html
    assert "The Palgrave Handbook of Co-Production" in html
    assert "Public Management and Governance" in html
    assert "Yes, I’m sure" not in html  # no confirmation button is offered

    # Submitting the confirmation anyway changes nothing.
    response = chief_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete contributor" in response.content.decode()
    assert Contributor.objects.filter(pk=credited.pk).exists()
    assert PublicationContributor.objects.filter(contributor=credited).count() == 2


def test_bulk_delete_action_also_refuses_credited_contributors(chief_client, credited):
    uncredited = make_contributor("Nobody", "Credited")
    response = chief_client.post(
        "/admin/people/contributor/",
        {"action": "delete_selected", "_selected_action": [credited.pk, uncredited.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "Cannot delete contributors" in response.content.decode()
    assert Contributor.objects.filter(pk__in=[credited.pk, uncredited.pk]).count() == 2


def test_uncredited_contributor_can_be_deleted(chief_client, credited):
    person = make_contributor("Passing", "Visitor")
    assert "Yes, I’m sure" in chief_client.get(f"/admin/people/contributor/{person.pk}/delete/").content.decode()
    response = chief_client.post(f"/admin/people/contributor/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Contributor.objects.filter(pk=person.pk).exists()


def test_database_refuses_deleting_a_credited_contributor_outside_the_admin(credited):
    with pytest.raises(ProtectedError):
        credited.delete()
    assert Contributor.objects.filter(pk=credited.pk).exists()
