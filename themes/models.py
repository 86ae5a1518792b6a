from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from simple_history.models import HistoricalRecords

from inlogov.links import slug_path
from inlogov.publishing import PublicParentMixin, Publishable, PublishableQuerySet
from inlogov.richtext import RichTextField


class ThemeQuerySet(PublishableQuerySet):
    def for_links(self):
        """Themes as another item's page or API item shows them (a link: slug and name), in
        display order; no other column is loaded."""
        return self.order_by("order", "name").only("slug", "name")

    def for_listing(self):
        """Themes with their parent, in display order (parents first, then their children)."""
        return self.select_related("parent").order_by("order", "name")

    def for_detail(self):
        """A theme page or a tree of themes: the parent and the published sub-themes in order.

        Every reader shows the sub-themes as links (the theme page, the themes index, the home
        page, the API's ``children``), so they load as links do, with the parent's id that the
        prefetch matches them by.
        """
        return self.for_listing().prefetch_related(
            Prefetch(
                "children",
                queryset=Theme.objects.published().for_links().only("slug", "name", "parent"),
                to_attr="published_children",
            )
        )


class Theme(PublicParentMixin, Publishable):
    """A research theme. Themes nest one level: a top-level theme and its sub-themes."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = RichTextField(help_text="A short introduction shown on the theme's page.")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Leave empty for a top-level theme. Choosing a parent makes this a sub-theme; "
        "a sub-theme cannot have sub-themes of its own.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first in lists of themes."
    )

    objects = ThemeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="themes_theme_not_own_parent"),
            models.CheckConstraint(condition=~Q(slug=""), name="themes_theme_slug_not_empty"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_path("themes:detail", self.slug)

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "A theme cannot be its own parent."})
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": "Themes nest one level only: choose a top-level theme as the parent."}
            )
        if self.pk and self.children.exists():
            raise ValidationError(
                {"parent": "This theme has sub-themes, so it must stay a top-level theme."}
            )


class ServiceArea(models.Model):
    """A public service area (health, social care, community safety...), editable by staff."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="themes_servicearea_slug_not_empty"),
        ]

    def __str__(self):
        return self.name
