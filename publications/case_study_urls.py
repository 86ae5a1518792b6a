from django.urls import path

from publications import citation_views, views

app_name = "case_studies"
urlpatterns = [
    path("", views.CaseStudyListView.as_view(), name="list"),
    path("<slug:slug>/", views.CaseStudyDetailView.as_view(), name="detail"),
    path("<slug:slug>/cite.bib", citation_views.case_study_citation, {"fmt": "bibtex"}, name="cite-bibtex"),
    path("<slug:slug>/cite.ris", citation_views.case_study_citation, {"fmt": "ris"}, name="cite-ris"),
    path("<slug:slug>/cite.json", citation_views.case_study_citation, {"fmt": "csl"}, name="cite-csl"),
]
