"""API representation of contributors.

A contributor's publications are not nested (a prolific author would make every item huge):
`publications_api_url` is the filtered publications list, `/api/v1/publications/?contributor=`.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inlogov.api_fields import (
    ApiListUrlField,
    ApiUrlField,
    ChoiceLabelField,
    LinkRepresentation,
    PublicUrlField,
)
from people.models import Contributor
from themes.serializers import ThemeLinkSerializer

_NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}


class ContributorLinkSerializer(LinkRepresentation, serializers.ModelSerializer):
    """A contributor as they appear inside another item (e.g. a case study)."""

    api_view = "api:contributor-detail"
    name = serializers.CharField(read_only=True)
    url = PublicUrlField()
    api_url = ApiUrlField(api_view)

    class Meta:
        model = Contributor
        fields = ["slug", "name", "url", "api_url"]

    def link(self, person, request):
        return {
            "slug": person.slug,
            "name": person.name,
            **self.addresses(person, request),
        }


class ContributorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    relation_label = ChoiceLabelField(Contributor._meta.get_field("relation"))
    orcid_url = serializers.SerializerMethodField()
    portrait = serializers.SerializerMethodField()
    website = serializers.SerializerMethodField()
    expertise = ThemeLinkSerializer(many=True, read_only=True)
    url = PublicUrlField()
    api_url = ApiUrlField("api:contributor-detail")
    publications_api_url = ApiListUrlField("api:publication-list", "contributor")

    class Meta:
        model = Contributor
        fields = [
            "slug",
            "name",
            "honorific",
            "given_name",
            "family_name",
            "position",
            "relation",
            "relation_label",
            "biography",
            "orcid",
            "orcid_url",
            "website",
            "portrait",
            "portrait_alt",
            "expertise",
            "url",
            "api_url",
            "publications_api_url",
            "updated_at",
        ]

    @extend_schema_field(_NULLABLE_URI)
    def get_orcid_url(self, obj):
        return f"https://orcid.org/{obj.orcid}" if obj.orcid else None

    @extend_schema_field(_NULLABLE_URI)
    def get_website(self, obj):
        return obj.website or None

    @extend_schema_field(_NULLABLE_URI)
    def get_portrait(self, obj):
        if not obj.portrait:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(obj.portrait.url) if request else obj.portrait.url

