from django.views.generic import DetailView, ListView

from themes.models import Theme


class ThemeListView(ListView):
    def get_queryset(self):
        return Theme.objects.published().for_listing()


class ThemeDetailView(DetailView):
    def get_queryset(self):
        return Theme.objects.published().for_listing()
