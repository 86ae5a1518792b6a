"""Citations for the starter content, checked against references written out by hand.

The expected APA 7 and Harvard (Cite Them Right) strings below were written from the style rules,
not copied from this module's output: APA 7 gives "Family, G." with "&", "(Eds.)", sentence-case
titles with a capital after a colon, no place of publication and a bare https://doi.org/ link;
Cite Them Right gives "Family, G." with "and", "(eds)", chapter titles in single quotation marks,
sentence case with a lower-case word after a colon, "Place: Publisher", "pp." and "Available at:".
"""

import datetime
import json

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from django.urls import reverse

from inlogov import citations
from inlogov.publishing import Status
from publications import importing
from publications.models import CaseStudy, Publication
from tests.factories import future, make_case_study, make_contributor, make_publication, make_theme

pytestmark = pytest.mark.django_db

SITE = "https://hub.example.ac.uk"
ACCESSED = datetime.date(2026, 11, 28)
EDITOR = "editor"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _person(given, family):
    return make_contributor(given, family, slug=f"{given}-{family}".lower())


@pytest.fixture
def starter():
    """The institute's starter publications, as facts.md and the starter content record them."""
    loeffler, bovaird = _person("Elke", "Loeffler"), _person("Tony", "Bovaird")
    bussu, golan, hargreaves = _person("Sonia", "Bussu"), _person("Yaron", "Golan"), _person("Anna", "Hargreaves")
    bartels = _person("Koen", "Bartels")
    sullivan, dickinson = _person("Helen", "Sullivan"), _person("Helen", "Dickinson")
    co_production = make_theme("Co-production", slug="co-production")
    make_publication(
        "The Palgrave Handbook of Co-Production of Public Services and Outcomes",
        slug="palgrave-handbook-of-co-production",
        kind=Publication.Kind.HANDBOOK,
        year=2021,
        publisher="Palgrave Macmillan",
        place="Cham",
        doi="10.1007/978-3-030-53705-0",
        contributors=[(loeffler, EDITOR), (bovaird, EDITOR)],
        themes=[co_production],
    )
    book = make_publication(
        "Co-Production of Public Services and Outcomes",
        slug="co-production-of-public-services-and-outcomes",
        kind=Publication.Kind.BOOK,
        year=2021,
        publisher="Palgrave Macmillan",
        place="Cham",
        doi="10.1007/978-3-030-55509-2",
        contributors=[loeffler],
    )
    make_publication(
        "The Four Co's",
        subtitle="Co-commissioning, Co-design, Co-delivery and Co-assessment of Public Services and "
        "Outcomes Through Traditional and Digital Mechanisms",
        slug="the-four-cos",
        kind=Publication.Kind.CHAPTER,
        parent=book,
        year=2021,
        publisher="Palgrave Macmillan",
        place="Cham",
        pages="75-176",
        doi="10.1007/978-3-030-55509-2_3",
        contributors=[loeffler],
    )
    make_publication(
        "Understanding developments in Participatory Governance",
        subtitle="a report on findings from a scoping review of the literature and expert interviews",
        slug="understanding-developments-in-participatory-governance",
        kind=Publication.Kind.REPORT,
        year=2022,
        publisher="Manchester Metropolitan University",
        isbn="9781910029787",
        contributors=[bussu, golan, hargreaves],
    )
    handbook = make_publication(
        "The Palgrave Handbook of the Public Servant",
        slug="palgrave-handbook-of-the-public-servant",
        kind=Publication.Kind.HANDBOOK,
        year=2021,
        publisher="Palgrave Macmillan",
        contributors=[(sullivan, EDITOR), (dickinson, EDITOR)],
    )
    make_publication(
        "Fitting In",
        subtitle="The Double-Sided Work of Intermediating Social Innovation in Local Governance",
        slug="fitting-in",
        kind=Publication.Kind.CHAPTER,
        parent=handbook,
        year=2020,
        publisher="Palgrave Macmillan",
        doi="10.1007/978-3-030-03008-7_14-1",
        contributors=[bartels],
    )
    return {p.slug: p for p in Publication.objects.published().for_listing()}


