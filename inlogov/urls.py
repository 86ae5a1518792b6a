from django.contrib import admin
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path

from inlogov import feeds, health, sitemaps, views

admin.site.site_header = "INLOGOV Research Hub: editing"
admin.site.site_title = "INLOGOV Research Hub"
admin.site.index_title = "Edit the institute's research"

urlpatterns = [
    path("", views.home, name="home"),
    path("publications/", include("publications.urls")),
    path("case-studies/", include("publications.case_study_urls")),
    path("people/", include("people.urls")),
    path("themes/", include("themes.urls")),
    path("search/", views.search, name="search"),
    path("feeds/publications/", feeds.PublicationFeed(), name="feed-publications"),
    path("feeds/themes/<slug:slug>/publications/", feeds.ThemePublicationFeed(), name="feed-theme-publications"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_view, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("api/", include("inlogov.api")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
