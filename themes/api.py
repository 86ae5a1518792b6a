"""API v1 themes: the published theme tree, top-level themes and their sub-themes."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from inlogov.api_base import DETAIL_ERRORS, LIST_ERRORS, ReadOnlyApiViewSet, slug_parameter
from themes.models import Theme
from themes.serializers import ThemeSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List themes",
        description="Published themes in display order; each names its parent and sub-themes.",
        responses={200: ThemeSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        parameters=[slug_parameter("co-production")],
        summary="One theme",
        description="Filter publications or case studies by this theme (sub-themes included) "
        "with `publications_api_url` and `case_studies_api_url`.",
        responses={200: ThemeSerializer, **DETAIL_ERRORS},
    ),
)
class ThemeViewSet(ReadOnlyApiViewSet):
    serializer_class = ThemeSerializer
    filter_backends = []

    def get_queryset(self):
        return Theme.objects.published().for_detail()
