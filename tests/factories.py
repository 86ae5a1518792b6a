"""Shared builders for tests: plain functions with sensible defaults.

Every builder returns a saved object. Items are published unless `status="draft"` is passed.
Slugs are unique per call, so tests can build many items without naming them.
"""

import itertools
from datetime import timedelta

from django.utils import timezone

from inlogov.publishing import Status
from people.models import Contributor
from publications.models import CaseStudy, Publication, PublicationContributor
from themes.models import ServiceArea, Theme

_seq = itertools.count(1)


def _slug(prefix):
    return f"{prefix}-{next(_seq)}"


def future(days=1):
    return timezone.now() + timedelta(days=days)


def past(days=1):
    return timezone.now() - timedelta(days=days)


def make_theme(name=None, parent=None, status=Status.PUBLISHED, **kwargs):
    name = name or _slug("Theme")
    kwargs.setdefault("slug", _slug(name.lower().replace(" ", "-").replace("'", "")))
    return Theme.objects.create(name=name, parent=parent, status=status, **kwargs)


def make_service_area(name=None, **kwargs):
    name = name or _slug("Service area")
    kwargs.setdefault("slug", _slug(name.lower().replace(" ", "-")))
    return ServiceArea.objects.create(name=name, **kwargs)


def make_contributor(given="Ada", family=None, status=Status.PUBLISHED, **kwargs):
    family = family or _slug("Lovelace")
    kwargs.setdefault("slug", _slug(f"{given}-{family}".lower().replace(" ", "-")))
    return Contributor.objects.create(given_name=given, family_name=family, status=status, **kwargs)


def make_publication(
    title=None,
    *,
    year=2021,
    kind=Publication.Kind.BOOK,
    status=Status.PUBLISHED,
    themes=(),
    contributors=(),
    service_areas=(),
    role=PublicationContributor.Role.AUTHOR,
    **kwargs,
):
    """`contributors` are attached in the given order with `role`; pass (contributor, role) pairs
    to mix roles."""
    title = title or _slug("Publication")
    kwargs.setdefault("slug", _slug("publication"))
    publication = Publication.objects.create(title=title, year=year, kind=kind, status=status, **kwargs)
    publication.themes.set(themes)
    publication.service_areas.set(service_areas)
    for position, entry in enumerate(contributors):
        contributor, entry_role = entry if isinstance(entry, tuple) else (entry, role)
        PublicationContributor.objects.create(
            publication=publication, contributor=contributor, role=entry_role, position=position
        )
    return publication


def make_case_study(
    title=None,
    *,
    country="GB",
    status=Status.PUBLISHED,
    themes=(),
    service_areas=(),
    publications=(),
    contributors=(),
    **kwargs,
):
    title = title or _slug("Case study")
    kwargs.setdefault("slug", _slug("case-study"))
    case = CaseStudy.objects.create(title=title, country=country, status=status, **kwargs)
    case.themes.set(themes)
    case.service_areas.set(service_areas)
    case.source_publications.set(publications)
    case.contributors.set(contributors)
    return case