APA = {
    "palgrave-handbook-of-co-production": (
        "Loeffler, E., & Bovaird, T. (Eds.). (2021). The Palgrave handbook of co-production of public "
        "services and outcomes. Palgrave Macmillan. https://doi.org/10.1007/978-3-030-53705-0"
    ),
    "co-production-of-public-services-and-outcomes": (
        "Loeffler, E. (2021). Co-production of public services and outcomes. Palgrave Macmillan. "
        "https://doi.org/10.1007/978-3-030-55509-2"
    ),
    "the-four-cos": (
        "Loeffler, E. (2021). The four co's: Co-commissioning, co-design, co-delivery and "
        "co-assessment of public services and outcomes through traditional and digital mechanisms. "
        "In Co-production of public services and outcomes (pp. 75–176). Palgrave Macmillan. "
        "https://doi.org/10.1007/978-3-030-55509-2_3"
    ),
    "understanding-developments-in-participatory-governance": (
        "Bussu, S., Golan, Y., & Hargreaves, A. (2022). Understanding developments in participatory "
        "governance: A report on findings from a scoping review of the literature and expert "
        "interviews. Manchester Metropolitan University."
    ),
    "palgrave-handbook-of-the-public-servant": (
        "Sullivan, H., & Dickinson, H. (Eds.). (2021). The Palgrave handbook of the public servant. "
        "Palgrave Macmillan."
    ),
    "fitting-in": (
        "Bartels, K. (2020). Fitting in: The double-sided work of intermediating social innovation in "
        "local governance. In H. Sullivan & H. Dickinson (Eds.), The Palgrave handbook of the public "
        "servant. Palgrave Macmillan. https://doi.org/10.1007/978-3-030-03008-7_14-1"
    ),
}

HARVARD = {
    "palgrave-handbook-of-co-production": (
        "Loeffler, E. and Bovaird, T. (eds) (2021) The Palgrave handbook of co-production of public "
        "services and outcomes. Cham: Palgrave Macmillan. Available at: "
        "https://doi.org/10.1007/978-3-030-53705-0."
    ),
    "co-production-of-public-services-and-outcomes": (
        "Loeffler, E. (2021) Co-production of public services and outcomes. Cham: Palgrave Macmillan. "
        "Available at: https://doi.org/10.1007/978-3-030-55509-2."
    ),
    "the-four-cos": (
        "Loeffler, E. (2021) ‘The four co's: co-commissioning, co-design, co-delivery and "
        "co-assessment of public services and outcomes through traditional and digital mechanisms’, "
        "in Co-production of public services and outcomes. Cham: Palgrave Macmillan, pp. 75–176. "
        "Available at: https://doi.org/10.1007/978-3-030-55509-2_3."
    ),
    "understanding-developments-in-participatory-governance": (
        "Bussu, S., Golan, Y. and Hargreaves, A. (2022) Understanding developments in participatory "
        "governance: a report on findings from a scoping review of the literature and expert "
        "interviews. Manchester Metropolitan University."
    ),
    "palgrave-handbook-of-the-public-servant": (
        "Sullivan, H. and Dickinson, H. (eds) (2021) The Palgrave handbook of the public servant. "
        "Palgrave Macmillan."
    ),
    "fitting-in": (
        "Bartels, K. (2020) ‘Fitting in: the double-sided work of intermediating social innovation in "
        "local governance’, in Sullivan, H. and Dickinson, H. (eds) The Palgrave handbook of the "
        "public servant. Palgrave Macmillan. Available at: https://doi.org/10.1007/978-3-030-03008-7_14-1."
    ),
}


# --- formatted references for the starter content ---------------------------------------------


@pytest.mark.parametrize("slug", list(APA))
def test_apa_reference_of_starter_publication_matches_hand_checked_string(starter, slug):
    assert citations.apa_text(starter[slug]) == APA[slug]


@pytest.mark.parametrize("slug", list(HARVARD))
def test_harvard_reference_of_starter_publication_matches_hand_checked_string(starter, slug):
    assert citations.harvard_text(starter[slug], accessed=ACCESSED) == HARVARD[slug]


def test_apa_html_italicises_the_book_title_and_links_the_doi(starter):
    html = citations.apa(starter["the-four-cos"])
    assert html == (
        "Loeffler, E. (2021). The four co&#x27;s: Co-commissioning, co-design, co-delivery and "
        "co-assessment of public services and outcomes through traditional and digital mechanisms. "
        "In <em>Co-production of public services and outcomes</em> (pp. 75–176). Palgrave Macmillan. "
        '<a href="https://doi.org/10.1007/978-3-030-55509-2_3">https://doi.org/10.1007/978-3-030-55509-2_3</a>'
    )


def test_harvard_html_italicises_the_report_title_and_escapes_the_ampersand(starter):
    html = citations.harvard(starter["understanding-developments-in-participatory-governance"])
    assert html == (
        "Bussu, S., Golan, Y. and Hargreaves, A. (2022) <em>Understanding developments in "
        "participatory governance: a report on findings from a scoping review of the literature and "
        "expert interviews</em>. Manchester Metropolitan University."
    )


def test_apa_html_of_edited_book_marks_only_the_title_as_emphasis(starter):
    html = citations.apa(starter["palgrave-handbook-of-co-production"])
    assert html.count("<em>") == 1
    assert "<em>The Palgrave handbook of co-production of public services and outcomes</em>" in html
    assert "Loeffler, E., &amp; Bovaird, T. (Eds.)." in html


