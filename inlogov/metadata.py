"""Metadata for search engines and citation managers, built in Python and rendered by templates.

- `json_ld(data)`: a schema.org JSON-LD document as a string that is safe inside
  `<script type="application/ld+json">` (no `</script>` or `<!--` can close or confuse it).
- `publication_ld`, `case_study_ld`, `contributor_ld`, `theme_ld`: the schema.org objects.
- `highwire_tags(publication)`: Google Scholar's `citation_*` meta tags as (name, content) pairs.

Everything here reads only what the detail querysets (`for_detail()`) have already fetched, so it
adds no queries.
"""

import json
import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

from publications.models import Publication, PublicationContributor

# The same escapes Django's json_script filter uses: <, > and & become \u escapes, which JSON
# parsers read back as the same characters.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

SCHEMA_TYPES = {
    Publication.Kind.BOOK: "Book",
    Publication.Kind.EDITED_BOOK: "Book",
    Publication.Kind.HANDBOOK: "Book",
    Publication.Kind.CHAPTER: "Chapter",
    Publication.Kind.JOURNAL_ARTICLE: "ScholarlyArticle",
    Publication.Kind.REPORT: "Report",
    Publication.Kind.SCOPING_REVIEW: "Report",
    Publication.Kind.WORKING_PAPER: "Report",
    Publication.Kind.OTHER: "CreativeWork",
}

INSTITUTE = {
    "@type": "ResearchOrganization",
    "name": "Institute of Local Government Studies (INLOGOV)",
    "parentOrganization": {"@type": "CollegeOrUniversity", "name": "University of Birmingham"},
}


def json_ld(data):
    return json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_JSON_SCRIPT_ESCAPES)


def plain_text(html, words=60):
    """Rich text reduced to a plain, whitespace-collapsed summary for meta descriptions."""
    text = re.sub(r"\s+", " ", strip_tags(html or "")).strip()
    return Truncator(text).words(words)


def _person(contributor, base_url):
    person = {"@type": "Person", "name": contributor.name, "url": base_url + contributor.get_absolute_url()}
    if contributor.orcid:
        person["identifier"] = f"https://orcid.org/{contributor.orcid}"
    return person


def credits(publication, *roles):
    """The publication's credited contributors with one of `roles`, in stored order."""
    return [c.contributor for c in publication.contributions.all() if c.role in roles]


AUTHOR_ROLES = (PublicationContributor.Role.AUTHOR, PublicationContributor.Role.CHAPTER_AUTHOR)


def first_last_page(pages):
    parts = [p.strip() for p in re.split(r"\s*[-\u2013\u2014]+\s*", pages or "") if p.strip()]
    if not parts:
        return "", ""
    return parts[0], parts[-1] if len(parts) > 1 else ""


def publication_ld(publication, base_url):
    url = base_url + publication.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(publication.kind, "CreativeWork"),
        "@id": url,
        "url": url,
        "name": publication.full_title,
        "headline": Truncator(publication.full_title).chars(110),
        "datePublished": publication.date.isoformat() if publication.date else str(publication.year),
        "isAccessibleForFree": publication.is_open_access,
        "sourceOrganization": INSTITUTE,
    }
    authors = credits(publication, *AUTHOR_ROLES)
    editors = credits(publication, PublicationContributor.Role.EDITOR)
    if authors:
        data["author"] = [_person(c, base_url) for c in authors]
    if editors:
        data["editor"] = [_person(c, base_url) for c in editors]
    if publication.publisher:
        data["publisher"] = {"@type": "Organization", "name": publication.publisher}
    if publication.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": publication.doi}
        data["sameAs"] = f"https://doi.org/{publication.doi}"
    if publication.isbn and data["@type"] == "Book":
        data["isbn"] = publication.isbn
    abstract = plain_text(publication.abstract, 80)
    if abstract:
        data["abstract"] = abstract
    if publication.pages:
        data["pagination"] = publication.pages
    parent = publication.parent if publication.parent_id else None
    if parent is not None and parent.is_public:
        data["isPartOf"] = {
            "@type": SCHEMA_TYPES.get(parent.kind, "CreativeWork"),
            "name": parent.full_title,
            "url": base_url + parent.get_absolute_url(),
        }
    elif publication.container_title:
        container_type = "Periodical" if publication.kind == Publication.Kind.JOURNAL_ARTICLE else "Book"
        data["isPartOf"] = {"@type": container_type, "name": publication.container_title}
    themes = list(publication.themes.all())
    if themes:
        data["about"] = [{"@type": "DefinedTerm", "name": t.name, "url": base_url + t.get_absolute_url()} for t in themes]
    return data


