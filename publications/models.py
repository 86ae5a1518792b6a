from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q, prefetch_related_objects
from django.db.models.functions import Coalesce
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from inlogov.identifiers import DoiField, IsbnField
from inlogov.links import slug_path
from inlogov.publishing import (
    PublicParentMixin,
    Publishable,
    PublishableQuerySet,
    published_q,
    validate_form_year,
)
from inlogov.richtext import RichTextField
from publications.cards import (
    CardIterable,
    CaseStudyCardIterable,
    credit_line,
    credit_lines,
    service_area_names,
)
from publications.countries import country_name

YEAR_MIN, YEAR_MAX = 1900, 2100  # the database's sane range; forms allow at most next year


def _year_range(field, name):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": YEAR_MIN, f"{field}__lte": YEAR_MAX})
        | Q(**{f"{field}__isnull": True}),
        name=name,
    )


def _contributions_prefetch(lookup="contributions", columns=None):
    """Credits in their stored order, published contributors only; ``columns`` limits the
    columns loaded (``API_LINK_COLUMNS["credit"]``). Cards read their credits as one line each
    instead (publications/cards.py).

    The rule is tested on the joined contributor row (`published_q("contributor__")`), not by a
    subquery of every public contributor: one query to compile and plan instead of two.
    """
    queryset = (
        PublicationContributor.objects.filter(published_q("contributor__"))
        .select_related("contributor")
        .order_by("position")
    )
    return Prefetch(lookup, queryset=queryset.only(*columns) if columns else queryset)


# The columns the API's nested links read (publications/serializers.py, people/serializers.py,
# themes/serializers.py): for_api() on publications and on case studies loads these and no
# others. The primary key always comes too; "publication" (a credit's) and "parent" (a
# chapter's) are the foreign keys the prefetches attach those rows by.
API_LINK_COLUMNS = {
    "credit": (
        "publication", "contributor", "role", "position", "contributor__slug", "contributor__display_name",
        "contributor__given_name", "contributor__family_name", "contributor__orcid",
    ),
    "service_area": ("slug", "name"),
    "contributor": ("slug", "display_name", "given_name", "family_name"),
    "publication": ("parent", "slug", "title", "subtitle", "kind", "year"),
    "case_study": ("slug", "title"),
}
# The columns an HTML card shows (the macros publication_card and case_study_card in
# templates/jinja2/includes/cards.html): for_cards() loads these and no others. Turning the
# rest into Python objects (an abstract, three timestamps a row, a contributor's biography) was
# about a third of fetching a page of cards. The parent's publishing fields decide whether its
# link is shown.
CARD_COLUMNS = {
    "publication": (
        "slug", "title", "subtitle", "kind", "year", "is_open_access", "container_title", "parent",
        "parent__status", "parent__publish_from", "parent__slug", "parent__title",
    ),
    "case_study": ("slug", "title", "summary", "locality", "country", "year_started"),
}
# A book's chapter cards: their parent is the page's own publication, which the prefetch
# attaches, so only the card's own columns are read.
CARD_COLUMNS["chapter"] = tuple(name for name in CARD_COLUMNS["publication"] if not name.startswith("parent__"))
# What an API item's parent link does not read (it reads the link's fields and, to decide
# whether to show the parent at all, status and publish_from).
API_PARENT_DEFERRED = (
    "created_at", "updated_at", "date", "publisher", "place", "container_title", "volume", "issue", "pages",
    "edition", "doi", "isbn", "url", "abstract", "is_open_access", "cover", "cover_alt", "is_featured",
)


