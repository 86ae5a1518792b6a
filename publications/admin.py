from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Prefetch
from django.urls import path, reverse

from inlogov.admin_workflow import PublishableAdmin
from inlogov.images import clean_image_with_alt
from publications import admin_views
from publications.models import CaseStudy, Publication, PublicationContributor

# Positions are moved out of the way before a reorder is saved (see save_formset). The field is
# a PositiveSmallIntegerField, so the parking area must stay below 32767.
PARKING_OFFSET = 20000


class PublicationAdminForm(forms.ModelForm):
    """The admin builds the fields from the fieldsets; this adds the cover image checks."""

    def clean(self):
        cleaned = super().clean()
        clean_image_with_alt(self, "cover", "cover_alt")
        return cleaned


class ContributionForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new row starts without a position, so it cannot clash with an existing row's
            # 0; the sortable formset then appends it after the others when saving.
            self.initial["position"] = ""


class ContributionInline(SortableTabularInline):
    """Contributors in citation order: drag the handle to reorder."""

    model = PublicationContributor
    form = ContributionForm
    fields = ("contributor", "role")
    autocomplete_fields = ("contributor",)
    extra = 0
    verbose_name = "contributor"
    verbose_name_plural = "contributors (drag to put them in citation order)"


class ExportActionsMixin:
    """Download the selected rows in a citation format (inlogov.citations does the writing)."""

    export_formats = ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        for fmt in self.export_formats:
            func = admin_views.make_export_action(fmt)
            actions[func.__name__] = (func, func.__name__, func.short_description)
        return actions


@admin.register(Publication)
class PublicationAdmin(ExportActionsMixin, SortableAdminBase, PublishableAdmin):
    form = PublicationAdminForm
    inlines = (ContributionInline,)
    export_formats = ("bibtex", "ris", "csv")
    list_display = ("title", "status_badge", "year", "kind", "first_author", "is_open_access", "updated_at")
    list_filter = ("status", "kind", "themes", "year", "is_open_access")
    list_select_related = ("parent",)
    search_fields = (
        "title",
        "subtitle",
        "doi",
        "isbn",
        "contributions__contributor__family_name",
        "contributions__contributor__given_name",
        "contributions__contributor__display_name",
    )
    search_help_text = "Search by title, DOI, ISBN or a contributor's name."
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parent", "themes", "service_areas")
    date_hierarchy = "updated_at"
    fieldsets = (
        (None, {"fields": ("title", "subtitle", "slug", "kind", "year", "date")}),
        (
            "Where it appeared",
            {
                "fields": (
                    "parent",
                    "container_title",
                    "publisher",
                    "place",
                    "edition",
                    "volume",
                    "issue",
                    "pages",
                ),
                "description": "For a chapter, choose the book as the parent publication if the "
                "book is in the hub; otherwise type the book's title under container title.",
            },
        ),
        (
            "Identifiers and access",
            {"fields": ("doi", "isbn", "url", "is_open_access")},
        ),
        ("Abstract and topics", {"fields": ("abstract", "themes", "service_areas")}),
        (
            "Cover image",
            {
                "fields": ("cover", "cover_alt", "is_featured"),
                "description": "Optional. A JPEG, PNG or WebP image at least 100 pixels on each "
                "side. Alt text is required with a cover.",
            },
        ),
        PublishableAdmin.workflow_fieldset,
    )

    def get_queryset(self, request):
        # The changelist's "first author" column reads this prefetch: two queries for any page.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "contributions",
                    queryset=PublicationContributor.objects.select_related("contributor").order_by(
                        "position"
                    ),
                )
            )
        )

    @admin.display(description="first author")
    def first_author(self, obj):
        contributions = list(obj.contributions.all())
        return contributions[0].contributor.name if contributions else "-"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(admin_views.ImportView.as_view(model_admin=self)),
                name=f"{info[0]}_{info[1]}_import",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.has_add_permission(request):
            extra_context["import_url"] = reverse("admin:publications_publication_import")
        return super().changelist_view(request, extra_context)

    def save_formset(self, request, form, formset, change):
        if formset.model is PublicationContributor:
            with transaction.atomic():
                self._park_moved_contributions(formset)
                super().save_formset(request, form, formset, change)
        else:
            super().save_formset(request, form, formset, change)

    @staticmethod
    def _park_moved_contributions(formset):
        """Move rows whose position changes (or that are deleted) to unused positions first.

        Positions are unique per publication and the constraint is checked row by row, so
        swapping two contributors would otherwise collide half-way through the save.
        """
        moving = [
            form.instance.pk
            for form in formset.initial_forms
            if form.instance.pk
            and (form in formset.deleted_forms or "position" in form.changed_data)
        ]
        rows = PublicationContributor.objects.filter(pk__in=moving).order_by("pk")
        for offset, row in enumerate(rows.only("pk")):
            # update() on purpose: the parked value is temporary and must not enter history.
            PublicationContributor.objects.filter(pk=row.pk).update(position=PARKING_OFFSET + offset)

    def restore_related(self, request, obj, record):
        admin_views.restore_contributions(obj, record, request.user)


@admin.register(CaseStudy)
class CaseStudyAdmin(ExportActionsMixin, PublishableAdmin):
    export_formats = ("case_studies_csv",)
    list_display = ("title", "country", "status_badge", "year_started", "is_ongoing", "updated_at")
    list_filter = ("status", "country", "themes", "service_areas", "is_ongoing")
    search_fields = ("title", "summary", "locality", "organisations")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("themes", "service_areas", "source_publications", "contributors")
    date_hierarchy = "updated_at"
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary")}),
        (
            "Where and when",
            {
                "fields": ("country", "locality", "year_started", "year_ended", "is_ongoing"),
                "description": "Tick ongoing for an initiative that is still running, and leave "
                "the end year empty.",
            },
        ),
        ("The case", {"fields": ("body", "outcomes", "organisations")}),
        (
            "Links",
            {
                "fields": ("themes", "service_areas", "source_publications", "contributors"),
                "description": "Source publications are the books and chapters that discuss "
                "this case; they are listed on its page.",
            },
        ),
        PublishableAdmin.workflow_fieldset,
    )