# --- other kinds and the rules for names -----------------------------------------------------


def _reload(publication):
    return Publication.objects.published().for_listing().get(pk=publication.pk)


def test_journal_article_gives_journal_volume_issue_and_pages():
    article = make_publication(
        "Citizens as Partners: Evidence From Three Councils",
        kind=Publication.Kind.JOURNAL_ARTICLE,
        year=2019,
        container_title="Local Government Studies",
        volume="45",
        issue="2",
        pages="123-145",
        doi="10.5555/lgs.2019.0001",
        contributors=[_person("Ann Marie", "Example"), _person("Chris", "Sample")],
    )
    article = _reload(article)
    assert citations.apa_text(article) == (
        "Example, A. M., & Sample, C. (2019). Citizens as partners: Evidence from three councils. "
        "Local Government Studies, 45(2), 123–145. https://doi.org/10.5555/lgs.2019.0001"
    )
    assert citations.apa(article) == (
        "Example, A. M., &amp; Sample, C. (2019). Citizens as partners: Evidence from three councils. "
        "<em>Local Government Studies</em>, <em>45</em>(2), 123–145. "
        '<a href="https://doi.org/10.5555/lgs.2019.0001">https://doi.org/10.5555/lgs.2019.0001</a>'
    )
    assert citations.harvard_text(article) == (
        "Example, A.M. and Sample, C. (2019) ‘Citizens as partners: evidence from three councils’, "
        "Local Government Studies, 45(2), pp. 123–145. Available at: https://doi.org/10.5555/lgs.2019.0001."
    )


def test_book_edition_and_hyphenated_given_names():
    book = make_publication(
        "Local Governance in Europe",
        kind=Publication.Kind.BOOK,
        year=2018,
        edition="2",
        publisher="Policy Press",
        place="Bristol",
        contributors=[_person("Jean-Pierre", "Dupont"), _person("Mary", "Smith")],
    )
    book = _reload(book)
    assert citations.apa_text(book) == (
        "Dupont, J.-P., & Smith, M. (2018). Local governance in Europe (2nd ed.). Policy Press."
    )
    assert citations.harvard_text(book) == (
        "Dupont, J.-P. and Smith, M. (2018) Local governance in Europe. 2nd edn. Bristol: Policy Press."
    )


def _many_authors(count):
    people = [_person("Alex", f"Author{n:02d}") for n in range(1, count + 1)]
    return _reload(make_publication("Many Hands", kind=Publication.Kind.REPORT, year=2020, contributors=people))


def test_apa_lists_all_twenty_authors_with_an_ampersand_before_the_last():
    names = ", ".join(f"Author{n:02d}, A." for n in range(1, 20))
    assert citations.apa_text(_many_authors(20)) == f"{names}, & Author20, A. (2020). Many hands."


def test_apa_gives_nineteen_authors_an_ellipsis_and_the_last_of_twenty_one():
    names = ", ".join(f"Author{n:02d}, A." for n in range(1, 20))
    text = citations.apa_text(_many_authors(21))
    assert text == f"{names}, . . . Author21, A. (2020). Many hands."
    assert "Author20" not in text


def test_harvard_lists_every_author_joined_with_and():
    names = ", ".join(f"Author{n:02d}, A." for n in range(1, 21))
    assert citations.harvard_text(_many_authors(21)) == f"{names} and Author21, A. (2020) Many hands."


def test_authors_keep_their_stored_order_in_every_format():
    people = [_person("Zoe", "Zed"), _person("Abel", "Able"), _person("Mo", "Mid")]
    pub = _reload(make_publication("Order Matters", kind=Publication.Kind.WORKING_PAPER, year=2023,
                                   publisher="INLOGOV", contributors=people))
    assert citations.apa_text(pub).startswith("Zed, Z., Able, A., & Mid, M. (2023).")
    assert citations.harvard_text(pub).startswith("Zed, Z., Able, A. and Mid, M. (2023)")
    assert "author = {Zed, Zoe and Able, Abel and Mid, Mo}" in citations.bibtex_item(pub)
    assert rispy.loads(citations.ris_item(pub))[0]["authors"] == ["Zed, Zoe", "Able, Abel", "Mid, Mo"]
    assert [a["family"] for a in citations.csl_data(pub)["author"]] == ["Zed", "Able", "Mid"]


