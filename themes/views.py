from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView

from inlogov import metadata
from inlogov.faceting import faceted_search
from inlogov.preview import PreviewableDetailMixin
from inlogov.publishing import published_sql
from inlogov.rows import RowReader
from people.models import CARD_COLUMNS as PERSON_CARD_COLUMNS
from people.models import Contributor
from publications.cards import linked_sql, public_cards
from publications.filters import CaseStudyFilter, PublicationFilter, theme_publications_per_year
from publications.models import CaseStudy, Publication
from themes.models import Theme

LATEST = 5
PEOPLE_SHOWN = 24


def _first_people(theme_ids):
    """The first PEOPLE_SHOWN + 1 published people, in name order, with expertise in the themes
    or credited on a published publication in one of them, with the columns the page shows.

    A theme at a large institution can have thousands of people and the page shows a few. Each
    condition on its own lets the database walk the name index and stop early (asked together,
    with OR, it builds the whole set: 200 ms at 100,000 publications); so each is a short list
    of its own, limited in a subquery, and the outer query keeps the people in either, in name
    order. One query: the database runs each limited subquery once (a hashed subplan).

    Written as SQL rather than built with the ORM: Django took about 3.5 ms to build and compile
    this statement (about 13 million instructions, a fifth of the page), for under a millisecond
    of SQL; its rows become people through ``RowReader`` rather than a raw queryset, which
    cost about 0.5 ms more for 25 people. The publishing rule comes from ``published_sql``,
    beside ``published_q`` (inlogov/publishing.py), and tests/themes/test_views.py checks each
    condition (draft and scheduled people, as experts and as authors; draft and scheduled
    publications; draft sub-themes; the name order and the limit) on both databases.
    """
    wanted = PEOPLE_SHOWN + 1
    themes = ", ".join(["%s"] * len(theme_ids))
    now = timezone.now()
    rule = {alias: published_sql(alias, now) for alias in ("c", "e", "k", "p")}
    reader = RowReader(Contributor, [Contributor._meta.pk, *map(Contributor._meta.get_field, PERSON_CARD_COLUMNS)])
    columns = ", ".join(reader.columns("c"))
    sql = (
        f"SELECT {columns} FROM people_contributor c WHERE {rule['c'][0]} AND ("  # noqa: S608 (fixed SQL; values are parameters)
        # The first people with expertise in the themes...
        f"c.id IN (SELECT e.id FROM people_contributor e WHERE {rule['e'][0]} AND EXISTS ("
        f"SELECT 1 FROM people_contributor_expertise x WHERE x.contributor_id = e.id AND x.theme_id IN ({themes})) "
        "ORDER BY e.family_name, e.given_name, e.id LIMIT %s) "
        # ...or credited on a published publication in them.
        f"OR c.id IN (SELECT k.id FROM people_contributor k WHERE {rule['k'][0]} AND EXISTS ("
        "SELECT 1 FROM publications_publicationcontributor pc "
        "JOIN publications_publication p ON p.id = pc.publication_id "
        "JOIN publications_publication_themes pt ON pt.publication_id = p.id "
        f"WHERE pc.contributor_id = k.id AND {rule['p'][0]} AND pt.theme_id IN ({themes})) "
        "ORDER BY k.family_name, k.given_name, k.id LIMIT %s)"
        ") ORDER BY c.family_name, c.given_name, c.id LIMIT %s"
    )
    params = [
        *rule["c"][1],
        *rule["e"][1], *theme_ids, wanted,
        *rule["k"][1], *rule["p"][1], *theme_ids, wanted,
        wanted,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [reader(row) for row in cursor.fetchall()]


def _count_case_studies(theme_ids):
    """The public case studies with any of ``theme_ids``: the count of the page's
    ``case_studies`` queryset (the publishing rule and an existence test on the theme links),
    written as SQL. Django took longer to build and compile that count than PostgreSQL took to
    run it at 100,000 publications (a tenth of the page's Python); the statement and its plan
    are the ones the ORM wrote. The rule comes from ``published_sql``; tests/themes/test_views.py
    checks draft, scheduled and draft-sub-theme-only case studies on both databases."""
    quote = connection.ops.quote_name
    links = CaseStudy.themes.through._meta
    rule, params = published_sql("c")
    themes = ", ".join(["%s"] * len(theme_ids))
    sql = (
        f"SELECT COUNT(*) FROM {quote(CaseStudy._meta.db_table)} c WHERE {rule} AND EXISTS ("  # noqa: S608 (names from the models)
        f"SELECT 1 FROM {quote(links.db_table)} l WHERE l.{quote(links.get_field('casestudy').column)} = c.id "
        f"AND l.{quote(links.get_field('theme').column)} IN ({themes}))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *theme_ids])
        return cursor.fetchone()[0]


def _public_theme(slug):
    """The public theme ``slug`` as ``Theme.objects.for_detail().published()`` gives it (every
    column, its parent's too, and ``published_children``: its public sub-themes as links, in
    display order), or None. Two statements written by hand, the same number as the ORM's get
    and prefetch: Django took about 1 ms to build and compile those two for a theme page
    (docs/performance.md, thirteenth session). Staff who may preview drafts still go through
    the queryset (``ThemeDetailView.get_object``); tests/themes/test_views.py checks both."""
    quote = connection.ops.quote_name
    fields = Theme._meta.concrete_fields
    own = RowReader(Theme, fields, connection.alias)
    parent = RowReader(Theme, fields, connection.alias, start=own.end)
    link = RowReader(Theme, [Theme._meta.get_field(name) for name in ("id", "slug", "name", "parent")], connection.alias)
    table = quote(Theme._meta.db_table)
    with connection.cursor() as cursor:
        rule, params = published_sql("t")
        cursor.execute(
            f"SELECT {', '.join(own.columns('t') + parent.columns('p'))} FROM {table} t "  # noqa: S608 (names from the model)
            f"LEFT JOIN {table} p ON p.id = t.parent_id WHERE t.slug = %s AND {rule}",
            [slug, *params],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        theme = own(row)
        # As select_related("parent") does: the parent, or None, with no query to come.
        theme.parent = parent(row) if theme.parent_id else None
        rule, params = published_sql("c")
        cursor.execute(
            f"SELECT {', '.join(link.columns('c'))} FROM {table} c "  # noqa: S608 (names from the model)
            f'WHERE c.parent_id = %s AND {rule} ORDER BY c.{quote("order")}, c.name, c.id',
            [theme.pk, *params],
        )
        theme.published_children = [link(r) for r in cursor.fetchall()]
    return theme


def _latest(model, theme_ids, order):
    """The first LATEST public publications or case studies with any of ``theme_ids``, in
    ``order``, as cards (an existence test: see ``linked_sql``)."""
    condition, params = linked_sql(model.themes.through, model._meta.model_name, "theme", theme_ids)
    return public_cards(model, condition, params, f"{order} LIMIT %s", [LATEST])


class ThemeListView(ListView):
    """Top-level themes with their published sub-themes nested beneath them."""

    model = Theme

    def get_queryset(self):
        return Theme.objects.published().for_detail().filter(parent__isnull=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publications = _counts_by_theme(PublicationFilter, Publication)
        cases = _counts_by_theme(CaseStudyFilter, CaseStudy)
        for theme in context["object_list"]:
            # A top-level theme's count includes its sub-themes, as on its page and in the facets.
            theme.publication_count = publications.get(theme.slug, 0)
            theme.case_study_count = cases.get(theme.slug, 0)
            for child in theme.published_children:
                child.publication_count = publications.get(child.slug, 0)
                child.case_study_count = cases.get(child.slug, 0)
        return context


def _counts_by_theme(filterset_class, model):
    """{theme slug: published items}, a top-level theme's including its sub-themes: the theme
    facet of the unfiltered listing, so the numbers are the ones a visitor gets by choosing the
    theme there. On PostgreSQL they come from the stored counts (counting every item per theme
    took 270 ms at 100,000 publications)."""
    result = faceted_search(filterset_class, {}, model.objects.published(), facets=["theme"])
    return {value.value: value.count for facet in result.facets for value in facet.values}


class ThemeDetailView(PreviewableDetailMixin, DetailView):
    """A theme: its sub-themes, counts, the latest work, the people and a chart by year.

    A top-level theme covers its sub-themes too, as the faceted listings do.
    """

    model = Theme
    context_object_name = "theme"

    def base_queryset(self):
        return Theme.objects.for_detail()

    def get_object(self, queryset=None):
        if queryset is not None or self.can_preview():
            return super().get_object(queryset)
        theme = _public_theme(self.kwargs[self.slug_url_kwarg])
        if theme is None:
            raise Http404("No theme found matching the query")
        return theme

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        theme = self.object
        theme_ids = [theme.pk] + [child.pk for child in theme.published_children]
        # Read from the stored facet counts (PostgreSQL), else counted.
        per_year = theme_publications_per_year(theme, theme_ids[1:])
        if per_year is None:
            publications = Publication.objects.published().filter(
                Exists(Publication.themes.through.objects.filter(publication=OuterRef("pk"), theme__in=theme_ids))
            )
            per_year = list(publications.order_by().values("year").annotate(total=Count("pk")).order_by("year"))
        people_page = _first_people(theme_ids)
        parent = theme.public_parent
        origin = metadata.base_url(self.request)
        description = metadata.plain_text(theme.description, 30)
        # Each list's address filtered by the theme, reversed once: the page links to each
        # more than once.
        by_theme = "?" + urlencode({"theme": theme.slug})
        context.update(
            publications_url=reverse("publications:list") + by_theme,
            case_studies_url=reverse("case_studies:list") + by_theme,
            feed_url=reverse("feed-theme-publications", kwargs={"slug": theme.slug}),
            parent=parent,
            sub_themes=theme.published_children,
            publication_count=sum(row["total"] for row in per_year),
            case_study_count=_count_case_studies(theme_ids),
            latest_publications=_latest(Publication, theme_ids, "ORDER BY i.year DESC, i.title ASC, i.id ASC"),
            latest_case_studies=_latest(
                CaseStudy, theme_ids, "ORDER BY i.year_started DESC NULLS LAST, i.title ASC, i.id ASC"
            ),
            people=people_page[:PEOPLE_SHOWN],
            more_people=len(people_page) > PEOPLE_SHOWN,
            chart=year_chart(per_year),
            json_ld=metadata.json_ld(metadata.theme_ld(theme, origin)),
            open_graph=metadata.open_graph(
                theme.name, origin + theme.get_absolute_url(), description or f"Research on {theme.name}", "website"
            ),
            meta_description=description or f"INLOGOV research on {theme.name}.",
        )
        return context


def year_chart(rows, width=560, bar_area=160):
    """Geometry for a bar chart of publications per year, drawn as inline SVG by the template.

    Every year between the first and last appears, so gaps show as empty years. Returns None when
    there is nothing to draw.

    The bars' SVG elements (``marks``), the rows of the table for screen readers (``rows``) and
    the text alternative (``description``) are built here rather than in template loops: ten
    template variables a bar took about 1 ms of a 20 ms theme page for a 37-year chart. They are
    plain string formatting of numbers the function computes itself (``str`` of an int or a
    rounded float: digits, a point and a minus sign, nothing to escape); going through
    ``format_html`` for each mark cost another 0.6-0.9 ms of that page. The template keeps the
    frame, the table and its caption, and escapes what it prints itself.
    """
    if not rows:
        return None
    totals = {row["year"]: row["total"] for row in rows}
    years = list(range(min(totals), max(totals) + 1))
    highest = max(totals.values())
    left, top, label_room = 8, 20, 24
    baseline = top + bar_area
    year_y = baseline + label_room - 6
    slot = (width - 2 * left) / len(years)
    bar_width = max(4, min(48, slot * 0.7))
    shown_width = round(bar_width, 1)
    # Label every year when there is room, otherwise every few years.
    label_every = 1 if len(years) <= 12 else max(1, len(years) // 8)
    marks, table_rows, description = [], [], []
    for index, year in enumerate(years):
        total = totals.get(year, 0)
        height = round(bar_area * total / highest, 1)
        x = round(left + index * slot + (slot - bar_width) / 2, 1)
        label_x = round(x + bar_width / 2, 1)
        marks.append(_CHART_BAR.format(x, round(baseline - height, 1), shown_width, height))
        if total > 0:
            marks.append(_CHART_LABEL.format(label_x, round(baseline - height - 4, 1), total))
        if index % label_every == 0:
            marks.append(_CHART_LABEL.format(label_x, year_y, year))
        table_rows.append(_CHART_ROW.format(year, total))
        description.append(f"{year}: {total}")
    return {
        "marks": mark_safe("\n".join(marks)),  # noqa: S308 (numbers only, see the docstring)
        "rows": mark_safe("".join(table_rows)),  # noqa: S308 (numbers only)
        "description": "; ".join(description) + ".",
        "width": width,
        "height": baseline + label_room,
        "baseline": baseline,
        "first": years[0],
        "last": years[-1],
        "highest": highest,
    }


_CHART_BAR = '<rect class="bar" x="{}" y="{}" width="{}" height="{}"></rect>'
_CHART_LABEL = '<text x="{}" y="{}" text-anchor="middle">{}</text>'
_CHART_ROW = '<tr><th scope="row">{}</th><td>{}</td></tr>'