def prefetch_for_cards(publications):
    """Add the credits ``for_cards()`` fetches to publications already loaded (with their
    parent), in one query for all of them: a page showing several lists of cards (a book's own
    credits and its chapters) fetches their credits once, not once per list.
    The credits come as links with the names a citation needs (the columns of an API credit
    link: role, position, and the person's slug, names and ORCID), not whole: the book's own are
    cited and linked, not only named; each card's line (``card_credits``) is written from them.
    Loading every column of every person (a biography among them) was a quarter of the page's
    Python; a template or citation that starts reading another column of a credited person
    must add it to ``API_LINK_COLUMNS["credit"]``, or the page's query-count test fails."""
    publications = list(publications)
    prefetch_related_objects(publications, _contributions_prefetch(columns=API_LINK_COLUMNS["credit"]))
    for publication in publications:
        publication.card_credits = credit_line(publication.contributions.all())


# The date the feeds give an item: its scheduled time, or when it was created if it was never
# scheduled. For an item kept as a draft and later published without a schedule this is the
# creation date, not the day it went public (the model records no publication date; an editor
# who wants it at the top of the feeds sets "publish from"). See docs/performance.md.
WENT_PUBLIC = Coalesce("publish_from", "created_at")


class PublicationQuerySet(PublishableQuerySet):
    def newest_additions(self):
        """Newest first by WENT_PUBLIC (the feeds), read from publication_went_public_idx.

        Ordering by ``-publish_from`` put every never-scheduled item before every scheduled one
        on PostgreSQL (NULLs sort first when descending) and after it on SQLite.
        """
        return self.order_by(WENT_PUBLIC.desc(), "-pk")

    def for_cards(self):
        """What a card on an HTML page shows (``publication_card`` in includes/cards.html): the
        columns in ``CARD_COLUMNS``, the parent's link, and each card's line of credits
        (``card_credits``: published contributors in their stored order, with their roles),
        read for all the rows in one query by ``publications.cards.CardIterable``.

        Cards show no themes; fetching them was one query per page that nothing read. A card
        that starts showing another column must add it to ``CARD_COLUMNS``: reading a column
        not loaded costs a query per card, which the pages' query-count tests would catch.
        """
        queryset = self.select_related("parent").only(*CARD_COLUMNS["publication"])
        # Django's hook for how a queryset turns rows into results (values() sets its own);
        # clones keep it.
        queryset._iterable_class = CardIterable
        return queryset

    def for_citations(self):
        """What a citation or reference export reads (inlogov/citations.py): whole rows, the
        parent, and the credits with their contributors in their stored order, published ones
        only."""
        return self.select_related("parent").prefetch_related(_contributions_prefetch())

    def for_listing(self):
        """``for_citations()`` and every theme, drafts included: what a feed item shows (the
        feeds keep the public themes)."""
        return self.for_citations().prefetch_related("themes")

    def for_detail(self, credits=True, lists=True):
        """A publication page: contributors in order, published themes, service areas, published
        chapters and published case studies that discuss it (as cards). The chapters' cards
        need ``prefetch_for_cards()``, which the page runs for them and the publication
        together; with ``credits=False`` the publication's own credits are left to that call
        too (one query for every credit on the page); with ``lists=False`` the chapters and
        case studies are left to the caller (the page reads them by hand, publications/views.py).

        Every related list goes through `published()`, so a draft chapter, theme or case study
        never reaches the page. The number of queries does not grow with the number of items.
        """
        return self._with_relations(
            cards=True, credits=credits, children=CARD_COLUMNS["chapter"], lists=lists
        ).prefetch_related(
            # A chapter's citation names the book's editors.
            _contributions_prefetch("parent__contributions"),
            "service_areas",
        )

    def for_api(self):
        """An API item (publications/serializers.py): what `for_detail()` fetches, less what the
        API does not show. Chapters and case studies are links (slug, title, address), so they
        need no credits or themes of their own; an item shows no service areas and its parent
        is a link too. That is 6 queries for a page of items, not 10.

        The related rows carry only the columns their serializers read (``API_LINK_COLUMNS``,
        and ``Theme.for_links()``): turning unread columns into Python objects (three timestamps
        on every row, the parent's abstract) was about a fifth of a list's time. A serializer
        that starts reading another column must add it there; the query-count tests in
        tests/publications/test_api.py would catch the query per item a deferred column costs.
        """
        return (
            self._with_relations(
                cards=False,
                credits=API_LINK_COLUMNS["credit"],
                children=API_LINK_COLUMNS["publication"],
                case_studies=API_LINK_COLUMNS["case_study"],
            )
            # The parent is a link too; its publishing fields decide whether it is shown.
            .defer(*(f"parent__{name}" for name in API_PARENT_DEFERRED))
        )

    def _with_relations(self, cards, credits=True, children=None, case_studies=None, lists=True):
        """Credits (unless not `credits`), published themes, published chapters and case
        studies (unless not ``lists``); with `cards`, the case studies come with what a card
        shows. ``credits``,
        ``children`` and ``case_studies`` may name the only columns to load (``CARD_COLUMNS``,
        ``API_LINK_COLUMNS``)."""
        from themes.models import Theme

        children_qs = Publication.objects.published().order_by("title")
        case_studies_qs = CaseStudy.objects.published().order_by("title")
        if cards:
            case_studies_qs = case_studies_qs.for_cards()
        if children:
            children_qs = children_qs.only(*children)
        if case_studies:
            case_studies_qs = case_studies_qs.only(*case_studies)
        relations = [Prefetch("themes", queryset=Theme.objects.published().for_links())]
        if lists:
            relations += [
                Prefetch("children", queryset=children_qs, to_attr="published_children"),
                Prefetch("case_studies", queryset=case_studies_qs, to_attr="published_case_studies"),
            ]
        if credits:
            relations.insert(0, _contributions_prefetch(columns=None if credits is True else credits))
        return self.select_related("parent").prefetch_related(*relations)


