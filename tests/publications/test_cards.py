"""A publication card's line of credits on every path that fills it (publications/cards.py):
the card querysets (CardIterable), a book page's chapter cards (prefetch_for_cards) and a
publication loaded any other way. Each must name the public people only, in citation order."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from publications.models import Publication
from publications.models import PublicationContributor as Credit
from tests.factories import make_contributor, make_publication, make_theme

pytestmark = pytest.mark.django_db

LINE = "Ada Lovelace, Kim Lee (ed.)"


@pytest.fixture
def people():
    """Ada and Kim are public; Tom is a draft and Sam is scheduled for tomorrow."""
    tomorrow = timezone.now() + timedelta(days=1)
    return [
        make_contributor("Ada", "Lovelace", slug="ada-lovelace"),
        (make_contributor("Tom", "Draft", status="draft"), Credit.Role.AUTHOR),
        (make_contributor("Sam", "Later", publish_from=tomorrow), Credit.Role.TRANSLATOR),
        (make_contributor("Kim", "Lee"), Credit.Role.EDITOR),
    ]


def card_lines(html, title):
    """The credit lines of the cards titled ``title`` on a page."""
    cards = [card for card in html.split("<article")[1:] if f">{title}</a>" in card]
    assert cards, f"no card titled {title!r}"
    return [re.findall(r'<p class="card__people">(.*?)</p>', card) for card in cards]


def test_the_listing_the_theme_page_and_a_person_page_name_the_public_people_only(client, people):
    theme = make_theme("Co-design", slug="co-design")
    make_publication("Card paths", slug="card-paths", themes=[theme], contributors=people)
    make_publication("Nobody public", slug="nobody-public", themes=[theme], contributors=people[1:3])
    for path in ("/publications/", "/themes/co-design/", "/people/ada-lovelace/"):
        html = client.get(path).text
        assert card_lines(html, "Card paths") == [[LINE]], path
    # A publication whose credited people are all hidden shows no line at all.
    assert card_lines(client.get("/publications/").text, "Nobody public") == [[]]


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
