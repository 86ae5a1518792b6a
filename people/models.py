from django.db import models
from django.db.models import Prefetch, Q
from simple_history.models import HistoricalRecords

from inlogov.identifiers import OrcidField
from inlogov.links import slug_path
from inlogov.publishing import Publishable, PublishableQuerySet
from inlogov.richtext import RichTextField

# What a list of people shows of each (the people index, a theme page, the home page's key
# people, the site search): the name, the position and the address. Each is a column of the
# same name; a list that starts showing another must add it here.
CARD_COLUMNS = ("slug", "display_name", "given_name", "family_name", "position")


class ContributorQuerySet(PublishableQuerySet):
    def for_cards(self):
        """A list of people's ``CARD_COLUMNS``; no other column is loaded (a biography is long)."""
        return self.only(*CARD_COLUMNS)

    def for_listing(self):
        """Contributors with their areas of expertise, alphabetical by family name."""
        return self.prefetch_related("expertise").order_by("family_name", "given_name", "pk")

    def for_detail(self):
        """A person's page: their published areas of expertise (their publications and case
        studies are separate querysets in the view, grouped and counted by the database)."""
        from themes.models import Theme

        return self.prefetch_related(
            Prefetch("expertise", queryset=Theme.objects.published().for_links())
        )


def person_name(display_name, given_name, family_name):
    """The name a page shows: the display name if set, else the given and family names. Code that
    reads the three columns without a Contributor (publications/cards.py) calls this too."""
    return display_name or " ".join(part for part in (given_name, family_name) if part)


class Contributor(Publishable):
    """A person who writes, edits or is otherwise credited on the institute's work."""

    class Relation(models.TextChoices):
        STAFF = "staff", "Staff"
        ASSOCIATE = "associate", "Associate"
        EMERITUS = "emeritus", "Emeritus"
        EXTERNAL = "external", "External"

    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    display_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="How the name appears on the site, if not simply given name then family name "
        "(e.g. 'Tony Bovaird'). Leave empty to use the given and family names.",
    )
    slug = models.SlugField(max_length=120, unique=True)
    honorific = models.CharField(
        max_length=40, blank=True, help_text="Title before the name, e.g. 'Dr' or 'Professor'."
    )
    position = models.CharField(
        max_length=200, blank=True, help_text="Job title, e.g. 'Associate Professor'."
    )
    relation = models.CharField(
        max_length=10,
        choices=Relation.choices,
        default=Relation.EXTERNAL,
        help_text="The person's relation to INLOGOV: staff, associate, emeritus or external.",
    )
    biography = RichTextField(help_text="A short biography in the third person.")
    orcid = OrcidField(
        "ORCID iD",
        blank=True,
        help_text="Optional. Paste the iD or the orcid.org link; it is stored as 0000-0000-0000-0000.",
    )
    website = models.URLField(blank=True, help_text="A personal or institutional web page.")
    portrait = models.ImageField(upload_to="portraits/", blank=True)
    portrait_alt = models.CharField(
        "portrait alt text",
        max_length=250,
        blank=True,
        help_text="Required with a portrait: describe the picture for people who cannot see it.",
    )
    expertise = models.ManyToManyField(
        "themes.Theme", blank=True, related_name="experts", verbose_name="areas of expertise"
    )

    objects = ContributorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"], condition=~Q(orcid=""), name="people_contributor_unique_orcid"
            ),
            models.CheckConstraint(
                condition=Q(portrait="") | ~Q(portrait_alt=""),
                name="people_contributor_portrait_has_alt",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="people_contributor_slug_not_empty"),
        ]
        # Lists of people are in name order and short (a theme page shows the first 24 who work on
        # it): with this index the database walks names in order and stops early.
        indexes = [
            models.Index(fields=["family_name", "given_name", "id"], name="contributor_name_order_idx"),
            # The people index reads each group (staff, associates, ...) in name order and stops
            # after a page; a small group among many co-authors must not walk the whole name index.
            models.Index(fields=["relation", "family_name", "given_name", "id"], name="contributor_relation_name_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_path("people:detail", self.slug)

    @property
    def name(self):
        return person_name(self.display_name, self.given_name, self.family_name)

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.portrait and not self.portrait_alt.strip():
            raise ValidationError({"portrait_alt": "Describe the portrait for people who cannot see it."})