def test_draft_contributor_is_left_out_of_the_citation():
    hidden = make_contributor("Hidden", "Drafty", status=Status.DRAFT)
    pub = _reload(make_publication("Two Voices", kind=Publication.Kind.REPORT, year=2022,
                                   contributors=[_person("Vera", "Visible"), hidden]))
    assert citations.apa_text(pub) == "Visible, V. (2022). Two voices."
    assert "Drafty" not in citations.bibtex_item(pub) + citations.ris_item(pub) + citations.csl_json_item(pub)


def test_chapter_of_a_draft_book_uses_its_own_container_title_not_the_draft_title():
    draft_book = make_publication("Secret Draft Book", status=Status.DRAFT, kind=Publication.Kind.EDITED_BOOK,
                                  contributors=[(_person("Ed", "Hidden"), EDITOR)])
    chapter = _reload(make_publication(
        "Open Chapter", kind=Publication.Kind.CHAPTER, parent=draft_book, year=2021,
        container_title="A Public Book", publisher="Policy Press", contributors=[_person("Ann", "Writer")],
    ))
    every_format = (
        citations.apa_text(chapter) + citations.harvard_text(chapter) + citations.bibtex_item(chapter)
        + citations.ris_item(chapter) + citations.csl_json_item(chapter)
    )
    assert "Secret" not in every_format and "Hidden" not in every_format
    assert citations.apa_text(chapter) == "Writer, A. (2021). Open chapter. In A public book. Policy Press."


def test_unknown_author_puts_the_title_first():
    pub = _reload(make_publication("Annual Review", kind=Publication.Kind.OTHER, year=2024, publisher="INLOGOV"))
    assert citations.apa_text(pub) == "Annual review. (2024). INLOGOV."
    assert citations.harvard_text(pub) == "Annual review (2024). INLOGOV."


def test_sentence_case_keeps_acronyms_inner_capitals_and_known_places():
    assert citations.sentence_case("Co-Production in the UK: The KeyRing Model in Birmingham") == (
        "Co-production in the UK: The KeyRing model in Birmingham"
    )
    assert citations.sentence_case("What Works? Evidence From Walsall", capitalise_after_colon=False) == (
        "What works? evidence from Walsall"
    )


def test_escaping_of_ampersand_angle_brackets_and_braces():
    pub = _reload(make_publication(
        "Costs & <Benefits> of {Braces}", kind=Publication.Kind.BOOK, year=2020,
        publisher="Smith & Sons", contributors=[_person("Ann", "Writer")],
    ))
    html = citations.apa(pub)
    assert html == (
        "Writer, A. (2020). <em>Costs &amp; &lt;benefits&gt; of {braces}</em>. Smith &amp; Sons."
    )
    assert "<Benefits>" not in citations.harvard(pub)
    bibtex = citations.bibtex_item(pub)
    assert r"title = {{Costs \& <Benefits> of \{Braces\}}}" in bibtex
    assert r"publisher = {Smith \& Sons}" in bibtex
    entry = _parse_bibtex(bibtex)[0]
    assert entry["title"] == "Costs & <Benefits> of {Braces}"
    assert entry["publisher"] == "Smith & Sons"


# --- BibTeX and RIS parse back with the parsers the admin import uses ------------------------


def _parse_bibtex(text):
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    assert library.failed_blocks == []
    entries = []
    for block in library.entries:
        values = {key: field.value for key, field in block.fields_dict.items()}
        for role in ("author", "editor"):
            if role in values:
                values[role] = [(" ".join(n.last), " ".join(n.first)) for n in values[role]]
        entries.append({"type": block.entry_type, "key": block.key, **values})
    return entries


