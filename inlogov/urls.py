from django.contrib import admin
from django.urls import include, path

from inlogov import views

admin.site.site_header = "INLOGOV Research Hub: editing"
admin.site.site_title = "INLOGOV Research Hub"
admin.site.index_title = "Edit the institute's research"

urlpatterns = [
    path("", views.home, name="home"),
    path("publications/", include("publications.urls")),
    path("case-studies/", include("publications.case_study_urls")),
    path("people/", include("people.urls")),
    path("themes/", include("themes.urls")),
    path("admin/", admin.site.urls),
]
