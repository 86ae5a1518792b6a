import pytest

from tests.factories import make_contributor, make_publication


@pytest.mark.django_db
def test_publication_listing_shows_published_title_and_hides_draft(client):
    author = make_contributor("Elke", "Loeffler")
    make_publication("Visible book", contributors=[author])
    make_publication("Hidden draft", status="draft")
    response = client.get("/publications/")
    assert response.status_code == 200
    assert "Visible book" in response.text
    assert "Hidden draft" not in response.text