BIBTEX_EXPECTED = {
    "palgrave-handbook-of-co-production": {
        "type": "book", "key": "loeffler2021palgrave",
        "editor": [("Loeffler", "Elke"), ("Bovaird", "Tony")],
        "title": "The Palgrave Handbook of Co-Production of Public Services and Outcomes",
        "publisher": "Palgrave Macmillan", "address": "Cham", "year": "2021",
        "doi": "10.1007/978-3-030-53705-0",
    },
    "co-production-of-public-services-and-outcomes": {
        "type": "book", "key": "loeffler2021coproduction", "author": [("Loeffler", "Elke")],
        "title": "Co-Production of Public Services and Outcomes",
        "publisher": "Palgrave Macmillan", "address": "Cham", "year": "2021",
        "doi": "10.1007/978-3-030-55509-2",
    },
    "the-four-cos": {
        "type": "incollection", "key": "loeffler2021four", "author": [("Loeffler", "Elke")],
        "title": "The Four Co's: Co-commissioning, Co-design, Co-delivery and Co-assessment of Public "
        "Services and Outcomes Through Traditional and Digital Mechanisms",
        "booktitle": "Co-Production of Public Services and Outcomes",
        "publisher": "Palgrave Macmillan", "address": "Cham", "year": "2021", "pages": "75–176",
        "doi": "10.1007/978-3-030-55509-2_3",
    },
    "understanding-developments-in-participatory-governance": {
        "type": "techreport", "key": "bussu2022understanding",
        "author": [("Bussu", "Sonia"), ("Golan", "Yaron"), ("Hargreaves", "Anna")],
        "title": "Understanding developments in Participatory Governance: a report on findings from a "
        "scoping review of the literature and expert interviews",
        "institution": "Manchester Metropolitan University", "year": "2022", "isbn": "9781910029787",
        "url": f"{SITE}/publications/understanding-developments-in-participatory-governance/",
    },
    "palgrave-handbook-of-the-public-servant": {
        "type": "book", "key": "sullivan2021palgrave",
        "editor": [("Sullivan", "Helen"), ("Dickinson", "Helen")],
        "title": "The Palgrave Handbook of the Public Servant", "publisher": "Palgrave Macmillan",
        "year": "2021", "url": f"{SITE}/publications/palgrave-handbook-of-the-public-servant/",
    },
    "fitting-in": {
        "type": "incollection", "key": "bartels2020fitting", "author": [("Bartels", "Koen")],
        "editor": [("Sullivan", "Helen"), ("Dickinson", "Helen")],
        "title": "Fitting In: The Double-Sided Work of Intermediating Social Innovation in Local Governance",
        "booktitle": "The Palgrave Handbook of the Public Servant", "publisher": "Palgrave Macmillan",
        "year": "2020", "doi": "10.1007/978-3-030-03008-7_14-1",
    },
}


@pytest.mark.parametrize("slug", list(BIBTEX_EXPECTED))
def test_bibtex_of_starter_publication_parses_back_to_the_same_fields(starter, slug):
    assert _parse_bibtex(citations.bibtex_item(starter[slug])) == [BIBTEX_EXPECTED[slug]]


def test_bibtex_writes_page_ranges_with_a_double_hyphen(starter):
    assert "  pages = {75--176},\n" in citations.bibtex_item(starter["the-four-cos"])


def test_bibtex_list_of_all_starter_publications_has_unique_keys_in_order(starter):
    items = [starter[slug] for slug in BIBTEX_EXPECTED]
    assert [e["key"] for e in _parse_bibtex(citations.bibtex_list(items))] == [
        e["key"] for e in BIBTEX_EXPECTED.values()
    ]


def test_bibtex_keys_collide_into_suffixed_keys():
    writer = _person("Sam", "Smith")
    first = make_publication("Local Voices", year=2020, contributors=[writer])
    second = make_publication("Local Choices", year=2020, contributors=[writer])
    items = list(Publication.objects.published().for_listing().order_by("pk"))
    assert [first.pk, second.pk] == [p.pk for p in items]
    keys = [e["key"] for e in _parse_bibtex(citations.bibtex_list(items))]
    assert keys == ["smith2020local", "smith2020localb"]


def test_bibtex_round_trip_through_the_admin_importer_keeps_the_fields(starter):
    entries = importing.parse_bibtex(citations.bibtex_list(list(starter.values())))
    by_title = {e["fields"]["title"]: e for e in entries}
    chapter = by_title[starter["the-four-cos"].full_title]
    assert chapter["errors"] == []
    assert chapter["kind"] == Publication.Kind.CHAPTER
    assert [(p["family"], p["given"], p["role"]) for p in chapter["people"]] == [("Loeffler", "Elke", "author")]
    assert chapter["fields"]["year"] == 2021
    assert chapter["fields"]["doi"] == "10.1007/978-3-030-55509-2_3"
    assert chapter["fields"]["publisher"] == "Palgrave Macmillan"
    assert chapter["fields"]["container_title"] == "Co-Production of Public Services and Outcomes"
    report = by_title[starter["understanding-developments-in-participatory-governance"].full_title]
    assert [p["family"] for p in report["people"]] == ["Bussu", "Golan", "Hargreaves"]
    assert report["fields"]["isbn"] == "9781910029787"
    assert report["fields"]["publisher"] == "Manchester Metropolitan University"
    handbook = by_title[starter["palgrave-handbook-of-co-production"].full_title]
    assert handbook["kind"] == Publication.Kind.EDITED_BOOK
    assert [(p["family"], p["role"]) for p in handbook["people"]] == [("Loeffler", "editor"), ("Bovaird", "editor")]


