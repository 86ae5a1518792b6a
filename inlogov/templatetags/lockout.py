"""Template filter for the sign-in lockout page (templates/registration/locked_out.html)."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_words(value):
    """timedelta(minutes=15) -> '15 minutes'; timedelta(hours=2) -> '2 hours'."""
    if not isinstance(value, timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
