"""Items' page addresses (inlogov/links.py): reversed once per kind, and always what reverse() gives."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from inlogov.links import slug_path
from people.models import Contributor
from publications.models import CaseStudy, Publication
from themes.models import Theme


def _page(request, slug):
    return HttpResponse(slug)


# A second URL configuration for the override test: the same names at other addresses.
urlpatterns = [
    path("work/<slug:slug>/", include(([path("", _page, name="detail")], "publications"))),
]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (Publication, "/publications/local-governance/"),
        (CaseStudy, "/case-studies/local-governance/"),
        (Contributor, "/people/local-governance/"),
        (Theme, "/themes/local-governance/"),
    ],
)
def test_every_kind_of_page_has_the_address_reverse_gives(model, expected):
    item = model(slug="local-governance")
    assert item.get_absolute_url() == expected
    # Asked again (now from the remembered path), and for another item of the same kind.
    assert item.get_absolute_url() == expected
    assert model(slug="co-production_2").get_absolute_url() == expected.replace("local-governance", "co-production_2")


def test_each_kind_of_address_is_reversed_once(monkeypatch):
    from inlogov import links

    calls = []
    monkeypatch.setattr(links, "reverse", lambda *args, **kwargs: calls.append(args) or reverse(*args, **kwargs))
    monkeypatch.setattr(links, "_paths", type(links._paths)())  # forget what earlier tests reversed
    paths = [Publication(slug=f"item-{n}").get_absolute_url() for n in range(50)]
    paths += [Theme(slug=f"theme-{n}").get_absolute_url() for n in range(50)]
    assert paths[0] == "/publications/item-0/" and paths[-1] == "/themes/theme-49/"
    assert calls == [("publications:detail",), ("themes:detail",)]


def test_a_site_mounted_under_a_prefix_gets_prefixed_addresses():
    assert Publication(slug="a").get_absolute_url() == "/publications/a/"
    set_script_prefix("/research/")
    try:
        assert Publication(slug="a").get_absolute_url() == "/research/publications/a/"
        assert reverse("publications:detail", kwargs={"slug": "a"}) == "/research/publications/a/"
    finally:
        set_script_prefix("/")
    assert Publication(slug="a").get_absolute_url() == "/publications/a/"


def test_another_url_configuration_is_followed_not_remembered_from_the_first():
    assert Publication(slug="a").get_absolute_url() == "/publications/a/"
    with override_settings(ROOT_URLCONF=__name__):
        assert Publication(slug="a").get_absolute_url() == "/work/a/"
    assert Publication(slug="a").get_absolute_url() == "/publications/a/"


@pytest.mark.parametrize("slug", ["two words", "ça-va", "", "a/b"])
def test_a_slug_no_page_can_have_is_refused_as_reverse_refuses_it(slug):
    with pytest.raises(NoReverseMatch):
        reverse("publications:detail", kwargs={"slug": slug})
    with pytest.raises(NoReverseMatch):
        slug_path("publications:detail", slug)
