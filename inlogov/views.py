"""Site-wide views: home page (and later search, health checks)."""

from django.shortcuts import render

from publications.models import Publication


def home(request):
    publications = Publication.objects.published().for_listing()[:10]
    return render(request, "home.html", {"publications": publications})
