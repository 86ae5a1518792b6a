"""Atom feeds of newly published publications: all of them, and per theme.

Both accept the listing's filter grammar (`?kind=report&year_from=2020`...), read through the
same PublicationFilter, so a feed reader can follow exactly the slice a visitor filtered. Bad
parameters are ignored the way the listing ignores them. A theme feed covers the theme's
published sub-themes, as the theme page does.
"""

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from inlogov.faceting import faceted_search
from inlogov.metadata import plain_text
from publications.filters import PublicationFilter
from publications.models import Publication
from themes.models import Theme

FEED_SIZE = 30


class PublicationFeed(Feed):
    feed_type = Atom1Feed
    title = "INLOGOV Research Hub: new publications"
    subtitle = "Publications newly added to the research hub of the Institute of Local Government Studies."
    link = "/publications/"
    author_name = "Institute of Local Government Studies, University of Birmingham"

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def filtered(self, request, queryset):
        data = request.GET.copy()
        data.pop("page", None)
        data.pop("sort", None)
        result = faceted_search(PublicationFilter, data, queryset.for_listing(), facets=False)
        # Newest additions first, whatever sort the listing would use.
        return result.queryset.newest_additions()[:FEED_SIZE]

    def items(self, obj):
        return self.filtered(self.request, Publication.objects.published())

    def item_title(self, item):
        return item.full_title

    def item_description(self, item):
        people = ", ".join(c.contributor.name for c in item.contributions.all())
        parts = [f"{item.get_kind_display()}, {item.year}."]
        if people:
            parts.append(f"By {people}.")
        summary = plain_text(item.abstract, 60)
        if summary:
            parts.append(summary)
        return " ".join(parts)

    def item_author_name(self, item):
        return ", ".join(c.contributor.name for c in item.contributions.all()) or None

    def item_pubdate(self, item):
        return item.publish_from or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [theme.name for theme in item.themes.all() if theme.is_public]


class ThemePublicationFeed(PublicationFeed):
    def get_object(self, request, slug):
        self.request = request
        theme = get_object_or_404(Theme.objects.published().for_detail(), slug=slug)
        if theme is None:  # pragma: no cover - get_object_or_404 raises instead
            raise Http404
        return theme

    def title(self, obj):
        return f"INLOGOV Research Hub: new publications on {obj.name}"

    def subtitle(self, obj):
        return f"Publications on {obj.name} newly added to the research hub of the Institute of Local Government Studies."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        theme_ids = [obj.pk] + [child.pk for child in obj.published_children]
        # An existence test, not a join with DISTINCT: the database walks the newest-first index
        # and stops after FEED_SIZE items instead of sorting every item of the theme.
        queryset = Publication.objects.published().filter(
            Exists(Publication.themes.through.objects.filter(publication=OuterRef("pk"), theme__in=theme_ids))
        )
        return self.filtered(self.request, queryset)
