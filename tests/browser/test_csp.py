"""The Content-Security-Policy blocks nothing the site needs, in a real browser.

The header tests (tests/inlogov/test_security.py) prove the policy is strict; these prove that
pages still work under it: Chromium reports every blocked script, style or connection as a
`securitypolicyviolation` event, and there must be none. The admin's editing screens are
covered the same way by tests/browser/test_admin_editing.py.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import make_case_study, make_contributor, make_publication, make_theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def _violations(page):
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def watched_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.console_errors = console
    return page


def test_api_docs_render_under_the_csp(live_server, watched_page):
    make_publication("Handbook", contributors=[make_contributor()])
    response = watched_page.goto(f"{live_server.url}/api/docs/")
    assert response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    # Swagger UI builds the operation list with JavaScript: it is only there if its scripts ran.
    expect(watched_page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/publications/").first).to_be_visible(
        timeout=15000
    )
    assert _violations(watched_page) == []
    assert not [e for e in watched_page.console_errors if "Content Security Policy" in e]


@pytest.mark.parametrize("path", ["/", "/publications/", "/case-studies/walsall/", "/admin/login/"])
def test_public_pages_and_admin_login_have_no_csp_violations(live_server, watched_page, path):
    theme = make_theme("Co-production")
    make_case_study("Walsall", slug="walsall", themes=[theme], publications=[make_publication("Handbook", themes=[theme])])
    response = watched_page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    watched_page.wait_for_load_state("networkidle")
    assert _violations(watched_page) == []
    assert not [e for e in watched_page.console_errors if "Content Security Policy" in e]
