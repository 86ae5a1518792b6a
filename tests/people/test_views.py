"""People pages: the grouped list and a person's page with their work by year."""

import json
import re

import pytest
from django.contrib.auth.models import Permission, User

from tests.factories import future, make_case_study, make_contributor, make_publication, make_theme

pytestmark = pytest.mark.django_db


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def bussu():
    theme = make_theme("Participatory governance", slug="participatory-governance")
    draft_theme = make_theme("Hidden expertise", slug="hidden-expertise", status="draft")
    person = make_contributor(
        "Sonia", "Bussu", slug="sonia-bussu", position="Associate Professor", relation="staff",
        biography="<p>She studies participatory governance.</p>", orcid="0000-0002-1825-0097",
    )
    person.expertise.set([theme, draft_theme])
    co_author = make_contributor("Yaron", "Golan", slug="yaron-golan")
    make_publication("Understanding participatory governance", year=2022, kind="report",
                     contributors=[person, co_author])
    make_publication("A second report", year=2022, kind="report", contributors=[person])
    make_publication("An older article", year=2019, kind="journal_article", contributors=[co_author, person])
    make_publication("A draft paper of hers", year=2023, status="draft", contributors=[person])
    make_publication("A scheduled paper of hers", year=2023, publish_from=future(), contributors=[person])
    make_case_study("A case she studied", slug="her-case", contributors=[person])
    make_case_study("A draft case she studied", slug="her-draft-case", contributors=[person], status="draft")
    return person


def test_person_page_shows_position_relation_biography_orcid_and_expertise(client, bussu):
    response = client.get("/people/sonia-bussu/")
    assert response.status_code == 200
    assert "<h1>Sonia Bussu</h1>" in response.text
    assert "Associate Professor" in response.text
    assert "<dt>Relation</dt><dd>Staff</dd>" in response.text
    assert "<p>She studies participatory governance.</p>" in response.text
    assert '<a href="https://orcid.org/0000-0002-1825-0097">' in response.text
    assert '<a href="/themes/participatory-governance/">Participatory governance</a>' in response.text
    assert "Hidden expertise" not in response.text


def test_person_page_groups_published_publications_by_year_with_counts(client, bussu):
    response = client.get("/people/sonia-bussu/")
    text = text_of(response.text)
    assert "Publications (3)" in text
    assert "2022 (2 publications)" in text
    assert "2019 (1 publication)" in text
    assert text.index("2022 (2 publications)") < text.index("A second report") < text.index("2019 (1 publication)")
    assert text.index("2019 (1 publication)") < text.index("An older article")


def test_a_publication_credited_twice_to_a_person_is_listed_and_counted_once(client):
    editor = make_contributor("Edith", "Twice", slug="edith-twice")
    make_publication("Her edited book", year=2020, contributors=[(editor, "editor"), (editor, "author")])
    text = text_of(client.get("/people/edith-twice/").text)
    assert "Publications (1)" in text
    assert "2020 (1 publication)" in text
    assert text.count("Her edited book") == 1


def test_person_page_never_lists_a_draft_or_scheduled_publication(client, bussu):
    response = client.get("/people/sonia-bussu/")
    assert "A draft paper of hers" not in response.text
    assert "A scheduled paper of hers" not in response.text
    assert "2023" not in text_of(response.text)


def test_person_page_lists_published_case_studies_only(client, bussu):
    response = client.get("/people/sonia-bussu/")
    assert "Case studies <span class=\"count\">(1)</span>" in response.text
    assert '<a href="/case-studies/her-case/">A case she studied</a>' in response.text
    assert "A draft case she studied" not in response.text


def test_person_json_ld_is_a_person_with_orcid(client, bussu):
    response = client.get("/people/sonia-bussu/")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S).group(1))
    assert data["@type"] == "Person"
    assert data["name"] == "Sonia Bussu"
    assert data["sameAs"] == ["https://orcid.org/0000-0002-1825-0097"]
    assert data["knowsAbout"] == ["Participatory governance"]


@pytest.mark.parametrize(("status", "publish_from"), [("draft", None), ("published", future())])
def test_draft_and_scheduled_people_are_not_found(client, status, publish_from):
    make_contributor("Hidden", "Person", slug="hidden-person", status=status, publish_from=publish_from)
    assert client.get("/people/hidden-person/").status_code == 404


