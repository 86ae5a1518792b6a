"""The theme admin: nesting rules, parent autocomplete, slugs and workflow actions."""

import pytest

from tests.admin_users import make_editor
from tests.factories import make_theme
from themes.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def post_theme(client, url, **data):
    return client.post(url, {"order": 0, "status": "draft", "description": "", **data})


def test_editor_adds_a_sub_theme_under_a_top_level_theme(editor_client):
    parent = make_theme("Co-production")
    response = post_theme(
        editor_client, "/admin/themes/theme/add/", name="Co-design", slug="co-design", parent=parent.pk,
        description="<p>Designing <em>with</em> people.</p><script>x()</script>",
    )
    assert response.status_code == 302
    child = Theme.objects.get(slug="co-design")
    assert child.parent == parent
    assert child.description == "<p>Designing <em>with</em> people.</p>"
    assert child.history.latest().history_user.username == "editor"


def test_a_sub_theme_cannot_become_a_parent(editor_client):
    top = make_theme("Democracy")
    middle = make_theme("Deliberation", parent=top)
    response = post_theme(editor_client, "/admin/themes/theme/add/", name="Juries", slug="juries", parent=middle.pk)
    assert response.status_code == 200
    assert "Themes nest one level only: choose a top-level theme as the parent." in response.text
    assert not Theme.objects.filter(slug="juries").exists()


def test_theme_changelist_shows_parent_and_status_and_searches(editor_client):
    top = make_theme("Democracy")
    make_theme("Citizens' juries", parent=top, status="draft")
    make_theme("Unrelated")
    response = editor_client.get("/admin/themes/theme/", {"q": "juries"})
    assert "Citizens&#x27; juries" in response.text
    assert "Unrelated" not in response.text
    assert "Draft" in response.text
    row = response.text.split("Citizens&#x27; juries", 1)[1].split("</tr>", 1)[0]
    assert "Democracy" in row


def test_parent_theme_autocomplete_finds_themes(editor_client):
    make_theme("Public value")
    make_theme("Place leadership")
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "pub", "app_label": "themes", "model_name": "theme", "field_name": "parent"},
    )
    assert [item["text"] for item in response.json()["results"]] == ["Public value"]


def test_bulk_unpublish_of_themes(editor_client):
    themes = [make_theme(f"Theme {i}") for i in range(3)]
    response = editor_client.post(
        "/admin/themes/theme/",
        {"action": "unpublish_selected", "_selected_action": [t.pk for t in themes[:2]]},
        follow=True,
    )
    assert "Unpublished 2 themes." in response.text
    assert list(Theme.objects.published().values_list("name", flat=True)) == ["Theme 2"]
