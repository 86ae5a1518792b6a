"""Serializer fields every API item shares: its public page and its own API address.

Both are absolute URLs, because the API's readers are other websites that link straight to them.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.reverse import reverse

from inlogov.links import STAND_IN


def slug_url(request, key, build, slug):
    """``build(STAND_IN)`` with the real slug put in, reversing each kind of URL once per request.

    A list of 100 publications with their contributors, themes and case studies links to a few
    hundred items; reversing each address was a third of the response time. Every address the
    API builds this way differs between items only by the slug (slugs are ``[-a-zA-Z0-9_]``, so
    nothing needs escaping).
    """
    cache = getattr(request, "_slug_url_templates", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._slug_url_templates = cache
    if key not in cache:
        cache[key] = build(STAND_IN)
    return cache[key].replace(STAND_IN, slug)


def api_url(view_name, slug, request):
    """``reverse(view_name, kwargs={"slug": slug}, request=request)``, faster (see slug_url)."""
    return slug_url(request, view_name, lambda s: reverse(view_name, kwargs={"slug": s}, request=request), slug)


def public_url(obj, request):
    """``obj.get_absolute_url()``, absolute when there is a request (see slug_url)."""

    def build(slug):
        path = type(obj)(slug=slug).get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    return slug_url(request, ("public", type(obj)), build, obj.slug)


class LinkRepresentation:
    """For the small serializers nested many times in every list item (a credit, a theme, a
    chapter): ``link(obj, request)`` builds the item's dict directly.

    DRF's own path builds the serializer's fields once per request for each nested serializer
    (a ModelSerializer inspects its model to do it) and then reads each field through several
    calls; for a page of 20 publications that was about 40% of serializing it. The declared
    fields stay, for the OpenAPI schema and as the reference: tests/inlogov/test_link_serializers.py
    checks that ``link()`` gives exactly what DRF's path gives for every serializer using this.
    """

    #: The API's detail view of the linked item, for ``addresses()``.
    api_view = None

    def link(self, obj, request):
        raise NotImplementedError

    def addresses(self, obj, request):
        """The ``url`` and ``api_url`` keys every link but a service area's ends with."""
        return {"url": public_url(obj, request), "api_url": api_url(self.api_view, obj.slug, request)}

    def to_representation(self, instance):
        return self.link(instance, self.context.get("request"))


class PublicUrlField(serializers.Field):
    """The item's canonical page on the public site (`get_absolute_url()`), absolute."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return public_url(obj, self.context.get("request"))


class ApiUrlField(serializers.Field):
    """The item's detail address in this API, e.g. /api/v1/publications/<slug>/, absolute."""

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return api_url(self.view_name, obj.slug, self.context.get("request"))


class ApiListUrlField(serializers.Field):
    """A filtered API list for this item, e.g. /api/v1/publications/?contributor=<slug>."""

    def __init__(self, view_name, param, **kwargs):
        self.view_name = view_name
        self.param = param
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        request = self.context.get("request")
        url = slug_url(request, ("list", self.view_name), lambda s: reverse(self.view_name, request=request), "")
        return f"{url}?{self.param}={obj.slug}"


class ChoiceLabelField(serializers.CharField):
    """The label of a choices field's value ("Journal article" for "journal_article").

    ``CharField(source="get_kind_display")`` gives the same, but DRF inspects the signature of
    a method source on every item (about a tenth of a list's serializing time); this reads the
    model field's choices once.
    """

    def __init__(self, model_field, **kwargs):
        self.labels = {value: str(label) for value, label in model_field.flatchoices}
        kwargs["source"] = model_field.attname
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.labels.get(value, value)


class _PublicUrlFieldSchema(OpenApiSerializerFieldExtension):
    """drf-spectacular: the three fields above are absolute URIs in the schema."""

    target_class = PublicUrlField

    def map_serializer_field(self, auto_schema, direction):
        return build_basic_type(OpenApiTypes.URI)


class _ApiUrlFieldSchema(_PublicUrlFieldSchema):
    target_class = ApiUrlField


class _ApiListUrlFieldSchema(_PublicUrlFieldSchema):
    target_class = ApiListUrlField
