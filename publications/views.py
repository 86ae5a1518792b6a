from django.db import connection
from django.views.generic import DetailView, ListView

from inlogov.faceting import FacetedListMixin
from inlogov.preview import PreviewableDetailMixin
from inlogov.publishing import published_sql
from inlogov.rows import RowReader
from publications.cards import cards_by_id, linked_sql, listing_page, public_cards
from publications.filters import CaseStudyFilter, PublicationFilter
from publications.models import CaseStudy, Publication, prefetch_for_cards


class PublicationListView(FacetedListMixin, ListView):
    """The faceted publications listing; its grammar is PublicationFilter's (publications/filters.py)."""

    model = Publication
    filterset_class = PublicationFilter
    paginate_by = 20

    def read_rows(self, ids):
        return cards_by_id(Publication, ids)

    def read_page(self, filterset, offset, limit):
        return listing_page(Publication, filterset, offset, limit)


RELATED = 4


def _related(publication, theme_ids):
    """The newest RELATED public publications sharing a theme with ``publication``, other than it
    and its chapters, as links (slug, title, subtitle and year loaded).

    An existence test, not a join with DISTINCT: the database walks the newest-first index and
    stops at the fourth match instead of collecting every item of the themes. Written by hand:
    Django took about 1 ms to build and compile the queryset (with its Exists and two excludes)
    for a statement PostgreSQL runs in a tenth of that. ``exclude(parent=...)`` kept items
    without a parent, as ``parent_id IS NULL OR`` does here. tests/publications/
    test_detail_views.py checks drafts, scheduled items, chapters and the order.
    """
    opts = Publication._meta
    reader = RowReader(Publication, [opts.pk, *map(opts.get_field, ("slug", "title", "subtitle", "year"))])
    rule, params = published_sql("p")
    shares_theme, theme_params = linked_sql(Publication.themes.through, "publication", "theme", theme_ids, "p")
    sql = (
        f"SELECT {', '.join(reader.columns('p'))} FROM {connection.ops.quote_name(opts.db_table)} p "  # noqa: S608 (names from the models)
        f"WHERE {rule} AND {shares_theme} AND p.id <> %s AND (p.parent_id IS NULL OR p.parent_id <> %s) "
        "ORDER BY p.year DESC, p.title ASC, p.id ASC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *theme_params, publication.pk, publication.pk, RELATED])
        return [reader(row) for row in cursor.fetchall()]


class PublicationDetailView(PreviewableDetailMixin, DetailView):
    """A publication with its credits, chapters, case studies, citation and metadata.

    Related publications share a theme with this one; they are links (title and year) and come
    from one query, so the page's query count does not depend on how much is related.
    """

    model = Publication

    def base_queryset(self):
        # Its own credits come with its cards' (below): one query for all of them. Its
        # chapters and case studies are read by hand (get_context_data).
        return Publication.objects.for_detail(credits=False, lists=False)

    def get_context_data(self, **kwargs):
        from inlogov import metadata

        context = super().get_context_data(**kwargs)
        publication = self.object
        origin = metadata.base_url(self.request)
        url = origin + publication.get_absolute_url()
        theme_ids = [theme.pk for theme in publication.themes.all()]
        related = _related(publication, theme_ids) if theme_ids else []
        # The public chapters and case studies as cards, as the prefetches of for_detail() gave
        # them (their building and compiling was about a tenth of the page's Python); the
        # chapters' credits come below, with the publication's own.
        publication.published_children = public_cards(
            Publication, "i.parent_id = %s", [publication.pk], "ORDER BY i.title ASC, i.id ASC", lines=False
        )
        discusses = linked_sql(CaseStudy.source_publications.through, "casestudy", "publication", [publication.pk])
        publication.published_case_studies = public_cards(CaseStudy, *discusses, "ORDER BY i.title ASC, i.id ASC")
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

    def read_page(self, filterset, offset, limit):
        return listing_page(CaseStudy, filterset, offset, limit)


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
