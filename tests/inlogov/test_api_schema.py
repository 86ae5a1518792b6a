"""Schemathesis against the generated OpenAPI schema, in process (issue 5, acceptance 3).

Every operation of /api/schema/ gets at least 100 generated requests against the WSGI app, on a
small database whose items match the schema's example slugs; each response must not be a server
error, must use a status code the schema documents, and must match the documented body schema.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.factories import (
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)


def _schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def test_generated_schema_is_valid_openapi_3_and_covers_every_endpoint():
    from drf_spectacular.validation import validate_schema

    raw = _schema()
    validate_schema(raw)  # raises on an invalid OpenAPI document
    assert raw["openapi"].startswith("3.")
    assert sorted(raw["paths"]) == [
        "/api/v1/",
        "/api/v1/case-studies/",
        "/api/v1/case-studies/{slug}/",
        "/api/v1/citations/bibtex/",
        "/api/v1/citations/csl-json/",
        "/api/v1/contributors/",
        "/api/v1/contributors/{slug}/",
        "/api/v1/facets/case-studies/",
        "/api/v1/facets/publications/",
        "/api/v1/publications/",
        "/api/v1/publications/{slug}/",
        "/api/v1/publications/{slug}/bibtex/",
        "/api/v1/publications/{slug}/csl-json/",
        "/api/v1/themes/",
        "/api/v1/themes/{slug}/",
    ]
    assert all(set(ops) == {"get"} for ops in raw["paths"].values()), "the API is read-only"


schema = schemathesis.openapi.from_dict(_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def in_test_transaction():
    """Keep Django from closing the test's database connection between requests.

    The real WSGI handler closes "old" connections at the start and end of each request; inside a
    test transaction that would close the connection holding the test data (PostgreSQL). Django's
    own test client switches this off the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_content(db, monkeypatch, in_test_transaction):
    """A small database shaped like the starter content: the slugs the schema gives as examples
    exist with every kind of relation, beside a draft of each type."""
    # Throttling has its own test; here it would turn generated requests into 429s.
    monkeypatch.setattr(AnonRateThrottle, "rate", "1000000/minute", raising=False)
    parent = make_theme("Co-production", slug="co-production")
    co_delivery = make_theme("Co-delivery", parent=parent, slug="co-delivery")
    make_theme("Draft theme", parent=parent, status="draft", slug="draft-theme")
    elke = make_contributor("Elke", "Loeffler", slug="elke-loeffler", orcid="0000-0002-1825-0097")
    elke.expertise.set([parent])
    tony = make_contributor("Tony", "Bovaird", slug="tony-bovaird", website="https://example.org/")
    ghost = make_contributor("Draft", "Person", status="draft", slug="draft-person")
    book = make_publication(
        "Co-Production of Public Services and Outcomes", slug="co-production-of-public-services",
        themes=[parent], contributors=[elke, ghost], doi="10.1007/978-3-030-55509-2",
        publisher="Palgrave Macmillan", place="Cham", url="https://example.org/book",
    )
    make_publication(
        "The Four Co's", slug="the-four-cos", kind="chapter", parent=book, pages="75-176",
        themes=[parent, co_delivery], contributors=[(elke, "author"), (tony, "editor")],
        is_open_access=True,
    )
    make_publication("Draft chapter", status="draft", kind="chapter", parent=book, slug="draft-chapter")
    make_publication("Report", kind="report", year=2022, isbn="9781910029787", contributors=[tony])
    make_case_study(
        "CI.VI.VO.", slug="civivo-rimini", country="IT", locality="Rimini", year_started=2010,
        themes=[parent, co_delivery], service_areas=[make_service_area("Community safety")],
        publications=[book], contributors=[elke, ghost], organisations="Comune di Rimini\nVolunteers",
    )
    make_case_study("Draft case", status="draft", slug="draft-case", publications=[book])


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, api_content):
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )
