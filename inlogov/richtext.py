"""Rich text for abstracts, biographies and case-study bodies.

The admin edits it in a WYSIWYG editor (django-prose-editor); what is stored is sanitised
server-side against one allow-list with nh3 on every save, whether the value came from the admin
form, an import or plain model code. Templates may therefore mark stored rich text as safe.
"""

import nh3
from django_prose_editor.fields import ProseEditorField

# The editor offers exactly what the sanitiser keeps: nothing an editor types is lost on save.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "sub", "sup",
    "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math", "template"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitize_html(html):
    """Return `html` reduced to the allow-list. Empty editor output becomes an empty string."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html).strip()
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


class RichTextField(ProseEditorField):
    """A TextField edited with the prose editor and sanitised on every save."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("extensions", dict(EDITOR_EXTENSIONS))
        kwargs["sanitize"] = sanitize_html
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
