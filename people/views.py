from django.views.generic import DetailView, ListView

from people.models import Contributor


class ContributorListView(ListView):
    def get_queryset(self):
        return Contributor.objects.published().for_listing()


class ContributorDetailView(DetailView):
    def get_queryset(self):
        return Contributor.objects.published().for_listing()
