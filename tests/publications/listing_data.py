"""A small known catalogue for the faceting and listing tests (shared by several test modules).

Twelve published publications (P1..P12), one draft and one scheduled one; six published case
studies (C1..C6), one draft and one scheduled. Draft themes and contributors are attached so that
tests can prove they are never listed or counted. The expected counts in the tests were worked
out by hand from the table in `build_catalogue`'s docstring.
"""

from contextlib import contextmanager
from types import SimpleNamespace

from django.db import transaction

from tests.factories import (
    future,
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)


def build_catalogue():
    """Build the catalogue and return a namespace of the objects by short name.

    ====  ====  ===============  =================  ===========  ==
    name  year  kind             themes             contributors OA
    ====  ====  ===============  =================  ===========  ==
    P1    2021  book             CP                 A, B         y
    P2    2020  journal_article  CD                 C            y
    P3    2019  report           CM                 A            n
    P4    2015  book             GOV                B            n
    P5    2012  chapter          GOV, CD            A, C         y
    P6    2008  journal_article  GOV                C            n
    P7    2021  handbook         CP, CD             A, B         n
    P8    2018  report           (draft sub-theme)  B, (draft)   n
    P9    2010  book             -                  C            y
    P10   2016  journal_article  GOV, CM            B            n
    P11   2022  report           (draft theme)      A            y
    P12   2019  journal_article  CD                 (draft)      n
    ====  ====  ===============  =================  ===========  ==

    CP "Co-production" is a parent of CD "Co-design", CM "Co-commissioning" and a draft
    sub-theme; GOV "Local governance" has no children; DT is a draft top-level theme.
    Titles or abstracts containing "service": P1, P3, P8, P11 (title) and P2 (abstract only).
    """
    t = SimpleNamespace()
    t.CP = make_theme("Co-production", slug="co-production", order=1)
    t.CD = make_theme("Co-design", parent=t.CP, slug="co-design", order=2)
    t.CM = make_theme("Co-commissioning", parent=t.CP, slug="co-commissioning", order=3)
    t.DR = make_theme("Draft sub-theme", parent=t.CP, slug="draft-sub-theme", status="draft", order=4)
    t.GOV = make_theme("Local governance", slug="local-governance", order=5)
    t.DT = make_theme("Hidden theme", slug="hidden-theme", status="draft", order=6)

    t.A = make_contributor("Elke", "Loeffler", slug="elke-loeffler")
    t.B = make_contributor("Tony", "Bovaird", slug="tony-bovaird")
    t.C = make_contributor("Catherine", "Needham", slug="catherine-needham")
    t.DC = make_contributor("Secret", "Person", slug="secret-person", status="draft")

    def pub(key, title, year, kind, themes, contributors, oa, abstract=""):
        setattr(
            t,
            key,
            make_publication(
                title,
                slug=key.lower() + "-" + title.lower().replace(" ", "-")[:40],
                year=year,
                kind=kind,
                themes=themes,
                contributors=contributors,
                is_open_access=oa,
                abstract=abstract,
            ),
        )

    pub("P1", "Co-production of public services", 2021, "book", [t.CP], [t.A, t.B], True)
    pub("P2", "Co-design in social care", 2020, "journal_article", [t.CD], [t.C], True,
        "<p>How councils co-design a service with residents.</p>")
    pub("P3", "Commissioning services together", 2019, "report", [t.CM], [t.A], False)
    pub("P4", "Local governance futures", 2015, "book", [t.GOV], [t.B], False)
    pub("P5", "Governing with citizens", 2012, "chapter", [t.GOV, t.CD], [t.A, t.C], True)
    pub("P6", "Participatory budgeting", 2008, "journal_article", [t.GOV], [t.C], False)
    pub("P7", "The co-production handbook", 2021, "handbook", [t.CP, t.CD], [t.A, t.B], False)
    pub("P8", "Service user voice", 2018, "report", [t.DR], [t.DC, t.B], False)
    pub("P9", "Neighbourhood democracy", 2010, "book", [], [t.C], True)
    pub("P10", "Councils and austerity", 2016, "journal_article", [t.GOV, t.CM], [t.B], False)
    pub("P11", "Digital public services", 2022, "report", [t.DT], [t.A], True)
    pub("P12", "Health and care integration", 2019, "journal_article", [t.CD], [t.DC], False)
    t.D1 = make_publication(
        "Secret draft book", slug="secret-draft-book", year=2021, kind="book", themes=[t.CP, t.CD],
        contributors=[t.A], is_open_access=True, status="draft", abstract="<p>service</p>",
    )
    t.D2 = make_publication(
        "Future report on service", slug="future-report", year=2020, kind="report", themes=[t.GOV],
        contributors=[t.B], is_open_access=True, publish_from=future(), abstract="<p>service</p>",
    )

    t.HEALTH = make_service_area("Health", slug="health", order=1)
    t.SOCIAL = make_service_area("Social care", slug="social-care", order=2)
    t.HOUSING = make_service_area("Housing", slug="housing", order=3)

    def case(key, title, country, themes, areas, year, **kwargs):
        setattr(
            t,
            key,
            make_case_study(
                title,
                slug=key.lower() + "-case",
                country=country,
                themes=themes,
                service_areas=areas,
                year_started=year,
                **kwargs,
            ),
        )

    case("C1", "Walsall co-design of care", "GB", [t.CD], [t.HEALTH, t.SOCIAL], 2015)
    case("C2", "Berlin neighbourhood councils", "DE", [t.GOV], [t.HOUSING], 2018)
    case("C3", "Wellington health partnership", "NZ", [t.CP], [t.HEALTH], 2020)
    case("C4", "Birmingham care homes", "GB", [t.CM], [t.SOCIAL], 2012)
    case("C5", "Hamburg housing cooperative", "DE", [t.DT], [t.HOUSING, t.HEALTH], None)
    case("C6", "Kent libraries", "GB", [], [], 2009)
    case("CD1", "Secret case", "GB", [t.CP], [t.HEALTH], 2019, status="draft")
    case("CD2", "Future case", "NZ", [t.GOV], [t.HOUSING], 2021, publish_from=future())
    return t


@contextmanager
def catalogue_for_module(django_db_blocker):
    """Build the catalogue once per test module, inside a transaction rolled back at the end.

    Each test still runs in its own savepoint, so what a test writes is undone after it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_catalogue()
        transaction.set_rollback(True)
