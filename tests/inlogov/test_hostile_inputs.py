"""Hostile input against every public URL: never a server error (acceptance point 3, first part).

To cover a new page or endpoint, add its path to PAGES, DETAILS or API below; every hostile value
is then sent to it in every parameter the site knows, alone and all at once, plus malformed
paths. A response must be a normal page or one of the documented 4xx codes, never a 5xx, and an
HTML page must never echo markup from the request unescaped.
"""

import pytest

from tests.factories import make_case_study, make_contributor, make_publication, make_service_area, make_theme

# Public pages, with a known slug where the page is a detail page (see `known_content`).
PAGES = [
    "/",
    "/publications/",
    "/case-studies/",
    "/people/",
    "/themes/",
    "/search/",
    "/publications/handbook/",
    "/case-studies/walsall/",
    "/people/elke-loeffler/",
    "/themes/co-production/",
    "/publications/handbook/cite.bib",
    "/publications/handbook/cite.ris",
    "/publications/handbook/cite.json",
    "/feeds/publications/",
    "/feeds/themes/co-production/publications/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/readyz",
]
# Detail URL patterns: `{}` receives unknown, malformed and oversized slugs.
DETAILS = [
    "/publications/{}/",
    "/case-studies/{}/",
    "/people/{}/",
    "/themes/{}/",
    "/publications/{}/cite.bib",
    "/feeds/themes/{}/publications/",
    "/api/v1/publications/{}/",
    "/api/v1/contributors/{}/",
    "/api/v1/themes/{}/",
    "/api/v1/case-studies/{}/",
]
API = [
    "/api/v1/",
    "/api/v1/publications/",
    "/api/v1/contributors/",
    "/api/v1/themes/",
    "/api/v1/case-studies/",
    "/api/v1/publications/handbook/",
    "/api/schema/",
]

# Every query parameter any page or endpoint reads, plus some that none does.
PARAMS = [
    "q", "page", "page_size", "sort", "ordering", "theme", "kind", "year", "year_from", "year_to",
    "contributor", "open_access", "service_area", "country", "format", "facets", "cursor", "limit",
    "offset", "fields", "expand", "next", "callback",
]

# Raw query-string fragments (already URL-encoded where they need to be).
HOSTILE = [
    "",
    "-1",
    "0",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "2021.5",
    "true",
    "%00",  # NUL
    "%01%02%1B%7F",  # control characters
    "%FF%FE%C0%AF",  # invalid UTF-8
    "%E2%80%AE%F0%9F%92%A5",  # right-to-left override and an emoji
    "'%20OR%20'1'%3D'1'%20--",  # SQL-looking
    "1%3BDROP%20TABLE%20publications_publication",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",  # <script>alert(1)</script>
    "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",  # "><img src=x onerror=alert(1)>
    "..%2F..%2Fetc%2Fpasswd",
    "%0D%0ASet-Cookie:%20x%3Dy",  # header injection attempt
    "x" * 5000,  # very long
    "a%2Cb%2C" * 300,  # long comma list
    "[]",
    "{%22%24gt%22:1}",
]
ECHO_MARKERS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
ALLOWED = {200, 301, 302, 304, 400, 404, 405, 406}

BAD_SLUGS = [
    "no-such-item",
    "x" * 3000,
    "%00",
    "%FF%FE",
    "..%2F..%2Fetc",
    "%3Cscript%3E",
    "9" * 40,
    "-",
    "UPPER-case",
]


@pytest.fixture
def known_content(db):
    theme = make_theme("Co-production", slug="co-production")
    person = make_contributor("Elke", "Loeffler", slug="elke-loeffler")
    publication = make_publication("Handbook", slug="handbook", themes=[theme], contributors=[person])
    make_case_study(
        "Walsall", slug="walsall", themes=[theme], service_areas=[make_service_area("Health")],
        publications=[publication], contributors=[person],
    )


def _check(response, url):
    assert response.status_code < 500, url
    assert response.status_code in ALLOWED, (url, response.status_code)
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        body = response.content.decode("utf-8", "replace")
        for marker in ECHO_MARKERS:
            assert marker not in body, f"unescaped request markup echoed by {url}"


# Pages whose parameters drive queries get every value in each parameter alone as well; the
# others (details, feeds, health) get the combined requests only, to keep the suite quick.
FILTERED = {"/", "/publications/", "/case-studies/", "/people/", "/themes/", "/search/"} | {
    path for path in API if path.count("/") == 4
}


def _hostile_queries(path):
    for index, value in enumerate(HOSTILE):
        yield "&".join(f"{param}={value}" for param in PARAMS)  # everything at once
        if path in FILTERED:
            yield f"{PARAMS[index % len(PARAMS)]}={value}"  # one parameter alone
    # Repeated and conflicting parameters, and oversized pages.
    yield "page=1&page=2&page=-3&sort=title&sort=-year&sort=nonsense"
    yield "page=999999999&page_size=1000000&limit=1000000"
    yield "year_from=2030&year_to=1900&open_access=maybe&open_access=true"
    yield "&".join(f"theme=t{i}" for i in range(300))
    yield "q" + "&q" * 200
    yield "=&&==&%3D%3D"


@pytest.mark.parametrize("path", PAGES + API)
def test_hostile_query_strings_never_cause_a_server_error(client, known_content, path):
    for query in _hostile_queries(path):
        url = f"{path}?{query}"
        _check(client.get(url), url)


@pytest.mark.parametrize("pattern", DETAILS)
def test_unknown_and_malformed_slugs_answer_404_not_500(client, known_content, pattern):
    for slug in BAD_SLUGS:
        url = pattern.format(slug)
        response = client.get(url)
        _check(response, url)
        assert response.status_code == 404, url


@pytest.mark.parametrize("path", ["/publications/", "/api/v1/publications/", "/healthz", "/"])
def test_unexpected_methods_are_refused_cleanly(client, known_content, path):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(path, data="x" * 2000, content_type="application/octet-stream")
        assert response.status_code in {403, 405}, (method, path, response.status_code)


@pytest.mark.parametrize("path", ["/publications/", "/api/v1/publications/"])
def test_hostile_headers_never_cause_a_server_error(client, known_content, path):
    headers = [
        {"HTTP_ACCEPT": "application/xml;q=2, */*;q=nonsense"},
        {"HTTP_ACCEPT_LANGUAGE": "x" * 3000},
        {"HTTP_IF_NONE_MATCH": '"' + "a" * 2000},
        {"HTTP_IF_MODIFIED_SINCE": "yesterday-ish"},
        {"HTTP_USER_AGENT": "\x00\x01"},
        {"HTTP_COOKIE": "sessionid=' OR 1=1 --; csrftoken=%FF"},
        {"HTTP_X_FORWARDED_FOR": "not-an-ip, 999.999.1.1"},
    ]
    for extra in headers:
        response = client.get(path, **extra)
        _check(response, f"{path} {extra}")
