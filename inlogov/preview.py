"""Staff preview of unpublished items at their public URL.

Detail views use `PreviewableDetailMixin`: anonymous visitors (and staff without the model's
change permission) only ever reach `published()` items and get 404 otherwise; staff who may
change the model see drafts and scheduled items, with `is_preview` set so that base.html shows a
"Draft - not public" banner. Such responses are private and never cached (see inlogov/caching.py).
"""

from django.utils.cache import add_never_cache_headers


class PreviewableDetailMixin:
    model = None

    def can_preview(self):
        user = self.request.user
        opts = self.model._meta
        return user.is_authenticated and user.is_staff and user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )

    def base_queryset(self):
        """The queryset shape of the detail page; override to add select/prefetch."""
        return self.model.objects.for_listing()

    def get_queryset(self):
        queryset = self.base_queryset()
        return queryset if self.can_preview() else queryset.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_public
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.can_preview():
            add_never_cache_headers(response)
            response["Cache-Control"] = "private, no-store, max-age=0"
        return response