class Publication(PublicParentMixin, Publishable):
    """A book, chapter, article, report or other output of the institute."""

    class Kind(models.TextChoices):
        BOOK = "book", "Book"
        EDITED_BOOK = "edited_book", "Edited book"
        HANDBOOK = "handbook", "Handbook"
        CHAPTER = "chapter", "Chapter"
        JOURNAL_ARTICLE = "journal_article", "Journal article"
        REPORT = "report", "Report"
        SCOPING_REVIEW = "scoping_review", "Scoping review"
        WORKING_PAPER = "working_paper", "Working paper"
        OTHER = "other", "Other"

    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    year = models.PositiveSmallIntegerField(
        db_index=True,
        validators=[validate_form_year],
        help_text="Year of publication (for a living reference work, the year it was accepted).",
    )
    date = models.DateField(
        null=True, blank=True, help_text="Optional full publication date, if known."
    )
    publisher = models.CharField(max_length=300, blank=True)
    place = models.CharField(
        max_length=200, blank=True, help_text="Place of publication, e.g. 'Cham'."
    )
    container_title = models.CharField(
        max_length=500,
        blank=True,
        help_text="For an article, the journal; for a chapter, the book's title if the book is "
        "not itself in the hub (otherwise choose it as the parent publication).",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="parent publication",
        help_text="For a chapter: the book it appears in.",
    )
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True, help_text="Page range, e.g. 75-176.")
    edition = models.CharField(max_length=50, blank=True, help_text="e.g. '2nd'. Leave empty for a first edition.")
    doi = DoiField(
        "DOI",
        blank=True,
        help_text="Digital Object Identifier, e.g. 10.1007/978-3-030-53705-0. A doi.org link is accepted.",
    )
    isbn = IsbnField(
        "ISBN", blank=True, help_text="ISBN-10 or ISBN-13, with or without hyphens; stored as ISBN-13."
    )
    url = models.URLField(
        "URL", max_length=500, blank=True, help_text="Where to read it, if not via the DOI."
    )
    abstract = RichTextField()
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="publications")
    service_areas = models.ManyToManyField(
        "themes.ServiceArea", blank=True, related_name="publications"
    )
    is_open_access = models.BooleanField(
        "open access", default=False, help_text="Tick if anyone can read the full text free of charge."
    )
    cover = models.ImageField("cover image", upload_to="covers/", blank=True)
    cover_alt = models.CharField(
        "cover alt text",
        max_length=250,
        blank=True,
        help_text="Required with a cover image: describe it for people who cannot see it.",
    )
    is_featured = models.BooleanField(
        "featured", default=False, help_text="Featured publications are shown on the home page."
    )

    objects = PublicationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            _year_range("year", "publications_publication_year_range"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="publications_publication_not_own_parent"),
            models.CheckConstraint(condition=~Q(slug=""), name="publications_publication_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(cover="") | ~Q(cover_alt=""), name="publications_publication_cover_has_alt"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-year", "title"], name="publication_listing_idx"),
            models.Index(WENT_PUBLIC.desc(), F("id").desc(), name="publication_went_public_idx"),
        ]

    def __str__(self):
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @cached_property
    def card_credits(self):
        """A card's line of credits ("Ada Lovelace, Kim Lee (ed.)", names escaped). ``for_cards()``
        and ``prefetch_for_cards()`` set it for a whole list in one query; a publication loaded
        any other way reads its own here (one query)."""
        return credit_lines([self.pk], self._state.db or "default")[self.pk]

    def get_absolute_url(self):
        return slug_path("publications:detail", self.slug)

    def get_kind_display(self):
        # Django's own builds a dictionary of every choice on each call (about 40 µs); every
        # card calls this.
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def full_title(self):
        return str(self)

    def clean(self):
        super().clean()
        if self.cover and not self.cover_alt.strip():
            raise ValidationError({"cover_alt": "Describe the cover image for people who cannot see it."})
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "A publication cannot be its own parent."})


