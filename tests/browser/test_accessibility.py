"""Accessibility of every public page type in real headless Chromium, with axe-core.

Each test loads the real starter content into the live server's database (transactional_db),
opens one page and asserts: zero axe violations (printed in full on failure), exactly one h1,
and for the home page a working skip link. The screenshot test writes the README's pictures.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Axe()
# WCAG 2.0/2.1/2.2 A and AA plus axe's best practices (landmarks, one h1, headings in order).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}

PAGES = {
    "home": "/",
    "publication listing with filters": "/publications/?theme=co-production&kind=handbook&kind=book",
    "case-study listing with filters": "/case-studies/?theme=co-production&service_area=social-care",
    "publication (book)": "/publications/co-production-of-public-services-and-outcomes/",
    "publication (chapter)": "/publications/the-four-cos/",
    "case study": "/case-studies/present-east-dunbartonshire/",
    "person": "/people/elke-loeffler/",
    "theme": "/themes/co-production/",
    "themes list": "/themes/",
    "people list": "/people/",
    "search results": "/search/?q=co-production",
    "404 page": "/no-such-page/",
}


@pytest.fixture
def starter(transactional_db):
    call_command("load_starter_content", verbosity=0)


def check_axe(page):
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if violations:
        print(results.generate_report())
    assert [v["id"] for v in violations] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations_and_one_h1(page, live_server, starter, name):
    response = page.goto(live_server.url + PAGES[name])
    assert response.status == (404 if name == "404 page" else 200)
    assert page.locator("h1").count() == 1
    check_axe(page)


def test_page_has_no_axe_violations_on_a_phone(page, live_server, starter):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + PAGES["publication (chapter)"])
    check_axe(page)
    # Nothing forces sideways scrolling at 320 px (WCAG 1.4.10 reflow).
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_skip_link_is_first_and_moves_focus_to_the_main_content(page, live_server, starter):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Skip to main content"]
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    # The fragment change can land a moment after the key press (CI once read the old URL).
    expect(page).to_have_url(re.compile(r"/#main$"))
    assert page.evaluate("document.activeElement.id") == "main"


def test_copy_citation_button_is_added_by_script_and_copies(page, live_server, starter):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + PAGES["publication (chapter)"])
    button = page.get_by_role("button", name="Copy APA 7th edition citation")
    button.click()
    expect(page.locator(".copy-status").first).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Loeffler, E. (2021). The four co")


SHOTS = {
    "home": "/",
    "publications-faceted": "/publications/?theme=co-production",
    "publication-detail": "/publications/the-four-cos/",
}


def test_screenshots_for_the_readme(page, live_server, starter, screenshots_dir):
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in SHOTS.items():
            page.goto(live_server.url + path)
            target = screenshots_dir / f"{name}-{width}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
