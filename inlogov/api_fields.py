"""Serializer fields every API item shares: its public page and its own API address.

Both are absolute URLs, because the API's readers are other websites that link straight to them.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.reverse import reverse


class PublicUrlField(serializers.Field):
    """The item's canonical page on the public site (`get_absolute_url()`), absolute."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        path = obj.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ApiUrlField(serializers.Field):
    """The item's detail address in this API, e.g. /api/v1/publications/<slug>/, absolute."""

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return reverse(self.view_name, kwargs={"slug": obj.slug}, request=self.context.get("request"))


class ApiListUrlField(serializers.Field):
    """A filtered API list for this item, e.g. /api/v1/publications/?contributor=<slug>."""

    def __init__(self, view_name, param, **kwargs):
        self.view_name = view_name
        self.param = param
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        url = reverse(self.view_name, request=self.context.get("request"))
        return f"{url}?{self.param}={obj.slug}"


class _PublicUrlFieldSchema(OpenApiSerializerFieldExtension):
    """drf-spectacular: the three fields above are absolute URIs in the schema."""

    target_class = PublicUrlField

    def map_serializer_field(self, auto_schema, direction):
        return build_basic_type(OpenApiTypes.URI)


class _ApiUrlFieldSchema(_PublicUrlFieldSchema):
    target_class = ApiUrlField


class _ApiListUrlFieldSchema(_PublicUrlFieldSchema):
    target_class = ApiListUrlField
