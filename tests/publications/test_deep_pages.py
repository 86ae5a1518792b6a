"""Deep pages fetch their ids first (``faceting.CountedPaginator``): the same items, in the same
order, as reading the page directly, in the HTML listing and in the API."""

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import QueryDict

from inlogov.faceting import CountedPaginator, paginate
from publications.filters import PublicationFilter
from tests.factories import make_publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    # Years repeat and titles tie across kinds, so the ordering's tie-breaks matter.
    for n in range(13):
        make_publication(f"Service design {n % 4}", year=2000 + n % 3, abstract="<p>services</p>")
    make_publication("A draft", status="draft")


@pytest.mark.parametrize("query", ["", "sort=title", "sort=oldest", "q=service"])
def test_id_first_pages_equal_direct_pages(catalogue, monkeypatch, query):
    queryset = PublicationFilter(QueryDict(query)).qs
    direct = Paginator(queryset, 4)
    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 0)  # every page but the first, id-first
    for number in direct.page_range:
        page, message = paginate(queryset, number, 4)
        assert message is None
        assert [item.slug for item in page] == [item.slug for item in direct.page(number)]
    assert page.paginator.count == 13


def test_api_pages_are_the_same_id_first(client, catalogue, monkeypatch):
    def slugs():
        cache.clear()  # the page cache, when configured, must not answer for the second run
        pages = []
        for number in (1, 2, 3, 4):
            response = client.get(f"/api/v1/publications/?page_size=4&page={number}&sort=title")
            pages.append([item["slug"] for item in response.json()["results"]])
        return pages

    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 10**9)
    direct = slugs()
    monkeypatch.setattr(CountedPaginator, "DEFERRED_OFFSET", 0)
    assert slugs() == direct
    assert sum(len(page) for page in direct) == 13
