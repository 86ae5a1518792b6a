"""/sitemap.xml: every published item of the four public types, plus the list pages.

Each sitemap reads through `published()`, so drafts and scheduled items never appear.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from people.models import Contributor
from publications.models import CaseStudy, Publication
from themes.models import Theme


class _PublishedSitemap(Sitemap):
    model = None
    changefreq = "monthly"

    def items(self):
        return self.model.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PublicationSitemap(_PublishedSitemap):
    model = Publication
    priority = 0.8


class CaseStudySitemap(_PublishedSitemap):
    model = CaseStudy
    priority = 0.7


class ContributorSitemap(_PublishedSitemap):
    model = Contributor
    priority = 0.6


class ThemeSitemap(_PublishedSitemap):
    model = Theme
    priority = 0.6


class ListPageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["home", "publications:list", "case_studies:list", "people:list", "themes:list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": ListPageSitemap,
    "publications": PublicationSitemap,
    "case-studies": CaseStudySitemap,
    "people": ContributorSitemap,
    "themes": ThemeSitemap,
}
