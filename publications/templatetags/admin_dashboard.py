from django import template

from publications.admin_views import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def editorial_dashboard(context):
    """The admin index's dashboard data (see publications.admin_views.dashboard)."""
    return dashboard(context["request"])
