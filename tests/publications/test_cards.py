"""What cards read in bulk (publications/cards.py), on every path that fills it.

A publication card's line of credits: the card querysets (CardIterable), a book page's chapter
cards (prefetch_for_cards) and a publication loaded any other way; each must name the public
people only, in citation order. A case-study card's service areas: the card querysets
(CaseStudyCardIterable), a publication page's case studies and a case study loaded otherwise;
each in the service areas' own order."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from publications.models import CaseStudy, Publication
from publications.models import PublicationContributor as Credit
from tests.factories import make_case_study, make_contributor, make_publication, make_service_area, make_theme

pytestmark = pytest.mark.django_db

LINE = "Ada Lovelace, Kim Lee (ed.)"


@pytest.fixture
def people():
    """Ada and Kim are public (Kim since an hour ago); Tom is a draft and Sam is scheduled for
    tomorrow."""
    now = timezone.now()
    return [
        make_contributor("Ada", "Lovelace", slug="ada-lovelace"),
        (make_contributor("Tom", "Draft", status="draft"), Credit.Role.AUTHOR),
        (make_contributor("Sam", "Later", publish_from=now + timedelta(days=1)), Credit.Role.TRANSLATOR),
        (make_contributor("Kim", "Lee", publish_from=now - timedelta(hours=1)), Credit.Role.EDITOR),
    ]


def card_lines(html, title):
    """The credit lines of the cards titled ``title`` on a page."""
    cards = [card for card in html.split("<article")[1:] if f">{title}</a>" in card]
    assert cards, f"no card titled {title!r}"
    return [re.findall(r'<p class="card__people">(.*?)</p>', card) for card in cards]


def test_every_page_with_publication_cards_names_the_public_people_only(client, people):
    theme = make_theme("Co-design", slug="co-design")
    publication = make_publication("Card paths", slug="card-paths", themes=[theme], contributors=people)
    make_publication("Nobody public", slug="nobody-public", themes=[theme], contributors=people[1:3])
    make_case_study("Discussing it", slug="discussing-it", publications=[publication])
    pages = ("/publications/", "/themes/co-design/", "/people/ada-lovelace/", "/case-studies/discussing-it/")
    for path in pages:
        html = client.get(path).text
        assert card_lines(html, "Card paths") == [[LINE]], path
    # A publication whose credited people are all hidden shows no line at all.
    assert card_lines(client.get("/publications/").text, "Nobody public") == [[]]


def test_card_lines_follow_the_stored_positions_not_the_order_the_credits_were_added(client, people):
    publication = make_publication("Reordered", slug="reordered", contributors=people)
    # Ada (added first) moves to the end and Kim (added last) to the front.
    Credit.objects.filter(publication=publication, contributor=people[0]).update(position=9)
    Credit.objects.filter(publication=publication, contributor=people[3][0]).update(position=0)
    assert card_lines(client.get("/publications/").text, "Reordered") == [["Kim Lee (ed.), Ada Lovelace"]]
    plain = Publication.objects.get(pk=publication.pk)
    assert plain.card_credits == "Kim Lee (ed.), Ada Lovelace"


def test_a_book_page_names_the_public_people_on_its_chapter_cards(client, people):
    book = make_publication("The handbook", slug="the-handbook", contributors=[people[0]])
    make_publication("A chapter", slug="a-chapter", kind="chapter", parent=book, contributors=people)
    html = client.get("/publications/the-handbook/").text
    assert card_lines(html, "A chapter") == [[LINE]]


def test_card_querysets_carry_the_lines_through_filters_order_and_slices(people, django_assert_num_queries):
    first = make_publication("First", year=2024, contributors=people)
    make_publication("Second", year=2023, contributors=[people[0]])
    make_publication("Third", year=2022)
    queryset = Publication.objects.published().for_cards().filter(year__gte=2022).order_by("-year")[:3]
    with django_assert_num_queries(2):  # the cards, then every card's credits at once
        cards = list(queryset)
    with django_assert_num_queries(0):
        assert [(card.title, card.card_credits) for card in cards] == [
            ("First", LINE), ("Second", "Ada Lovelace"), ("Third", ""),
        ]
    # values_list() gives plain values, with no credits query.
    with django_assert_num_queries(1):
        assert list(Publication.objects.for_cards().filter(pk=first.pk).values_list("title", flat=True)) == ["First"]


def test_a_publication_loaded_otherwise_reads_its_line_in_one_query(people, django_assert_num_queries):
    make_publication("Plain", slug="plain", contributors=people)
    publication = Publication.objects.get(slug="plain")
    with django_assert_num_queries(1):
        assert publication.card_credits == LINE
        assert publication.card_credits == LINE  # kept


@pytest.fixture
def areas():
    """Three service areas whose own order (order, then name) is not their creation order."""
    return [
        make_service_area("Social care", slug="social-care", order=2),
        make_service_area("Health", slug="health", order=1),
        make_service_area("Community safety", slug="community-safety", order=2),
    ]


def tag_lists(html, title):
    cards = [card for card in html.split("<article")[1:] if f">{title}</a>" in card]
    assert cards, f"no card titled {title!r}"
    return [re.findall(r'<span class="tag">(.*?)</span>', card) for card in cards]


AREAS = ["Health", "Community safety", "Social care"]


def test_case_study_cards_list_their_service_areas_in_order_on_every_page(client, areas):
    theme = make_theme("Co-delivery", slug="co-delivery")
    person = make_contributor("Ada", "Lovelace", slug="ada-lovelace")
    book = make_publication("Discussed here", slug="discussed-here", contributors=[person])
    make_case_study("Area paths", themes=[theme], service_areas=areas, publications=[book], contributors=[person])
    make_case_study("No areas", themes=[theme])
    for path in ("/case-studies/", "/themes/co-delivery/", "/people/ada-lovelace/", "/publications/discussed-here/"):
        assert tag_lists(client.get(path).text, "Area paths") == [AREAS], path
    assert tag_lists(client.get("/case-studies/").text, "No areas") == [[]]


def test_case_study_card_querysets_read_the_areas_once_and_a_plain_one_reads_its_own(
    areas, django_assert_num_queries
):
    make_case_study("Tagged", slug="tagged", service_areas=areas)
    make_case_study("Untagged", slug="untagged")
    with django_assert_num_queries(2):  # the cards, then every card's service areas at once
        cards = list(CaseStudy.objects.published().for_cards().order_by("title")[:5])
    assert [(card.title, card.card_areas) for card in cards] == [("Tagged", AREAS), ("Untagged", [])]
    plain = CaseStudy.objects.get(slug="tagged")
    with django_assert_num_queries(1):
        assert plain.card_areas == AREAS
        assert plain.card_areas == AREAS


def test_country_names_are_what_django_countries_gives_in_each_language():
    # publications/countries.py keeps the names per language; a card and the country facet must
    # still show exactly what django-countries would, in the language active at the time.
    from django.utils import translation
    from django_countries import countries
    from django_countries.fields import Country

    from publications.countries import country_choices, country_name
    from publications.models import CaseStudy

    for language in ("en-gb", "de", "fr"):
        with translation.override(language):
            assert country_choices() == [(code, str(name)) for code, name in countries]
            for code in ("GB", "DE", "NZ", "CI", "XK"):
                assert country_name(code) == Country(code=code).name
            assert country_name("") == ""
            assert country_name("ZZ") == Country(code="ZZ").name == ""
            # Codes not written as the field writes them (an import's), read as django-countries reads them.
            for code in ("gb", "GBR", "826"):
                assert country_name(code) == Country(code=code).name != ""
    with translation.override("de"):
        assert country_name("DE") == "Deutschland"
        assert CaseStudy(country="GB").country_name == "Vereinigtes Königreich"
    with translation.override("en-gb"):
        assert CaseStudy(country="GB").country_name == "United Kingdom"


def _card_fields(card):
    """What a card shows and what was loaded for it (a column not loaded would cost a query)."""
    parent = card.parent if card.parent_id else None  # loaded with the card: no query
    return (
        card.pk,
        {name: getattr(card, name) for name in card.__dict__ if not name.startswith("_")},
        sorted(card.get_deferred_fields()),
        parent and (parent.pk, parent.is_public, parent.slug, parent.title, sorted(parent.get_deferred_fields())),
    )


def test_hand_written_cards_equal_the_card_querysets(people, areas, django_assert_num_queries):
    from publications.cards import public_cards

    later = timezone.now() + timedelta(days=1)
    theme = make_theme("Co-design", slug="co-design")
    book = make_publication("Public book", year=2020, contributors=people, themes=[theme])
    draft_book = make_publication("Draft book", year=2020, status="draft")
    scheduled_book = make_publication("Scheduled book", year=2020, publish_from=later)
    for parent, title in ((book, "In the public book"), (draft_book, "In the draft book"),
                          (scheduled_book, "In the scheduled book")):
        make_publication(title, kind="chapter", parent=parent, year=2021, themes=[theme], contributors=people[:2])
    make_publication("Same year, A", year=2019, themes=[theme], container_title="A journal")
    make_publication("Draft", year=2024, status="draft", themes=[theme])
    make_publication("Scheduled", year=2024, publish_from=later, themes=[theme])
    make_publication("Other theme", year=2024)
    expected = list(Publication.objects.published().for_cards().filter(themes=theme).order_by("-year", "title")[:5])
    with django_assert_num_queries(2):  # the cards, then their credits
        cards = public_cards(
            Publication,
            "EXISTS (SELECT 1 FROM publications_publication_themes l WHERE l.publication_id = i.id AND l.theme_id = %s)",
            [theme.pk], "ORDER BY i.year DESC, i.title ASC LIMIT %s", [5],
        )
    with django_assert_num_queries(0):
        assert [_card_fields(card) for card in cards] == [_card_fields(card) for card in expected]
    assert [card.title for card in cards] == [
        "In the draft book", "In the public book", "In the scheduled book", "Public book", "Same year, A",
    ]
    assert [card.parent.is_public for card in cards[:3]] == [False, True, False]
    assert cards[1].card_credits == "Ada Lovelace"

    make_case_study("Undated", themes=[theme], service_areas=areas, year_started=None)
    make_case_study("Old", themes=[theme], year_started=1999)
    make_case_study("New", themes=[theme], year_started=2020, service_areas=areas[:1])
    make_case_study("Draft case", themes=[theme], status="draft")
    make_case_study("Scheduled case", themes=[theme], publish_from=later)
    expected = list(CaseStudy.objects.published().for_cards().order_by("-year_started", "title"))
    expected.sort(key=lambda case: case.year_started is None)  # NULLS LAST on both databases
    cards = public_cards(CaseStudy, "TRUE", [], "ORDER BY i.year_started DESC NULLS LAST, i.title ASC LIMIT %s", [9])
    with django_assert_num_queries(0):
        assert [(card.pk, card.title, card.country_name, card.card_areas, sorted(card.get_deferred_fields()))
                for card in cards] == [
            (case.pk, case.title, case.country_name, case.card_areas, sorted(case.get_deferred_fields()))
            for case in expected
        ]
    assert [(card.title, card.card_areas) for card in cards] == [("New", ["Social care"]), ("Old", []), ("Undated", AREAS)]
    assert public_cards(CaseStudy, "i.title = %s", ["Nothing"], "LIMIT %s", [5]) == []
