"""API representations of themes and service areas.

Nested relations read the published-only prefetch of `Theme.objects.for_detail()`
(`published_children`), so a draft sub-theme never appears under its parent.
"""

from drf_spectacular.utils import extend_schema_field
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
    parent = serializers.SerializerMethodField()
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

    @extend_schema_field(ThemeLinkSerializer(allow_null=True))
    def get_parent(self, obj):
        # The parent is select_related; a draft parent is reported as none rather than leaked.
        if obj.parent is None or not obj.parent.is_public:
            return None
        return ThemeLinkSerializer(obj.parent, context=self.context).data
