"""Security configuration and headers (acceptance point 1 of the hardening issue).

`check --deploy` runs in a subprocess with a production environment, so it checks the settings a
deployment would really load. Header tests cover a public page, a listing, the API, the admin
login and the health endpoint; cookie tests load the settings module with DJANGO_HTTPS=true.
"""

import importlib
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from tests.factories import (
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)

REPO = Path(__file__).resolve().parents[2]
PUBLIC_PATHS = ["/", "/publications/", "/admin/login/", "/healthz", "/no-such-page/"]
API_PATHS = ["/api/v1/", "/api/v1/publications/", "/api/docs/"]


def _routed(path):
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _production_env(**overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_HTTPS="true",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="research.inlogov.example",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


# --- check --deploy -------------------------------------------------------------------------


def test_check_deploy_passes_without_warnings_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_fails_on_a_weak_secret_key():
    # Proves the check above is live: a weak key is a warning, and warnings fail.
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(DJANGO_SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_production_env(DJANGO_SECRET_KEY=None))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


# --- Headers on every response --------------------------------------------------------------


def _csp(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def _assert_security_headers(response, path):
    policy = _csp(response)
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts, path
    assert "'unsafe-eval'" not in scripts, path
    assert "'self'" in scripts, path
    # django-csp adds 'nonce-...' only to pages that use it; the sentinel never leaks verbatim.
    assert "'nonce'" not in scripts, path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["object-src"] == ["'none'"], path
    assert policy["base-uri"] == ["'self'"], path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", path
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", path


@pytest.fixture
def some_content(db):
    author = make_contributor("Elke", "Loeffler")
    make_publication("Co-production of public services", contributors=[author])


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_security_headers_on_public_pages(client, some_content, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    _assert_security_headers(response, path)
    # Plain HTTP in tests: no HSTS unless the request is secure.
    assert "Strict-Transport-Security" not in response


@pytest.mark.parametrize("path", API_PATHS)
def test_security_headers_on_the_api(client, some_content, path):
    if not _routed(path):
        pytest.fail(f"{path} is not routed: the API (issue 5) must be mounted at /api/v1/")
    response = client.get(path)
    assert response.status_code == 200
    _assert_security_headers(response, path)


@pytest.fixture
def https_settings(settings, monkeypatch):
    """The security settings exactly as inlogov/settings.py computes them with DJANGO_HTTPS=true."""
    import inlogov.settings as settings_module

    monkeypatch.setenv("DJANGO_HTTPS", "true")
    monkeypatch.delenv("DJANGO_HSTS_SECONDS", raising=False)
    try:
        # reload() re-executes the same module object: copy the values before reloading back.
        reloaded = importlib.reload(settings_module)
        production = {
            name: getattr(reloaded, name)
            for name in dir(reloaded)
            if name.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_"))
        }
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)
    for name, value in production.items():
        setattr(settings, name, value)
    return settings


def test_https_settings_switch_on_hsts_redirect_and_secure_cookies(https_settings):
    assert https_settings.SECURE_HSTS_SECONDS == 31536000
    assert https_settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert https_settings.SECURE_SSL_REDIRECT is True
    assert https_settings.SESSION_COOKIE_SECURE is True
    assert https_settings.CSRF_COOKIE_SECURE is True


@pytest.mark.parametrize("path", ["/", "/publications/", "/admin/login/"])
def test_hsts_is_sent_on_secure_requests_when_https_is_on(client, some_content, https_settings, path):
    response = client.get(path, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _assert_security_headers(response, path)


def test_plain_http_is_redirected_to_https_except_health_probes(client, some_content, https_settings):
    response = client.get("/publications/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/publications/?page=2"
    assert client.get("/healthz").status_code == 200


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite_under_https(client, db, https_settings):
    user = get_user_model().objects.create_user("editor", password="a-long-test-password-1729", is_staff=True)
    assert user.is_staff
    page = client.get("/admin/login/", secure=True)
    assert page.status_code == 200
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/",
        {"username": "editor", "password": "a-long-test-password-1729", "next": "/admin/"},
        secure=True,
    )
    assert response.status_code == 302
    session = client.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


# --- The admin under the Content-Security-Policy ---------------------------------------------

# Inline <script> blocks that are data, not code, are allowed by CSP without a nonce. (An import
# map is not data: browsers apply script-src to it, so it needs the nonce.)
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _ScriptCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._current = {"attrs": dict(attrs), "body": ""}
        attributes = dict(attrs)
        for name in attributes:
            # Inline event handlers (onclick=...) are inline script too and a nonce cannot cover them.
            if name.startswith("on"):
                self.scripts.append({"attrs": {"handler": f"<{tag} {name}=...>"}, "body": attributes[name]})

    def handle_data(self, data):
        if self._current is not None:
            self._current["body"] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._current is not None:
            self.scripts.append(self._current)
            self._current = None


def inline_script_violations(response):
    """Inline scripts in the page that the response's CSP would block."""
    nonces = re.findall(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
    collector = _ScriptCollector()
    collector.feed(response.content.decode())
    problems = []
    for script in collector.scripts:
        attrs = script["attrs"]
        if "handler" in attrs:
            problems.append(attrs["handler"])
            continue
        if attrs.get("src"):
            continue
        if attrs.get("type") in DATA_SCRIPT_TYPES:
            continue
        if attrs.get("nonce") and attrs["nonce"] in nonces:
            continue
        problems.append(f"<script {attrs}>{script['body'][:80]}")
    return problems


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", "a-long-test-password-1729")
    client.force_login(user)
    return client


def _admin_urls():
    """Index, and the changelist, add form and change form of every model in the admin."""
    theme = make_theme("Co-production")
    area = make_service_area("Social care")
    person = make_contributor("Tony", "Bovaird")
    person.expertise.set([theme])
    publication = make_publication("The Palgrave Handbook", contributors=[person], themes=[theme], service_areas=[area])
    case = make_case_study("Walsall", publications=[publication], contributors=[person], themes=[theme])
    examples = {obj._meta.label: obj for obj in (theme, area, person, publication, case)}
    examples["auth.User"] = get_user_model().objects.get(username="chief")
    urls = ["/admin/"]
    request = RequestFactory().get("/admin/")
    request.user = examples["auth.User"]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        views = ["changelist"]
        if model_admin.has_add_permission(request):  # django-axes' logs are read-only
            views.append("add")
        for view in views:
            try:
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
            except NoReverseMatch:
                continue
        example = examples.get(opts.label)
        if example is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[example.pk]))
    return urls


def test_admin_login_page_has_no_inline_scripts(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert inline_script_violations(response) == []
    _assert_security_headers(response, "/admin/login/")


def test_admin_pages_have_no_inline_scripts_that_the_csp_would_block(admin_client):
    urls = _admin_urls()
    # The content models' forms are the ones with rich-text editors and sortable inlines.
    for label in ("publications/publication", "people/contributor", "publications/casestudy", "themes/theme"):
        assert any(f"/admin/{label}/" in url and url.endswith("/change/") for url in urls), label
    problems = {}
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        _assert_security_headers(response, url)
        found = inline_script_violations(response)
        if found:
            problems[url] = found
    assert problems == {}


def test_api_docs_page_has_no_inline_scripts(client, db):
    if not _routed("/api/docs/"):
        pytest.fail("/api/docs/ is not routed: the API (issue 5) must serve its documentation there")
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert inline_script_violations(response) == []


def test_inline_script_scanner_catches_unsafe_scripts():
    from django.http import HttpResponse

    response = HttpResponse(
        '<script>alert(1)</script><script nonce="abc">ok()</script><script nonce="forged">x()</script>'
        '<script type="application/ld+json">{}</script><script src="/static/x.js"></script>'
        '<button onclick="steal()">Go</button>'
    )
    response["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
    problems = inline_script_violations(response)
    assert len(problems) == 3
    assert "alert(1)" in problems[0]
    assert "x()" in problems[1]
    assert problems[2] == "<button onclick=...>"
