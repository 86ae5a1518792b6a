from django.db.models import Exists, OuterRef
from django.views.generic import DetailView, ListView

from inlogov.faceting import FacetedListMixin
from inlogov.preview import PreviewableDetailMixin
from publications.cards import cards_by_id
from publications.filters import CaseStudyFilter, PublicationFilter
from publications.models import CaseStudy, Publication, prefetch_for_cards


class PublicationListView(FacetedListMixin, ListView):
    """The faceted publications listing; its grammar is PublicationFilter's (publications/filters.py)."""

    model = Publication
    filterset_class = PublicationFilter
    paginate_by = 20

    def read_rows(self, ids):
        return cards_by_id(Publication, ids)


class PublicationDetailView(PreviewableDetailMixin, DetailView):
    """A publication with its credits, chapters, case studies, citation and metadata.

    Related publications share a theme with this one; they are links (title and year) and come
    from one query, so the page's query count does not depend on how much is related.
    """

    model = Publication

    def base_queryset(self):
        # Its own credits come with its cards' (below): one query for all of them.
        return Publication.objects.for_detail(credits=False)

    def get_context_data(self, **kwargs):
        from inlogov import metadata

        context = super().get_context_data(**kwargs)
        publication = self.object
        origin = metadata.base_url(self.request)
        url = origin + publication.get_absolute_url()
        theme_ids = [theme.pk for theme in publication.themes.all()]
        related = []
        if theme_ids:
            # An existence test, not a join with DISTINCT: the database walks the newest-first
            # index and stops at the fourth match instead of collecting every item of the themes.
            shares_theme = Exists(
                Publication.themes.through.objects.filter(publication=OuterRef("pk"), theme__in=theme_ids)
            )
            related = list(
                Publication.objects.published()
                .filter(shares_theme)
                .exclude(pk=publication.pk)
                .exclude(parent=publication)
                .only("slug", "title", "subtitle", "year")
                .order_by("-year", "title")[:4]
            )
        # The publication's credits and those of its chapters' cards, at once.
        prefetch_for_cards([publication, *publication.published_children])
        contributions = list(publication.contributions.all())
        context.update(
            parent=publication.public_parent,
            chapters=publication.published_children,
            case_studies=publication.published_case_studies,
            contributions=contributions,
            related_publications=related,
            cite=metadata.citation_context(publication, "publications", self.request),
            highwire_tags=metadata.highwire_tags(publication),
            json_ld=metadata.json_ld(metadata.publication_ld(publication, origin)),
            open_graph=metadata.open_graph(
                publication.full_title,
                url,
                metadata.plain_text(publication.abstract, 40) or publication.get_kind_display(),
                "book" if metadata.SCHEMA_TYPES.get(publication.kind) == "Book" else "article",
            ),
            meta_description=metadata.plain_text(publication.abstract, 30),
        )
        return context


class CaseStudyListView(FacetedListMixin, ListView):
    """The faceted case-study listing; its grammar is CaseStudyFilter's (publications/filters.py)."""

    model = CaseStudy
    filterset_class = CaseStudyFilter
    paginate_by = 20

    def read_rows(self, ids):
        return cards_by_id(CaseStudy, ids)


class CaseStudyDetailView(PreviewableDetailMixin, DetailView):
    """A case study with its facts panel, the publications discussing it and its citation."""

    model = CaseStudy
    context_object_name = "case_study"

    def base_queryset(self):
        return CaseStudy.objects.for_detail()

    def get_context_data(self, **kwargs):
        from inlogov import metadata

        context = super().get_context_data(**kwargs)
        case_study = self.object
        origin = metadata.base_url(self.request)
        description = case_study.summary or metadata.plain_text(case_study.body, 30)
        context.update(
            publications=case_study.published_publications,
            contributors=case_study.published_contributors,
            cite=metadata.citation_context(case_study, "case_studies", self.request),
            json_ld=metadata.json_ld(metadata.case_study_ld(case_study, origin)),
            open_graph=metadata.open_graph(
                case_study.title, origin + case_study.get_absolute_url(), description or "Case study"
            ),
            meta_description=description,
        )
        return context
