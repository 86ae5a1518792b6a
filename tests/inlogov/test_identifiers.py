"""ORCID iD, DOI and ISBN: one canonical stored form, and messages an editor understands.

Example-based; property-based checks of the same functions live beside these.
"""

import pytest
from django.core.exceptions import ValidationError

from inlogov.identifiers import (
    isbn10_check,
    isbn13_check,
    normalize_doi,
    normalize_isbn,
    normalize_orcid,
    orcid_check_digit,
)


@pytest.mark.parametrize(
    "value",
    [
        "0000-0002-1825-0097",
        "0000000218250097",
        "https://orcid.org/0000-0002-1825-0097",
        "http://www.orcid.org/0000-0002-1825-0097",
        "  orcid.org/0000-0002-1825-0097 ",
    ],
)
def test_orcid_spellings_normalise_to_the_hyphenated_id(value):
    assert normalize_orcid(value) == "0000-0002-1825-0097"


def test_orcid_with_x_check_character_is_accepted_in_either_case():
    assert orcid_check_digit("000000021694233") == "X"
    assert normalize_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"


def test_orcid_with_wrong_check_digit_is_rejected_with_a_helpful_message():
    with pytest.raises(ValidationError) as error:
        normalize_orcid("0000-0002-1825-0096")
    assert error.value.code == "invalid_orcid_checksum"
    assert error.value.messages == [
        "This ORCID iD's check digit is wrong: please copy it again from orcid.org."
    ]


@pytest.mark.parametrize("value", ["0000-0002-1825", "0000-0002-1825-00971", "abcd-efgh-ijkl-mnop"])
def test_malformed_orcid_is_rejected(value):
    with pytest.raises(ValidationError) as error:
        normalize_orcid(value)
    assert error.value.code == "invalid_orcid"


def test_empty_identifiers_stay_empty():
    assert normalize_orcid("") == normalize_doi("  ") == normalize_isbn(None) == ""


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("10.1007/978-3-030-53705-0", "10.1007/978-3-030-53705-0"),
        ("https://doi.org/10.1007/978-3-030-53705-0_1", "10.1007/978-3-030-53705-0_1"),
        ("http://dx.doi.org/10.1007/978-3-030-55509-2_3", "10.1007/978-3-030-55509-2_3"),
        ("doi:10.1007/978-3-030-03008-7_14-1", "10.1007/978-3-030-03008-7_14-1"),
        ("10.1000/ABC.Def", "10.1000/abc.def"),
    ],
)
def test_doi_is_stored_without_resolver_prefix_and_in_lower_case(value, stored):
    assert normalize_doi(value) == stored


@pytest.mark.parametrize("value", ["11.1007/abc", "10.1007", "10.12/abc", "10.1007/with space", "doi"])
def test_malformed_doi_is_rejected(value):
    with pytest.raises(ValidationError) as error:
        normalize_doi(value)
    assert error.value.code == "invalid_doi"
    assert "Enter a DOI beginning with 10." in error.value.messages[0]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("9781910029787", "9781910029787"),
        ("978-1-910029-78-7", "9781910029787"),
        ("ISBN 978 1 910029 78 7", "9781910029787"),
        ("0-306-40615-2", "9780306406157"),
        ("080442957X", "9780804429573"),
        ("080442957x", "9780804429573"),
    ],
)
def test_isbn_10_and_13_are_stored_as_13_digits(value, stored):
    assert normalize_isbn(value) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9781910029788", "This ISBN-13's check digit is wrong."),
        ("0-306-40615-3", "This ISBN-10's check digit is wrong."),
        ("12345", "Enter an ISBN of 10 or 13 digits, e.g. 978-1-910029-78-7."),
        ("9771910029787", "Enter an ISBN of 10 or 13 digits, e.g. 978-1-910029-78-7."),
    ],
)
def test_invalid_isbn_is_rejected_with_a_message(value, message):
    with pytest.raises(ValidationError) as error:
        normalize_isbn(value)
    assert error.value.messages == [message]


def test_check_digit_helpers_match_published_examples():
    assert isbn10_check("030640615") == "2"
    assert isbn13_check("978030640615") == "7"
    assert orcid_check_digit("000000021825009") == "7"