RIS_CHAPTER = (
    "TY  - CHAP\r\n"
    "AU  - Loeffler, Elke\r\n"
    "TI  - The Four Co's: Co-commissioning, Co-design, Co-delivery and Co-assessment of Public "
    "Services and Outcomes Through Traditional and Digital Mechanisms\r\n"
    "T2  - Co-Production of Public Services and Outcomes\r\n"
    "PY  - 2021\r\n"
    "PB  - Palgrave Macmillan\r\n"
    "CY  - Cham\r\n"
    "SP  - 75\r\n"
    "EP  - 176\r\n"
    "DO  - 10.1007/978-3-030-55509-2_3\r\n"
    f"UR  - {SITE}/publications/the-four-cos/\r\n"
    "ER  - \r\n"
)


def test_ris_of_the_four_cos_chapter_is_exact(starter):
    assert citations.ris_item(starter["the-four-cos"]) == RIS_CHAPTER


def test_ris_of_starter_publications_parses_back_to_the_same_fields(starter):
    records = rispy.loads(citations.ris_list(list(starter.values())))
    found = {r["title"]: r for r in records}
    assert len(records) == 6
    handbook = found["The Palgrave Handbook of Co-Production of Public Services and Outcomes"]
    assert handbook["type_of_reference"] == "EDBOOK"
    assert handbook["secondary_authors"] == ["Loeffler, Elke", "Bovaird, Tony"]
    assert (handbook["year"], handbook["publisher"], handbook["place_published"], handbook["doi"]) == (
        "2021", "Palgrave Macmillan", "Cham", "10.1007/978-3-030-53705-0"
    )
    chapter = found[starter["the-four-cos"].full_title]
    assert (chapter["type_of_reference"], chapter["authors"], chapter["start_page"], chapter["end_page"]) == (
        "CHAP", ["Loeffler, Elke"], "75", "176"
    )
    assert chapter["secondary_title"] == "Co-Production of Public Services and Outcomes"
    report = found[starter["understanding-developments-in-participatory-governance"].full_title]
    assert report["type_of_reference"] == "RPRT"
    assert report["authors"] == ["Bussu, Sonia", "Golan, Yaron", "Hargreaves, Anna"]
    assert (report["issn"], report["publisher"]) == ("9781910029787", "Manchester Metropolitan University")
    assert "doi" not in report
    bartels = found[starter["fitting-in"].full_title]
    assert bartels["secondary_authors"] == ["Sullivan, Helen", "Dickinson, Helen"]
    assert "start_page" not in bartels


def test_ris_round_trip_through_the_admin_importer_keeps_the_fields(starter):
    entries = importing.parse_ris(citations.ris_list(list(starter.values())))
    by_title = {e["fields"]["title"]: e for e in entries}
    chapter = by_title[starter["the-four-cos"].full_title]
    assert chapter["errors"] == []
    assert chapter["kind"] == Publication.Kind.CHAPTER
    assert chapter["fields"]["pages"] == "75-176"
    assert chapter["fields"]["doi"] == "10.1007/978-3-030-55509-2_3"
    bartels = by_title[starter["fitting-in"].full_title]
    assert [(p["family"], p["role"]) for p in bartels["people"]] == [
        ("Bartels", "author"), ("Sullivan", "editor"), ("Dickinson", "editor")
    ]


# --- CSL-JSON ---------------------------------------------------------------------------------


def test_csl_json_of_the_bartels_chapter_is_exact(starter):
    assert citations.csl_data(starter["fitting-in"]) == {
        "id": "bartels2020fitting",
        "type": "chapter",
        "title": "Fitting In: The Double-Sided Work of Intermediating Social Innovation in Local Governance",
        "author": [{"family": "Bartels", "given": "Koen"}],
        "editor": [{"family": "Sullivan", "given": "Helen"}, {"family": "Dickinson", "given": "Helen"}],
        "container-title": "The Palgrave Handbook of the Public Servant",
        "publisher": "Palgrave Macmillan",
        "issued": {"date-parts": [[2020]]},
        "DOI": "10.1007/978-3-030-03008-7_14-1",
        "URL": f"{SITE}/publications/fitting-in/",
    }


def test_csl_json_of_the_report_and_handbook(starter):
    data = json.loads(citations.csl_json_list([
        starter["understanding-developments-in-participatory-governance"],
        starter["palgrave-handbook-of-co-production"],
    ]))
    assert data == [
        {
            "id": "bussu2022understanding",
            "type": "report",
            "title": "Understanding developments in Participatory Governance: a report on findings from "
            "a scoping review of the literature and expert interviews",
            "author": [
                {"family": "Bussu", "given": "Sonia"},
                {"family": "Golan", "given": "Yaron"},
                {"family": "Hargreaves", "given": "Anna"},
            ],
            "publisher": "Manchester Metropolitan University",
            "issued": {"date-parts": [[2022]]},
            "ISBN": "9781910029787",
            "URL": f"{SITE}/publications/understanding-developments-in-participatory-governance/",
        },
        {
            "id": "loeffler2021palgrave",
            "type": "book",
            "title": "The Palgrave Handbook of Co-Production of Public Services and Outcomes",
            "editor": [{"family": "Loeffler", "given": "Elke"}, {"family": "Bovaird", "given": "Tony"}],
            "publisher": "Palgrave Macmillan",
            "publisher-place": "Cham",
            "issued": {"date-parts": [[2021]]},
            "DOI": "10.1007/978-3-030-53705-0",
            "URL": f"{SITE}/publications/palgrave-handbook-of-co-production/",
        },
    ]


