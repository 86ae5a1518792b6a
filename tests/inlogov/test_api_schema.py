"""Schemathesis against the generated OpenAPI schema, in process (issue 5, acceptance 3).

Every operation of /api/schema/ gets at least 100 generated requests against the WSGI app with
the starter content loaded plus a draft of each type; each response must not be a server error,
must use a status code the schema documents, and must match the documented body schema.
"""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.api_helpers import load_starter
from tests.factories import make_case_study, make_contributor, make_publication, make_theme


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
def api_content(db, monkeypatch):
    # Throttling has its own test; here it would turn generated requests into 429s.
    monkeypatch.setattr(AnonRateThrottle, "rate", "1000000/minute", raising=False)
    load_starter()
    make_theme("Draft theme", status="draft", slug="draft-theme")
    draft_person = make_contributor("Draft", "Person", status="draft", slug="draft-person")
    make_publication("Draft book", status="draft", slug="draft-book", contributors=[draft_person])
    make_case_study("Draft case", status="draft", slug="draft-case")


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