_KIND_LABELS = dict(Publication.Kind.choices)


class PublicationContributor(models.Model):
    """A contributor's credit on a publication, in the order staff entered it."""

    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        EDITOR = "editor", "Editor"
        CHAPTER_AUTHOR = "chapter_author", "Chapter author"
        TRANSLATOR = "translator", "Translator"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="contributions")
    contributor = models.ForeignKey(
        "people.Contributor", on_delete=models.PROTECT, related_name="contributions"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the citation: lower numbers come first."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = "contributor"
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "position"], name="publications_contribution_unique_position"
            ),
            models.UniqueConstraint(
                fields=["publication", "contributor", "role"], name="publications_contribution_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.contributor} ({self.get_role_display()}) on {self.publication}"


class CaseStudyQuerySet(PublishableQuerySet):
    def for_cards(self):
        """What a card on an HTML page shows (``case_study_card`` in includes/cards.html): the
        columns in ``CARD_COLUMNS`` and the service areas' names (``card_areas``), read for all
        the rows in one query by ``publications.cards.CaseStudyCardIterable``. Cards show no
        themes."""
        queryset = self.only(*CARD_COLUMNS["case_study"])
        queryset._iterable_class = CaseStudyCardIterable  # as in PublicationQuerySet.for_cards
        return queryset

    def for_listing(self):
        """Whole rows, the service areas and every theme, drafts included, for a reader that
        names the themes and keeps the public ones itself (the feeds)."""
        return self.prefetch_related("service_areas", "themes")

    def for_detail(self):
        """A case-study page: published themes, service areas, the published publications that
        discuss it (with their contributors) and its published contributors."""
        return self._with_relations(cards=True)

    def for_api(self):
        """An API item: the same, with the publications as links (no credits or themes), and
        the related rows with only the columns the API shows (see PublicationQuerySet.for_api)."""
        return self._with_relations(cards=False)

    def _with_relations(self, cards):
        from people.models import Contributor
        from themes.models import ServiceArea, Theme

        publications = Publication.objects.published().order_by("-year", "title")
        themes = Theme.objects.published().for_links()
        people = Contributor.objects.published().order_by("family_name", "given_name")
        if cards:
            areas, publications = ServiceArea.objects.all(), publications.for_cards()
        else:
            areas = ServiceArea.objects.only(*API_LINK_COLUMNS["service_area"])
            publications = publications.only(*API_LINK_COLUMNS["publication"])
            people = people.only(*API_LINK_COLUMNS["contributor"])
        return self.prefetch_related(
            Prefetch("themes", queryset=themes),
            Prefetch("service_areas", queryset=areas),
            Prefetch("source_publications", queryset=publications, to_attr="published_publications"),
            Prefetch("contributors", queryset=people, to_attr="published_contributors"),
        )


class CaseStudy(Publishable):
    """An international case study of co-production, discussed in the institute's publications."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(
        blank=True, help_text="One or two plain sentences shown in listings and search results."
    )
    body = RichTextField(help_text="The full account of the case.")
    country = CountryField(db_index=True)
    locality = models.CharField(
        max_length=200, blank=True, help_text="City, county or region, e.g. 'Walsall'."
    )
    service_areas = models.ManyToManyField(
        "themes.ServiceArea", blank=True, related_name="case_studies"
    )
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="case_studies")
    year_started = models.PositiveSmallIntegerField(
        null=True, blank=True, db_index=True, validators=[validate_form_year]
    )
    year_ended = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[validate_form_year],
        help_text="Leave empty if the initiative is ongoing or the end is unknown.",
    )
    is_ongoing = models.BooleanField("ongoing", default=False)
    organisations = models.TextField(
        blank=True, help_text="Organisations involved, one per line."
    )
    outcomes = RichTextField(help_text="What changed, for whom, and how it is known.")
    source_publications = models.ManyToManyField(
        Publication,
        blank=True,
        related_name="case_studies",
        help_text="The books and chapters that discuss this case.",
    )
    contributors = models.ManyToManyField(
        "people.Contributor", blank=True, related_name="case_studies"
    )

    objects = CaseStudyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "case studies"
        # The home page's latest additions, read in order rather than sorted (50,000 case
        # studies: 28 ms to sort them all).
        indexes = [models.Index(fields=["-created_at", "title"], name="casestudy_newest_added_idx")]
        constraints = [
            _year_range("year_started", "publications_casestudy_year_started_range"),
            _year_range("year_ended", "publications_casestudy_year_ended_range"),
            models.CheckConstraint(
                condition=Q(year_ended__isnull=True)
                | Q(year_started__isnull=True)
                | Q(year_ended__gte=F("year_started")),
                name="publications_casestudy_years_in_order",
            ),
            models.CheckConstraint(
                condition=Q(is_ongoing=False) | Q(year_ended__isnull=True),
                name="publications_casestudy_ongoing_has_no_end",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="publications_casestudy_slug_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_path("case_studies:detail", self.slug)

    @property
    def country_name(self):
        """What ``country.name`` gives, read from the names kept per language
        (publications/countries.py) rather than through a new ``Country`` translating its name
        on every read: each case-study card shows it."""
        if "country" not in self.__dict__:  # deferred: the field loads it
            return self.country.name
        return country_name(self.__dict__["country"])

    @cached_property
    def card_areas(self):
        """A card's service-area names, in order. ``for_cards()`` sets them for a whole list in one
        query; a case study loaded any other way reads its own here (one query)."""
        return service_area_names([self.pk], self._state.db or "default")[self.pk]

    @property
    def organisation_list(self):
        return [line.strip() for line in self.organisations.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        if self.year_started and self.year_ended and self.year_ended < self.year_started:
            raise ValidationError({"year_ended": "The end year cannot be before the start year."})
        if self.is_ongoing and self.year_ended:
            raise ValidationError({"year_ended": "An ongoing case has no end year: clear one of them."})
