from django.db.models import Count, Prefetch, prefetch_related_objects
from django.views.generic import DetailView, ListView

from inlogov import metadata
from inlogov.faceting import paginate
from inlogov.preview import PreviewableDetailMixin
from people.models import Contributor
from publications.models import CaseStudy, Publication
from themes.models import Theme

RELATION_HEADINGS = {
    Contributor.Relation.STAFF: "INLOGOV staff",
    Contributor.Relation.ASSOCIATE: "INLOGOV associates",
    Contributor.Relation.EMERITUS: "Emeritus staff",
    Contributor.Relation.EXTERNAL: "Co-authors, editors and partners",
}


class ContributorListView(ListView):
    """Everyone on the hub, grouped by their relation to the institute (staff first).

    The index shows the first GROUP_PREVIEW people of each group; a group with more links to its
    own pages (?relation=external), PAGE_SIZE people a page. A large catalogue credits tens of
    thousands of co-authors, and one page listing them all took seconds and megabytes (20,000
    people: 4.8 MB, 6.5 s). The queries are the same whatever the number of people: the counts
    per group, one short read per group shown (each walks the relation-and-name index and stops
    early), and their expertise.
    """

    model = Contributor
    GROUP_PREVIEW = 24
    PAGE_SIZE = 96

    def get_queryset(self):
        return Contributor.objects.published().for_cards().order_by("family_name", "given_name", "pk")

    def get_context_data(self, **kwargs):
        people = self.object_list
        totals = dict(people.order_by().values_list("relation").annotate(n=Count("pk")))
        problems = {}
        asked = self.request.GET.getlist("relation")
        relation = asked[0] if asked else None
        if len(asked) > 1:
            problems["relation"] = "given more than once; the first was used."
        if relation is not None and relation not in RELATION_HEADINGS:
            problems["relation"] = "not a group of people; showing every group instead."
            relation = None
        groups = []
        page_obj = None
        for slug, heading in RELATION_HEADINGS.items():
            total = totals.get(slug, 0)
            if relation == slug:
                # A group's own pages, even when it is empty (a shared link to a group whose
                # last member was unpublished says so rather than showing nothing).
                page_obj, problem = paginate(
                    people.filter(relation=slug), self.request.GET.get("page"), self.PAGE_SIZE, count=total
                )
                if problem:
                    problems["page"] = problem
                shown = list(page_obj.object_list)
            elif relation is None and total:
                shown = list(people.filter(relation=slug)[: self.GROUP_PREVIEW])
            else:
                continue
            groups.append({"heading": heading, "slug": slug, "total": total, "people": shown})
        prefetch_related_objects(
            [person for group in groups for person in group["people"]],
            Prefetch("expertise", queryset=Theme.objects.published().for_links()),
        )
        return {
            **super().get_context_data(object_list=people, **kwargs),
            "groups": groups,
            "all_groups": [
                {"heading": heading, "slug": slug, "total": totals[slug]}
                for slug, heading in RELATION_HEADINGS.items()
                if totals.get(slug)
            ],
            "relation": relation,
            "relation_heading": RELATION_HEADINGS.get(relation),
            "page_obj": page_obj,
            "problems": problems,
        }


class ContributorDetailView(PreviewableDetailMixin, DetailView):
    """A person, their published work grouped by year (with each year's count) and their case
    studies."""

    model = Contributor
    context_object_name = "person"

    def base_queryset(self):
        return Contributor.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        # Every publication of the person is listed, so each year's count is the length of its
        # list (one query fewer than counting them in the database as well).
        publications = (
            Publication.objects.published()
            .filter(contributions__contributor=person)
            .distinct()
        )
        by_year = []
        for publication in publications.for_cards().order_by("-year", "title"):
            if not by_year or by_year[-1]["year"] != publication.year:
                by_year.append({"year": publication.year, "items": []})
            by_year[-1]["items"].append(publication)
        for group in by_year:
            group["count"] = len(group["items"])
        case_studies = list(
            CaseStudy.objects.published().filter(contributors=person).for_cards().order_by("title")
        )
        origin = metadata.base_url(self.request)
        description = person.position or metadata.plain_text(person.biography, 30)
        context.update(
            publications_by_year=by_year,
            publication_total=sum(group["count"] for group in by_year),
            case_studies=case_studies,
            json_ld=metadata.json_ld(metadata.contributor_ld(person, origin)),
            open_graph=metadata.open_graph(
                person.name, origin + person.get_absolute_url(), description or person.name, "profile"
            ),
            meta_description=f"{person.name}: {description}" if description else person.name,
        )
        return context
