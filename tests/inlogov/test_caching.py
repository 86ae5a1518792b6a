"""The content-versioned page cache: fast for anonymous visitors, never stale, never personal.

These tests run with the in-process memory cache (PAGE_CACHE=true), which behaves like Redis
within one process; tests/inlogov/test_cluster.py covers two servers sharing Redis.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.http import http_date

from inlogov import caching
from publications.models import Publication
from tests.factories import future, make_publication, make_theme

LISTING = "/publications/"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PUBLIC_CACHE_SECONDS = 60
    caching._outage.update(until=0.0, warned_at=0.0, bump_on_recovery=False)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.ac.uk", "a long enough password", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_second_anonymous_request_is_served_from_cache_without_queries(client, django_assert_num_queries):
    make_publication("Co-production in social care")
    first = client.get(LISTING)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    assert "Co-production in social care" in first.text

    with django_assert_num_queries(0):
        second = client.get(LISTING)
    assert second.status_code == 200
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in second["Vary"]


@pytest.mark.django_db
def test_saving_a_publication_shows_the_new_title_on_the_next_request(client):
    publication = make_publication("Old title of the report")
    assert "Old title of the report" in client.get(LISTING).text

    publication.title = "New title of the report"
    publication.save()

    response = client.get(LISTING)
    assert response["X-Cache"] == "miss"
    assert "New title of the report" in response.text
    assert "Old title of the report" not in response.text


@pytest.mark.django_db
def test_deleting_a_publication_removes_it_on_the_next_request(client):
    kept = make_publication("A book that stays")
    gone = make_publication("A book that goes")
    assert "A book that goes" in client.get(LISTING).text

    gone.delete()

    response = client.get(LISTING)
    assert "A book that goes" not in response.text
    assert kept.title in response.text


@pytest.mark.django_db
def test_bulk_update_is_visible_after_bump_content_version(client):
    make_publication("Before the bulk edit")
    assert "Before the bulk edit" in client.get(LISTING).text

    # queryset.update() sends no signals: the cache still holds the old page...
    Publication.objects.update(title="After the bulk edit")
    stale = client.get(LISTING)
    assert stale["X-Cache"] == "hit"
    assert "Before the bulk edit" in stale.text

    # ...until the writer bumps the version, as the generator and bulk actions do.
    caching.bump_content_version()
    fresh = client.get(LISTING)
    assert fresh["X-Cache"] == "miss"
    assert "After the bulk edit" in fresh.text
    assert "Before the bulk edit" not in fresh.text


@pytest.mark.django_db
def test_relation_changes_bump_the_content_version():
    publication = make_publication("Themed book")
    theme = make_theme("Co-design")
    before = caching.current_state()["v"]
    publication.themes.add(theme)
    after_add = caching.current_state()["v"]
    publication.themes.remove(theme)
    after_remove = caching.current_state()["v"]
    assert len({before, after_add, after_remove}) == 3


@pytest.mark.django_db
def test_matching_etag_gets_304_before_any_query(client, django_assert_num_queries):
    make_publication("A conditional book")
    first = client.get(LISTING)
    etag = first["ETag"]

    with django_assert_num_queries(0):
        response = client.get(LISTING, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.django_db
def test_if_modified_since_gets_304_until_content_changes(client):
    make_publication("A dated book")
    first = client.get(LISTING)
    last_modified = first["Last-Modified"]

    assert client.get(LISTING, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    caching.bump_content_version()
    changed = client.get(LISTING, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert changed.status_code == 200
    assert "A dated book" in changed.text
    assert changed["Last-Modified"] != last_modified


@pytest.mark.django_db
def test_a_content_change_invalidates_the_etag(client):
    publication = make_publication("Original wording")
    etag = client.get(LISTING)["ETag"]

    publication.title = "Revised wording"
    publication.save()

    response = client.get(LISTING, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Revised wording" in response.text


@pytest.mark.django_db
def test_staff_never_receive_the_cached_anonymous_page(staff_client):
    make_publication("Seen by everyone")
    anonymous = Client()
    assert anonymous.get(LISTING)["X-Cache"] == "miss"
    # A change without signals: the anonymous cache keeps the old page, staff must not get it.
    Publication.objects.update(title="Only fresh pages show this")

    response = staff_client.get(LISTING)
    assert "Only fresh pages show this" in response.text
    assert "Seen by everyone" not in response.text
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    assert "ETag" not in response
    assert "X-Cache" not in response
    assert anonymous.get(LISTING)["X-Cache"] == "hit"


@pytest.mark.django_db
def test_staff_responses_are_never_stored_for_anonymous_visitors(staff_client):
    make_publication("Fresh for the public")
    staff_client.get(LISTING)
    anonymous = Client()
    response = anonymous.get(LISTING)
    assert response["X-Cache"] == "miss"
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.django_db
def test_admin_pages_are_never_cached(staff_client):
    anonymous = Client()
    for _ in range(2):
        login = anonymous.get("/admin/login/")
        assert login.status_code == 200
        assert "X-Cache" not in login
        assert "ETag" not in login
        assert "public" not in login.get("Cache-Control", "")
    index = staff_client.get("/admin/")
    assert index.status_code == 200
    assert "X-Cache" not in index
    assert index["Cache-Control"] == "private, no-store, max-age=0"


@pytest.mark.django_db
def test_scheduled_publication_appears_once_its_time_has_passed(client):
    make_publication("Scheduled for next week", publish_from=future(days=7))
    make_publication("Already public")
    caching.cache.clear()  # the next request computes the schedule from the database
    before = client.get(LISTING)
    assert "Already public" in before.text
    assert "Scheduled for next week" not in before.text
    assert client.get(LISTING)["X-Cache"] == "hit"

    later = timezone.now() + timedelta(days=8)
    with mock.patch("django.utils.timezone.now", return_value=later):
        after = client.get(LISTING)
    assert after["X-Cache"] == "miss"
    assert "Scheduled for next week" in after.text
    assert "Already public" in after.text


@pytest.mark.django_db
def test_item_scheduled_by_a_save_appears_without_any_further_write(client):
    make_publication("Public already")
    assert client.get(LISTING)["X-Cache"] == "miss"
    make_publication("Launch at noon", publish_from=future(days=1))
    assert "Launch at noon" not in client.get(LISTING).text

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=2)):
        assert "Launch at noon" in client.get(LISTING).text


def _anonymous_request():
    return RequestFactory().get(LISTING)


def test_pages_that_used_a_csp_nonce_are_not_stored():
    request = _anonymous_request()
    request._csp_nonce = "abc123"
    assert caching._is_storable(request, HttpResponse("<script nonce=abc123></script>")) is False
    assert caching._is_storable(_anonymous_request(), HttpResponse("plain page")) is True


def test_responses_that_set_cookies_or_say_private_are_not_stored():
    with_cookie = HttpResponse("page")
    with_cookie.set_cookie("csrftoken", "x")
    private = HttpResponse("page", headers={"Cache-Control": "private"})
    varies = HttpResponse("page", headers={"Vary": "Accept-Language"})
    missing = HttpResponse("gone", status=404)
    for response in (with_cookie, private, varies, missing):
        assert caching._is_storable(_anonymous_request(), response) is False


@pytest.mark.django_db
def test_query_count_header_only_when_asked_for(client, settings):
    make_publication("Counted")
    assert "X-Query-Count" not in client.get(LISTING)
    settings.BENCH_QUERY_HEADER = True
    caching.bump_content_version()
    cold = client.get(LISTING)
    assert int(cold["X-Query-Count"]) > 0
    assert client.get(LISTING)["X-Query-Count"] == "0"


@pytest.mark.django_db
def test_page_cache_off_serves_every_request_fresh(client, settings):
    settings.PAGE_CACHE = False
    make_publication("Uncached title")
    client.get(LISTING)
    Publication.objects.update(title="Changed without signals")
    response = client.get(LISTING)
    assert "Changed without signals" in response.text
    assert "X-Cache" not in response


def test_last_modified_is_in_http_date_form():
    state = {"v": "x", "at": 1_700_000_000, "next": None}
    response = HttpResponse("page")
    caching._add_validators(response, '"tag"', state)
    assert response["Last-Modified"] == http_date(1_700_000_000)
    assert response["ETag"] == '"tag"'


@pytest.mark.django_db
def test_browsers_with_different_accept_headers_share_one_cached_page(client):
    make_publication("One page for all browsers")
    assert client.get(LISTING, HTTP_ACCEPT="text/html")["X-Cache"] == "miss"
    assert client.get(LISTING, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")["X-Cache"] == "hit"


def test_api_responses_are_keyed_by_accept_header():
    factory = RequestFactory()
    json_request = factory.get("/api/v1/publications/", HTTP_ACCEPT="application/json")
    bibtex_request = factory.get("/api/v1/publications/", HTTP_ACCEPT="application/x-bibtex")
    assert caching._variant(json_request) != caching._variant(bibtex_request)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["q=%FF%FE", "q=%00", "page=-1", "page=99999999999999999999", "theme=" + "x" * 5000, "q=%E2%80%AE&q=a"],
)
def test_hostile_query_strings_never_break_the_cache(client, query):
    make_publication("Sturdy book")
    first = client.get(f"{LISTING}?{query}")
    second = client.get(f"{LISTING}?{query}")
    assert first.status_code < 500
    assert second.status_code == first.status_code
    assert second.content == first.content


@pytest.mark.django_db
def test_raw_invalid_utf8_in_the_query_string_is_not_a_server_error(client):
    make_publication("Sturdy book")
    # WSGI hands raw bytes over as latin-1 text: 0xFF 0xFE is not UTF-8.
    first = client.generic("GET", LISTING, QUERY_STRING="q=\xff\xfe")
    second = client.generic("GET", LISTING, QUERY_STRING="q=\xff\xfe")
    assert first.status_code < 500
    assert second.content == first.content
