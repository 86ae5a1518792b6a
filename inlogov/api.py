"""The public REST API, mounted at /api/ (see docs/api.md).

    /api/v1/            root: the resources and where the schema and docs are
    /api/v1/<resource>/ publications, contributors, themes, case-studies (read-only, by slug)
    /api/v1/facets/...  facet counts; /api/v1/citations/... publication lists as CSL-JSON, BibTeX
    /api/schema/        OpenAPI 3 schema (drf-spectacular; ?format=json for JSON)
    /api/docs/          Swagger UI, served from the site (sidecar assets, no inline scripts)

The version is in the path. Anything else under /api/ is a JSON 404.
"""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from inlogov.api_base import JsonOnlyNegotiation
from inlogov.api_errors import api_not_found
from people.api import ContributorViewSet
from publications.api import (
    CaseStudyFacetsView,
    CaseStudyViewSet,
    PublicationBibtexView,
    PublicationCslJsonView,
    PublicationFacetsView,
    PublicationViewSet,
)
from themes.api import ThemeViewSet

app_name = "api"

router = SimpleRouter()
router.register("publications", PublicationViewSet, basename="publication")
router.register("contributors", ContributorViewSet, basename="contributor")
router.register("themes", ThemeViewSet, basename="theme")
router.register("case-studies", CaseStudyViewSet, basename="case-study")

_URI = serializers.URLField()


class ApiRootView(APIView):
    """Where everything is: one URL per resource, plus the schema and the documentation."""

    content_negotiation_class = JsonOnlyNegotiation

    @extend_schema(
        summary="API root",
        description="Links to every resource of version 1, the OpenAPI schema and the docs.",
        responses={
            200: inline_serializer(
                name="ApiRoot",
                fields={
                    "version": serializers.CharField(),
                    "publications": _URI,
                    "contributors": _URI,
                    "themes": _URI,
                    "case_studies": _URI,
                    "publication_facets": _URI,
                    "case_study_facets": _URI,
                    "publications_csl_json": _URI,
                    "publications_bibtex": _URI,
                    "schema": _URI,
                    "docs": _URI,
                },
            )
        },
    )
    def get(self, request):
        def url(name):
            return reverse(f"api:{name}", request=request)

        return Response(
            {
                "version": "v1",
                "publications": url("publication-list"),
                "contributors": url("contributor-list"),
                "themes": url("theme-list"),
                "case_studies": url("case-study-list"),
                "publication_facets": url("publication-facets"),
                "case_study_facets": url("case-study-facets"),
                "publications_csl_json": url("publication-csl-json-list"),
                "publications_bibtex": url("publication-bibtex-list"),
                "schema": url("schema"),
                "docs": url("docs"),
            }
        )


urlpatterns = [
    path("v1/", ApiRootView.as_view(), name="root"),
    path("v1/", include(router.urls)),
    path("v1/facets/publications/", PublicationFacetsView.as_view(), name="publication-facets"),
    path("v1/facets/case-studies/", CaseStudyFacetsView.as_view(), name="case-study-facets"),
    path("v1/citations/csl-json/", PublicationCslJsonView.as_view(), name="publication-csl-json-list"),
    path("v1/citations/bibtex/", PublicationBibtexView.as_view(), name="publication-bibtex-list"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<path>.*)$", api_not_found),
]
