"""Site-wide views: the home page, search across the four types and robots.txt."""

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from inlogov.faceting import MAX_QUERY_LENGTH, clean_text, faceted_search, paginate, shorten_query
from people.models import Contributor
from publications.filters import CaseStudyFilter, PublicationFilter
from publications.models import CaseStudy, Publication
from themes.models import Theme

HOME_FEATURED = 4
HOME_CASE_STUDIES = 3
HOME_PEOPLE = 6
SEARCH_SHOWN = 10  # per type; the full list is one link away, on the faceted listing


@require_GET
def home(request):
    """What the institute researches, with featured work, themes, recent cases and key people.

    Featured publications are the ones staff ticked; until any are ticked, the newest appear.
    Every list is a fixed-size slice, so the page's query count never grows with the content.
    """
    featured = list(
        Publication.objects.published().filter(is_featured=True).for_cards().order_by("-year", "title")[:HOME_FEATURED]
    )
    if not featured:
        featured = list(Publication.objects.published().for_cards().order_by("-year", "title")[:HOME_FEATURED])
    context = {
        "featured_publications": featured,
        "themes": Theme.objects.published().for_detail().filter(parent__isnull=True),
        "latest_case_studies": list(
            CaseStudy.objects.published().for_cards().order_by("-created_at", "title")[:HOME_CASE_STUDIES]
        ),
        "key_people": list(
            Contributor.objects.published()
            .for_cards()
            .exclude(relation=Contributor.Relation.EXTERNAL)
            .order_by("family_name", "given_name", "pk")[:HOME_PEOPLE]
        ),
        "publication_total": _total(PublicationFilter, Publication),
        "case_study_total": _total(CaseStudyFilter, CaseStudy),
    }
    return render(request, "home.html", context)


def _total(filterset_class, model):
    """Public items: the listing's stored total where there is one (PostgreSQL publications:
    counting 1,000,000 took 200 ms), else a COUNT."""
    queryset = model.objects.published()
    total = faceted_search(filterset_class, {}, queryset, facets=False).total
    return queryset.count() if total is None else total


@require_GET
def search(request):
    """`/search/?q=`: publications, case studies, people and themes, grouped with counts.

    Publications and case studies use the listings' FilterSets (the same ranking and word-form
    matching); people and themes match on their names. Only `q` is read: other parameters are
    ignored, and over-long or control-character input is cleaned rather than refused.
    """
    raw = request.GET.getlist("q")
    text, _ = clean_text(raw[0] if raw else "")
    notes = []
    if len(raw) > 1:
        notes.append("The search was given more than once; the first was used.")
    if len(text) > MAX_QUERY_LENGTH:
        text = shorten_query(text)
        notes.append(f"The search was too long, so only its first {MAX_QUERY_LENGTH} characters were used.")
    context = {"search_query": text, "notes": notes, "groups": [], "total": 0}
    if text:
        # The kind facet gives the number of matches (each item has one kind), and on PostgreSQL
        # its query ranks the matches and chooses the first page in the same pass, as the
        # listing's does: one read of the matches instead of a COUNT and a ranked page (at
        # 1,000,000 publications the two took 460 ms).
        found = faceted_search(
            PublicationFilter, {"q": text}, Publication.objects.published().for_cards(),
            facets=["kind"], page_size=SEARCH_SHOWN,
        )
        publications = found.queryset
        counted = {"publications": (found.total, found.chosen_page)}
        case_studies = faceted_search(
            CaseStudyFilter, {"q": text}, CaseStudy.objects.published().for_cards(), facets=False
        ).queryset
        people = Contributor.objects.published().for_cards().filter(
            Q(display_name__icontains=text)
            | Q(given_name__icontains=text)
            | Q(family_name__icontains=text)
            | Q(position__icontains=text)
        ).order_by("family_name", "given_name", "pk")
        themes = Theme.objects.published().for_listing().filter(name__icontains=text)
        if " " in text:
            # "Elke Loeffler" should find Elke Loeffler: match every word against the name parts.
            words = Q()
            for word in text.split():
                words &= Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(display_name__icontains=word)
            people = Contributor.objects.published().for_cards().filter(words).order_by("family_name", "given_name", "pk")
        groups = [
            ("publications", "Publications", publications, reverse("publications:list")),
            ("case-studies", "Case studies", case_studies, reverse("case_studies:list")),
            ("people", "People", people, None),
            ("themes", "Themes", themes, None),
        ]
        for slug, label, queryset, listing in groups:
            count, chosen = counted.get(slug, (None, None))
            if count is None:
                count = queryset.count()
            if not count:
                items = []
            elif chosen:
                items = paginate(queryset, 1, SEARCH_SHOWN, count, chosen)[0].object_list
            else:
                items = queryset[:SEARCH_SHOWN]
            context["groups"].append(
                {
                    "slug": slug,
                    "label": label,
                    "count": count,
                    "items": list(items),
                    "more_url": f"{listing}?q=" if listing and count > SEARCH_SHOWN else None,
                }
            )
            context["total"] += count
    return render(request, "search.html", context)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.scheme}://{request.get_host()}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

