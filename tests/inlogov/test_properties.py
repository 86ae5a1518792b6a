"""Property-based tests (hypothesis) for identifiers and the listing filter grammar.

Part of acceptance point 3 of the hardening issue. Example counts are kept modest so the whole
suite stays fast in CI; each property still sees hundreds of generated inputs per run.
"""

import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inlogov.identifiers import (
    isbn10_check,
    isbn13_check,
    normalize_doi,
    normalize_isbn,
    normalize_orcid,
    orcid_check_digit,
)

# --- ORCID ----------------------------------------------------------------------------------


@st.composite
def orcid_ids(draw):
    base = draw(st.text(alphabet="0123456789", min_size=15, max_size=15))
    full = base + orcid_check_digit(base)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


ORCID_SPELLINGS = [
    lambda i: i,
    lambda i: i.replace("-", ""),
    lambda i: f"https://orcid.org/{i}",
    lambda i: f"http://orcid.org/{i}",
    lambda i: f"https://www.orcid.org/{i}",
    lambda i: f"orcid.org/{i}",
    lambda i: f"HTTPS://ORCID.ORG/{i}",
    lambda i: f"  {i.lower()}\n",
]


@given(orcid_ids(), st.sampled_from(ORCID_SPELLINGS))
@example("0000-0002-1825-0097", ORCID_SPELLINGS[2])
@example("0000-0002-1694-233X", ORCID_SPELLINGS[7])
def test_every_accepted_orcid_spelling_normalises_to_the_canonical_id(orcid, spell):
    assert normalize_orcid(spell(orcid)) == orcid
    assert normalize_orcid(orcid) == orcid  # idempotent
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", orcid)


@given(orcid_ids(), st.integers(min_value=0, max_value=15), st.sampled_from("0123456789X"))
def test_any_single_character_change_in_an_orcid_is_rejected(orcid, position, replacement):
    compact = orcid.replace("-", "")
    if replacement == compact[position] or (replacement == "X" and position != 15):
        replacement = str((int(compact[position]) + 1) % 10) if compact[position] != "X" else "0"
    changed = compact[:position] + replacement + compact[position + 1 :]
    with pytest.raises(ValidationError) as excinfo:
        normalize_orcid(changed)
    assert excinfo.value.code == "invalid_orcid_checksum"


@given(st.text(max_size=40))
def test_orcid_normaliser_either_returns_canonical_form_or_raises_validation_error(text):
    try:
        result = normalize_orcid(text)
    except ValidationError:
        return
    assert result == "" or re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", result)


# --- DOI ------------------------------------------------------------------------------------

doi_suffixes = st.text(
    alphabet=st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=60
)
DOI_PREFIXES = ["", "doi:", "DOI: ", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "HTTPS://DOI.ORG/"]


@given(st.integers(min_value=1000, max_value=999999999), doi_suffixes, st.sampled_from(DOI_PREFIXES))
@example(1007, "978-3-030-53705-0", "https://doi.org/")
def test_doi_prefixes_are_stripped_and_normalisation_is_idempotent(registrant, suffix, prefix):
    bare = f"10.{registrant}/{suffix}"
    try:
        once = normalize_doi(f"{prefix}{bare}")
    except ValidationError:
        # Only refused when too long for the field once lower-cased.
        assert len(bare.lower()) > 200
        return
    assert once == bare.lower()
    assert not once.startswith(("doi:", "http"))
    assert normalize_doi(once) == once
    assert normalize_doi(once.upper()) == normalize_doi(once.upper().lower())


@given(st.text(max_size=80))
def test_doi_normaliser_either_returns_a_bare_doi_or_raises_validation_error(text):
    try:
        result = normalize_doi(text)
    except ValidationError:
        return
    assert result == "" or (result.startswith("10.") and normalize_doi(result) == result)


# --- ISBN -----------------------------------------------------------------------------------


@st.composite
def isbn10s(draw):
    base = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    return base + isbn10_check(base)


def _hyphenate(draw, value):
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=len(value) - 1), max_size=4)))
    parts, last = [], 0
    for cut in cuts:
        parts.append(value[last:cut])
        last = cut
    parts.append(value[last:])
    return "-".join(parts)


