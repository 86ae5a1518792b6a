from django.views.generic import DetailView, ListView

from publications.models import CaseStudy, Publication


class PublicationListView(ListView):
    paginate_by = 20

    def get_queryset(self):
        return Publication.objects.published().for_listing()


class PublicationDetailView(DetailView):
    def get_queryset(self):
        return Publication.objects.published().for_listing()


class CaseStudyListView(ListView):
    paginate_by = 20

    def get_queryset(self):
        return CaseStudy.objects.published().for_listing()


class CaseStudyDetailView(DetailView):
    def get_queryset(self):
        return CaseStudy.objects.published().for_listing()