def test_csl_json_of_a_journal_article_has_volume_issue_and_page():
    article = _reload(make_publication(
        "Citizens as Partners", kind=Publication.Kind.JOURNAL_ARTICLE, year=2019, slug="citizens",
        container_title="Local Government Studies", volume="45", issue="2", pages="123-145",
        contributors=[_person("Chris", "Sample")],
    ))
    data = citations.csl_data(article)
    assert (data["type"], data["container-title"], data["volume"], data["issue"], data["page"]) == (
        "article-journal", "Local Government Studies", "45", "2", "123-145"
    )


# --- case studies -------------------------------------------------------------------------------


@pytest.fixture
def keyring(starter):
    case = make_case_study(
        "KeyRing Networks Plus", slug="keyring-networks-plus-walsall", locality="Walsall", year_started=2019,
        publications=[starter["co-production-of-public-services-and-outcomes"], starter["palgrave-handbook-of-co-production"]],
        themes=[make_theme("Co-delivery", slug="co-delivery")],
    )
    return CaseStudy.objects.published().for_detail().get(pk=case.pk)


def test_case_study_is_cited_as_a_page_of_the_hub_by_the_institute(keyring):
    url = f"{SITE}/case-studies/keyring-networks-plus-walsall/"
    assert citations.apa_text(keyring) == (
        f"Institute of Local Government Studies. (2019). KeyRing Networks Plus. INLOGOV Research Hub. {url}"
    )
    assert citations.harvard_text(keyring, accessed=ACCESSED) == (
        "Institute of Local Government Studies (2019) KeyRing Networks Plus. INLOGOV Research Hub. "
        f"Available at: {url} (Accessed: 28 November 2026)."
    )
    assert "<em>KeyRing Networks Plus</em>" in citations.apa(keyring)


def test_case_study_with_contributors_is_cited_under_their_names():
    case = make_case_study("Therapy Focus", slug="therapy-focus", year_started=2017, country="AU",
                           contributors=[_person("Tony", "Bovaird"), _person("Elke", "Loeffler")])
    case = CaseStudy.objects.published().for_detail().get(pk=case.pk)
    assert citations.apa_text(case) == (
        f"Bovaird, T., & Loeffler, E. (2017). Therapy Focus. INLOGOV Research Hub. {SITE}/case-studies/therapy-focus/"
    )


def test_case_study_exports_as_misc_webpage_and_generic_record(keyring):
    url = f"{SITE}/case-studies/keyring-networks-plus-walsall/"
    assert citations.bibtex_item(keyring) == (
        "@misc{inlogov2019keyring,\n"
        "  author = {{Institute of Local Government Studies}},\n"
        "  title = {{KeyRing Networks Plus}},\n"
        "  howpublished = {INLOGOV Research Hub},\n"
        "  year = {2019},\n"
        f"  url = {{{url}}}\n"
        "}\n"
    )
    record = rispy.loads(citations.ris_item(keyring))[0]
    assert (record["type_of_reference"], record["authors"], record["title"], record["year"], record["urls"]) == (
        "GEN", ["Institute of Local Government Studies"], "KeyRing Networks Plus", "2019", [url]
    )
    assert citations.csl_data(keyring) == {
        "id": "inlogov2019keyring",
        "type": "webpage",
        "title": "KeyRing Networks Plus",
        "author": [{"literal": "Institute of Local Government Studies"}],
        "container-title": "INLOGOV Research Hub",
        "publisher": "INLOGOV Research Hub",
        "issued": {"date-parts": [[2019]]},
        "URL": url,
    }


# --- CSV for the admin export ---------------------------------------------------------------


def test_publications_csv_has_the_header_and_one_exact_row_per_item(starter):
    text = citations.publications_csv([starter["palgrave-handbook-of-co-production"], starter["fitting-in"]])
    assert text.split("\r\n") == [
        "slug,title,subtitle,kind,year,contributors,themes,doi,isbn,publisher,status,public_url",
        "palgrave-handbook-of-co-production,The Palgrave Handbook of Co-Production of Public Services and "
        'Outcomes,,Handbook,2021,"Loeffler, Elke (editor); Bovaird, Tony (editor)",Co-production,'
        f"10.1007/978-3-030-53705-0,,Palgrave Macmillan,Published,{SITE}/publications/palgrave-handbook-of-co-production/",
        "fitting-in,Fitting In,The Double-Sided Work of Intermediating Social Innovation in Local Governance,"
        'Chapter,2020,"Bartels, Koen (author)",,10.1007/978-3-030-03008-7_14-1,,Palgrave Macmillan,Published,'
        f"{SITE}/publications/fitting-in/",
        "",
    ]


