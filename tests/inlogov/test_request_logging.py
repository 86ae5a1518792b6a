"""Structured request logging: one JSON line per request that a log pipeline can parse."""

import json
import logging

import pytest
from django.test.utils import CaptureQueriesContext

from inlogov.logging import JsonFormatter
from tests.factories import make_contributor, make_publication


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def request_log():
    """Records of the `inlogov.request` logger (it does not propagate to pytest's caplog)."""
    handler = _Records()
    logger = logging.getLogger("inlogov.request")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_method_path_status_and_duration(client, request_log, settings):
    settings.DEBUG = False
    settings.LOG_QUERY_COUNT = False
    make_publication("Logged book", contributors=[make_contributor()])
    client.get("/publications/?q=secret+search")
    assert len(request_log) == 1
    line = json.loads(JsonFormatter().format(request_log[0]))
    assert line["logger"] == "inlogov.request"
    assert line["level"] == "INFO"
    assert line["message"] == "GET /publications/ 200"
    assert line["method"] == "GET"
    assert line["path"] == "/publications/"  # the query string is not logged
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "query_count" not in line


def test_not_found_is_logged_with_its_status(client, request_log):
    client.get("/healthz/nope")
    assert [(r.method, r.path, r.status) for r in request_log] == [("GET", "/healthz/nope", 404)]


@pytest.mark.django_db
def test_query_count_is_logged_when_asked_for(client, request_log, settings):
    settings.LOG_QUERY_COUNT = True
    make_publication("Counted book", contributors=[make_contributor()])
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        client.get("/publications/")
    assert len(request_log) == 1
    assert request_log[0].query_count == len(queries) > 0


@pytest.mark.django_db
def test_query_count_is_logged_in_debug(client, request_log, settings):
    settings.DEBUG = True
    settings.LOG_QUERY_COUNT = False
    client.get("/readyz")
    assert request_log[0].query_count >= 1


def test_server_errors_are_logged_as_warnings(client, request_log, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.inlogov.test_outage.BuggyMiddleware"]
    client.raise_request_exception = False
    client.get("/themes/")
    assert request_log[0].levelname == "WARNING"
    assert request_log[0].status == 500


def test_unhandled_errors_are_logged_as_one_json_object_with_the_traceback(client, settings):
    handler = _Records()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.inlogov.test_outage.BuggyMiddleware"]
        client.raise_request_exception = False
        client.get("/themes/")
    finally:
        logger.removeHandler(handler)
    errors = [record for record in handler.records if record.levelname == "ERROR"]
    assert len(errors) == 1
    line = JsonFormatter().format(errors[0])
    assert "\n" not in line  # one line, even with a multi-line traceback inside
    entry = json.loads(line)
    assert entry["message"] == "Internal Server Error: /themes/"
    assert entry["status_code"] == 500
    assert "ValueError: a bug, not an outage" in entry["exception"]
