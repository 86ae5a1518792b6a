"""The public pages' Jinja2 templates (templates/jinja2/, inlogov/jinja.py).

The port from Django's engine was checked byte for byte against the old pages (every page of the
starter content, and 200 pages of the benchmark's catalogue). These tests keep what that
comparison relied on: Django's escaping, Django's query strings, no Python object ever printed
where a method should have been called, and the error pages.
"""

import jinja2
import pytest
from django.http import QueryDict
from django.template import Context, Template, loader
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from inlogov.escaping import escape
from inlogov.jinja import finalize, querystring
from people.models import Contributor
from publications.models import Publication, PublicationContributor
from tests.factories import make_case_study, make_contributor, make_publication, make_service_area, make_theme

# What a template bug would print: a method not called, an object without a string form, or
# template syntax that was never parsed.
LEAKS = ("<bound method", "object at 0x", "Undefined", "jinja2", "{{", "{%", "&lt;function", "<function")


def template_names(response):
    return [template.name for template in response.templates]


@pytest.mark.django_db
def test_public_pages_render_with_jinja2_and_the_admin_with_djangos_engine(client, admin_client):
    publication = make_publication("Jinja page")
    response = client.get(publication.get_absolute_url())
    assert template_names(response) == ["publications/publication_detail.html"]
    assert isinstance(response.templates[0], jinja2.Template)
    # The view's context reaches the test client too (tests/conftest.py instruments the engine).
    assert response.context["publication"] == publication

    admin = admin_client.get("/admin/publications/publication/")
    assert admin.status_code == 200
    assert "admin/change_list.html" in template_names(admin)
    assert not any(isinstance(template, jinja2.Template) for template in admin.templates)


@pytest.mark.django_db
def test_text_is_escaped_exactly_as_djangos_engine_escaped_it(client):
    title = """Rates & "fees" <b>in</b> O'Brien's town"""
    escaped = "Rates &amp; &quot;fees&quot; &lt;b&gt;in&lt;/b&gt; O&#x27;Brien&#x27;s town"
    author = make_contributor("Siobhán", "O'Neill", slug="siobhan-oneill")
    publication = make_publication(title, contributors=[author])

    detail = client.get(publication.get_absolute_url()).text
    assert f"<h1>{escaped}</h1>" in detail
    assert f"<title>{escaped} | INLOGOV Research Hub</title>" in detail
    assert ">Siobhán O&#x27;Neill</a>" in detail

    listing = client.get("/publications/").text
    assert f'{escaped}</a></h3>' in listing
    assert '<p class="card__people">Siobhán O&#x27;Neill</p>' in listing
    for page in (detail, listing):
        assert "<b>in</b>" not in page
        assert "&#39;" not in page  # Jinja2's own spelling of an escaped apostrophe
        assert "&#34;" not in page


@pytest.mark.parametrize(
    "value",
    [
        """Rates & "fees" <b>in</b> O'Brien's""", "", "plain", 2026, 0, None, True, 1.5,
        mark_safe("<em>already safe</em> & kept"), gettext_lazy("Journal article"),
    ],
)
def test_escape_and_finalize_write_what_djangos_conditional_escape_writes(value):
    assert escape(value) == conditional_escape(value)
    assert str(finalize(value)) == conditional_escape(value)


@pytest.mark.parametrize(
    ("query", "changes", "expected"),
    [
        ("", {"page": 2}, "?page=2"),
        ("q=co-production&theme=a&theme=b&page=4", {"page": 1}, "?q=co-production&theme=a&theme=b&page=1"),
        ("q=a+b%26c&page=4", {"page": None}, "?q=a+b%26c"),
        ("page=4", {"page": None}, "?"),
        ("", {"page": None}, ""),
        ("kind=book", {"kind": ["chapter", "report"]}, "?kind=chapter&kind=report"),
    ],
)
def test_querystring_writes_what_djangos_tag_writes(query, changes, expected):
    query_dict = QueryDict(query)
    arguments = " ".join(f"{key}=value_{key}" for key in changes)
    django_tag = Template("{% querystring query " + arguments + " %}").render(
        Context({"query": query_dict, **{f"value_{key}": value for key, value in changes.items()}})
    )
    assert querystring(query_dict, **changes) == expected
    # Both engines escape the "&" of the result alike when it goes into an attribute.
    assert str(finalize(expected)) == django_tag == expected.replace("&", "&amp;")
    assert query_dict.urlencode() == QueryDict(query).urlencode()  # the caller's query is untouched


