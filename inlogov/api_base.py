"""What every API v1 endpoint shares: read-only, JSON whatever the Accept header, stable order,
and error responses documented in the schema exactly as `inlogov.api_errors` produces them."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class JsonOnlyNegotiation(BaseContentNegotiation):
    """The API speaks JSON (exports set their own type), so the Accept header never causes a 406
    and `?format=` is not a parameter of the public contract."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "status": serializers.IntegerField(),
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
    },
)

ValidationErrorSerializer = inline_serializer(
    name="ValidationError",
    fields={
        "status": serializers.IntegerField(),
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)

BAD_PARAMETER = OpenApiResponse(
    ValidationErrorSerializer, description="A query parameter is invalid: `errors` names it."
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No published item, or no such page.")
THROTTLED = OpenApiResponse(
    ErrorSerializer, description="Too many requests: wait for the seconds in Retry-After."
)

LIST_ERRORS = {400: BAD_PARAMETER, 404: NOT_FOUND, 429: THROTTLED}
DETAIL_ERRORS = {404: NOT_FOUND, 429: THROTTLED}


def grammar_parameters(filterset_class):
    """OpenAPI query parameters for a faceted FilterSet, read from its facet definitions, so the
    schema states exactly what `inlogov.faceting` accepts (anything else is a 400)."""
    from inlogov.faceting import MAX_QUERY_LENGTH, BooleanFacet, ChoiceFacet, YearRangeFacet

    labels = {name: str(f.label or name) for name, f in filterset_class.base_filters.items()}

    def param(name, schema, description, explode=None):
        entry = {"name": name, "in": "query", "required": False, "description": description,
                 "schema": schema}
        if explode is not None:
            entry.update(style="form", explode=explode)
        return entry

    params = []
    for definition in filterset_class.facet_definitions:
        if isinstance(definition, YearRangeFacet):
            for bound, name in zip(("From", "To"), definition.params, strict=True):
                params.append(param(
                    name,
                    {"type": "integer", "minimum": definition.low, "maximum": definition.high},
                    f"{bound} this year, inclusive ({definition.label.lower()}).",
                ))
        elif isinstance(definition, BooleanFacet):
            params.append(param(definition.name, {"type": "boolean"}, labels.get(definition.name, "")))
        else:
            item = {"type": "string", "minLength": 1}
            if isinstance(definition, ChoiceFacet):
                item["enum"] = list(definition.choices)
            params.append(param(
                definition.name,
                {"type": "array", "items": item},
                f"{labels.get(definition.name, definition.label)}. Repeat the parameter for "
                "several values: they are OR'd. An unknown value is a 400.",
                explode=True,
            ))
    params.append(param(
        "q", {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        "Full-text search; with it the default sort is relevance.",
    ))
    params.append(param(
        "sort", {"type": "string", "enum": list(filterset_class.sort_orders)},
        "Sort order; relevance applies only with q.",
    ))
    return params


def as_openapi_parameters(raw_parameters):
    """The same parameters as drf-spectacular `OpenApiParameter`s, for `extend_schema` on the
    custom actions (facets, exports) that drf-spectacular does not treat as lists."""
    return [
        OpenApiParameter(
            entry["name"],
            type=entry["schema"],
            location=OpenApiParameter.QUERY,
            required=False,
            description=entry["description"],
            style=entry.get("style"),
            explode=entry.get("explode"),
        )
        for entry in raw_parameters
    ]


def page_parameters():
    from inlogov.pagination import StandardPagination

    return StandardPagination().get_schema_operation_parameters(view=None)


class GrammarFilterBackend(DjangoFilterBackend):
    """django-filter's backend, documented from the FilterSet's facet grammar.

    Invalid parameters become a 400 from the FilterSet's `problems` ({param: message}) directly:
    django-filter's own translation %-formats each message, which breaks on a message quoting a
    visitor's "%" (a 500). The messages are the ones the HTML page shows.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise ValidationError({param: [message] for param, message in filterset.problems.items()})
        # The pagination uses this instead of a COUNT when it is known cheaply (an unfiltered list
        # on PostgreSQL: the stored facet counts).
        view.known_total = filterset.known_total()
        return filterset.qs


class GrammarFilterExtension(OpenApiFilterExtension):
    target_class = GrammarFilterBackend
    priority = 1  # wins over drf-spectacular's generic django-filter extension

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        return grammar_parameters(filterset_class) if filterset_class else []


def slug_parameter(example):
    """The `slug` path parameter, as in the item's public URL, with a starter-content example."""
    return OpenApiParameter(
        "slug", type={"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
        location=OpenApiParameter.PATH, required=True,
        description="The item's slug, as in its public URL.",
        examples=[OpenApiExample("Starter content", value=example)],
    )


def with_pk_tiebreak(queryset):
    """The queryset's ordering with `pk` appended, so equal sort keys never shuffle between pages."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not any(term in ("pk", "-pk", "id", "-id") for term in ordering if isinstance(term, str)):
        ordering.append("pk")
    return queryset.order_by(*ordering)


class ApiView(APIView):
    """Base of the v1 endpoints that are not resources (facet counts, citation lists)."""

    permission_classes = [AllowAny]
    content_negotiation_class = JsonOnlyNegotiation


class ReadOnlyApiViewSet(viewsets.ReadOnlyModelViewSet):
    """Base of every v1 resource: anonymous read-only access by slug."""

    lookup_field = "slug"
    # The same pattern as Django's <slug:> converter: anything else (a NUL byte, say) is a 404
    # before it reaches the database, which would refuse it with an error.
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = [AllowAny]
    filter_backends = [GrammarFilterBackend]
    content_negotiation_class = JsonOnlyNegotiation

    def filter_queryset(self, queryset):
        if self.detail:
            return queryset  # a detail address ignores list filters: ?kind=... never hides the item
        return with_pk_tiebreak(super().filter_queryset(queryset))