def test_staff_preview_a_draft_person_with_the_banner(client):
    make_contributor("Hidden", "Person", slug="hidden-person", status="draft")
    user = User.objects.create_user("editor", password="a-long-test-password", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_contributor"))
    client.force_login(user)
    response = client.get("/people/hidden-person/")
    assert response.status_code == 200
    assert "Draft - not public." in response.text


def test_people_list_groups_by_relation_and_hides_drafts(client):
    make_contributor("Koen", "Bartels", relation="staff", slug="koen")
    make_contributor("Elke", "Loeffler", relation="associate", slug="elke")
    make_contributor("Tony", "Bovaird", relation="emeritus", slug="tony")
    make_contributor("Helen", "Sullivan", relation="external", slug="helen")
    make_contributor("Draft", "Person", relation="staff", slug="draft-person", status="draft")
    make_contributor("Later", "Person", relation="staff", slug="later-person", publish_from=future())
    response = client.get("/people/")
    text = text_of(response.text)
    assert "INLOGOV staff (1)" in text
    assert "INLOGOV associates (1)" in text
    assert "Emeritus staff (1)" in text
    assert "Co-authors, editors and partners (1)" in text
    html = response.text
    assert html.index('<h2 id="staff">') < html.index("Koen Bartels") < html.index('<h2 id="associate">')
    assert html.index('<h2 id="associate">') < html.index("Elke Loeffler") < html.index('<h2 id="emeritus">')
    assert "Draft Person" not in text
    assert "Later Person" not in text


# The person, their expertise, the publications (+ credits; each year's count is the length of
# its list), the case studies (+ service areas): what the cards show, fixed whatever the numbers.
PERSON_DETAIL_QUERIES = 6


@pytest.mark.parametrize("size", [5, 50])
def test_person_page_query_count_is_constant(client, django_assert_num_queries, size):
    person = make_contributor("Busy", "Author", slug="busy-author")
    person.expertise.set([make_theme() for _ in range(size)])
    for i in range(size):
        make_publication(year=2000 + i % 20, contributors=[person, make_contributor()])
        make_case_study(contributors=[person])
    with django_assert_num_queries(PERSON_DETAIL_QUERIES):
        response = client.get("/people/busy-author/")
    assert response.text.count('class="card card--publication"') == size
    assert response.text.count('class="card card--case-study"') == size


def names_listed(html):
    return re.findall(r'<p><a href="/people/[^"]+/"><strong>([^<]+)</strong></a></p>', html)


# The number of people in each group, one short read per group shown (each stops after the
# preview), and the expertise of everyone shown: fixed, whatever the number of people.
PEOPLE_LIST_QUERIES = 6
# One group's page: the counts, the page's people and their expertise.
PEOPLE_GROUP_QUERIES = 3


@pytest.mark.parametrize("size", [5, 50])
def test_people_list_query_count_is_constant(client, django_assert_num_queries, monkeypatch, size):
    from people.views import ContributorListView

    monkeypatch.setattr(ContributorListView, "PAGE_SIZE", 10)
    theme = make_theme()
    for relation in ("staff", "associate", "emeritus", "external"):
        for _ in range(size):
            make_contributor(relation=relation).expertise.set([theme])
    with django_assert_num_queries(PEOPLE_LIST_QUERIES):
        response = client.get("/people/")
    assert f"INLOGOV staff <span class=\"count\">({size})</span>" in response.text
    assert len(names_listed(response.text)) == 4 * min(size, 24)
    with django_assert_num_queries(PEOPLE_GROUP_QUERIES):
        response = client.get("/people/?relation=external&page=2")
    # Five people make one page, so page 2 shows the last (the only) page.
    assert len(names_listed(response.text)) == (5 if size == 5 else 10)


@pytest.fixture
def crowd(monkeypatch):
    """Two staff and five co-authors (plus a draft and a scheduled one), with a preview of three
    people per group and pages of two."""
    from people.views import ContributorListView

    monkeypatch.setattr(ContributorListView, "GROUP_PREVIEW", 3)
    monkeypatch.setattr(ContributorListView, "PAGE_SIZE", 2)
    make_contributor("Koen", "Bartels", relation="staff", slug="koen")
    make_contributor("Catherine", "Needham", relation="staff", slug="catherine")
    for given, family in [("Eva", "Eriksson"), ("Ben", "Ashworth"), ("Dan", "Dunne"), ("Cai", "Cole"),
                          ("Fay", "Fox")]:
        make_contributor(given, family, relation="external", slug=given.lower())
    make_contributor("Draft", "Aardvark", relation="external", slug="draft", status="draft")
    make_contributor("Later", "Aardvark", relation="external", slug="later", publish_from=future())


def test_people_index_previews_a_large_group_and_links_to_all_of_it(client, crowd):
    html = client.get("/people/").text
    assert names_listed(html) == ["Koen Bartels", "Catherine Needham", "Ben Ashworth", "Cai Cole", "Dan Dunne"]
    text = text_of(html)
    assert "Co-authors, editors and partners (5)" in text
    assert '<a href="/people/?relation=external">All Co-authors, editors and partners (5)</a>' in html
    # Staff fit in the preview, so there is no "All" link for them.
    assert "All INLOGOV staff" not in text
    assert "Aardvark" not in text


def test_a_group_has_pages_in_name_order(client, crowd):
    pages = [client.get(f"/people/?relation=external&page={n}").text for n in (1, 2, 3)]
    assert [names_listed(html) for html in pages] == [
        ["Ben Ashworth", "Cai Cole"], ["Dan Dunne", "Eva Eriksson"], ["Fay Fox"],
    ]
    assert "1 to 2 of 5, in family-name order." in text_of(pages[0])
    assert "Page 2 of 3" in text_of(pages[1])
    assert 'href="?relation=external&amp;page=3"' in pages[1]
    assert "INLOGOV staff (2)" in text_of(pages[0])  # the groups stay in the navigation
    assert '<h2 id="staff">' not in pages[0]
    assert '<a href="/people/?relation=external" aria-current="true">' in pages[0]
    assert "<title>Co-authors, editors and partners, page 2 | People |" in pages[1]


@pytest.mark.parametrize(
    ("number", "names", "message"),
    [
        ("99", ["Fay Fox"], "There is no page 99; the last page (3) is shown."),
        ("99999999999999999999", ["Fay Fox"], "the last page (3) is shown."),
        ("x", ["Ben Ashworth", "Cai Cole"], "is not a page number, so the first page is shown."),
        ("0", ["Ben Ashworth", "Cai Cole"], "Pages are numbered from 1, so the first page is shown."),
        ("-1", ["Ben Ashworth", "Cai Cole"], "Pages are numbered from 1, so the first page is shown."),
    ],
)
def test_a_bad_page_number_shows_a_page_and_says_why(client, crowd, number, names, message):
    # (Not named `page`: that is pytest-playwright's fixture, and borrowing its name pulls the
    # browser's parameter in and reorders the run around the browser tests.)
    response = client.get(f"/people/?relation=external&page={number}")
    assert response.status_code == 200
    assert names_listed(response.text) == names
    assert message in text_of(response.text)


def test_a_group_with_nobody_public_says_so(client, crowd):
    from people.models import Contributor

    Contributor.objects.filter(relation="staff").update(status="draft")
    response = client.get("/people/?relation=staff")
    assert response.status_code == 200
    assert "<title>INLOGOV staff | People |" in response.text
    assert "No one is listed in this group at the moment." in text_of(response.text)
    assert names_listed(response.text) == []


def test_a_group_asked_for_twice_uses_the_first(client, crowd):
    response = client.get("/people/?relation=staff&relation=external")
    assert names_listed(response.text) == ["Koen Bartels", "Catherine Needham"]
    assert "<code>relation</code>: given more than once; the first was used." in response.text


def test_an_unknown_group_shows_everyone_and_says_why(client, crowd):
    response = client.get("/people/?relation=<b>nobody</b>")
    assert response.status_code == 200
    assert "<code>relation</code>: not a group of people; showing every group instead." in response.text
    assert "<b>nobody</b>" not in response.text
    assert names_listed(response.text)[:2] == ["Koen Bartels", "Catherine Needham"]

