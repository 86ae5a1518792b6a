"""The contributor admin: portraits checked by content with alt text, search, slugs."""

import io

import pytest
from PIL import Image

from people.models import Contributor
from tests.admin_users import make_editor
from tests.factories import make_contributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def portrait(fmt="JPEG", size=(300, 400), name="portrait.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "grey").save(buffer, fmt)
    buffer.seek(0)
    buffer.name = name
    return buffer


def post_person(client, person, **extra):
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "slug": person.slug,
        "relation": person.relation,
        "status": person.status,
        **extra,
    }
    return client.post(f"/admin/people/contributor/{person.pk}/change/", data)


def test_webp_portrait_with_alt_text_is_saved(editor_client):
    person = make_contributor("Elke", "Loeffler")
    response = post_person(editor_client, person, portrait=portrait("WEBP", name="elke.webp"), portrait_alt="Elke Loeffler smiling")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.portrait.name.startswith("portraits/elke")
    assert person.portrait_alt == "Elke Loeffler smiling"


def test_portrait_without_alt_text_is_refused(editor_client):
    person = make_contributor("Tony", "Bovaird")
    response = post_person(editor_client, person, portrait=portrait(), portrait_alt="  ")
    assert response.status_code == 200
    assert "alt text is required when an image is given" in response.text
    person.refresh_from_db()
    assert not person.portrait


def test_bmp_portrait_is_refused_by_its_content_not_its_name(editor_client):
    person = make_contributor("Catherine", "Needham")
    response = post_person(editor_client, person, portrait=portrait("BMP", name="photo.jpg"), portrait_alt="A photo")
    assert response.status_code == 200
    assert "This is a BMP image; upload a JPEG, PNG or WebP picture instead." in response.text
    person.refresh_from_db()
    assert not person.portrait


def test_oversized_portrait_error_names_both_sizes(editor_client, settings):
    settings.IMAGE_MAX_BYTES = 2048
    person = make_contributor("Liz", "Richardson")
    big = portrait("PNG", size=(1200, 1200), name="big.png")
    response = post_person(editor_client, person, portrait=big, portrait_alt="A photo")
    assert response.status_code == 200
    assert "images may be at most 2.0\xa0KB" in response.text
    assert "Save it at a smaller size" in response.text


def test_keeping_an_existing_portrait_still_needs_alt_text(editor_client):
    person = make_contributor("Karin", "Bottom")
    post_person(editor_client, person, portrait=portrait(), portrait_alt="Karin Bottom")
    person.refresh_from_db()
    response = post_person(editor_client, person, portrait_alt="")
    assert response.status_code == 200
    assert "alt text is required when an image is given" in response.text
    assert Contributor.objects.get(pk=person.pk).portrait_alt == "Karin Bottom"


def test_contributor_search_and_autocomplete_find_people_by_name_and_orcid(editor_client):
    make_contributor("Elke", "Loeffler", orcid="0000-0002-1825-0097")
    make_contributor("Tony", "Bovaird")
    response = editor_client.get("/admin/people/contributor/", {"q": "0000-0002-1825-0097"})
    assert "Elke Loeffler" in response.text and "Tony Bovaird" not in response.text
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "bova", "app_label": "publications", "model_name": "publicationcontributor", "field_name": "contributor"},
    )
    assert [item["text"] for item in response.json()["results"]] == ["Tony Bovaird"]


def test_contributor_add_page_prefills_the_slug_from_the_name(editor_client):
    html = editor_client.get("/admin/people/contributor/add/").text
    assert "&quot;dependency_list&quot;: [&quot;given_name&quot;, &quot;family_name&quot;]" in html
    assert 'name="biography"' in html and "data-django-prose-editor-configurable" in html
