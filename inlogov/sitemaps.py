"""/sitemap.xml: an index of sitemaps that together list every published item of the four
public types, plus the list pages.

Each sitemap reads through `published()`, so drafts and scheduled items never appear.

The index points to one sitemap per type (/sitemap-publications.xml, ...), split into pages of
PAGE_SIZE URLs (?p=2, ...). The protocol caps a sitemap at 50,000 URLs, and one file listing a
large catalogue took seconds to build (100,000 publications: 12 MB, 9.5 s), so a page is small
enough to build quickly and the number of pages grows with the catalogue instead.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from people.models import Contributor
from publications.models import CaseStudy, Publication
from themes.models import Theme

# Rendering a sitemap costs about 100 microseconds of Python per URL: a page of 2,000 takes about
# 0.2 s, and 1,000,000 publications make 500 pages.
PAGE_SIZE = 2_000


class _PublishedSitemap(Sitemap):
    model = None
    changefreq = "monthly"
    limit = PAGE_SIZE

    def items(self):
        return self.model.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # For the index. Django's default calls lastmod() on every item in Python.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


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
