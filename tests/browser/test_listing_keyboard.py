"""Keyboard-only use of the faceted listing in real headless Chromium (issue 4, acceptance 5).

Only Tab, Space and Enter are pressed: choose a theme and a kind, apply, go to the next page
and open a result. The URL must carry both filters (and keep them while paging), and the result
page's h1 must be the chosen publication's title.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import make_publication, make_theme

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def catalogue(transactional_db):
    theme = make_theme("Keyboard theme", slug="keyboard-theme")
    other = make_theme("Another theme", slug="another-theme")
    for number in range(25):
        make_publication(f"Keyboard report {number:02d}", year=2000 + number, kind="report", themes=[theme])
    for number in range(3):
        make_publication(f"Keyboard book {number}", year=2010 + number, kind="book", themes=[theme])
    for number in range(4):
        make_publication(f"Elsewhere report {number}", year=2019, kind="report", themes=[other])


def tab_to(page, selector, limit=250):
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def params(page):
    return parse_qs(urlsplit(page.url).query)


def test_keyboard_only_visitor_filters_pages_and_opens_a_result(page, live_server, catalogue):
    page.goto(live_server.url + "/publications/")
    assert page.locator("h2#results-heading").inner_text() == "32 publications"

    tab_to(page, 'input[name="theme"][value="keyboard-theme"]')
    page.keyboard.press("Space")
    tab_to(page, 'input[name="kind"][value="report"]')
    page.keyboard.press("Space")
    tab_to(page, "button.filter-form__apply")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The sort control belongs to the same form, so the current sort travels with the filters.
    assert params(page) == {"theme": ["keyboard-theme"], "kind": ["report"], "sort": ["newest"]}
    assert page.locator("h2#results-heading").inner_text() == "25 publications"
    # Each chip is one link whose accessible name says what it removes.
    assert page.locator(".chip").count() == 2
    assert page.get_by_role("link", name="Remove filter Theme: Keyboard theme", exact=True).count() == 1
    assert page.get_by_role("link", name="Remove filter Kind: Report", exact=True).count() == 1

    tab_to(page, 'a[rel="next"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page) == {"theme": ["keyboard-theme"], "kind": ["report"], "sort": ["newest"], "page": ["2"]}
    assert "Page 2 of 2" in page.locator(".pagination").inner_text()
    assert page.locator(".card__title a").all_inner_texts() == [
        "Keyboard report 04",
        "Keyboard report 03",
        "Keyboard report 02",
        "Keyboard report 01",
        "Keyboard report 00",
    ]

    tab_to(page, ".card__title a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path.startswith("/publications/")
    assert page.locator("h1").inner_text() == "Keyboard report 04"
