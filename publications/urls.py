from django.urls import path

from publications import citation_views, views

app_name = "publications"
urlpatterns = [
    path("", views.PublicationListView.as_view(), name="list"),
    path("<slug:slug>/", views.PublicationDetailView.as_view(), name="detail"),
    path("<slug:slug>/cite.bib", citation_views.publication_citation, {"fmt": "bibtex"}, name="cite-bibtex"),
    path("<slug:slug>/cite.ris", citation_views.publication_citation, {"fmt": "ris"}, name="cite-ris"),
    path("<slug:slug>/cite.json", citation_views.publication_citation, {"fmt": "csl"}, name="cite-csl"),
]
