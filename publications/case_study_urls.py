from django.urls import path

from publications import views

app_name = "case_studies"
urlpatterns = [
    path("", views.CaseStudyListView.as_view(), name="list"),
    path("<slug:slug>/", views.CaseStudyDetailView.as_view(), name="detail"),
]
