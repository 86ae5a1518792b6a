from django import forms
from django.contrib import admin

from inlogov.admin_workflow import PublishableAdmin
from inlogov.images import clean_image_with_alt
from people.models import Contributor


class ContributorAdminForm(forms.ModelForm):
    """The admin builds the form's fields from the fieldsets; this adds the image checks."""

    def clean(self):
        cleaned = super().clean()
        clean_image_with_alt(self, "portrait", "portrait_alt")
        return cleaned


@admin.register(Contributor)
class ContributorAdmin(PublishableAdmin):
    form = ContributorAdminForm
    list_display = ("__str__", "position", "relation", "status_badge", "orcid", "updated_at")
    list_filter = ("status", "relation")
    search_fields = ("family_name", "given_name", "display_name", "orcid", "slug")
    prepopulated_fields = {"slug": ("given_name", "family_name")}
    autocomplete_fields = ("expertise",)
    date_hierarchy = "updated_at"
    fieldsets = (
        ("Name", {"fields": ("honorific", "given_name", "family_name", "display_name", "slug")}),
        (
            "Profile",
            {
                "fields": ("position", "relation", "orcid", "website", "expertise", "biography"),
                "description": "What the person's page shows. The ORCID iD lets imports match "
                "this person reliably.",
            },
        ),
        (
            "Portrait",
            {
                "fields": ("portrait", "portrait_alt"),
                "description": "Optional. A JPEG, PNG or WebP photo at least 100 pixels on each "
                "side. Alt text is required with a portrait.",
            },
        ),
        PublishableAdmin.workflow_fieldset,
    )