@given(st.data(), isbn10s(), st.sampled_from(["", "ISBN ", "ISBN: ", "isbn"]))
def test_isbn10_and_isbn13_of_one_book_normalise_to_the_same_13_digits(data, isbn10, prefix):
    base13 = "978" + isbn10[:9]
    expected = base13 + isbn13_check(base13)
    assert normalize_isbn(prefix + _hyphenate(data.draw, isbn10)) == expected
    assert normalize_isbn(_hyphenate(data.draw, expected)) == expected
    assert normalize_isbn(expected) == expected


def test_a_known_isbn_pair_normalises_to_the_same_13_digits():
    assert normalize_isbn("0-306-40615-2") == normalize_isbn("978-0-306-40615-7") == "9780306406157"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.data())
def test_corrupted_isbn_check_digits_are_rejected(base, data):
    good10 = isbn10_check(base)
    bad10 = data.draw(st.sampled_from([c for c in "0123456789X" if c != good10]))
    with pytest.raises(ValidationError) as excinfo:
        normalize_isbn(base + bad10)
    assert excinfo.value.code == "invalid_isbn_checksum"

    base13 = data.draw(st.sampled_from(["978", "979"])) + base
    good13 = isbn13_check(base13)
    bad13 = data.draw(st.sampled_from([c for c in "0123456789" if c != good13]))
    with pytest.raises(ValidationError) as excinfo:
        normalize_isbn(base13 + bad13)
    assert excinfo.value.code == "invalid_isbn_checksum"


@given(st.text(max_size=30))
def test_isbn_normaliser_either_returns_13_digits_or_raises_validation_error(text):
    try:
        result = normalize_isbn(text)
    except ValidationError:
        return
    assert result == "" or re.fullmatch(r"97[89]\d{10}", result)


# --- Listing filter grammar -----------------------------------------------------------------

PUBLICATION_PARAMS = ["theme", "year_from", "year_to", "q", "sort", "kind", "contributor", "open_access", "page"]
CASE_STUDY_PARAMS = ["theme", "year_from", "year_to", "q", "sort", "service_area", "country", "page"]

hostile_values = st.one_of(
    st.text(max_size=60),  # any unicode, control characters included
    st.text(alphabet=st.characters(max_codepoint=31), max_size=10),  # NUL and other controls
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "-1", "0", "1e309", "2021.5", "NaN", "' OR 1=1 --", "<script>x</script>", "%", "%00"]),
    st.text(alphabet="0123456789-", min_size=1, max_size=25),
)


def _queries(params):
    keys = st.one_of(st.sampled_from(params), st.text(max_size=12))
    return st.lists(st.tuples(keys, hostile_values), max_size=8)


@pytest.fixture
def some_listing_content(db):
    from tests.factories import (
        make_case_study,
        make_contributor,
        make_publication,
        make_service_area,
        make_theme,
    )

    theme = make_theme("Co-production", slug="co-production")
    person = make_contributor("Elke", "Loeffler", slug="elke-loeffler")
    publication = make_publication("Handbook", themes=[theme], contributors=[person])
    make_case_study("Walsall", themes=[theme], service_areas=[make_service_area("Health", slug="health")],
                    publications=[publication])


def _assert_not_server_error(client, path, pairs):
    query = urlencode(pairs, doseq=True)
    response = client.get(f"{path}?{query}")
    assert response.status_code < 500, (path, query)
    assert response.status_code in (200, 301, 302, 400, 404), (path, query, response.status_code)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=_queries(PUBLICATION_PARAMS))
def test_any_publication_query_never_errors(client, some_listing_content, pairs):
    _assert_not_server_error(client, "/publications/", pairs)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=_queries(CASE_STUDY_PARAMS))
def test_any_case_study_query_never_errors(client, some_listing_content, pairs):
    _assert_not_server_error(client, "/case-studies/", pairs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=40))
def test_raw_bytes_in_the_query_string_never_error(client, some_listing_content, raw):
    # Invalid UTF-8 and unescaped bytes, exactly as a fuzzer would send them.
    query = "".join(f"%{byte:02X}" if byte > 127 or byte < 33 or chr(byte) in "%&=#" else chr(byte) for byte in raw)
    for path in ("/publications/", "/case-studies/"):
        response = client.get(f"{path}?q={query}&theme={query}&{query}={query}")
        assert response.status_code < 500, (path, raw)
