"""Publication and case-study pages: what a visitor sees, what never leaks, metadata, queries."""

import json
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission, User

from publications.models import PublicationContributor
from tests.factories import (
    future,
    make_case_study,
    make_contributor,
    make_publication,
    make_service_area,
    make_theme,
)

pytestmark = pytest.mark.django_db

EDITOR = PublicationContributor.Role.EDITOR
CHAPTER_AUTHOR = PublicationContributor.Role.CHAPTER_AUTHOR


def json_ld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S)
    assert match, "no JSON-LD block on the page"
    return json.loads(match.group(1))


def meta_tags(response, name):
    return [unescape(m) for m in re.findall(rf'<meta name="{name}" content="([^"]*)">', response.text)]


def staff_client(client, *codenames):
    user = User.objects.create_user("editor", password="a-long-test-password", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


@pytest.fixture
def handbook():
    """A published handbook with editors, two published chapters, one draft chapter and one
    scheduled chapter, a published and a draft case study, and a published and a draft theme."""
    loeffler = make_contributor("Elke", "Loeffler", slug="elke-loeffler")
    bovaird = make_contributor("Tony", "Bovaird", slug="tony-bovaird")
    hidden_person = make_contributor("Hidden", "Person", status="draft", slug="hidden-person")
    theme = make_theme("Co-design", slug="co-design")
    draft_theme = make_theme("Secret theme", slug="secret-theme", status="draft")
    book = make_publication(
        "The Palgrave Handbook of Co-Production",
        subtitle="Of Public Services and Outcomes",
        slug="handbook",
        kind="handbook",
        year=2021,
        publisher="Palgrave Macmillan",
        place="Cham",
        doi="10.1007/978-3-030-53705-0",
        isbn="9783030537043",
        abstract="<p>A handbook on <em>co-production</em>.</p>",
        themes=[theme, draft_theme],
        contributors=[(loeffler, EDITOR), (hidden_person, EDITOR), (bovaird, EDITOR)],
        is_open_access=True,
    )
    make_publication("Chapter on co-design", slug="chapter-one", kind="chapter", parent=book, pages="75-176",
                     contributors=[(bovaird, CHAPTER_AUTHOR)])
    make_publication("Chapter on co-delivery", slug="chapter-two", kind="chapter", parent=book)
    make_publication("Draft chapter never shown", slug="draft-chapter", kind="chapter", parent=book, status="draft")
    make_publication("Scheduled chapter not yet shown", slug="scheduled-chapter", kind="chapter", parent=book,
                     publish_from=future())
    make_case_study("Balsall Heath renewal", slug="balsall-heath", publications=[book])
    make_case_study("Draft case never shown", slug="draft-case", publications=[book], status="draft")
    return book


def test_publication_page_shows_title_editors_in_order_details_and_abstract(client, handbook):
    response = client.get("/publications/handbook/")
    assert response.status_code == 200
    text = response.text
    assert "<h1>The Palgrave Handbook of Co-Production</h1>" in text
    assert "Of Public Services and Outcomes" in text
    byline = re.search(r'<p class="byline">(.*?)</p>', text, re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", byline)).strip() == "Elke Loeffler (editor), Tony Bovaird (editor)"
    assert '<a href="/people/elke-loeffler/">Elke Loeffler</a>' in text
    assert "Hidden Person" not in text
    assert "Palgrave Macmillan, Cham" in text
    assert '<a href="https://doi.org/10.1007/978-3-030-53705-0">' in text
    assert "<dt>ISBN</dt><dd>9783030537043</dd>" in text
    assert "<p>A handbook on <em>co-production</em>.</p>" in text
    assert "Open access: free to read" in text


def test_publication_page_lists_published_chapters_only(client, handbook):
    response = client.get("/publications/handbook/")
    assert "Chapters in this book <span class=\"count\">(2)</span>" in response.text
    assert "Chapter on co-design" in response.text
    assert "Chapter on co-delivery" in response.text
    assert "Draft chapter never shown" not in response.text
    assert "Scheduled chapter not yet shown" not in response.text
    # By title (read by hand, publications/views.py), each with its public credits.
    assert response.text.index("Chapter on co-delivery") < response.text.index("Chapter on co-design")
    assert '<p class="card__people">Tony Bovaird</p>' in response.text


def test_publication_page_lists_published_case_studies_only(client, handbook):
    make_case_study("Scheduled case not yet shown", publications=[handbook], publish_from=future())
    make_case_study("A case elsewhere", publications=[make_publication("Another book")])
    response = client.get("/publications/handbook/")
    assert "Scheduled case not yet shown" not in response.text and "A case elsewhere" not in response.text
    assert "Case studies discussed <span class=\"count\">(1)</span>" in response.text
    assert '<a href="/case-studies/balsall-heath/">Balsall Heath renewal</a>' in response.text
    assert "Draft case never shown" not in response.text


def test_publication_themes_link_to_the_prefiltered_listing_and_hide_draft_themes(client, handbook):
    response = client.get("/publications/handbook/")
    assert '<a href="/publications/?theme=co-design">Co-design</a>' in response.text
    assert "Secret theme" not in response.text


def test_chapter_page_links_to_its_published_parent_book(client, handbook):
    response = client.get("/publications/chapter-one/")
    assert '<dt>Part of</dt><dd><a href="/publications/handbook/">' in response.text
    assert "<dt>Pages</dt><dd>75-176</dd>" in response.text


def test_chapter_of_a_draft_book_does_not_reveal_the_book(client):
    book = make_publication("Unpublished book title", slug="unpublished-book", status="draft")
    make_publication("Visible chapter", slug="visible-chapter", kind="chapter", parent=book)
    response = client.get("/publications/visible-chapter/")
    assert response.status_code == 200
    assert "Unpublished book title" not in response.text
    assert "/publications/unpublished-book/" not in response.text


@pytest.mark.parametrize("slug", ["draft-chapter", "scheduled-chapter"])
def test_draft_and_scheduled_publications_are_not_found(client, handbook, slug):
    response = client.get(f"/publications/{slug}/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_staff_with_change_permission_preview_a_draft_with_the_banner(client, handbook):
    staff_client(client, "change_publication")
    response = client.get("/publications/draft-chapter/")
    assert response.status_code == 200
    assert "Draft - not public." in response.text
    assert "private" in response["Cache-Control"]


def test_staff_without_change_permission_get_404_for_a_draft(client, handbook):
    staff_client(client)
    assert client.get("/publications/draft-chapter/").status_code == 404


def test_published_page_has_no_draft_banner(client, handbook):
    assert "Draft - not public" not in client.get("/publications/handbook/").text


def test_publication_json_ld_is_a_book_with_name_editors_and_doi(client, handbook):
    data = json_ld(client.get("/publications/handbook/"))
    assert data["@type"] == "Book"
    assert data["name"] == "The Palgrave Handbook of Co-Production: Of Public Services and Outcomes"
    assert [e["name"] for e in data["editor"]] == ["Elke Loeffler", "Tony Bovaird"]
    assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1007/978-3-030-53705-0"}
    assert data["isbn"] == "9783030537043"
    assert data["isAccessibleForFree"] is True


def test_chapter_json_ld_is_a_chapter_part_of_its_book(client, handbook):
    data = json_ld(client.get("/publications/chapter-one/"))
    assert data["@type"] == "Chapter"
    assert data["name"] == "Chapter on co-design"
    assert data["author"][0]["name"] == "Tony Bovaird"
    assert data["isPartOf"]["name"] == "The Palgrave Handbook of Co-Production: Of Public Services and Outcomes"


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [("journal_article", "ScholarlyArticle"), ("report", "Report"), ("edited_book", "Book")],
)
def test_json_ld_type_follows_the_kind(client, kind, schema_type):
    make_publication("A typed work", slug="typed", kind=kind)
    data = json_ld(client.get("/publications/typed/"))
    assert (data["@type"], data["name"]) == (schema_type, "A typed work")


def test_json_ld_cannot_be_closed_by_a_hostile_title(client):
    make_publication("</script><script>alert(1)</script>", slug="hostile")
    response = client.get("/publications/hostile/")
    assert "<script>alert(1)" not in response.text
    assert json_ld(response)["name"] == "</script><script>alert(1)</script>"


def test_highwire_tags_for_a_book_chapter(client, handbook):
    response = client.get("/publications/chapter-one/")
    assert meta_tags(response, "citation_title") == ["Chapter on co-design"]
    assert meta_tags(response, "citation_author") == ["Tony Bovaird"]
    assert meta_tags(response, "citation_publication_date") == ["2021"]
    assert meta_tags(response, "citation_inbook_title") == [
        "The Palgrave Handbook of Co-Production: Of Public Services and Outcomes"
    ]
    assert meta_tags(response, "citation_firstpage") == ["75"]
    assert meta_tags(response, "citation_lastpage") == ["176"]
    assert meta_tags(response, "citation_isbn") == ["9783030537043"]


def test_highwire_tags_for_an_edited_book_name_editors_in_order(client, handbook):
    response = client.get("/publications/handbook/")
    assert meta_tags(response, "citation_author") == ["Elke Loeffler", "Tony Bovaird"]
    assert meta_tags(response, "citation_doi") == ["10.1007/978-3-030-53705-0"]
    assert meta_tags(response, "citation_publisher") == ["Palgrave Macmillan"]
    assert meta_tags(response, "citation_inbook_title") == []


def test_highwire_tags_for_a_journal_article(client):
    authors = [make_contributor("Sonia", "Bussu"), make_contributor("Koen", "Bartels")]
    make_publication(
        "Fitting in", slug="article", kind="journal_article", container_title="Local Government Studies",
        volume="48", issue="2", pages="201-220", contributors=authors,
    )
    response = client.get("/publications/article/")
    assert meta_tags(response, "citation_author") == ["Sonia Bussu", "Koen Bartels"]
    assert meta_tags(response, "citation_journal_title") == ["Local Government Studies"]
    assert meta_tags(response, "citation_volume") == ["48"]
    assert meta_tags(response, "citation_issue") == ["2"]
    assert (meta_tags(response, "citation_firstpage"), meta_tags(response, "citation_lastpage")) == (["201"], ["220"])


def test_publication_page_has_canonical_link_and_open_graph(client, handbook):
    response = client.get("/publications/handbook/?utm_source=x")
    assert '<link rel="canonical" href="http://testserver/publications/handbook/">' in response.text
    assert '<meta property="og:url" content="http://testserver/publications/handbook/">' in response.text
    assert '<meta property="og:type" content="book">' in response.text


def citations(response):
    return re.findall(r'<p class="citation" id="cite-(\w+)"[^>]*>(.*?)</p>', response.text)


DOI_LINK = '<a href="https://doi.org/10.1007/978-3-030-53705-0">https://doi.org/10.1007/978-3-030-53705-0</a>'


def test_publication_page_cites_in_apa_and_harvard_without_draft_editors(client, handbook):
    response = client.get("/publications/handbook/")
    assert citations(response) == [
        ("apa", "Loeffler, E., &amp; Bovaird, T. (Eds.). (2021). <em>The Palgrave handbook of co-production: "
                f"Of public services and outcomes</em>. Palgrave Macmillan. {DOI_LINK}"),
        ("harvard", "Loeffler, E. and Bovaird, T. (eds) (2021) <em>The Palgrave handbook of co-production: of "
                    f"public services and outcomes</em>. Cham: Palgrave Macmillan. Available at: {DOI_LINK}."),
    ]


def test_publication_page_links_the_three_reference_downloads(client, handbook):
    response = client.get("/publications/handbook/")
    for url, label in (("cite.bib", "BibTeX"), ("cite.ris", "RIS"), ("cite.json", "CSL-JSON")):
        assert f'<a href="/publications/handbook/{url}" download>{label}<span class="visually-hidden">' in response.text
        assert client.get(f"/publications/handbook/{url}").status_code == 200


def test_cite_section_has_copy_script_as_a_file_and_no_inline_script(client, handbook):
    response = client.get("/publications/handbook/")
    assert 'id="cite-heading">Cite this publication</h2>' in response.text
    assert '<script src="/static/js/cite.js" defer></script>' in response.text
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", response.text)
    assert all("src=" in attrs or 'type="application/ld+json"' in attrs for attrs in scripts)
    assert not re.search(r"\son[a-z]+=", response.text)


# Query budget: the item, its themes, service areas, chapters, case studies (+ their service
# areas, which their cards show), related publications (links), and the credits of the item
# and its chapters together (one query for both). Each related list
# is read once, whatever its size. Cards show no themes, so none are fetched for them.
PUBLICATION_DETAIL_QUERIES = 8


@pytest.mark.parametrize("size", [5, 50])
def test_publication_page_query_count_is_constant(client, django_assert_num_queries, size):
    people = [make_contributor(slug=f"p-{size}-{i}") for i in range(size)]
    themes = [make_theme(f"Theme {i}") for i in range(size)]
    book = make_publication("Big book", slug="big-book", contributors=people, themes=themes)
    for i in range(size):
        make_publication(f"Chapter {i}", kind="chapter", parent=book, contributors=people[:3], themes=themes[:2])
        make_case_study(f"Case {i}", publications=[book])
        make_publication(f"Related {i}", themes=[themes[0]], contributors=people[:2])
    with django_assert_num_queries(PUBLICATION_DETAIL_QUERIES):
        response = client.get("/publications/big-book/")
    assert response.text.count('class="card card--publication"') == size
    assert response.text.count('<span class="muted">(2021)</span>') == 4  # related, capped at four
    assert response.text.count('class="card card--case-study"') == size


# --- Case studies ---------------------------------------------------------------------------


@pytest.fixture
def case_study():
    health = make_service_area("Health", slug="health")
    care = make_service_area("Social care", slug="social-care")
    theme = make_theme("Co-delivery", slug="co-delivery")
    draft_theme = make_theme("Unpublished theme", slug="unpublished-theme", status="draft")
    book = make_publication("Co-Production of Public Services and Outcomes", slug="book", year=2021)
    draft_book = make_publication("Unreleased book", slug="unreleased", status="draft")
    scheduled_book = make_publication("Scheduled book", slug="scheduled", publish_from=future())
    return make_case_study(
        "PRESENT: people living with dementia",
        slug="present",
        country="GB",
        locality="East Dunbartonshire",
        summary="People living with dementia help run community activities.",
        body="<p>The council and local groups work together.</p>",
        outcomes="<p>More people join in.</p>",
        organisations="East Dunbartonshire Council\nAlzheimer Scotland\n",
        year_started=2015,
        year_ended=2019,
        themes=[theme, draft_theme],
        service_areas=[health, care],
        publications=[book, draft_book, scheduled_book],
    )


def test_case_study_page_shows_summary_facts_body_and_outcomes(client, case_study):
    response = client.get("/case-studies/present/")
    text = response.text
    assert response.status_code == 200
    assert "<h1>PRESENT: people living with dementia</h1>" in text
    assert '<p class="lede">People living with dementia help run community activities.</p>' in text
    assert '<dt>Country</dt><dd><a href="/case-studies/?country=GB">United Kingdom</a></dd>' in text
    assert "<dt>Place</dt><dd>East Dunbartonshire</dd>" in text
    assert '<a href="/case-studies/?service_area=health">Health</a>' in text
    assert '<a href="/case-studies/?service_area=social-care">Social care</a>' in text
    assert '<a href="/case-studies/?theme=co-delivery">Co-delivery</a>' in text
    assert "Unpublished theme" not in text
    assert "<dt>Years</dt><dd>2015 to 2019</dd>" in text
    assert "<li>East Dunbartonshire Council</li><li>Alzheimer Scotland</li>" in text
    assert "<p>The council and local groups work together.</p>" in text
    assert "<p>More people join in.</p>" in text


def test_case_study_lists_only_published_publications_that_discuss_it(client, case_study):
    response = client.get("/case-studies/present/")
    assert "Publications that discuss this case <span class=\"count\">(1)</span>" in response.text
    assert "Co-Production of Public Services and Outcomes" in response.text
    assert "Unreleased book" not in response.text
    assert "Scheduled book" not in response.text


def test_case_study_page_cites_the_case_itself_with_downloads(client, case_study):
    response = client.get("/case-studies/present/")
    (apa_style, apa_html), (harvard_style, harvard_html) = citations(response)
    link = '<a href="http://testserver/case-studies/present/">http://testserver/case-studies/present/</a>'
    assert (apa_style, apa_html) == (
        "apa",
        "Institute of Local Government Studies. (2015). <em>PRESENT: people living with dementia</em>. "
        f"INLOGOV Research Hub. {link}",
    )
    assert harvard_style == "harvard"
    assert harvard_html.startswith(
        "Institute of Local Government Studies (2015) <em>PRESENT: people living with dementia</em>. "
        f"INLOGOV Research Hub. Available at: {link} (Accessed: "
    )
    for url in ("cite.bib", "cite.ris", "cite.json"):
        assert f'<a href="/case-studies/present/{url}" download>' in response.text


def test_case_study_json_ld_is_an_article_with_its_place(client, case_study):
    data = json_ld(client.get("/case-studies/present/"))
    assert data["@type"] == "Article"
    assert data["name"] == "PRESENT: people living with dementia"
    assert data["contentLocation"]["name"] == "East Dunbartonshire, United Kingdom"


@pytest.mark.parametrize(("status", "publish_from"), [("draft", None), ("published", future())])
def test_draft_and_scheduled_case_studies_are_not_found(client, status, publish_from):
    make_case_study("Hidden case", slug="hidden-case", status=status, publish_from=publish_from)
    assert client.get("/case-studies/hidden-case/").status_code == 404


def test_staff_preview_a_draft_case_study_with_the_banner(client):
    make_case_study("Hidden case", slug="hidden-case", status="draft")
    staff_client(client, "change_casestudy")
    response = client.get("/case-studies/hidden-case/")
    assert response.status_code == 200
    assert "Draft - not public." in response.text


# The case, its themes, service areas, publications (+ their credits, which their cards show),
# contributors.
CASE_STUDY_DETAIL_QUERIES = 6


@pytest.mark.parametrize("size", [5, 50])
def test_case_study_page_query_count_is_constant(client, django_assert_num_queries, size):
    people = [make_contributor() for _ in range(size)]
    publications = [make_publication(contributors=people[:3]) for _ in range(size)]
    make_case_study(
        "Busy case", slug="busy-case",
        themes=[make_theme() for _ in range(size)],
        service_areas=[make_service_area() for _ in range(size)],
        publications=publications,
        contributors=people,
    )
    with django_assert_num_queries(CASE_STUDY_DETAIL_QUERIES):
        response = client.get("/case-studies/busy-case/")
    assert response.text.count('class="card card--publication"') == size


def test_related_publications_are_the_four_newest_public_ones_sharing_a_theme(client):
    # Read by SQL written by hand (publications/views.py, _related): the rule must still leave
    # out drafts, scheduled items, the page's own publication and its chapters, keep other
    # books' chapters, and order by year, newest first, then title.
    theme, other, hidden = make_theme("Shared"), make_theme("Other"), make_theme("Hidden", status="draft")
    book = make_publication("The book", slug="the-book", year=2020, themes=[theme, hidden])
    make_publication("Its chapter", kind="chapter", parent=book, year=2024, themes=[theme])
    elsewhere = make_publication("Another book", year=2010, themes=[other])
    make_publication("A chapter elsewhere", kind="chapter", parent=elsewhere, year=2023, themes=[theme])
    make_publication("Draft", year=2024, themes=[theme], status="draft")
    make_publication("Scheduled", year=2024, themes=[theme], publish_from=future())
    make_publication("Under a draft theme only", year=2024, themes=[hidden])
    make_publication("Not sharing", year=2024, themes=[other])
    for title, year in (("B same year", 2022), ("A same year", 2022), ("Oldest", 2001), ("Too old", 2000)):
        make_publication(title, year=year, themes=[theme])
    html = client.get("/publications/the-book/").text
    section = html.split('<h2 id="related-heading">Related publications</h2>', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<a href="/publications/[^"]+/">([^<]+)</a> <span class="muted">\((\d+)\)</span>', section) == [
        ("A chapter elsewhere", "2023"), ("A same year", "2022"), ("B same year", "2022"), ("Oldest", "2001"),
    ]
