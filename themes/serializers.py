"""API representations of themes and service areas.

Nested relations read the published-only prefetch of `Theme.objects.for_detail()`
(`published_children`), so a draft sub-theme never appears under its parent.
"""

from rest_framework import serializers

from inlogov.api_fields import (
    ApiListUrlField,
    ApiUrlField,
    LinkRepresentation,
    PublicUrlField,
)
from themes.models import ServiceArea, Theme


class ThemeLinkSerializer(LinkRepresentation, serializers.ModelSerializer):
    """A theme as it appears inside another item: enough to show and follow it."""

    api_view = "api:theme-detail"
    url = PublicUrlField()
    api_url = ApiUrlField(api_view)

    class Meta:
        model = Theme
        fields = ["slug", "name", "url", "api_url"]

    def link(self, theme, request):
        return {
            "slug": theme.slug,
            "name": theme.name,
            **self.addresses(theme, request),
        }


class ServiceAreaSerializer(LinkRepresentation, serializers.ModelSerializer):
    class Meta:
        model = ServiceArea
        fields = ["slug", "name"]

    def link(self, area, request):
        return {"slug": area.slug, "name": area.name}


class ThemeSerializer(serializers.ModelSerializer):
    url = PublicUrlField()
    api_url = ApiUrlField("api:theme-detail")
    # select_related; a draft or scheduled parent is reported as null, never leaked. A nested
    # field, not a method building a serializer per item (that rebuilt its fields every time).
    parent = ThemeLinkSerializer(source="public_parent", read_only=True, allow_null=True)
    children = ThemeLinkSerializer(many=True, source="published_children")
    publications_api_url = ApiListUrlField("api:publication-list", "theme")
    case_studies_api_url = ApiListUrlField("api:case-study-list", "theme")

    class Meta:
        model = Theme
        fields = [
            "slug",
            "name",
            "description",
            "parent",
            "children",
            "order",
            "url",
            "api_url",
            "publications_api_url",
            "case_studies_api_url",
            "updated_at",
        ]
