"""Theme pages: nested list with counts, and a theme's page with its work, people and chart."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from tests.factories import future, make_case_study, make_contributor, make_publication, make_theme

pytestmark = pytest.mark.django_db


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def coproduction():
    """Co-production with two published sub-themes and one draft sub-theme.

    Published publications: 2019 x1 (parent theme), 2021 x2 (one on both sub-themes, one on
    Co-design only). A draft and a scheduled publication, and a publication reached only
    through the draft sub-theme, are tagged too and must never count; so are a draft and a
    scheduled case study, and one reached only through the draft sub-theme (one case study
    counts).
    """
    parent = make_theme("Co-production", slug="co-production", description="<p>Working together.</p>")
    design = make_theme("Co-design", slug="co-design", parent=parent, order=1)
    delivery = make_theme("Co-delivery", slug="co-delivery", parent=parent, order=2)
    hidden = make_theme("Co-secret", slug="co-secret", parent=parent, status="draft")
    loeffler = make_contributor("Elke", "Loeffler", slug="elke-loeffler")
    loeffler.expertise.set([parent])
    bovaird = make_contributor("Tony", "Bovaird", slug="tony-bovaird")
    make_contributor("Draft", "Expert", slug="draft-expert", status="draft").expertise.set([parent])
    outsider = make_contributor("Out", "Sider", slug="out-sider")
    later = make_contributor("Later", "Author", slug="later-author")
    make_publication("Handbook on co-production", slug="handbook", year=2019, themes=[parent], contributors=[loeffler])
    make_publication("Four Co's chapter", slug="four-cos", year=2021, themes=[design, delivery], contributors=[bovaird])
    make_publication("Designing with citizens", slug="designing", year=2021, themes=[design])
    make_publication("Draft on co-design", slug="draft-pub", year=2024, themes=[design], status="draft",
                     contributors=[outsider])
    make_publication("Scheduled on co-design", slug="scheduled-pub", year=2024, themes=[design],
                     publish_from=future(), contributors=[later])
    make_publication("Only under a draft theme", slug="hidden-theme-pub", year=2024, themes=[hidden],
                     contributors=[make_contributor("Secret", "Themer", slug="secret-themer")])
    make_case_study("Balsall Heath", slug="balsall-heath", themes=[delivery], year_started=2000)
    make_case_study("Draft case", slug="draft-case", themes=[delivery], status="draft")
    make_case_study("Scheduled case", slug="scheduled-case", themes=[delivery], publish_from=future())
    make_case_study("Case under a draft theme", slug="hidden-theme-case", themes=[hidden])
    return parent


def test_theme_page_counts_include_published_sub_themes_only(client, coproduction):
    response = client.get("/themes/co-production/")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "3 publications and 1 case study , including its sub-themes." in text
    assert '<a href="/publications/?theme=co-production">3 publications</a>' in response.text
    assert '<a href="/case-studies/?theme=co-production">1 case study</a>' in response.text


def test_theme_page_shows_description_and_published_sub_themes(client, coproduction):
    response = client.get("/themes/co-production/")
    assert "<p>Working together.</p>" in response.text
    assert '<a href="/themes/co-design/">Co-design</a>' in response.text
    assert '<a href="/themes/co-delivery/">Co-delivery</a>' in response.text
    assert "Co-secret" not in response.text


def test_theme_page_latest_work_is_published_newest_first(client, coproduction):
    response = client.get("/themes/co-production/")
    html = response.text
    assert html.index("Designing with citizens") < html.index("Four Co&#x27;s chapter") < html.index("Handbook on co-production")
    for hidden in ("Draft on co-design", "Scheduled on co-design", "Only under a draft theme", "Draft case",
                   "Scheduled case", "Case under a draft theme"):
        assert hidden not in html
    assert '<a href="/case-studies/balsall-heath/">Balsall Heath</a>' in html
    assert "All 3 publications on Co-production" in html


def test_theme_page_offers_its_atom_feed(client, coproduction):
    response = client.get("/themes/co-production/")
    assert ('<link rel="alternate" type="application/atom+xml" title="New publications on Co-production" '
            'href="/feeds/themes/co-production/publications/">') in response.text
    assert "Follow new publications on Co-production (Atom feed)" in response.text


def test_theme_page_marks_the_themes_section_in_the_navigation(client, coproduction):
    response = client.get("/themes/co-production/")
    assert '<a href="/themes/" aria-current="true">Themes</a>' in response.text
    assert 'aria-current="page"' not in response.text


def test_theme_page_lists_experts_and_authors_but_not_drafts(client, coproduction):
    response = client.get("/themes/co-production/")
    assert '<a href="/people/elke-loeffler/">Elke Loeffler</a>' in response.text
    assert '<a href="/people/tony-bovaird/">Tony Bovaird</a>' in response.text
    assert "Draft Expert" not in response.text
    assert "Out Sider" not in response.text  # credited only on a draft publication
    assert "Later Author" not in response.text  # credited only on a scheduled publication
    assert "Secret Themer" not in response.text  # credited only under a draft sub-theme


def test_theme_chart_has_a_bar_per_year_and_a_text_alternative(client, coproduction):
    response = client.get("/themes/co-production/")
    html = response.text
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert svg.count('<rect class="bar"') == 3  # 2019, 2020 (none), 2021
    assert '<desc id="chart-desc">2019: 1; 2020: 0; 2021: 2.</desc>' in svg
    # Each year's label, with its count above the bar when it has one (no "0" over 2020).
    assert re.findall(r"<text [^>]*>([^<]*)</text>", svg) == ["1", "2019", "2020", "2", "2021"]
    # Years sit on one line below the axis (y 180); a count sits just above its bar, whose top is
    # at 180 - height (2021, the highest, fills the 160 units; 2019 is half as high).
    assert re.findall(r'<text x="[\d.]+" y="198" text-anchor="middle">(\d+)</text>', svg) == ["2019", "2020", "2021"]
    assert re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle">[12]</text>', svg) == ["96.0", "16.0"]
    assert re.findall(r'<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)">', svg) == [
        ("100.0", "80.0"), ("180.0", "0.0"), ("20.0", "160.0")
    ]
    table = re.search(r"<table>.*?</table>", html, re.S).group(0)
    assert re.findall(r'<th scope="row">(\d+)</th><td>(\d+)</td>', table) == [("2019", "1"), ("2020", "0"), ("2021", "2")]


def test_sub_theme_page_counts_only_its_own_work(client, coproduction):
    response = client.get("/themes/co-delivery/")
    assert "Sub-theme of Co-production" in response.text
    assert '<a href="/publications/?theme=co-delivery">1 publication</a>' in response.text
    assert '<a href="/case-studies/?theme=co-delivery">1 case study</a>' in response.text


def test_theme_json_ld_is_a_defined_term(client, coproduction):
    response = client.get("/themes/co-production/")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S).group(1))
    assert (data["@type"], data["name"]) == ("DefinedTerm", "Co-production")


@pytest.mark.parametrize(("status", "publish_from"), [("draft", None), ("published", future())])
def test_draft_and_scheduled_themes_are_not_found(client, status, publish_from):
    make_theme("Hidden", slug="hidden", status=status, publish_from=publish_from)
    assert client.get("/themes/hidden/").status_code == 404


def test_a_sub_theme_of_a_hidden_theme_names_no_parent_and_a_lately_public_theme_shows(client):
    # The page reads the theme, its parent and its sub-themes with SQL written by hand
    # (themes/views.py, _public_theme): the parent must still be named only when public, the
    # sub-themes come in their order, then by name, without drafts or scheduled ones, and
    # times are read as the ORM reads them (on SQLite too: a public-since time is compared).
    earlier = timezone.now() - timedelta(hours=1)
    hidden = make_theme("Secret parent", slug="secret-parent", status="draft")
    make_theme("Public child", slug="public-child", parent=hidden, publish_from=earlier)
    html = client.get("/themes/public-child/").text
    assert "Secret parent" not in html
    assert "Draft - not public." not in html
    assert '<p class="card__kind">Research theme</p>' in html

    top = make_theme("Open parent", slug="open-parent", publish_from=earlier)
    for name, options in (("Zeta", {"order": 1}), ("Alpha", {"order": 2}), ("Beta", {"order": 1}),
                          ("Draft sub", {"status": "draft"}), ("Later sub", {"publish_from": future()})):
        make_theme(name, parent=top, slug=name.lower().replace(" ", "-"), **options)
    html = client.get("/themes/open-parent/").text
    sub_themes = html.split('<h2 id="subthemes-heading">Sub-themes</h2>', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="/themes/([a-z-]+)/">', sub_themes) == ["beta", "zeta", "alpha"]
    assert "Sub-theme of Open parent" in client.get("/themes/beta/").text


def test_staff_preview_a_draft_theme_with_the_banner(client):
    make_theme("Hidden", slug="hidden", status="draft")
    user = User.objects.create_user("editor", password="a-long-test-password", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_theme"))
    client.force_login(user)
    response = client.get("/themes/hidden/")
    assert response.status_code == 200
    assert "Draft - not public." in response.text


def test_theme_list_nests_sub_themes_with_published_counts(client, coproduction):
    make_theme("Democratic innovation", slug="democratic-innovation", order=5)
    response = client.get("/themes/")
    text = text_of(response.text)
    assert "Co-production 3 publications, 1 case study (including sub-themes)" in text
    assert "Co-design 2 publications, 0 case studies" in text
    assert "Co-delivery 1 publication, 1 case study" in text
    assert "Democratic innovation 0 publications, 0 case studies" in text
    assert "Co-secret" not in text


# The theme, its sub-themes, year counts, case-study count, latest publications (+ credits),
# latest case studies (+ service areas), people (one query: the first few experts and the
# first few credited people, each limited in a subquery, merged in name order): fixed whatever
# the numbers. On PostgreSQL the year counts are read from the stored facet cube (one query, the
# scheduled items subtracted in it) instead of counted with one GROUP BY: the same number.
THEME_DETAIL_QUERIES = 9


@pytest.mark.parametrize("size", [5, 50])
def test_theme_page_query_count_is_constant(client, django_assert_num_queries, size):
    parent = make_theme("Busy", slug="busy")
    children = [make_theme(parent=parent) for _ in range(size)]
    for i in range(size):
        author = make_contributor()
        make_publication(year=1990 + i, themes=[children[i]], contributors=[author])
        make_case_study(themes=[parent])
    with django_assert_num_queries(THEME_DETAIL_QUERIES):
        response = client.get("/themes/busy/")
    assert response.text.count('<rect class="bar"') == size
    assert response.text.count('class="card card--publication"') == 5


# The themes, their sub-themes, and the theme facet of each listing (publications and case
# studies). On PostgreSQL the publications' facet reads the vocabulary and the stored counts
# (the scheduled items come with them), as many queries as counting.
THEME_LIST_QUERIES = 6


@pytest.mark.parametrize("size", [5, 50])
def test_theme_list_query_count_is_constant(client, django_assert_num_queries, size):
    for _ in range(size):
        parent = make_theme()
        make_publication(themes=[make_theme(parent=parent)])
    with django_assert_num_queries(THEME_LIST_QUERIES):
        response = client.get("/themes/")
    assert response.text.count('<section class="panel"') == size


@pytest.mark.django_db
def test_theme_page_lists_at_most_24_people_alphabetically_and_says_there_are_more(client):
    theme = make_theme("Co-design", slug="co-design-many")
    # Made in reverse, so that the order of creation (the ids) is not the order of names.
    people = [make_contributor("Given", f"Person{n:02d}", slug=f"person-{n:02d}") for n in reversed(range(30))]
    for person in people:
        person.expertise.add(theme)
    make_contributor("Draft", "Person00a", slug="person-draft", status="draft").expertise.add(theme)

    response = client.get(theme.get_absolute_url())

    shown = [person.slug for person in response.context["people"]]
    assert shown == [f"person-{n:02d}" for n in range(24)]
    assert response.context["more_people"] is True
    assert "These are the first 24 in alphabetical order." in response.text
    assert "/people/person-24/" not in response.text
    assert "/people/person-draft/" not in response.text


@pytest.mark.django_db
def test_theme_page_merges_experts_and_credited_people_in_name_order(client):
    # Even-numbered people have the theme as expertise, odd-numbered ones are credited on a
    # publication under a sub-theme, person 04 is both; the page lists the first 24 of all of them.
    theme = make_theme("Co-production", slug="co-production-merge")
    sub = make_theme("Co-design", slug="co-design-merge", parent=theme)
    # Made in reverse, so that the order of creation (the ids) is not the order of names.
    people = [make_contributor("Given", f"Person{n:02d}", slug=f"person-{n:02d}") for n in reversed(range(30))][::-1]
    for n, person in enumerate(people):
        if n % 2 == 0:
            person.expertise.add(theme)
    make_publication(themes=[sub], contributors=[p for n, p in enumerate(people) if n % 2 or n == 4])
    make_publication(themes=[sub], contributors=[make_contributor("Only", "Drafted")], status="draft")

    response = client.get(theme.get_absolute_url())

    assert [person.slug for person in response.context["people"]] == [f"person-{n:02d}" for n in range(24)]
    assert response.context["more_people"] is True
    assert "Drafted" not in response.text


@pytest.mark.django_db
def test_theme_page_lists_the_first_credited_people_by_name_not_by_age(client):
    # Thirty people credited under the theme, none with it as expertise, made in reverse name
    # order: the first 24 by name are listed, though they are the newest.
    theme = make_theme("Co-delivery", slug="co-delivery-credits")
    people = [make_contributor("Given", f"Person{n:02d}", slug=f"person-{n:02d}") for n in reversed(range(30))]
    make_publication(themes=[theme], contributors=people)

    response = client.get(theme.get_absolute_url())

    assert [person.slug for person in response.context["people"]] == [f"person-{n:02d}" for n in range(24)]
    assert response.context["more_people"] is True


@pytest.mark.django_db
def test_theme_page_people_are_public_even_when_hidden_people_come_first_by_name(client):
    # Twenty-six draft people credited on a published publication, and twenty-six scheduled
    # people with the theme as expertise, all named to sort before the three public people:
    # each short list must skip them, or the public people would be crowded out.
    theme = make_theme("Co-assessment", slug="co-assessment-hidden")
    drafts = [make_contributor("Draft", f"Aa{n:02d}", status="draft") for n in range(26)]
    scheduled = [make_contributor("Later", f"Ab{n:02d}", publish_from=future()) for n in range(26)]
    for person in scheduled:
        person.expertise.add(theme)
    public = [make_contributor("Public", f"Zz{n}", slug=f"public-zz{n}") for n in range(3)]
    make_publication(themes=[theme], contributors=[*drafts, public[0], public[1]])
    public[2].expertise.add(theme)

    response = client.get(theme.get_absolute_url())

    assert [person.slug for person in response.context["people"]] == ["public-zz0", "public-zz1", "public-zz2"]
    assert response.context["more_people"] is False
    assert "Draft Aa" not in response.text and "Later Ab" not in response.text
