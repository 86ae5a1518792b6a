"""Publications and case studies: the publishing rule, identifiers, author order and
integrity at the database."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from inlogov import publishing
from inlogov.publishing import Status
from publications.models import CaseStudy, Publication, PublicationContributor
from tests.factories import future, make_case_study, make_contributor, make_publication, past

pytestmark = pytest.mark.django_db


def published_titles(model=Publication):
    return sorted(model.objects.published().values_list("title", flat=True))


# --- The publishing rule (acceptance 3) ---------------------------------------------------


@pytest.mark.parametrize(("model", "make"), [(Publication, make_publication), (CaseStudy, make_case_study)])
def test_draft_is_absent_from_published_until_its_status_flips(model, make):
    make("Visible")
    draft = make("Draft", status=Status.DRAFT)
    assert published_titles(model) == ["Visible"]
    assert [item.title for item in model.objects.published().for_listing()] == ["Visible"]

    draft.status = Status.PUBLISHED
    draft.save()
    assert published_titles(model) == ["Draft", "Visible"]


@pytest.mark.parametrize(("model", "make"), [(Publication, make_publication), (CaseStudy, make_case_study)])
def test_future_publish_from_is_absent_and_past_publish_from_is_present(model, make):
    make("Tomorrow", publish_from=future())
    make("In a minute", publish_from=timezone.now() + timedelta(minutes=1))
    make("A minute ago", publish_from=timezone.now() - timedelta(minutes=1))
    make("Yesterday", publish_from=past())
    assert published_titles(model) == ["A minute ago", "Yesterday"]


@pytest.mark.parametrize(("model", "make"), [(Publication, make_publication), (CaseStudy, make_case_study)])
def test_scheduled_item_appears_when_its_time_passes_with_nothing_else_changed(model, make, monkeypatch):
    scheduled = make("Scheduled", publish_from=future(days=2))
    assert published_titles(model) == []

    monkeypatch.setattr(publishing.timezone, "now", lambda: scheduled.publish_from + timedelta(seconds=1))
    assert published_titles(model) == ["Scheduled"]


def test_draft_with_past_publish_from_stays_hidden():
    make_publication("Draft but due", status=Status.DRAFT, publish_from=past())
    assert published_titles() == []


def test_published_q_filters_related_rows_by_the_same_rule():
    from people.models import Contributor

    visible = make_publication("Visible")
    hidden = make_publication("Hidden", status=Status.DRAFT)
    author = make_contributor("Elke", "Loeffler")
    for publication in (visible, hidden):
        PublicationContributor.objects.create(publication=publication, contributor=author, position=0)
    titles = Contributor.objects.filter(
        publishing.published_q("contributions__publication__"), pk=author.pk
    ).values_list("contributions__publication__title", flat=True)
    assert list(titles) == ["Visible"]


# --- Validation names the field (acceptance 4) --------------------------------------------


def unsaved_publication(**fields):
    values = {"title": "A title", "slug": "a-title", "kind": Publication.Kind.BOOK, "year": 2021}
    values.update(fields)
    return Publication(**values)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("doi", "11.1007/abc", "Enter a DOI beginning with 10., e.g. 10.1007/978-3-030-53705-0"),
        ("doi", "10.1007", "Enter a DOI beginning with 10."),
        ("isbn", "978-1-910029-78-8", "This ISBN-13's check digit is wrong."),
        ("isbn", "0-306-40615-3", "This ISBN-10's check digit is wrong."),
        ("isbn", "12345", "Enter an ISBN of 10 or 13 digits"),
        ("year", 1800, "Enter a year between 1900 and"),
        ("year", timezone.now().year + 2, "Enter a year between 1900 and"),
        ("slug", "Not a slug!", "Enter a valid “slug”"),
    ],
)
def test_invalid_publication_value_is_rejected_naming_the_field(field, value, message):
    publication = unsaved_publication(**{field: value})
    with pytest.raises(ValidationError) as error:
        publication.full_clean()
    assert list(error.value.message_dict) == [field]
    assert error.value.message_dict[field][0].startswith(message)


def test_next_year_is_the_latest_year_a_form_accepts():
    unsaved_publication(year=timezone.now().year + 1).full_clean()


def test_invalid_case_study_years_are_rejected_naming_the_field():
    case = CaseStudy(title="Case", slug="case", country="GB", year_started=2020, year_ended=2019)
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert error.value.message_dict == {"year_ended": ["The end year cannot be before the start year."]}


def test_identifiers_are_stored_normalised():
    publication = make_publication(doi="https://doi.org/10.1007/978-3-030-53705-0_1", isbn="0-306-40615-2")
    publication.refresh_from_db()
    assert publication.doi == "10.1007/978-3-030-53705-0_1"
    assert publication.isbn == "9780306406157"


# --- Constraints hold at the database, bypassing forms (acceptance 4) ---------------------


@pytest.mark.parametrize("year", [1800, 1899, 2101])
def test_database_refuses_a_publication_year_out_of_range(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_publication(year=year)


def test_database_accepts_the_edges_of_the_year_range():
    make_publication("Old", year=1900)
    make_publication("Far future", year=2100)
    assert Publication.objects.count() == 2


def test_database_refuses_a_publication_that_is_its_own_parent():
    book = make_publication()
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.filter(pk=book.pk).update(parent=book)


def test_database_refuses_a_duplicate_publication_slug():
    make_publication(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_publication(slug="same")


def test_database_refuses_a_cover_without_alt_text():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_publication(cover="covers/book.jpg", cover_alt="")


def test_database_refuses_two_contributors_at_the_same_position():
    publication = make_publication(contributors=[make_contributor()])
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationContributor.objects.create(
            publication=publication, contributor=make_contributor(), position=0
        )


def test_database_refuses_the_same_person_twice_in_the_same_role():
    person = make_contributor()
    publication = make_publication(contributors=[person])
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationContributor.objects.create(publication=publication, contributor=person, position=1)


def test_same_person_may_hold_two_roles_on_one_publication():
    person = make_contributor()
    publication = make_publication(
        contributors=[(person, PublicationContributor.Role.AUTHOR), (person, PublicationContributor.Role.EDITOR)]
    )
    assert list(publication.contributions.values_list("role", flat=True)) == ["author", "editor"]


@pytest.mark.parametrize(
    "fields",
    [
        {"year_started": 2020, "year_ended": 2019},
        {"year_started": 1850},
        {"year_ended": 2200},
        {"is_ongoing": True, "year_started": 2018, "year_ended": 2020},
    ],
)
def test_database_refuses_inconsistent_case_study_years(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case_study(**fields)


def test_deleting_a_credited_contributor_is_refused():
    from django.db.models import ProtectedError

    person = make_contributor()
    make_publication(contributors=[person])
    with pytest.raises(ProtectedError):
        person.delete()


# --- Author order (acceptance 5) ----------------------------------------------------------


def names_in_order(publication):
    listed = Publication.objects.for_listing().get(pk=publication.pk)
    return [credit.contributor.family_name for credit in listed.contributions.all()]


def test_author_order_round_trips_exactly_as_entered():
    people = [make_contributor("A", name) for name in ("Loeffler", "Bovaird", "Bussu", "Bartels")]
    publication = make_publication(contributors=[people[2], people[0], people[3], people[1]])
    assert names_in_order(publication) == ["Bussu", "Loeffler", "Bartels", "Bovaird"]
    # Not alphabetical, not by primary key: the order staff entered.
    assert names_in_order(publication) != sorted(names_in_order(publication))


def test_author_order_round_trips_after_reordering():
    golan, bussu, hargreaves = (make_contributor("A", n) for n in ("Golan", "Bussu", "Hargreaves"))
    publication = make_publication(contributors=[golan, bussu, hargreaves])
    assert names_in_order(publication) == ["Golan", "Bussu", "Hargreaves"]

    # Reorder as the admin's inline does: new positions for every row, saved in one go.
    wanted = [bussu, golan, hargreaves]
    with transaction.atomic():
        credits = {c.contributor_id: c for c in publication.contributions.all()}
        for offset, credit in enumerate(credits.values()):
            credit.position = 1000 + offset  # step aside first: positions are unique per publication
            credit.save()
        for position, person in enumerate(wanted):
            credits[person.pk].position = position
            credits[person.pk].save()
    assert names_in_order(publication) == ["Bussu", "Golan", "Hargreaves"]


def test_gaps_in_positions_keep_the_order():
    first, second, third = (make_contributor("A", n) for n in ("First", "Second", "Third"))
    publication = make_publication()
    for person, position in ((third, 30), (first, 5), (second, 12)):
        PublicationContributor.objects.create(publication=publication, contributor=person, position=position)
    assert names_in_order(publication) == ["First", "Second", "Third"]


def test_listing_shows_only_published_contributors_in_order():
    shown, hidden, also_shown = (
        make_contributor("A", "Shown"),
        make_contributor("A", "Hidden", status=Status.DRAFT),
        make_contributor("A", "Also"),
    )
    publication = make_publication(contributors=[shown, hidden, also_shown])
    assert names_in_order(publication) == ["Shown", "Also"]


def test_chapter_points_to_its_book():
    book = make_publication("Co-Production of Public Services and Outcomes")
    chapter = make_publication("The Four Co's", kind=Publication.Kind.CHAPTER, parent=book, pages="75-176")
    assert list(book.children.all()) == [chapter]
    assert str(chapter) == "The Four Co's"


def test_every_kind_is_shown_by_its_label_and_an_unknown_one_as_stored():
    labels = {kind: Publication(kind=kind).get_kind_display() for kind in Publication.Kind.values}
    assert labels == {
        "book": "Book", "edited_book": "Edited book", "handbook": "Handbook", "chapter": "Chapter",
        "journal_article": "Journal article", "report": "Report", "scoping_review": "Scoping review",
        "working_paper": "Working paper", "other": "Other",
    }
    # As Django's own get_FOO_display: a value outside the choices (an old row) is shown as is.
    assert Publication(kind="pamphlet").get_kind_display() == "pamphlet"
