"""History through the admin: who changed what and when, the diff between versions, reverting,
and recovering deleted items (acceptance point 3 of issue 3)."""

import re
from html import unescape

import pytest

from people.models import Contributor
from publications.models import Publication, PublicationContributor
from tests.admin_users import make_editor
from tests.factories import make_contributor, make_publication, make_theme
from tests.publications.test_admin import publication_form_data
from themes.models import Theme

pytestmark = pytest.mark.django_db
BASE = "/admin/publications/publication"


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor("hannah"))
    return client


def visible_text(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ").split())


def edit(client, publication, **changes):
    publication.refresh_from_db()
    rows = [
        {"id": c.pk, "contributor": c.contributor, "role": c.role, "position": c.position}
        for c in publication.contributions.order_by("position")
    ]
    data = publication_form_data(publication, rows, **changes)
    response = client.post(f"{BASE}/{publication.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    publication.refresh_from_db()
    return publication


def test_edit_twice_diff_revert_and_recover(editor_client):
    loeffler, bovaird = make_contributor("Elke", "Loeffler"), make_contributor("Tony", "Bovaird")
    publication = make_publication(
        "Co-production of public services", year=2019, publisher="Routledge", contributors=[loeffler, bovaird]
    )

    # Two edits, each recorded with the editor's name.
    edit(editor_client, publication, title="Co-production and co-creation", year=2020)
    assert (publication.title, publication.year, publication.publisher) == ("Co-production and co-creation", 2020, "Routledge")
    edit(editor_client, publication, publisher="Palgrave Macmillan")
    assert (publication.title, publication.year, publication.publisher) == (
        "Co-production and co-creation",
        2020,
        "Palgrave Macmillan",
    )
    records = list(publication.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~", "~"]
    assert [r.history_user.username if r.history_user else None for r in records] == [None, "hannah", "hannah"]

    # The history page diffs each version against the one before.
    page = editor_client.get(f"{BASE}/{publication.pk}/history/").text
    changes = [visible_text(li) for li in re.findall(r"<li>\s*<strong>.*?</li>", page, re.S)]
    assert changes == [
        "Publisher: Routledge → Palgrave Macmillan",
        "Title: Co-production of public services → Co-production and co-creation",
        "Year: 2019 → 2020",
    ]
    assert page.count("hannah") >= 2

    # Revert to the first version through simple_history's revert page.
    first = records[0]
    form_page = editor_client.get(f"{BASE}/{publication.pk}/history/{first.history_id}/")
    assert "Revert" in form_page.text
    assert 'value="Co-production of public services"' in form_page.text
    response = editor_client.post(
        f"{BASE}/{publication.pk}/history/{first.history_id}/",
        publication_form_data(first.instance, [], themes=[]),
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert (publication.title, publication.year, publication.publisher) == ("Co-production of public services", 2019, "Routledge")
    assert publication.history.latest().history_user.username == "hannah"
    # Reverting the publication's fields leaves its contributors alone.
    assert [c.contributor.family_name for c in publication.contributions.order_by("position")] == ["Loeffler", "Bovaird"]

    # Delete it, then recover it from the "Recover deleted" page.
    pk = publication.pk
    response = editor_client.post(f"{BASE}/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Publication.objects.filter(pk=pk).exists()
    assert not PublicationContributor.objects.filter(publication_id=pk).exists()
    deleted_page = editor_client.get(f"{BASE}/deleted/").text
    assert "Co-production of public services" in deleted_page
    assert "hannah" in deleted_page
    record = Publication.history.get(id=pk, history_type="-")
    response = editor_client.post(f"{BASE}/deleted/{record.history_id}/restore/", follow=True)
    assert response.redirect_chain[-1][0] == f"{BASE}/{pk}/change/"
    assert "Recovered publication “Co-production of public services”" in response.text
    restored = Publication.objects.get(pk=pk)
    assert (restored.title, restored.year, restored.publisher, restored.slug) == (
        "Co-production of public services",
        2019,
        "Routledge",
        publication.slug,
    )
    assert [
        (c.contributor.family_name, c.position) for c in restored.contributions.order_by("position")
    ] == [("Loeffler", 0), ("Bovaird", 1)]
    assert restored.history.latest().history_type == "+"
    assert "Co-production of public services" not in editor_client.get(f"{BASE}/deleted/").text


def test_restoring_twice_is_refused_with_404(editor_client):
    publication = make_publication("Once only")
    pk = publication.pk
    publication.delete()
    record = Publication.history.get(id=pk, history_type="-")
    assert editor_client.post(f"{BASE}/deleted/{record.history_id}/restore/").status_code == 302
    assert editor_client.post(f"{BASE}/deleted/{record.history_id}/restore/").status_code == 404
    assert Publication.objects.filter(pk=pk).count() == 1


def test_restore_needs_post(editor_client):
    publication = make_publication("Get is not enough")
    pk = publication.pk
    publication.delete()
    record = Publication.history.get(id=pk, history_type="-")
    assert editor_client.get(f"{BASE}/deleted/{record.history_id}/restore/").status_code == 405
    assert not Publication.objects.filter(pk=pk).exists()


def test_deleted_contributor_and_theme_can_be_recovered(editor_client):
    person = make_contributor("Catherine", "Durose", position="Professor")
    theme = make_theme("Participatory democracy")
    person_pk, theme_pk = person.pk, theme.pk
    editor_client.post(f"/admin/people/contributor/{person_pk}/delete/", {"post": "yes"})
    editor_client.post(f"/admin/themes/theme/{theme_pk}/delete/", {"post": "yes"})
    assert not Contributor.objects.filter(pk=person_pk).exists()
    person_record = Contributor.history.get(id=person_pk, history_type="-")
    theme_record = Theme.history.get(id=theme_pk, history_type="-")
    editor_client.post(f"/admin/people/contributor/deleted/{person_record.history_id}/restore/")
    editor_client.post(f"/admin/themes/theme/deleted/{theme_record.history_id}/restore/")
    restored = Contributor.objects.get(pk=person_pk)
    assert (restored.name, restored.position) == ("Catherine Durose", "Professor")
    assert Theme.objects.get(pk=theme_pk).name == "Participatory democracy"


def test_bulk_publish_appears_in_history_with_the_editor(editor_client):
    publication = make_publication("Bulk", status="draft")
    editor_client.post(f"{BASE}/", {"action": "publish_selected", "_selected_action": [publication.pk]})
    page = editor_client.get(f"{BASE}/{publication.pk}/history/").text
    assert "Status: draft → published" in visible_text(page)
