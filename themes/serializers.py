"""API representations of themes and service areas.

Nested relations read the published-only prefetch of `Theme.objects.for_detail()`
(`published_children`), so a draft sub-theme never appears under its parent.
"""

from rest_framework import serializers

from inlogov.api_fields import ApiListUrlField, ApiUrlField, PublicUrlField
from themes.models import ServiceArea, Theme


class ThemeLinkSerializer(serializers.ModelSerializer):
    """A theme as it appears inside another item: enough to show and follow it."""

    url = PublicUrlField()
    api_url = ApiUrlField("api:theme-detail")

    class Meta:
        model = Theme
        fields = ["slug", "name", "url", "api_url"]


class ServiceAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceArea
        fields = ["slug", "name"]


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
