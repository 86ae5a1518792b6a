"""The facet panel's checkboxes (templates/includes/facet_panel.html).

Every faceted listing shows dozens of facet values, and each checkbox took about a dozen
template variables (its facet's name three times, the loop counter twice, the value, label,
count, state and depth, and the noun). Resolved by the template engine that was the largest
part of rendering a listing; built here with ``format_html`` it costs a fraction. The markup
is what the template's loop wrote. The rest of the panel (fieldsets, legends, the year range
and its decade links) stays in the template, which points here.
"""

from django import template
from django.utils.html import format_html_join

register = template.Library()

_CHECKBOX = """    <li class="facet__value{}">
      <input type="checkbox" name="{}" value="{}" id="facet-{}-{}"{}>
      <label for="facet-{}-{}">{} <span class="facet__count">{}<span class="visually-hidden"> {}</span></span></label>
    </li>"""


@register.simple_tag
def facet_checkboxes(facet, noun):
    """The ``<li>`` of each of ``facet``'s values, numbered from 1 within the facet for their ids,
    every part escaped."""
    name = facet.name
    return format_html_join(
        "\n",
        _CHECKBOX,
        (
            (
                " facet__value--sub" if value.depth else "",
                name, value.value, name, number, " checked" if value.selected else "",
                name, number, value.label, value.count, noun,
            )
            for number, value in enumerate(facet.values, 1)
        ),
    )
