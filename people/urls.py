from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("", views.ContributorListView.as_view(), name="list"),
    path("<slug:slug>/", views.ContributorDetailView.as_view(), name="detail"),
]
