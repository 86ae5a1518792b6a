from django.contrib import admin

from inlogov.admin_workflow import PublishableAdmin
from themes.models import ServiceArea, Theme


@admin.register(Theme)
class ThemeAdmin(PublishableAdmin):
    list_display = ("name", "parent", "status_badge", "order", "updated_at")
    list_filter = ("status", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    date_hierarchy = "updated_at"
    fieldsets = (
        (None, {"fields": ("name", "slug", "parent", "order", "description")}),
        PublishableAdmin.workflow_fieldset,
    )


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order", "updated_at")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
