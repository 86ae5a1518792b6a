"""API representations of publications and case studies.

Every nested relation reads a published-only prefetch made by the models' `for_api()`
querysets (`themes`, `published_children`, `published_case_studies`, `published_publications`,
`published_contributors`; `contributions` keeps only published contributors in citation order).
A draft never appears inside a published item; a draft parent is reported as null.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inlogov.api_fields import (
    ApiUrlField,
    ChoiceLabelField,
    LinkRepresentation,
    PublicUrlField,
    api_url,
)
from people.serializers import ContributorLinkSerializer
from publications.models import CaseStudy, Publication, PublicationContributor
from themes.serializers import ServiceAreaSerializer, ThemeLinkSerializer

_NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}


_ROLE_LABEL = ChoiceLabelField(PublicationContributor._meta.get_field("role"))


class ContributorCreditSerializer(LinkRepresentation, serializers.ModelSerializer):
    """A contributor's credit on a publication: who, in which role, in citation order."""

    name = serializers.CharField(source="contributor.name", read_only=True)
    slug = serializers.CharField(source="contributor.slug", read_only=True)
    orcid = serializers.CharField(source="contributor.orcid", read_only=True)
    role_label = _ROLE_LABEL
    api_view = "api:contributor-detail"
    url = PublicUrlField(source="contributor")
    api_url = ApiUrlField(api_view, source="contributor")

    class Meta:
        model = PublicationContributor
        fields = ["name", "slug", "orcid", "role", "role_label", "position", "url", "api_url"]

    def link(self, credit, request):
        person = credit.contributor
        return {
            "name": person.name,
            "slug": person.slug,
            "orcid": person.orcid,
            "role": credit.role,
            "role_label": _ROLE_LABEL.to_representation(credit.role),
            "position": credit.position,
            **self.addresses(person, request),
        }


class PublicationLinkSerializer(LinkRepresentation, serializers.ModelSerializer):
    """A publication as it appears inside another item (parent, chapter, case study source)."""

    api_view = "api:publication-detail"
    url = PublicUrlField()
    api_url = ApiUrlField(api_view)

    class Meta:
        model = Publication
        fields = ["slug", "title", "subtitle", "kind", "year", "url", "api_url"]

    def link(self, publication, request):
        return {
            "slug": publication.slug,
            "title": publication.title,
            "subtitle": publication.subtitle,
            "kind": publication.kind,
            "year": publication.year,
            **self.addresses(publication, request),
        }


class CaseStudyLinkSerializer(LinkRepresentation, serializers.ModelSerializer):
    api_view = "api:case-study-detail"
    url = PublicUrlField()
    api_url = ApiUrlField(api_view)

    class Meta:
        model = CaseStudy
        fields = ["slug", "title", "url", "api_url"]

    def link(self, case_study, request):
        return {
            "slug": case_study.slug,
            "title": case_study.title,
            **self.addresses(case_study, request),
        }


class IdentifiersSerializer(serializers.Serializer):
    doi = serializers.CharField(allow_blank=True)
    doi_url = serializers.SerializerMethodField()
    isbn = serializers.CharField(allow_blank=True)

    @extend_schema_field(_NULLABLE_URI)
    def get_doi_url(self, obj):
        return f"https://doi.org/{obj.doi}" if obj.doi else None


class PublicationSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(Publication._meta.get_field("kind"))
    full_title = serializers.CharField(read_only=True)
    identifiers = IdentifiersSerializer(source="*", read_only=True)
    external_url = serializers.SerializerMethodField()
    contributors = ContributorCreditSerializer(many=True, source="contributions", read_only=True)
    themes = ThemeLinkSerializer(many=True, read_only=True)
    # select_related; a draft or scheduled parent is reported as null, never leaked. A nested
    # field, not a method building a serializer per item (that rebuilt its fields every time).
    parent = PublicationLinkSerializer(source="public_parent", read_only=True, allow_null=True)
    children = PublicationLinkSerializer(many=True, source="published_children", read_only=True)
    case_studies = CaseStudyLinkSerializer(many=True, source="published_case_studies", read_only=True)
    cover = serializers.SerializerMethodField()
    url = PublicUrlField()
    api_url = ApiUrlField("api:publication-detail")
    csl_json_url = serializers.SerializerMethodField()
    bibtex_url = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
            "slug",
            "title",
            "subtitle",
            "full_title",
            "kind",
            "kind_label",
            "year",
            "date",
            "publisher",
            "place",
            "container_title",
            "volume",
            "issue",
            "pages",
            "edition",
            "identifiers",
            "external_url",
            "is_open_access",
            "abstract",
            "contributors",
            "themes",
            "parent",
            "children",
            "case_studies",
            "cover",
            "cover_alt",
            "url",
            "api_url",
            "csl_json_url",
            "bibtex_url",
            "updated_at",
        ]

    @extend_schema_field(_NULLABLE_URI)
    def get_external_url(self, obj):
        return obj.url or None

    @extend_schema_field(_NULLABLE_URI)
    def get_cover(self, obj):
        if not obj.cover:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(obj.cover.url) if request else obj.cover.url

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_csl_json_url(self, obj):
        return self._export_url(obj, "api:publication-csl-json")

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_bibtex_url(self, obj):
        return self._export_url(obj, "api:publication-bibtex")

    def _export_url(self, obj, view_name):
        return api_url(view_name, obj.slug, self.context.get("request"))


class CountrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CaseStudySerializer(serializers.ModelSerializer):
    country = serializers.SerializerMethodField()
    service_areas = ServiceAreaSerializer(many=True, read_only=True)
    themes = ThemeLinkSerializer(many=True, read_only=True)
    organisations = serializers.ListField(
        child=serializers.CharField(), source="organisation_list", read_only=True
    )
    publications = PublicationLinkSerializer(many=True, source="published_publications", read_only=True)
    contributors = ContributorLinkSerializer(many=True, source="published_contributors", read_only=True)
    url = PublicUrlField()
    api_url = ApiUrlField("api:case-study-detail")

    class Meta:
        model = CaseStudy
        fields = [
            "slug",
            "title",
            "summary",
            "body",
            "country",
            "locality",
            "service_areas",
            "themes",
            "year_started",
            "year_ended",
            "is_ongoing",
            "organisations",
            "outcomes",
            "publications",
            "contributors",
            "url",
            "api_url",
            "updated_at",
        ]

    @extend_schema_field(CountrySerializer)
    def get_country(self, obj):
        return {"code": obj.country.code, "name": str(obj.country.name)}
