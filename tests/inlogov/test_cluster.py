"""Two gunicorn app servers sharing PostgreSQL and Redis: an edit made through one is visible
through the other on the very next request.

Runs on the PostgreSQL pass of CI only (it needs a database two processes can share). It makes
its own database and Redis key prefix, so it never touches the developer's or CI's data.
"""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CLUSTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "cluster-test-password-not-secret"  # noqa: S105 (throwaway database)


def _redis_answers():
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _requirements():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL (DATABASE_URL): two servers cannot share the SQLite test run")
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}; .ci/run starts it")
        pytest.skip(f"needs Redis at {REDIS_URL}")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


class _FormFields(HTMLParser):
    """Every successful control of the form with the given id: what a browser would post."""

    def __init__(self, form_id):
        super().__init__()
        self._form_id = form_id
        self.fields = []
        self._in_form = False
        self._select = None
        self._select_first = None
        self._select_chose = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self._form_id:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chose = name, None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.fields.append((self._select, value))
                self._select_chose = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chose and not self._multiple and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None


@pytest.fixture(scope="module")
def cluster():
    _requirements()
    import psycopg

    base_url = os.environ["DATABASE_URL"]
    name = f"inlogov_cluster_{os.getpid()}"
    admin_url = _with_database(base_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": _with_database(base_url, name),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"cluster-test-{uuid.uuid4().hex[:12]}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "cluster-test-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PAGE_CACHE": "true",
        "BENCH_QUERY_HEADER": "true",
        "AXES_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    servers = []
    try:
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=180)
        setup = (
            "from django.contrib.auth import get_user_model\n"
            "from themes.models import Theme\n"
            "get_user_model().objects.create_superuser('cluster', 'cluster@example.ac.uk', "
            f"'{PASSWORD}')\n"
            "Theme.objects.create(name='Cluster co-design', slug='cluster-co-design', "
            "description='<p>Working together on services.</p>', status='published', order=1)\n"
            "Theme.objects.create(name='Cluster co-delivery', slug='cluster-co-delivery', "
            "description='<p>Delivering services together.</p>', status='published', order=2)\n"
        )
        subprocess.run([*manage, "shell", "-c", setup], env=env, cwd=ROOT, check=True, timeout=60)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [gunicorn, "inlogov.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                 "--log-level", "warning"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            servers.append((process, f"http://127.0.0.1:{port}"))
        import requests

        deadline = time.monotonic() + 60
        for process, url in servers:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"gunicorn at {url} exited: {process.stderr.read().decode()[-2000:]}")
                try:
                    if _http().get(url + "/themes/", timeout=10).status_code == 200:
                        break
                except requests.RequestException:
                    pass  # still starting: the first request imports and connects
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn at {url} did not answer within 60 s")
                time.sleep(0.2)
        yield [url for _, url in servers]
    finally:
        for process, _ in servers:
            process.terminate()
        for process, _ in servers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*"):
            client.delete(key)


def _http():
    """A client that ignores proxy settings in the environment: the servers are on loopback."""
    import requests

    session = requests.Session()
    session.trust_env = False
    return session


def _admin_session(server):
    session = _http()
    page = session.get(server + "/admin/login/", timeout=10)
    token = session.cookies["csrftoken"]
    assert page.status_code == 200
    response = session.post(
        server + "/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "cluster", "password": PASSWORD, "next": "/admin/"},
        headers={"Referer": server + "/admin/login/"},
        timeout=10,
    )
    assert response.status_code == 200 and response.url.endswith("/admin/"), "admin login failed"
    return session


def _theme_admin_url(session, server, slug):
    changelist = session.get(server + "/admin/themes/theme/", timeout=10).text
    ids = re.findall(r'href="/admin/themes/theme/(\d+)/change/[^"]*"[^>]*>([^<]+)<', changelist)
    wanted = {"cluster-co-design": "Cluster co-design", "cluster-co-delivery": "Cluster co-delivery"}[slug]
    for pk, label in ids:
        if label.strip().startswith(wanted):
            return f"{server}/admin/themes/theme/{pk}/"
    raise AssertionError(f"theme {slug} not in the admin changelist")


def _warm(server, path):
    _http().get(server + path, timeout=10)
    again = _http().get(server + path, timeout=10)
    assert again.headers["X-Cache"] == "hit", "server B should be serving this page from its cache"
    assert again.headers["X-Query-Count"] == "0"
    return again


def test_theme_renamed_through_server_a_shows_on_server_b_at_once(cluster):
    server_a, server_b = cluster
    before = _warm(server_b, "/themes/")
    assert "Cluster co-design" in before.text
    _warm(server_a, "/themes/")

    session = _admin_session(server_a)
    change_url = _theme_admin_url(session, server_a, "cluster-co-design") + "change/"
    form = _FormFields("theme_form")  # the admin's change form (not the logout form)
    form.feed(session.get(change_url, timeout=10).text)
    data = [(k, v) for k, v in form.fields if k != "name"] + [("name", "Cluster co-design (renamed)")]
    saved = session.post(change_url, data=data, headers={"Referer": change_url}, timeout=10)
    assert saved.status_code == 200
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', saved.text, re.S)
    assert urlsplit(saved.url).path == "/admin/themes/theme/", f"the admin refused the change: {errors}"

    after = _http().get(server_b + "/themes/", timeout=10)
    assert after.status_code == 200
    assert after.headers["X-Cache"] == "miss"
    assert "Cluster co-design (renamed)" in after.text


def test_theme_deleted_through_server_a_disappears_from_server_b_at_once(cluster):
    server_a, server_b = cluster
    assert "Cluster co-delivery" in _warm(server_b, "/themes/").text

    session = _admin_session(server_a)
    delete_url = _theme_admin_url(session, server_a, "cluster-co-delivery") + "delete/"
    confirm = session.get(delete_url, timeout=10)
    assert confirm.status_code == 200
    deleted = session.post(
        delete_url,
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], "post": "yes"},
        headers={"Referer": delete_url},
        timeout=10,
    )
    assert deleted.status_code == 200

    after = _http().get(server_b + "/themes/", timeout=10)
    assert after.headers["X-Cache"] == "miss"
    assert "Cluster co-delivery" not in after.text
    detail = _http().get(server_b + "/themes/cluster-co-delivery/", timeout=10)
    assert detail.status_code == 404
