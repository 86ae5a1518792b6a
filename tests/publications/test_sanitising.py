"""Hostile rich text never survives a save, whether it arrives through the admin form or model
code, and never reaches the public page (acceptance point 2 of issue 3)."""

from html.parser import HTMLParser

import pytest

from inlogov.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from people.models import Contributor
from publications.models import CaseStudy, Publication
from tests.admin_users import make_editor
from tests.factories import make_case_study, make_contributor, make_publication

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('x')</script><p>kept</p>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src="x" onerror="alert(1)">',
    '<p onclick="steal()">click</p>',
    '<a href="#" onmouseover="alert(1)">hover</a>',
    '<body onload="alert(1)">',
    '<a href="javascript:alert(1)">js link</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<svg><script>alert(1)</script></svg>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width: expression(alert(1))">ie</div>',
    "<style>body{background:url('javascript:alert(1)')}</style>",
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name="password"></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<p><b><i>unclosed <a href='https://ok.example' onclick='x()'>link",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://ok.example" target="_blank" rel="opener">target</a>',
    "<!--<script>alert(1)</script>--><p>comment</p>",
    '<p>text</p><template><script>alert(1)</script></template>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<a href="https://ok.example" style="position:fixed;top:0">overlay</a>',
    '<h1 class="x" id="y">heading</h1><h2 data-x="1">sub</h2>',
    '<video><source onerror="alert(1)"></video><audio src=x onerror=alert(1)>',
]
DANGEROUS = (
    "<script", "<iframe", "<svg", "<math", "<style", "<object", "<embed", "<form", "<input",
    "<meta", "<base", "<link", "<img", "<template", "<video", "<audio", "onerror", "onload",
    "onclick", "onmouseover", "javascript:", "vbscript:", "data:", "style=", "expression(",
    "srcdoc", "xlink:", "target=",
)
SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")  # relative links are harmless


class _AllowListCheck(HTMLParser):
    """Fails on any tag or attribute outside the rich text allow-list."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on {tag}")
            if name == "href" and not (value or "").startswith(SAFE_SCHEMES):
                self.problems.append(f"href {value}")


def assert_harmless(html):
    lowered = html.lower()
    survivors = [marker for marker in DANGEROUS if marker in lowered]
    assert not survivors, f"{survivors} survived in {html!r}"
    checker = _AllowListCheck()
    checker.feed(html)
    assert not checker.problems, f"{checker.problems} in {html!r}"


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_rich_text_saved_through_the_model_is_cleaned(payload):
    publication = make_publication(abstract=payload)
    case = make_case_study(body=payload, outcomes=payload)
    person = make_contributor(biography=payload)
    publication.refresh_from_db()
    case.refresh_from_db()
    person.refresh_from_db()
    for value in (publication.abstract, case.body, case.outcomes, person.biography):
        assert_harmless(value)


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_rich_text_saved_with_update_fields_is_cleaned(payload):
    publication = make_publication()
    publication.abstract = payload
    publication.save(update_fields=["abstract"])
    assert_harmless(Publication.objects.get(pk=publication.pk).abstract)


def test_safe_formatting_survives_sanitising():
    publication = make_publication(
        abstract='<h2>Findings</h2><p>Read <a href="https://example.org/report">the report</a>, '
        "<strong>bold</strong> and <em>italic</em>.</p><ul><li>one</li></ul><blockquote>q</blockquote>"
    )
    publication.refresh_from_db()
    assert "<h2>Findings</h2>" in publication.abstract
    assert '<a href="https://example.org/report" rel="noopener noreferrer nofollow">the report</a>' in publication.abstract
    assert "<strong>bold</strong>" in publication.abstract
    assert "<ul><li>one</li></ul>" in publication.abstract
    assert "<blockquote>q</blockquote>" in publication.abstract


@pytest.fixture(scope="module")
def corpus_html():
    return "".join(HOSTILE)


def test_hostile_rich_text_posted_through_the_admin_is_cleaned_and_not_rendered(client, corpus_html):
    client.force_login(make_editor())
    publication = make_publication("Hostile abstract", slug="hostile-abstract")
    data = {
        "title": publication.title,
        "slug": publication.slug,
        "kind": publication.kind,
        "year": publication.year,
        "abstract": corpus_html,
        "status": "published",
        "contributions-TOTAL_FORMS": 0,
        "contributions-INITIAL_FORMS": 0,
        "contributions-MIN_NUM_FORMS": 0,
        "contributions-MAX_NUM_FORMS": 1000,
    }
    response = client.post(f"/admin/publications/publication/{publication.pk}/change/", data)
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.abstract.startswith("<p>kept</p>")
    assert_harmless(publication.abstract)

    client.logout()
    page = client.get("/publications/hostile-abstract/")
    assert page.status_code == 200
    main = page.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert "kept" in main
    for marker in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<svg", "expression("):
        assert marker not in main.lower()


@pytest.mark.parametrize(
    ("url", "field", "model", "extra"),
    [
        ("/admin/people/contributor/{pk}/change/", "biography", Contributor, {}),
        ("/admin/publications/casestudy/{pk}/change/", "body", CaseStudy, {}),
        ("/admin/publications/casestudy/{pk}/change/", "outcomes", CaseStudy, {}),
    ],
)
def test_other_rich_text_fields_are_cleaned_when_posted_through_the_admin(client, corpus_html, url, field, model, extra):
    client.force_login(make_editor())
    if model is Contributor:
        obj = make_contributor("Elke", "Loeffler")
        data = {"given_name": "Elke", "family_name": "Loeffler", "slug": obj.slug, "relation": "staff"}
    else:
        obj = make_case_study("Hostile case")
        data = {"title": obj.title, "slug": obj.slug, "country": "GB"}
    data.update({"status": "draft", field: corpus_html, **extra})
    response = client.post(url.format(pk=obj.pk), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    stored = getattr(model.objects.get(pk=obj.pk), field)
    assert "kept" in stored
    assert_harmless(stored)
