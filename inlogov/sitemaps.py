"""/sitemap.xml: an index of sitemaps that together list every published item of the four
public types, plus the list pages.

Each sitemap reads through `published()`, so drafts and scheduled items never appear.

The index points to one sitemap per type (/sitemap-publications.xml, ...), split into pages of
at most PAGE_SIZE URLs by id range (?p=2, ...; IdRangePaginator). The protocol caps a sitemap
at 50,000 URLs, and one file listing a large catalogue took seconds to build (100,000
publications: 12 MB, 9.5 s), so a page is small enough to build quickly and the number of
pages grows with the catalogue instead. The index lists only the pages that hold URLs (index()).
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, Paginator
from django.db.models import F, Max
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property

from people.models import Contributor
from publications.models import CaseStudy, Publication
from themes.models import Theme

# Rendering a sitemap costs about 100 microseconds of Python per URL: a page of 2,000 takes about
# 0.2 s, and 1,000,000 publications make 500 pages.
PAGE_SIZE = 2_000


class IdRangePaginator(Paginator):
    """Sitemap pages by id range: page n lists the public items whose ids are in
    ((n - 1) * per_page, n * per_page].

    Counting pages by position needed a COUNT of every public item on each request and an
    OFFSET that read every row before the page (at 1,000,000 publications the last page took
    0.7 s); a range of ids is one index range scan at any depth. A page can hold fewer URLs than
    per_page (drafts, deleted items). A range with no public item is not a page: the sitemap
    schema requires at least one URL, so the index leaves it out (``page_numbers``) and asking
    for it is a 404, like a page past the end.
    """

    @cached_property
    def num_pages(self):
        top = self.object_list.aggregate(top=Max("pk"))["top"] or 0
        return max(1, math.ceil(top / self.per_page))

    def page_numbers(self):
        """The numbers of the pages that hold at least one item, in order (one query)."""
        return list(
            self.object_list.order_by()
            .annotate(page=(F("pk") - 1) / self.per_page + 1)
            .values_list("page", flat=True)
            .distinct()
            .order_by("page")
        )

    def page(self, number):
        number = self.validate_number(number)
        low = (number - 1) * self.per_page
        items = list(self.object_list.filter(pk__gt=low, pk__lte=low + self.per_page))
        if not items:
            raise EmptyPage("That page contains no results")
        return self._get_page(items, number, self)


@dataclass
class IndexEntry:
    location: str  # the fields Django's sitemap_index.xml template reads
    last_mod: datetime | None


def index(request, sitemaps, sitemap_url_name):
    """/sitemap.xml: Django's sitemap index, listing only the pages that hold URLs (Django's own
    lists every number up to the last page, which for pages by id range includes empty ones)."""
    domain = get_current_site(request).domain
    entries = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        url = f"{request.scheme}://{domain}{reverse(sitemap_url_name, kwargs={'section': section})}"
        paginator = sitemap.paginator
        if hasattr(paginator, "page_numbers"):
            numbers = paginator.page_numbers()
        else:
            numbers = range(1, paginator.num_pages + 1)
        lastmod = sitemap.get_latest_lastmod() if numbers else None
        entries += [IndexEntry(url if number == 1 else f"{url}?p={number}", lastmod) for number in numbers]
    response = TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's sitemap views send
    return response


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
