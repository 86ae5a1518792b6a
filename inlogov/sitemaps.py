"""/sitemap.xml: an index of sitemaps that together list every published item of the four
public types, plus the list pages.

Each sitemap reads through `published()`, so drafts and scheduled items never appear.

The index points to one sitemap per type (/sitemap-publications.xml, ...), split into pages of
at most PAGE_SIZE URLs by id range (?p=2, ...; IdRangePaginator). The protocol caps a sitemap at 50,000 URLs, and one file listing a
large catalogue took seconds to build (100,000 publications: 12 MB, 9.5 s), so a page is small
enough to build quickly and the number of pages grows with the catalogue instead.
"""

import math

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property

from people.models import Contributor
from publications.models import CaseStudy, Publication
from themes.models import Theme

# Rendering a sitemap costs about 100 microseconds of Python per URL: a page of 2,000 takes about
# 0.2 s, and 1,000,000 publications make 500 pages.
PAGE_SIZE = 2_000


class IdRangePaginator(Paginator):
    """Sitemap pages by id range: page n lists the items whose ids are in
    ((n - 1) * per_page, n * per_page], however many of those are public.

    Counting pages by position needed a COUNT of every public item on each request and an
    OFFSET that read every row before the page (at 1,000,000 publications the last page took
    0.7 s); a range of ids is one index range scan at any depth. A page can hold fewer URLs than
    per_page (drafts, deleted items), or none: an empty sitemap is still a valid one.
    """

    @cached_property
    def num_pages(self):
        top = self.object_list.aggregate(top=Max("pk"))["top"] or 0
        return max(1, math.ceil(top / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        low = (number - 1) * self.per_page
        items = list(self.object_list.filter(pk__gt=low, pk__lte=low + self.per_page))
        return self._get_page(items, number, self)


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

    @cached_property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)


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