@pytest.mark.django_db
def test_the_500_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "<h1>Sorry, something went wrong</h1>" in html
    assert "<title>Something went wrong | INLOGOV Research Hub</title>" in html
    assert 'rel="canonical"' not in html
    assert "aria-current" not in html
    assert not [leak for leak in LEAKS if leak in html]


@pytest.mark.django_db
def test_no_page_prints_a_python_object_or_template_syntax(client):
    """Every kind of public page, with every optional part filled in, shows text only."""
    parent = make_theme("Co-production")
    child = make_theme("Co-design", parent=parent)
    area = make_service_area("Social care")
    editor = make_contributor(
        "Tony", "Bovaird", relation=Contributor.Relation.STAFF, position="Professor",
        orcid="0000-0002-1825-0097", website="https://example.org/a-rather-long-personal-home-page",
        biography="<p>Works on co-production.</p>",
    )
    editor.expertise.set([parent])
    author = make_contributor("Elke", "Loeffler", relation=Contributor.Relation.EXTERNAL)
    book = make_publication(
        "The Palgrave Handbook", kind=Publication.Kind.HANDBOOK, themes=[parent], service_areas=[area],
        contributors=[(editor, PublicationContributor.Role.EDITOR)], publisher="Palgrave Macmillan",
        place="Cham", isbn="9783319537054", doi="10.1007/978-3-319-53705-0", abstract="<p>A handbook.</p>",
        is_open_access=True,
    )
    chapter = make_publication(
        "A chapter", kind=Publication.Kind.CHAPTER, parent=book, themes=[child], contributors=[author, editor],
        pages="1-20",
    )
    article = make_publication(
        "An article", kind=Publication.Kind.JOURNAL_ARTICLE, container_title="Local Government Studies",
        volume="4", issue="2", themes=[child], contributors=[author],
    )
    case = make_case_study(
        "Participatory budgeting in Porto Alegre", country="BR", locality="Porto Alegre",
        summary="Residents set spending priorities.", body="<p>The case.</p>", outcomes="<p>Outcomes.</p>",
        year_started=1989, is_ongoing=True, organisations="City council\nResidents' forum",
        themes=[parent, child], service_areas=[area], publications=[book], contributors=[author],
    )
    pages = [
        "/", "/publications/", "/publications/?q=handbook", "/publications/?theme=" + child.slug,
        "/publications/?q=nothing-matches-this&kind=book", "/publications/?year_from=abc&page=0",
        "/case-studies/", "/case-studies/?country=BR", "/case-studies/?q=nothing-matches-this&country=GB",
        "/people/", "/people/?relation=staff", "/themes/", "/search/?q=co", "/search/?q=nothing-matches-this",
        "/no-such-page/", book.get_absolute_url(), chapter.get_absolute_url(), article.get_absolute_url(),
        case.get_absolute_url(), editor.get_absolute_url(), author.get_absolute_url(), parent.get_absolute_url(),
        child.get_absolute_url(),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == (404 if page == "/no-such-page/" else 200), page
        assert not [leak for leak in LEAKS if leak in response.text], page
    detail = client.get(book.get_absolute_url()).text
    assert "<dt>Publisher</dt><dd>Palgrave Macmillan, Cham</dd>" in detail
    assert f'<a href="{editor.get_absolute_url()}">Tony Bovaird</a> (editor)' in detail
    person = client.get(editor.get_absolute_url()).text
    assert '<a href="https://example.org/a-rather-long-personal-home-page">https://example.org/a-rather-long-perso…</a>' in person
    case_page = client.get(case.get_absolute_url()).text
    assert "<dt>Years</dt><dd>1989 to date (ongoing)</dd>" in case_page
    assert "<li>Residents&#x27; forum</li>" in case_page


def test_static_addresses_are_djangos_whatever_the_settings_and_script_prefix(settings):
    """The templates' ``static()`` remembers each address (inlogov/jinja.py); it must still give
    what Django's gives when the static URL changes (a CDN) or a request comes under another
    script prefix (Django keeps the address it first worked out, and so does the memory)."""
    from django.templatetags.static import static
    from django.urls import get_script_prefix, set_script_prefix

    from inlogov.jinja import static_url

    path = "css/site.css"
    assert static_url(path) == static(path)
    settings.STATIC_URL = "https://cdn.example.org/hub/"
    assert static_url(path) == static(path) == "https://cdn.example.org/hub/css/site.css"
    prefix = get_script_prefix()
    try:
        settings.STATIC_URL = "static/"
        set_script_prefix("/research/")
        assert static_url(path) == static(path) == "/research/static/css/site.css"
        set_script_prefix("/")
        assert static_url(path) == static(path)
    finally:
        set_script_prefix(prefix)