def test_case_studies_csv_has_the_header_and_an_exact_row(keyring):
    text = citations.case_studies_csv([keyring])
    assert text.split("\r\n") == [
        "slug,title,country,locality,service_areas,themes,year_started,year_ended,source_publications,status,public_url",
        "keyring-networks-plus-walsall,KeyRing Networks Plus,United Kingdom,Walsall,,Co-delivery,2019,,"
        "co-production-of-public-services-and-outcomes; palgrave-handbook-of-co-production,Published,"
        f"{SITE}/case-studies/keyring-networks-plus-walsall/",
        "",
    ]


def test_csv_cells_that_look_like_formulas_are_neutralised():
    pub = _reload(make_publication("=HYPERLINK(\"http://evil\")", year=2020, slug="formula"))
    row = citations.publications_csv([pub]).split("\r\n")[1]
    assert row.startswith("formula,\"'=HYPERLINK(\"\"http://evil\"\")\",")


# --- download views ---------------------------------------------------------------------------

BIB_REPORT = (
    "@techreport{bussu2022understanding,\n"
    "  author = {Bussu, Sonia and Golan, Yaron and Hargreaves, Anna},\n"
    "  title = {{Understanding developments in Participatory Governance: a report on findings from a "
    "scoping review of the literature and expert interviews}},\n"
    "  institution = {Manchester Metropolitan University},\n"
    "  year = {2022},\n"
    "  isbn = {9781910029787},\n"
    "  url = {http://testserver/publications/understanding-developments-in-participatory-governance/}\n"
    "}\n"
)


def test_bibtex_download_of_published_publication(client, starter):
    slug = "understanding-developments-in-participatory-governance"
    response = client.get(reverse("publications:cite-bibtex", kwargs={"slug": slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{slug}.bib"'
    assert response.content.decode() == BIB_REPORT


def test_ris_download_of_published_chapter(client, starter):
    response = client.get("/publications/the-four-cos/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="the-four-cos.ris"'
    assert response.content.decode() == RIS_CHAPTER.replace(SITE, "http://testserver")


def test_csl_json_download_is_an_array_of_one_item(client, starter):
    response = client.get("/publications/fitting-in/cite.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fitting-in.json"'
    data = json.loads(response.content)
    assert [item["id"] for item in data] == ["bartels2020fitting"]
    assert data[0]["URL"] == "http://testserver/publications/fitting-in/"


@pytest.mark.parametrize("route", ["cite-bibtex", "cite-ris", "cite-csl"])
def test_downloads_of_draft_scheduled_and_unknown_publications_are_404(client, route):
    make_publication("Draft Thing", slug="draft-thing", status=Status.DRAFT)
    make_publication("Later Thing", slug="later-thing", publish_from=future())
    for slug in ("draft-thing", "later-thing", "no-such-thing"):
        response = client.get(reverse(f"publications:{route}", kwargs={"slug": slug}))
        assert response.status_code == 404, slug
        assert b"Draft Thing" not in response.content and b"Later Thing" not in response.content


@pytest.mark.parametrize(
    ("route", "content_type", "extension"),
    [
        ("cite-bibtex", "text/x-bibtex", "bib"),
        ("cite-ris", "application/x-research-info-systems", "ris"),
        ("cite-csl", "application/vnd.citationstyles.csl+json", "json"),
    ],
)
def test_case_study_downloads(client, keyring, route, content_type, extension):
    response = client.get(reverse(f"case_studies:{route}", kwargs={"slug": keyring.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="keyring-networks-plus-walsall.{extension}"'
    assert "KeyRing Networks Plus" in response.content.decode()
    assert "http://testserver/case-studies/keyring-networks-plus-walsall/" in response.content.decode()


@pytest.mark.parametrize("route", ["cite-bibtex", "cite-ris", "cite-csl"])
def test_draft_case_study_download_is_404(client, route):
    make_case_study("Hidden Case", slug="hidden-case", status=Status.DRAFT)
    response = client.get(reverse(f"case_studies:{route}", kwargs={"slug": "hidden-case"}))
    assert response.status_code == 404
    assert b"Hidden Case" not in response.content


def test_download_refuses_post(client, starter):
    assert client.post("/publications/fitting-in/cite.bib").status_code == 405
