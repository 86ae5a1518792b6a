"""What every content type's admin shares: the publishing workflow, history and recovery.

`PublishableAdmin` is the base of the Theme, Contributor, Publication and CaseStudy admins:
- bulk actions "Publish" and "Unpublish", which save each item (so history records who did it
  and when, and model save logic runs) and then invalidate the page cache;
- simple_history's history page (a "Changes" column diffs each version against the one before,
  and each version can be reverted to);
- a "Recover deleted" page listing deleted items from their history, with a restore button;
- "View on site" (the public URL; for a draft it is the staff preview with its banner);
- the CSP nonce on the rich text editor's import map, which is an inline script.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from js_asset import Media as NonceMedia
from simple_history.admin import SimpleHistoryAdmin

from inlogov.caching import bump_content_version
from inlogov.publishing import Status


def media_with_nonce(media, request):
    """Return `media` rendering its tags with this request's CSP nonce.

    The prose editor needs an inline <script type="importmap">, which the site's
    Content-Security-Policy only runs when it carries the nonce.
    """
    wrapped = media if isinstance(media, NonceMedia) else NonceMedia(media)
    nonce = getattr(request, "csp_nonce", None)
    wrapped.nonce = str(nonce) if nonce is not None else ""
    return wrapped


class PublishableAdmin(SimpleHistoryAdmin):
    """Base admin for the four publishable content types."""

    actions = ("publish_selected", "unpublish_selected")
    change_list_template = "admin/inlogov/change_list.html"
    history_list_per_page = 50
    # The workflow fields, shown in one fieldset by every subclass.
    workflow_fieldset = (
        "Publishing",
        {
            "fields": ("status", "publish_from"),
            "description": "Save as a draft while you work: drafts are visible to staff only. "
            "Set the status to Published to put the item on the site; with a publish-from date "
            "and time it appears by itself at that moment.",
        },
    )

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        if obj.status == Status.PUBLISHED and obj.publish_from and obj.publish_from > timezone.now():
            local = timezone.localtime(obj.publish_from)
            return f"Scheduled for {local:%d %b %Y %H:%M}"
        return obj.get_status_display()

    # --- bulk actions -------------------------------------------------------------------------

    def _set_status(self, request, queryset, status, verb):
        changed = 0
        with transaction.atomic():
            # Each item is saved rather than updated in bulk, so history records the change
            # with the editor's name and the time.
            # A plain queryset (without the changelist's joins) can be locked on PostgreSQL.
            locked = self.model.objects.filter(pk__in=queryset.values("pk")).select_for_update()
            for obj in locked.exclude(status=status).order_by("pk"):
                obj.status = status
                obj._history_user = request.user
                obj.save(update_fields=["status", "updated_at"])
                self.log_change(request, obj, f"{verb} with the bulk action.")
                changed += 1
        bump_content_version()
        noun = self.model._meta.verbose_name if changed == 1 else self.model._meta.verbose_name_plural
        self.message_user(request, f"{verb} {changed} {noun}.", messages.SUCCESS)

    @admin.action(description="Publish the selected items", permissions=("change",))
    def publish_selected(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "Published")

    @admin.action(description="Unpublish the selected items (back to draft)", permissions=("change",))
    def unpublish_selected(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "Unpublished")

    # --- rich text editor under the site's CSP -----------------------------------------------

    def render_change_form(self, request, context, *args, **kwargs):
        context["media"] = media_with_nonce(context["media"], request)
        return super().render_change_form(request, context, *args, **kwargs)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        form = self.get_form(request)()
        extra_context = {
            **(extra_context or {}),
            "media": media_with_nonce(self.media + form.media, request),
        }
        return super().history_form_view(request, object_id, version_id, extra_context)

    # --- recovering deleted items ------------------------------------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{info[0]}_{info[1]}_deleted",
            ),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{info[0]}_{info[1]}_restore",
            ),
        ] + super().get_urls()

    def deleted_records(self):
        """The last history record of each item that no longer exists, newest first."""
        history = self.model.history.model
        latest = (
            history.objects.filter(id=OuterRef("id"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        return (
            history.objects.filter(history_type="-", history_id=Subquery(latest))
            .exclude(id__in=self.model.objects.values("pk"))
            .select_related("history_user")
            .order_by("-history_date")
        )

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Recover deleted {opts.verbose_name_plural}",
            "opts": opts,
            "records": self.deleted_records()[:200],
            "restore_url_name": f"admin:{opts.app_label}_{opts.model_name}_restore",
        }
        return TemplateResponse(request, "admin/inlogov/deleted_list.html", context)

    def restore_view(self, request, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        record = self.deleted_records().filter(history_id=history_id).first()
        if record is None:
            raise Http404("There is no deleted item with this history entry.")
        with transaction.atomic():
            obj = record.instance
            obj._history_user = request.user
            obj.save(force_insert=True)
            self.restore_related(request, obj, record)
            self.log_addition(request, obj, "Recovered from history after deletion.")
        bump_content_version()
        opts = self.model._meta
        self.message_user(
            request,
            format_html(
                "Recovered {} “{}” as it was when deleted. Links to themes, service areas and "
                "other many-to-many choices are not kept in history: check them and save.",
                opts.verbose_name,
                obj,
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))

    def restore_related(self, request, obj, record):
        """Hook for restoring rows deleted together with `obj` (see the publication admin)."""