def case_study_ld(case_study, base_url):
    url = base_url + case_study.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": url,
        "url": url,
        "name": case_study.title,
        "headline": Truncator(case_study.title).chars(110),
        "description": case_study.summary or plain_text(case_study.body, 40),
        "contentLocation": {
            "@type": "Place",
            "name": ", ".join(p for p in (case_study.locality, case_study.country.name) if p),
        },
        "publisher": INSTITUTE,
        "dateModified": case_study.updated_at.isoformat(),
    }
    contributors = getattr(case_study, "published_contributors", [])
    if contributors:
        data["author"] = [_person(c, base_url) for c in contributors]
    themes = list(case_study.themes.all())
    if themes:
        data["about"] = [{"@type": "DefinedTerm", "name": t.name, "url": base_url + t.get_absolute_url()} for t in themes]
    return data


def contributor_ld(contributor, base_url):
    url = base_url + contributor.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": url,
        "url": url,
        "name": contributor.name,
    }
    if contributor.given_name:
        data["givenName"] = contributor.given_name
    data["familyName"] = contributor.family_name
    if contributor.honorific:
        data["honorificPrefix"] = contributor.honorific
    if contributor.position:
        data["jobTitle"] = contributor.position
    if contributor.relation != contributor.Relation.EXTERNAL:
        data["affiliation"] = INSTITUTE
    same_as = []
    if contributor.orcid:
        same_as.append(f"https://orcid.org/{contributor.orcid}")
    if contributor.website:
        same_as.append(contributor.website)
    if same_as:
        data["sameAs"] = same_as
    expertise = [t.name for t in contributor.expertise.all()]
    if expertise:
        data["knowsAbout"] = expertise
    description = plain_text(contributor.biography, 40)
    if description:
        data["description"] = description
    return data


def theme_ld(theme, base_url):
    url = base_url + theme.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "@id": url,
        "url": url,
        "name": theme.name,
        "inDefinedTermSet": {"@type": "DefinedTermSet", "name": "INLOGOV research themes", "url": base_url + "/themes/"},
    }
    description = plain_text(theme.description, 40)
    if description:
        data["description"] = description
    return data


_REPORT_KINDS = (Publication.Kind.REPORT, Publication.Kind.SCOPING_REVIEW, Publication.Kind.WORKING_PAPER)


def highwire_tags(publication):
    """Google Scholar's citation_* tags, in the order its inclusion guidelines list them."""
    tags = [("citation_title", publication.full_title)]
    authors = credits(publication, *AUTHOR_ROLES) or credits(publication, PublicationContributor.Role.EDITOR)
    tags += [("citation_author", c.name) for c in authors]
    if publication.date:
        tags.append(("citation_publication_date", publication.date.strftime("%Y/%m/%d")))
    else:
        tags.append(("citation_publication_date", str(publication.year)))
    parent = publication.parent if publication.parent_id else None
    container = parent.full_title if parent is not None and parent.is_public else publication.container_title
    if publication.kind == Publication.Kind.JOURNAL_ARTICLE and container:
        tags.append(("citation_journal_title", container))
    elif publication.kind == Publication.Kind.CHAPTER and container:
        tags.append(("citation_inbook_title", container))
    if publication.volume:
        tags.append(("citation_volume", publication.volume))
    if publication.issue:
        tags.append(("citation_issue", publication.issue))
    first, last = first_last_page(publication.pages)
    if first:
        tags.append(("citation_firstpage", first))
    if last:
        tags.append(("citation_lastpage", last))
    if publication.publisher:
        tags.append(("citation_publisher", publication.publisher))
    if publication.publisher and publication.kind in _REPORT_KINDS:
        tags.append(("citation_technical_report_institution", publication.publisher))
    if publication.doi:
        tags.append(("citation_doi", publication.doi))
    isbn = publication.isbn or (parent.isbn if parent is not None and parent.is_public else "")
    if isbn:
        tags.append(("citation_isbn", isbn))
    tags.append(("citation_language", "en"))
    return tags


def open_graph(title, url, description, og_type="article"):
    return [
        ("og:site_name", "INLOGOV Research Hub"),
        ("og:type", og_type),
        ("og:title", title),
        ("og:url", url),
        ("og:description", description),
        ("og:locale", "en_GB"),
    ]


def base_url(request):
    """The site's origin as the visitor reached it, for absolute links in metadata."""
    return f"{request.scheme}://{request.get_host()}"


def citation_context(obj, namespace, request):
    """The "Cite" section of a detail page: APA 7 and Harvard (safe HTML from inlogov/citations.py)
    and the BibTeX, RIS and CSL-JSON download links."""
    from django.urls import reverse

    from inlogov import citations

    return {
        "styles": [
            {"label": "APA 7th edition", "slug": "apa", "html": citations.apa(obj, request)},
            {"label": "Harvard", "slug": "harvard", "html": citations.harvard(obj, request)},
        ],
        "downloads": [
            {"label": label, "url": reverse(f"{namespace}:{route}", kwargs={"slug": obj.slug})}
            for label, route in (("BibTeX", "cite-bibtex"), ("RIS", "cite-ris"), ("CSL-JSON", "cite-csl"))
        ],
    }
