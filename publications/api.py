"""API v1 publications and case studies.

Filtering uses the same FilterSets as the public listing pages (`publications/filters.py`, one
grammar for HTML, API, exports and feeds); an invalid parameter is a 400 naming it. Facet counts
come from `inlogov.faceting` with the same semantics as the HTML facets. Publications are also
exported as CSL-JSON and BibTeX, one item or a filtered, paginated list.

Routes under /api/v1/ (list-level extras live outside /publications/ so that no word is ever
mistaken for a slug):
    publications/, publications/<slug>/         list, detail
    publications/<slug>/csl-json/, .../bibtex/  one publication as CSL-JSON / BibTeX
    case-studies/, case-studies/<slug>/         list, detail
    facets/publications/, facets/case-studies/  facet counts under the same filters
    citations/csl-json/, citations/bibtex/      filtered, paginated publications as citations
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from inlogov import citations
from inlogov.api_base import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    ApiView,
    GrammarFilterBackend,
    ReadOnlyApiViewSet,
    as_openapi_parameters,
    grammar_parameters,
    page_parameters,
    slug_parameter,
)
from inlogov.faceting import faceted_search
from publications.filters import CaseStudyFilter, PublicationFilter
from publications.models import CaseStudy, Publication
from publications.serializers import CaseStudySerializer, PublicationSerializer

FACET_KINDS = [("checkbox", "Checkbox"), ("years", "Years")]
CSL_JSON_TYPE = "application/vnd.citationstyles.csl+json"
BIBTEX_TYPE = "application/x-bibtex"

FacetsSerializer = inline_serializer(
    name="FacetCounts",
    fields={
        "count": serializers.IntegerField(help_text="Items matching every selected filter."),
        "facets": inline_serializer(
            name="Facet",
            many=True,
            fields={
                "name": serializers.CharField(help_text="The query parameter this facet sets."),
                "label": serializers.CharField(),
                "kind": serializers.ChoiceField(choices=FACET_KINDS),
                "values": inline_serializer(
                    name="FacetValue",
                    many=True,
                    fields={
                        "value": serializers.CharField(),
                        "label": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "selected": serializers.BooleanField(),
                    },
                ),
            },
        ),
    },
)

# A CSL-JSON item is an open object (https://citeproc-js.readthedocs.io/en/latest/csl-json/).
CSL_ITEM_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}},
    "required": ["id", "type", "title"],
    "additionalProperties": True,
}
PUBLICATION_PARAMETERS = as_openapi_parameters(grammar_parameters(PublicationFilter))
CASE_STUDY_PARAMETERS = as_openapi_parameters(grammar_parameters(CaseStudyFilter))
PAGE_PARAMETERS = as_openapi_parameters(page_parameters())

SLUG = [slug_parameter("the-four-cos")]
CASE_STUDY_SLUG = [slug_parameter("civivo-rimini")]

CSL_LIST_RESPONSE = OpenApiResponse(
    {"type": "array", "items": CSL_ITEM_SCHEMA},
    description="A CSL-JSON array (media type application/vnd.citationstyles.csl+json). "
    "Paging as for the list: the `Link` header points to the next and previous pages and "
    "`X-Total-Count` gives the number of items.",
)
BIBTEX_RESPONSE = OpenApiResponse(
    OpenApiTypes.STR, description="BibTeX entries (media type application/x-bibtex)."
)


def facets_payload(result):
    """The HTML facets as JSON: every facet value with its count and whether it is selected."""
    return {
        "count": result.total if result.total is not None else result.queryset.count(),
        "facets": [
            {
                "name": facet.name,
                "label": facet.label,
                "kind": facet.kind,
                "values": [
                    {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                    for v in facet.values
                ],
            }
            for facet in result.facets
        ],
    }


def _export_response(body, content_type, page=None, filename=None):
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    if page is not None:
        links = []
        for rel, url in (("next", page.get_next_link()), ("prev", page.get_previous_link())):
            if url:
                links.append(f'<{url}>; rel="{rel}"')
        if links:
            response["Link"] = ", ".join(links)
        response["X-Total-Count"] = str(page.page.paginator.count)
    return response


@extend_schema_view(
    list=extend_schema(
        summary="List publications",
        description="Published publications, filtered with the same parameters as /publications/.",
        responses={200: PublicationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One publication",
        parameters=SLUG,
        responses={200: PublicationSerializer, **DETAIL_ERRORS},
    ),
)
class PublicationViewSet(ReadOnlyApiViewSet):
    serializer_class = PublicationSerializer
    filterset_class = PublicationFilter

    def get_queryset(self):
        # The citation exports name a chapter's book editors, which only for_detail() fetches.
        if self.action in ("csl_json", "bibtex"):
            return Publication.objects.published().for_detail()
        return Publication.objects.published().for_api()

    @extend_schema(
        summary="One publication as CSL-JSON",
        parameters=SLUG,
        responses={
            (200, CSL_JSON_TYPE): OpenApiResponse(CSL_ITEM_SCHEMA, description="One CSL-JSON item."),
            **DETAIL_ERRORS,
        },
    )
    @action(detail=True, url_path="csl-json", url_name="csl-json")
    def csl_json(self, request, slug=None):
        publication = self.get_object()
        return _export_response(
            citations.csl_json_item(publication, request=request), CSL_JSON_TYPE,
            filename=f"{publication.slug}.json",
        )

    @extend_schema(
        summary="One publication as BibTeX",
        parameters=SLUG,
        responses={(200, BIBTEX_TYPE): BIBTEX_RESPONSE, **DETAIL_ERRORS},
    )
    @action(detail=True, url_path="bibtex", url_name="bibtex")
    def bibtex(self, request, slug=None):
        publication = self.get_object()
        return _export_response(
            citations.bibtex_item(publication, request=request), BIBTEX_TYPE,
            filename=f"{publication.slug}.bib",
        )


@extend_schema_view(
    list=extend_schema(
        summary="List case studies",
        description="Published case studies, filtered with the same parameters as /case-studies/.",
        responses={200: CaseStudySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One case study",
        parameters=CASE_STUDY_SLUG,
        responses={200: CaseStudySerializer, **DETAIL_ERRORS},
    ),
)
class CaseStudyViewSet(ReadOnlyApiViewSet):
    serializer_class = CaseStudySerializer
    filterset_class = CaseStudyFilter

    def get_queryset(self):
        return CaseStudy.objects.published().for_api()


class FacetCountsView(ApiView):
    """Facet counts under the given filters, from the same FilterSet and module as the HTML."""

    filterset_class = None

    def get(self, request):
        model = self.filterset_class._meta.model
        result = faceted_search(
            self.filterset_class, request.query_params, queryset=model.objects.published(),
            request=request,
        )
        if result.errors:
            raise ValidationError({param: [message] for param, message in result.errors.items()})
        return Response(facets_payload(result))


class PublicationFacetsView(FacetCountsView):
    filterset_class = PublicationFilter

    @extend_schema(
        operation_id="v1_facets_publications",
        summary="Facet counts for publications",
        description="Counts for every facet under the given filters, with the same semantics as "
        "the HTML listing /publications/: values within a facet are OR'd, facets are AND'd, and "
        "each facet's counts apply every other facet's selection but not its own. Only "
        "published items and published facet values are counted.",
        parameters=PUBLICATION_PARAMETERS,
        responses={200: FacetsSerializer, 400: LIST_ERRORS[400], 429: LIST_ERRORS[429]},
    )
    def get(self, request):
        return super().get(request)


class CaseStudyFacetsView(FacetCountsView):
    filterset_class = CaseStudyFilter

    @extend_schema(
        operation_id="v1_facets_case_studies",
        summary="Facet counts for case studies",
        description="Counts for every facet under the given filters, as on /case-studies/.",
        parameters=CASE_STUDY_PARAMETERS,
        responses={200: FacetsSerializer, 400: LIST_ERRORS[400], 429: LIST_ERRORS[429]},
    )
    def get(self, request):
        return super().get(request)


class PublicationExportView(ApiView, GenericAPIView):
    """A filtered, paginated list of publications in a citation format."""

    filterset_class = PublicationFilter
    filter_backends = [GrammarFilterBackend]

    def get_queryset(self):
        # Citations need contributors in order and the parent; nothing else.
        return Publication.objects.published().for_citations()

    def render_page(self, request, render):
        items = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return render(items, request=request)


class PublicationCslJsonView(PublicationExportView):
    @extend_schema(
        operation_id="v1_citations_csl_json",
        summary="Publications as CSL-JSON",
        description="The filtered, paginated publications (same parameters and order as "
        "/api/v1/publications/) as a CSL-JSON array, for citation processors.",
        parameters=PUBLICATION_PARAMETERS + PAGE_PARAMETERS,
        responses={(200, CSL_JSON_TYPE): CSL_LIST_RESPONSE, **LIST_ERRORS},
    )
    def get(self, request):
        body = self.render_page(request, citations.csl_json_list)
        return _export_response(body, CSL_JSON_TYPE, self.paginator, filename="publications.json")


class PublicationBibtexView(PublicationExportView):
    @extend_schema(
        operation_id="v1_citations_bibtex",
        summary="Publications as BibTeX",
        description="The filtered, paginated publications (same parameters and order as "
        "/api/v1/publications/) as BibTeX entries.",
        parameters=PUBLICATION_PARAMETERS + PAGE_PARAMETERS,
        responses={(200, BIBTEX_TYPE): BIBTEX_RESPONSE, **LIST_ERRORS},
    )
    def get(self, request):
        body = self.render_page(request, citations.bibtex_list)
        return _export_response(body, BIBTEX_TYPE, self.paginator, filename="publications.bib")
