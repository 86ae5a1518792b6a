"""API v1 contributors: only published people, in a stable alphabetical order."""

import pytest

from tests.factories import future, make_contributor, make_publication, make_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    theme = make_theme("Co-design", slug="co-design")
    secret = make_theme("Secret theme", slug="secret-theme", status="draft")
    ada = make_contributor("Ada", "Zeller", slug="ada-zeller", orcid="0000-0002-1825-0097",
                           website="https://example.org/ada")
    ada.expertise.set([theme, secret])
    make_contributor("Ben", "Abbott", slug="ben-abbott")
    make_contributor("Dee", "Draft", slug="dee-draft", status="draft")
    make_contributor("Sam", "Soon", slug="sam-soon", publish_from=future())
    make_publication("Ada's book", contributors=[ada])
    return ada


def test_contributor_list_holds_only_published_people_by_family_name(client, people):
    body = client.get("/api/v1/contributors/").json()
    assert body["count"] == 2
    assert [item["slug"] for item in body["results"]] == ["ben-abbott", "ada-zeller"]


@pytest.mark.parametrize("slug", ["dee-draft", "sam-soon"])
def test_draft_or_scheduled_contributor_is_a_json_404(client, people, slug):
    response = client.get(f"/api/v1/contributors/{slug}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_contributor_detail_shows_orcid_website_and_only_published_expertise(client, people):
    item = client.get("/api/v1/contributors/ada-zeller/").json()
    assert item["orcid"] == "0000-0002-1825-0097"
    assert item["orcid_url"] == "https://orcid.org/0000-0002-1825-0097"
    assert item["website"] == "https://example.org/ada"
    assert [theme["slug"] for theme in item["expertise"]] == ["co-design"]
    assert item["url"] == "http://testserver/people/ada-zeller/"
    assert item["relation"] == "external" and item["relation_label"] == "External"


def test_contributor_without_orcid_or_website_gives_nulls(client, people):
    item = client.get("/api/v1/contributors/ben-abbott/").json()
    assert (item["orcid"], item["orcid_url"], item["website"], item["portrait"]) == ("", None, None, None)


def test_contributors_publications_link_lists_exactly_their_publications(client, people):
    item = client.get("/api/v1/contributors/ada-zeller/").json()
    listed = client.get(item["publications_api_url"]).json()
    assert [p["title"] for p in listed["results"]] == ["Ada's book"]
