"""API v1 contributors: published people, alphabetical by family name."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from inlogov.api_base import DETAIL_ERRORS, LIST_ERRORS, ReadOnlyApiViewSet, slug_parameter
from people.models import Contributor
from people.serializers import ContributorSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List contributors",
        description="Published contributors, ordered by family name, given name.",
        responses={200: ContributorSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        parameters=[slug_parameter("elke-loeffler")],
        summary="One contributor",
        description="Their publications are at `publications_api_url`.",
        responses={200: ContributorSerializer, **DETAIL_ERRORS},
    ),
)
class ContributorViewSet(ReadOnlyApiViewSet):
    serializer_class = ContributorSerializer
    filter_backends = []

    def get_queryset(self):
        return Contributor.objects.published().for_detail()
