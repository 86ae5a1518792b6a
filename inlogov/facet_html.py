"""The facet panel's checkboxes (templates/jinja2/includes/facet_panel.html).

Every faceted listing shows dozens of facet values, and each checkbox took about a dozen
template variables (its facet's name three times, the loop counter twice, the value, label,
count, state and depth, and the noun). Resolved by the template engine that was the largest
part of rendering a listing; built here it costs a fraction. The markup is what the
template's loop wrote. The rest of the panel (fieldsets, legends, the year range
and its decade links) stays in the template, which points here.
"""

from django.utils.safestring import mark_safe

from inlogov.escaping import escape

_CHECKBOX = """    <li class="facet__value{}">
      <input type="checkbox" name="{}" value="{}" id="facet-{}-{}"{}>
      <label for="facet-{}-{}">{} <span class="facet__count">{}<span class="visually-hidden"> {}</span></span></label>
    </li>"""


def facet_checkboxes(facet, noun):
    """The ``<li>`` of each of ``facet``'s values, numbered from 1 within the facet for their ids,
    every part escaped."""
    name, noun = escape(facet.name), escape(noun)
    return mark_safe(  # noqa: S308 (every value is escaped; the rest is the fixed markup above)
        "\n".join(
            _CHECKBOX.format(
                " facet__value--sub" if value.depth else "",
                name, escape(value.value), name, number, " checked" if value.selected else "",
                name, number, escape(value.label), escape(value.count), noun,
            )
            for number, value in enumerate(facet.values, 1)
        )
    )
