from django.views.generic import DetailView, ListView

from inlogov import metadata
from inlogov.preview import PreviewableDetailMixin
from people.models import Contributor
from publications.models import CaseStudy, Publication

RELATION_HEADINGS = {
    Contributor.Relation.STAFF: "INLOGOV staff",
    Contributor.Relation.ASSOCIATE: "INLOGOV associates",
    Contributor.Relation.EMERITUS: "Emeritus staff",
    Contributor.Relation.EXTERNAL: "Co-authors, editors and partners",
}


class ContributorListView(ListView):
    """Everyone on the hub, grouped by their relation to the institute (staff first)."""

    model = Contributor

    def get_queryset(self):
        return Contributor.objects.published().for_detail().order_by("family_name", "given_name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = list(context["object_list"])
        context["groups"] = [
            {"heading": heading, "slug": relation, "people": [p for p in people if p.relation == relation]}
            for relation, heading in RELATION_HEADINGS.items()
        ]
        context["groups"] = [g for g in context["groups"] if g["people"]]
        return context


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
        for publication in publications.for_listing().order_by("-year", "title"):
            if not by_year or by_year[-1]["year"] != publication.year:
                by_year.append({"year": publication.year, "items": []})
            by_year[-1]["items"].append(publication)
        for group in by_year:
            group["count"] = len(group["items"])
        case_studies = list(
            CaseStudy.objects.published().filter(contributors=person).for_listing().order_by("title")
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
