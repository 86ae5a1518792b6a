"""Who may do what in the admin (acceptance point 4 of issue 3): the Editor and Contributor
editor groups from the data migration, and anonymous visitors on every admin URL."""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, reverse

from people.models import Contributor
from publications.models import Publication
from tests.admin_users import make_contributor_editor, make_editor, make_user
from tests.factories import make_case_study, make_contributor, make_publication, make_service_area, make_theme

pytestmark = pytest.mark.django_db

CONTENT_PAGES = [
    "/admin/publications/publication/",
    "/admin/publications/publication/add/",
    "/admin/publications/casestudy/",
    "/admin/publications/casestudy/add/",
    "/admin/people/contributor/",
    "/admin/people/contributor/add/",
    "/admin/themes/theme/",
    "/admin/themes/theme/add/",
    "/admin/themes/servicearea/",
    "/admin/themes/servicearea/add/",
    "/admin/publications/publication/import/",
    "/admin/publications/publication/deleted/",
]
ACCOUNT_PAGES = [
    "/admin/auth/user/",
    "/admin/auth/user/add/",
    "/admin/auth/user/{user}/change/",
    "/admin/auth/user/{user}/password/",
    "/admin/auth/user/{user}/delete/",
    "/admin/auth/group/",
    "/admin/auth/group/add/",
    "/admin/auth/group/{group}/change/",
]


def account_urls(user):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Editor")
    return [url.format(user=user.pk, group=group.pk) for url in ACCOUNT_PAGES]


# --- Editor ------------------------------------------------------------------------------------


def test_editor_group_holds_exactly_the_content_permissions():
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    models = ("theme", "servicearea", "contributor", "publication", "publicationcontributor", "casestudy")
    assert codenames == {f"{action}_{model}" for action in ("add", "change", "delete", "view") for model in models}


@pytest.mark.parametrize("url", CONTENT_PAGES)
def test_editor_reaches_every_content_page(client, url):
    client.force_login(make_editor())
    response = client.get(url)
    assert response.status_code == 200
    assert "INLOGOV Research Hub: editing" in response.text


def test_editor_can_delete_each_content_type(client):
    client.force_login(make_editor())
    items = {
        "publications/publication": make_publication("Delete me"),
        "publications/casestudy": make_case_study("Delete me too"),
        "people/contributor": make_contributor("Delete", "Me"),
        "themes/theme": make_theme("Deleted theme"),
        "themes/servicearea": make_service_area("Deleted area"),
    }
    for path, obj in items.items():
        response = client.post(f"/admin/{path}/{obj.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302, path
        assert not type(obj).objects.filter(pk=obj.pk).exists(), path


def test_editor_gets_403_on_every_user_and_group_page(client):
    editor = make_editor()
    client.force_login(editor)
    for url in account_urls(editor):
        assert client.get(url).status_code == 403, url
    response = client.post("/admin/auth/user/add/", {"username": "sneaky", "password1": "x" * 20, "password2": "x" * 20})
    assert response.status_code == 403
    assert not type(editor).objects.filter(username="sneaky").exists()


def test_editor_cannot_make_themself_superuser(client):
    editor = make_editor()
    client.force_login(editor)
    response = client.post(f"/admin/auth/user/{editor.pk}/change/", {"username": "editor", "is_superuser": "on"})
    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_editor_index_lists_content_but_not_accounts(client):
    client.force_login(make_editor())
    html = client.get("/admin/").text
    assert 'href="/admin/publications/publication/"' in html
    assert 'href="/admin/auth/user/"' not in html
    assert 'href="/admin/auth/group/"' not in html


# --- Contributor editor ---------------------------------------------------------------------


def test_contributor_editor_can_add_and_change_people(client):
    client.force_login(make_contributor_editor())
    assert client.get("/admin/people/contributor/add/").status_code == 200
    response = client.post(
        "/admin/people/contributor/add/",
        {"given_name": "Karin", "family_name": "Bottom", "slug": "karin-bottom", "relation": "staff", "status": "draft"},
    )
    assert response.status_code == 302
    assert Contributor.objects.get(slug="karin-bottom").history.latest().history_user.username == "people-editor"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/publications/publication/",
        "/admin/publications/publication/add/",
        "/admin/publications/publication/import/",
        "/admin/publications/casestudy/",
        "/admin/themes/theme/add/",
        "/admin/themes/servicearea/",
        "/admin/auth/user/",
        "/admin/auth/group/",
    ],
)
def test_contributor_editor_is_refused_outside_people(client, url):
    client.force_login(make_contributor_editor())
    assert client.get(url).status_code == 403


def test_contributor_editor_cannot_delete_people(client):
    client.force_login(make_contributor_editor())
    person = make_contributor("Kept", "Person")
    assert client.post(f"/admin/people/contributor/{person.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Contributor.objects.filter(pk=person.pk).exists()


def test_contributor_editor_can_look_up_themes_for_expertise(client):
    client.force_login(make_contributor_editor())
    make_theme("Co-production")
    response = client.get(
        "/admin/autocomplete/",
        {"term": "Co-pro", "app_label": "people", "model_name": "contributor", "field_name": "expertise"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Co-production"]


def test_staff_without_a_group_sees_no_content(client):
    client.force_login(make_user("nobody"))
    assert client.get("/admin/publications/publication/").status_code == 403
    assert "You don’t have permission to view or edit anything." in client.get("/admin/").text


def test_bulk_publish_is_not_offered_without_change_permission(client):
    from django.contrib.auth.models import Permission

    viewer = make_user("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_publication"))
    client.force_login(viewer)
    publication = make_publication("Still a draft", status="draft")
    html = client.get("/admin/publications/publication/").text
    assert "publish_selected" not in html
    client.post("/admin/publications/publication/", {"action": "publish_selected", "_selected_action": [publication.pk]})
    assert Publication.objects.get(pk=publication.pk).status == "draft"


# --- anonymous visitors ---------------------------------------------------------------------

PUBLIC_ADMIN_PAGES = {"login", "logout"}


def admin_url_patterns(patterns=None, prefix=""):
    """(name, regex string) for every admin URL, nested includes flattened."""
    for entry in patterns if patterns is not None else admin.site.urls[0]:
        if isinstance(entry, URLResolver):
            yield from admin_url_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, entry.pattern


def concrete_admin_urls():
    urls = set()
    for name, pattern in admin_url_patterns():
        if name in PUBLIC_ADMIN_PAGES:
            continue
        regex = pattern.regex
        if name is None:  # the final catch-all
            urls.add("/admin/no-such-page/")
            continue
        kwargs = dict.fromkeys(regex.groupindex, "1")
        args = [] if kwargs else ["1"] * regex.groups
        if name == "app_list":
            kwargs = {"app_label": "publications"}
        urls.add(reverse(f"admin:{name}", args=args, kwargs=kwargs))
    return sorted(urls)


def test_the_url_walk_covers_the_custom_admin_pages():
    urls = concrete_admin_urls()
    assert len(urls) > 60
    for expected in (
        "/admin/publications/publication/import/",
        "/admin/publications/publication/deleted/",
        "/admin/publications/publication/deleted/1/restore/",
        "/admin/publications/publication/1/history/1/",
        "/admin/auth/user/",
        "/admin/autocomplete/",
    ):
        assert expected in urls


def test_anonymous_visitors_are_sent_to_login_from_every_admin_url(client):
    make_publication("Hidden")
    for url in concrete_admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    response = client.post("/admin/publications/publication/deleted/1/restore/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
