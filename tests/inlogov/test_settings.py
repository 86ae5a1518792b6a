"""Configuration from the environment: safe defaults, loud failures, and the database switch.

Each case starts Django in a fresh subprocess with a controlled environment, because settings
are read once at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_DATABASE = (
    "import django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; print(db['ENGINE'], db['NAME'], settings.DEBUG)"
)


def start_django(code=PRINT_DATABASE, **env):
    """Run `code` after django.setup() with only the given settings variables set."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_")
        and key not in {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "DATABASE_PREPARED_STATEMENTS"}
    }
    base["DJANGO_SETTINGS_MODULE"] = "inlogov.settings"
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def test_debug_is_off_unless_asked_for():
    result = start_django(DJANGO_SECRET_KEY="k", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"


def test_missing_secret_key_with_debug_off_stops_start_up_with_a_clear_message():
    result = start_django(DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set." in result.stderr
    assert "set DJANGO_DEBUG=true for local development" in result.stderr


def test_missing_allowed_hosts_with_debug_off_stops_start_up_with_a_clear_message():
    result = start_django(DJANGO_SECRET_KEY="k")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_ALLOWED_HOSTS is not set." in result.stderr


def test_manage_py_check_refuses_to_run_without_a_secret_key():
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, "DJANGO_ALLOWED_HOSTS": "example.org"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_on_needs_neither_secret_key_nor_allowed_hosts():
    code = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    result = start_django(code, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['localhost', '127.0.0.1', '[::1]']"


def test_malformed_boolean_stops_start_up_naming_the_variable():
    result = start_django(DJANGO_DEBUG="maybe", DJANGO_SECRET_KEY="k", DJANGO_ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of true/false/1/0/yes/no, not 'maybe'." in result.stderr


def test_sqlite_is_used_when_database_url_is_unset(tmp_path):
    result = start_django(
        DJANGO_SECRET_KEY="k", DJANGO_ALLOWED_HOSTS="x", SQLITE_PATH=str(tmp_path / "hub.sqlite3")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.sqlite3", str(tmp_path / "hub.sqlite3")]


def test_database_url_switches_to_postgresql():
    result = start_django(
        DJANGO_SECRET_KEY="k",
        DJANGO_ALLOWED_HOSTS="x",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/inlogov_settings_check",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "inlogov_settings_check"]


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_that_database_url_names():
    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    assert connection.vendor == expected


PRINT_OPTIONS = (
    "import django; django.setup(); from django.conf import settings; "
    "o = settings.DATABASES['default'].get('OPTIONS', {}); "
    "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "None None"), ("false", "None None"), ("true", "True 1")]
)
def test_prepared_statements_are_off_unless_asked_for(value, expected):
    env = {"DJANGO_SECRET_KEY": "k", "DJANGO_ALLOWED_HOSTS": "example.org",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused"}
    if value is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = value
    result = start_django(PRINT_OPTIONS, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == expected


def test_a_malformed_prepared_statements_switch_stops_start_up():
    result = start_django(
        DJANGO_SECRET_KEY="k", DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused", DATABASE_PREPARED_STATEMENTS="sometimes",
    )
    assert result.returncode != 0
    assert "DATABASE_PREPARED_STATEMENTS must be one of true/false" in result.stderr


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts threads through Linux's /proc")
def test_numpy_starts_no_thread_pool_in_a_worker():
    # The facet counts import numpy in every worker; its OpenBLAS would start a thread per core
    # that nothing uses (settings set OPENBLAS_NUM_THREADS=1 unless the deployment says).
    code = (
        "import os, django; django.setup(); import django.urls; django.urls.resolve('/'); "
        "import numpy; print(len(os.listdir('/proc/self/task')))"
    )
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    with mock.patch.dict(os.environ, base, clear=True):
        result = start_django(code, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "1"
