"""The nested link serializers build their dicts directly (inlogov/api_fields.py,
LinkRepresentation); DRF's field-by-field path over the declared fields is the reference, and
the two must agree on every key and value, for ordinary and for awkward values (blank subtitle
and ORCID, a translator's credit, a display name, a request or none)."""

import pytest
from django.test import RequestFactory
from rest_framework import serializers
from rest_framework.request import Request

from inlogov.api_fields import LinkRepresentation
from people.serializers import ContributorLinkSerializer
from publications.models import PublicationContributor
from publications.serializers import (
    CaseStudyLinkSerializer,
    ContributorCreditSerializer,
    PublicationLinkSerializer,
)
from tests.factories import (
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)
from themes.serializers import ServiceAreaSerializer, ThemeLinkSerializer

pytestmark = pytest.mark.django_db


def _samples():
    """{serializer class: [instances]} covering each link serializer."""
    parent = make_theme("Co-production", slug="co-production")
    theme = make_theme("Co-design", parent=parent, slug="co-design")
    ada = make_contributor("Ada", "Lovelace", slug="ada-lovelace", orcid="0000-0002-1825-0097")
    kim = make_contributor("Kim", "Lee", slug="kim-lee", display_name="Professor Kim Lee")
    book = make_publication(
        "The Four Co's", slug="the-four-cos", subtitle="Co-production in practice", year=2019,
        contributors=[ada, (kim, PublicationContributor.Role.TRANSLATOR)], themes=[theme],
    )
    chapter = make_publication("Co-design in care", slug="co-design-in-care", kind="chapter", parent=book)
    case = make_case_study("Civivo, Rimini", slug="civivo-rimini")
    return {
        ThemeLinkSerializer: [parent, theme],
        ServiceAreaSerializer: [make_service_area("Health", slug="health")],
        ContributorLinkSerializer: [ada, kim],
        ContributorCreditSerializer: list(book.contributions.select_related("contributor").order_by("position")),
        PublicationLinkSerializer: [book, chapter],
        CaseStudyLinkSerializer: [case],
    }


@pytest.mark.parametrize("with_request", [True, False], ids=["request", "no-request"])
def test_each_link_serializer_gives_what_drfs_own_path_gives(with_request):
    samples = _samples()
    request = Request(RequestFactory().get("/api/v1/publications/")) if with_request else None
    compared = 0
    for serializer_class, instances in samples.items():
        for instance in instances:
            direct = serializer_class(instance, context={"request": request}).data
            reference = serializers.ModelSerializer.to_representation(
                serializer_class(context={"request": request}), instance
            )
            assert direct == dict(reference), serializer_class.__name__
            assert list(direct) == list(serializer_class.Meta.fields), serializer_class.__name__
            compared += 1
    assert compared == 10


def test_every_link_serializer_is_compared():
    """A new LinkRepresentation serializer must be added to the samples above."""
    samples = _samples()
    assert set(LinkRepresentation.__subclasses__()) == set(samples)


def test_credit_links_are_absolute_and_labelled():
    book = make_publication(
        "The Four Co's", slug="the-four-cos",
        contributors=[(make_contributor("Kim", "Lee", slug="kim-lee"), PublicationContributor.Role.TRANSLATOR)],
    )
    request = Request(RequestFactory().get("/api/v1/publications/"))
    (credit,) = book.contributions.all()
    assert ContributorCreditSerializer(credit, context={"request": request}).data == {
        "name": "Kim Lee",
        "slug": "kim-lee",
        "orcid": "",
        "role": "translator",
        "role_label": "Translator",
        "position": 0,
        "url": "http://testserver/people/kim-lee/",
        "api_url": "http://testserver/api/v1/contributors/kim-lee/",
    }
