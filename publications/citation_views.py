"""Reference-manager downloads for one published publication or case study.

`/publications/<slug>/cite.bib`, `cite.ris` and `cite.json` (and the same under
`/case-studies/<slug>/`) answer with a file to save, so Zotero, EndNote or Mendeley can import it.
Only `published()` items are served: a draft or scheduled item, like an unknown slug, is a 404.
The formatting itself lives in inlogov/citations.py.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from inlogov import citations
from publications.models import CaseStudy, Publication

FORMATS = {
    "bibtex": ("text/x-bibtex", "bib", citations.bibtex_item),
    "ris": ("application/x-research-info-systems", "ris", citations.ris_item),
    # A CSL-JSON file is an array of items, even for one item.
    "csl": ("application/vnd.citationstyles.csl+json", "json", citations.csl_json_list_of_one),
}


def _download(request, queryset, slug, fmt):
    obj = get_object_or_404(queryset, slug=slug)
    content_type, extension, writer = FORMATS[fmt]
    response = HttpResponse(writer(obj, request=request), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{obj.slug}.{extension}"'
    return response


@require_safe
def publication_citation(request, slug, fmt):
    return _download(request, Publication.objects.published().for_citations(), slug, fmt)


@require_safe
def case_study_citation(request, slug, fmt):
    return _download(request, CaseStudy.objects.published().for_detail(), slug, fmt)
