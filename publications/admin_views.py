"""Admin pages beyond the standard ones: importing, exporting, recovery helpers and the dashboard."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from inlogov.caching import bump_content_version
from inlogov.publishing import Status, scheduled_q
from people.models import Contributor
from publications import importing
from publications.models import CaseStudy, Publication, PublicationContributor
from themes.models import Theme

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_SALT = "publications.admin.import"
IMPORT_MAX_AGE = 60 * 60  # seconds an editor may take between preview and confirmation


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="BibTeX or RIS file",
        help_text="A .bib or .ris file exported from Zotero, EndNote, Mendeley or a publisher's "
        "site, at most 2 MB. Nothing is saved until you confirm on the next page.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".bib", ".bibtex", ".ris", ".txt")):
            raise forms.ValidationError("Upload a file ending in .bib or .ris.")
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("This file is larger than 2 MB: split it into smaller files.")
        return upload


class ImportView(View):
    """Step 1 (upload) shows a preview; step 2 (confirm) imports the ticked entries.

    The parsed entries travel from step 1 to step 2 in a signed, time-limited hidden field tied
    to the editor, so step 2 imports exactly what the preview showed and cannot be tampered with.
    """

    model_admin = None
    template_name = "admin/publications/publication/import.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.model_admin.has_add_permission(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, **context):
        opts = Publication._meta
        return TemplateResponse(
            request,
            self.template_name,
            {
                **self.model_admin.admin_site.each_context(request),
                "opts": opts,
                "title": "Import publications from BibTeX or RIS",
                **context,
            },
        )

    def get(self, request):
        return self.render(request, form=ImportUploadForm())

    def post(self, request):
        if "payload" in request.POST:
            return self.confirm(request)
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form=form)
        upload = form.cleaned_data["file"]
        try:
            entries = importing.parse_file(upload.name, upload.read())
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
            return self.render(request, form=form)
        entries = importing.build_preview(entries)
        payload = signing.dumps(
            {"user": request.user.pk, "file": upload.name, "entries": entries},
            salt=IMPORT_SALT,
            compress=True,
        )
        valid = [entry for entry in entries if not entry["errors"]]
        return self.render(
            request,
            entries=entries,
            payload=payload,
            file_name=upload.name,
            counts={
                "total": len(entries),
                "valid": len(valid),
                "invalid": len(entries) - len(valid),
                "duplicates": sum(1 for entry in valid if entry["duplicates"]),
            },
        )

    def confirm(self, request):
        try:
            data = signing.loads(request.POST["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        except signing.SignatureExpired:
            return self.start_again(request, "The preview is more than an hour old. Upload the file again.")
        except signing.BadSignature:
            return self.start_again(request, "The preview could not be verified. Upload the file again.")
        if data.get("user") != request.user.pk:
            return self.start_again(request, "This preview belongs to another user. Upload the file again.")
        chosen = [value for value in request.POST.getlist("entry") if value.isdigit()]
        if not chosen:
            return self.start_again(request, "No entries were ticked, so nothing was imported.")
        try:
            created = importing.import_entries(data["entries"], chosen, request.user)
        except DatabaseError:
            return self.start_again(
                request,
                "The import failed while saving and nothing was saved. Please try again; if it "
                "fails again, import the entries in smaller files.",
            )
        bump_content_version()
        for publication in created:
            self.model_admin.log_addition(request, publication, f"Imported from {data['file']}.")
        self.model_admin.message_user(
            request,
            f"Imported {len(created)} publication{'s' if len(created) != 1 else ''} from "
            f"{data['file']} as drafts. Review them and publish when ready.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:publications_publication_changelist") + "?status__exact=draft")

    def start_again(self, request, message):
        self.model_admin.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:publications_publication_import"))


# --- export actions ----------------------------------------------------------------------------

EXPORTS = {
    # action name suffix: (citations function name, file extension, content type, menu label)
    "bibtex": ("bibtex_list", "bib", "application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("ris_list", "ris", "application/x-research-info-systems; charset=utf-8", "RIS"),
    "csv": ("publications_csv", "csv", "text/csv; charset=utf-8", "CSV"),
    "case_studies_csv": ("case_studies_csv", "csv", "text/csv; charset=utf-8", "CSV"),
}
# What a format reads beyond the admin's own queryset (which fetches the credits): one query per
# relation for the whole selection, not one per row.
EXPORT_PREFETCHES = {
    "csv": ("themes",),
    "case_studies_csv": ("themes", "service_areas", "source_publications"),
}


def make_export_action(fmt):
    function_name, extension, content_type, label = EXPORTS[fmt]

    def export(modeladmin, request, queryset):
        from inlogov import citations

        # The admin's queryset already carries every credit (drafts included: this is staff
        # output) in citation order, which the citation writers reuse.
        writer = getattr(citations, function_name)
        opts = modeladmin.model._meta
        content = writer(queryset.prefetch_related(*EXPORT_PREFETCHES.get(fmt, ())).order_by("pk"), request)
        response = HttpResponse(content, content_type=content_type)
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = (
            f'attachment; filename="inlogov-{opts.verbose_name_plural.replace(" ", "-")}-{stamp}.{extension}"'
        )
        return response

    export.__name__ = f"export_{fmt}"
    export.short_description = f"Download the selected items as {label}"
    return export


# --- recovery ---------------------------------------------------------------------------------


def restore_contributions(publication, deletion_record, user):
    """Recreate the contributor credits deleted together with `publication`.

    Deleting a publication deletes its credits first (a cascade), each leaving a deletion in
    its own history just before the publication's. Credits whose contributor has since gone
    are skipped.
    """
    history = PublicationContributor.history.model
    window_start = deletion_record.history_date - timedelta(minutes=1)
    latest = {}
    for record in history.objects.filter(publication_id=publication.pk).order_by("history_date", "history_id"):
        latest[record.id] = record
    live_people = set(Contributor.objects.values_list("pk", flat=True))
    restored = 0
    for record in sorted(latest.values(), key=lambda r: r.position):
        if record.history_type != "-" or not window_start <= record.history_date <= deletion_record.history_date:
            continue
        if record.contributor_id not in live_people:
            continue
        credit = record.instance
        credit._history_user = user
        credit.save(force_insert=True)
        restored += 1
    return restored


# --- dashboard ----------------------------------------------------------------------------------

DASHBOARD_MODELS = (Publication, CaseStudy, Contributor, Theme)


def dashboard(request, limit=8):
    """Drafts, scheduled items and recent changes across the content types this user may see.

    Three small queries per content type, whatever the amount of content.
    """
    now = timezone.now()
    sections = {"drafts": [], "scheduled": [], "recent": [], "draft_counts": []}
    for model in DASHBOARD_MODELS:
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        url_name = f"admin:{opts.app_label}_{opts.model_name}_change"
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        drafts = list(model.objects.filter(status=Status.DRAFT).order_by("-updated_at")[:limit])
        sections["draft_counts"].append(
            {
                "label": opts.verbose_name_plural,
                "count": model.objects.filter(status=Status.DRAFT).count(),
                "url": f"{changelist}?status__exact=draft",
            }
        )
        scheduled = model.objects.filter(scheduled_q(now=now)).order_by("publish_from")[:limit]
        recent = model.objects.order_by("-updated_at")[:limit]
        for key, items in (("drafts", drafts), ("scheduled", scheduled), ("recent", recent)):
            for obj in items:
                sections[key].append(
                    {
                        "obj": obj,
                        "kind": opts.verbose_name,
                        "url": reverse(url_name, args=[obj.pk]),
                        "when": obj.publish_from if key == "scheduled" else obj.updated_at,
                    }
                )
    sections["drafts"].sort(key=lambda item: item["when"], reverse=True)
    sections["recent"].sort(key=lambda item: item["when"], reverse=True)
    sections["scheduled"].sort(key=lambda item: item["when"])
    for key in ("drafts", "scheduled", "recent"):
        sections[key] = sections[key][:limit]
    return sections
