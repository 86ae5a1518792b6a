"""API v1 themes: the published tree; a draft sub-theme or parent never shows."""

import pytest

from tests.factories import make_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    parent = make_theme("Co-production", slug="co-production", order=1)
    make_theme("Co-design", slug="co-design", parent=parent, order=2)
    make_theme("Co-delivery", slug="co-delivery", parent=parent, order=1)
    make_theme("Co-hidden", slug="co-hidden", parent=parent, status="draft")
    hidden_parent = make_theme("Hidden parent", slug="hidden-parent", status="draft")
    make_theme("Visible child", slug="visible-child", parent=hidden_parent, order=9)


def test_theme_list_holds_published_themes_in_display_order(client, tree):
    # By `order`, then name: the order staff set in the admin.
    body = client.get("/api/v1/themes/").json()
    assert [item["slug"] for item in body["results"]] == [
        "co-delivery", "co-production", "co-design", "visible-child",
    ]


def test_parent_theme_lists_only_published_children_in_order(client, tree):
    item = client.get("/api/v1/themes/co-production/").json()
    assert [child["slug"] for child in item["children"]] == ["co-delivery", "co-design"]
    assert item["case_studies_api_url"] == "http://testserver/api/v1/case-studies/?theme=co-production"


def test_sub_theme_of_a_draft_parent_shows_no_parent(client, tree):
    item = client.get("/api/v1/themes/visible-child/").json()
    assert item["parent"] is None


def test_draft_theme_is_a_json_404(client, tree):
    response = client.get("/api/v1/themes/co-hidden/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No published item matches this address."
