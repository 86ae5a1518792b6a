"""Citations and reference-manager exports for publications and case studies, written once.

Everything here takes objects loaded the usual way (`Publication.objects.published().for_citations()`:
contributions prefetched in order with their contributor, parent selected; the staff CSV rows
also name the themes, which the admin's export prefetches) and returns strings or plain data.
Nothing here decides visibility: callers pass published items only. A chapter's parent book is
used only while the parent itself is public, so a draft book's title never leaks through one of
its chapters (the chapter's own `container_title` is used instead).

Formatted references (hand-written rather than citeproc, so that the exact strings are ours to
test; see tests/inlogov/test_citations.py for the hand-checked examples):

- APA 7: authors "Family, G. I." (up to 20; 21 or more give the first 19, ". . ." and the last),
  "&" before the last, "(Eds.)" for an edited book, sentence-case titles of works with the first
  word after a colon capitalised, journal names as entered, no place of publication, DOI as
  https://doi.org/... with no full stop after it.
- Harvard (Cite Them Right): authors "Family, G.I." all listed, "and" before the last, "(ed.)"/
  "(eds)", chapter and article titles in single quotation marks, sentence case with the word
  after a colon in lower case, "Place: Publisher", "pp. 75–176", "Available at: <DOI or URL>";
  a web page (a case study) also gets "(Accessed: 28 November 2026)".

Sentence case cannot know every proper noun, so it keeps capitals where they are likely to be
meant: acronyms and words with inner capitals ("UK", "KeyRing"), words that appear in the item's
own publisher, place or people's names ("Palgrave"), and a short list of places and names the
institute writes about (`PROPER_NOUNS`). Case-study titles are names of initiatives and are never
re-cased. Editors who need an exception add the word to `PROPER_NOUNS`.

Public functions (others import these):
    public_url(obj, request=None) -> str
    apa(obj, request=None) / harvard(obj, request=None, accessed=None) -> SafeString (HTML)
    apa_text(obj, request=None) / harvard_text(obj, request=None, accessed=None) -> str
    bibtex_key(obj) -> str; bibtex_item(obj, request=None) / bibtex_list(objs, request=None) -> str
    ris_item(obj, request=None) / ris_list(objs, request=None) -> str
    csl_data(obj, request=None) -> dict; csl_data_list(objs, request=None) -> list[dict]
    csl_json_item(obj, request=None) -> str (one JSON object)
    csl_json_list(objs, request=None) -> str (a JSON array)
    publications_csv(objs, request=None) / case_studies_csv(objs, request=None) -> str
    PUBLICATION_CSV_HEADER, CASE_STUDY_CSV_HEADER, publication_csv_row(), case_study_csv_row()
"""

import csv
import datetime
import io
import json
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils.html import escape
from django.utils.safestring import mark_safe

INSTITUTE = "Institute of Local Government Studies"
HUB = "INLOGOV Research Hub"

# Words kept capitalised by sentence case although they are not at the start of a title.
PROPER_NOUNS = frozenset(
    {
        "Africa", "African", "America", "American", "Amsterdam", "Asia", "Australia", "Australian",
        "Barcelona", "Belfast", "Berlin", "Birmingham", "Brexit", "Bristol", "Britain", "British",
        "Cardiff", "Coventry", "Covid", "COVID-19", "Denmark", "Dunbartonshire", "Dutch", "Edinburgh",
        "England", "English", "Europe", "European", "Finland", "France", "French", "Germany",
        "German", "Glasgow", "India", "Ireland", "Irish", "Italy", "Italian", "Leeds", "Liverpool",
        "London", "Macmillan", "Manchester", "Midlands", "Netherlands", "Norway", "Palgrave", "Paris",
        "Portugal", "Rimini", "Routledge", "Scandinavia", "Scotland", "Scottish", "Spain", "Springer",
        "Surrey", "Sweden", "Swedish", "UK", "Wales", "Walsall", "Welsh",
    }
)

_DASH = "\u2013"  # en dash for page ranges in formatted references
_ELLIPSIS = ". . ."


# --- reading the objects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    given: str
    family: str

    @classmethod
    def of(cls, contributor):
        return cls(given=(contributor.given_name or "").strip(), family=(contributor.family_name or "").strip())


def _is_case_study(obj):
    return obj._meta.model_name == "casestudy"


def _credits(publication):
    """(role, Person) pairs in citation order, published contributors only."""
    cache = getattr(publication, "_prefetched_objects_cache", {})
    if "contributions" in cache:
        rows = cache["contributions"]
    else:
        from people.models import Contributor

        rows = (
            publication.contributions.filter(contributor__in=Contributor.objects.published())
            .select_related("contributor")
            .order_by("position")
        )
    return [(row.role, Person.of(row.contributor)) for row in rows]


def _authors(publication):
    return [p for role, p in _credits(publication) if role in ("author", "chapter_author")]


def _editors(publication):
    return [p for role, p in _credits(publication) if role == "editor"]


def _case_people(case):
    people = getattr(case, "published_contributors", None)
    if people is None:
        from people.models import Contributor

        people = case.contributors.filter(pk__in=Contributor.objects.published()).order_by(
            "family_name", "given_name"
        )
    return [Person.of(c) for c in people]


def _case_year(case):
    if case.year_started:
        return case.year_started
    when = case.publish_from or case.created_at
    return when.year if when else None


def _full_title(title, subtitle=""):
    title, subtitle = (title or "").strip(), (subtitle or "").strip()
    if subtitle:
        return f"{title.rstrip(':')}: {subtitle}"
    return title


def _page_range(pages):
    """'75-176' -> ('75', '176'); '12' -> ('12', '')."""
    parts = [p.strip() for p in re.split(r"\s*[-\u2010-\u2015]+\s*", pages or "") if p.strip()]
    if not parts:
        return "", ""
    return parts[0], parts[-1] if len(parts) > 1 else ""


def public_url(obj, request=None):
    path = obj.get_absolute_url()
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path


class _Item:
    """What a reference needs, read once from a Publication or a CaseStudy."""

    def __init__(self, obj, request=None):
        self.obj = obj
        self.url = public_url(obj, request)
        if _is_case_study(obj):
            self._from_case_study(obj)
        else:
            self._from_publication(obj)

    def _from_case_study(self, case):
        self.kind = "case_study"
        people = _case_people(case)
        self.authors = people
        self.corporate_author = "" if people else INSTITUTE
        self.editors = []
        self.year = _case_year(case)
        self.date = None
        self.title, self.subtitle = case.title, ""
        self.container = HUB
        self.container_editors = []
        self.publisher, self.place = HUB, ""
        self.volume = self.issue = self.pages = self.edition = ""
        self.doi = self.isbn = ""
        self.link = self.url

    def _from_publication(self, pub):
        self.kind = pub.kind
        self.authors = _authors(pub)
        self.corporate_author = ""
        self.editors = _editors(pub)
        self.year = pub.year
        self.date = pub.date
        self.title, self.subtitle = pub.title, pub.subtitle
        parent = pub.public_parent
        self.parent = parent
        self.container = pub.container_title
        self.container_editors = []
        self.publisher, self.place = pub.publisher, pub.place
        self.volume, self.issue, self.edition = pub.volume, pub.issue, pub.edition
        self.pages = pub.pages
        self.doi, self.isbn = pub.doi, pub.isbn
        self.link = pub.url
        if pub.kind == "chapter":
            if parent is not None:
                self.container = parent.full_title
                self.container_editors = _editors(parent)
                self.publisher = self.publisher or parent.publisher
                self.place = self.place or parent.place
                self.isbn = self.isbn or parent.isbn
            else:
                # Without a parent in the hub, editor credits on the chapter are the book's.
                self.container_editors = self.editors
            self.editors = []

    @property
    def full_title(self):
        return _full_title(self.title, self.subtitle)

    @property
    def is_edited(self):
        return not self.authors and bool(self.editors)

    @property
    def shape(self):
        """How the reference is laid out: book, chapter, article, report or webpage."""
        if self.kind == "case_study":
            return "webpage"
        if self.kind in ("book", "edited_book", "handbook"):
            return "book"
        if self.kind == "chapter":
            return "chapter"
        if self.kind == "journal_article":
            return "article"
        if self.container and (self.volume or self.issue):
            return "article"  # e.g. a scoping review published in a journal
        return "report"

    @property
    def keep_words(self):
        """Capitalised words from this item's own names, kept capitalised by sentence case."""
        sources = [self.publisher, self.place, self.corporate_author]
        for person in [*self.authors, *self.editors, *self.container_editors]:
            sources += [person.given, person.family]
        return frozenset(w for s in sources for w in re.findall(r"[^\W\d_][\w'’]*", s or ""))


# --- names ----------------------------------------------------------------------------------


def initials(given, spaced=True):
    """'Elke' -> 'E.'; 'Jean-Pierre' -> 'J.-P.'; 'Mary Ann' -> 'M. A.' (or 'M.A.' unspaced)."""
    words = []
    for word in (given or "").replace(".", ". ").split():
        parts = [p for p in word.split("-") if p]
        letters = ["".join(ch for ch in part if ch.isalpha())[:1].upper() for part in parts]
        letters = [f"{letter}." for letter in letters if letter]
        if letters:
            words.append("-".join(letters))
    return (" " if spaced else "").join(words)


def _inverted(person, spaced):
    letters = initials(person.given, spaced)
    return f"{person.family}, {letters}" if letters else person.family


def _direct(person):
    letters = initials(person.given, spaced=True)
    return f"{letters} {person.family}" if letters else person.family


def _apa_names(people):
    names = [_inverted(p, spaced=True) for p in people]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, & {names[1]}"
    if len(names) <= 20:
        return ", ".join(names[:-1]) + f", & {names[-1]}"
    return ", ".join(names[:19]) + f", {_ELLIPSIS} {names[-1]}"


def _apa_editors_in(people):
    """Editors inside a chapter reference: 'H. Sullivan & H. Dickinson'."""
    names = [_direct(p) for p in people]
    if len(names) <= 2:
        return " & ".join(names)
    return ", ".join(names[:-1]) + f", & {names[-1]}"


def _and_list(names):
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def _harvard_names(people):
    return _and_list([_inverted(p, spaced=False) for p in people])


# --- sentence case --------------------------------------------------------------------------


def _keeps_capitals(word, keep):
    bare = re.sub(r"^[^\w]+|[^\w]+$", "", word)
    if not any(ch.isalpha() for ch in bare):
        return True
    if any(ch.isupper() for part in re.split(r"[-'’.]", bare) for ch in part[1:]):
        return True  # acronyms and inner capitals: UK, CI.VI.VO., KeyRing, COVID-19
    bare = re.sub(r"['’]s$", "", bare)
    return bare in keep or bare in PROPER_NOUNS or bare == "I"


def _lower_word(word):
    return "-".join(_first_letter(part, str.lower) for part in word.split("-"))


def _first_letter(word, change):
    for index, ch in enumerate(word):
        if ch.isalpha():
            return word[:index] + change(ch) + word[index + 1 :]
    return word


def sentence_case(text, keep=frozenset(), capitalise_after_colon=True):
    """'The Four Co's: Co-commissioning' -> "The four co's: Co-commissioning" (APA) or
    "The four co's: co-commissioning" (Harvard, capitalise_after_colon=False)."""
    out = []
    for index, word in enumerate((text or "").split()):
        after_colon = index > 0 and out[-1].endswith((":", "?", "!", "\u2014"))
        if _keeps_capitals(word, keep):
            out.append(word)
        elif index == 0 or (after_colon and capitalise_after_colon):
            head, dash, rest = word.partition("-")
            out.append(_first_letter(_lower_word(head), str.upper) + dash + _lower_word(rest))
        else:
            out.append(_lower_word(word))
    return " ".join(out)


# --- formatted references -------------------------------------------------------------------


class _Ref:
    """A reference as a list of (text, italic) runs, rendered as plain text or safe HTML."""

    def __init__(self):
        self.runs = []

    def add(self, text, italic=False, link=False):
        if text:
            self.runs.append((text, italic, link))
        return self

    def text(self):
        return "".join(text for text, _, _ in self.runs)

    def html(self):
        out = []
        for text, italic, link in self.runs:
            piece = escape(text)
            if link:
                piece = f'<a href="{escape(text)}">{piece}</a>'
            if italic:
                piece = f"<em>{piece}</em>"
            out.append(piece)
        return mark_safe("".join(out))  # noqa: S308 - every run was escaped above


def _doi_url(doi):
    return f"https://doi.org/{doi}" if doi else ""


def _end(text):
    """Add a full stop unless the text already ends with punctuation."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _ordinal_edition(edition):
    """'2' or '2nd' -> '2nd'."""
    edition = (edition or "").strip()
    if edition.isdigit():
        n = int(edition)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return re.sub(r"\s*(ed\.?|edn\.?|edition)$", "", edition, flags=re.I)


def _apa_ref(item):
    keep = item.keep_words
    ref = _Ref()
    shape = item.shape
    year = f"({item.year})" if item.year else "(n.d.)"

    def work_title():
        if shape == "webpage":
            return item.full_title
        return sentence_case(item.full_title, keep, capitalise_after_colon=True)

    title_italic = shape in ("book", "report", "webpage")
    title = work_title()
    edition = _ordinal_edition(item.edition)
    after_title = f" ({edition} ed.)" if edition and shape in ("book", "report") else ""

    if item.authors or item.editors or item.corporate_author:
        if item.authors:
            ref.add(_apa_names(item.authors))
        elif item.corporate_author:
            ref.add(item.corporate_author)
        else:
            ref.add(_apa_names(item.editors) + (" (Eds.)" if len(item.editors) > 1 else " (Ed.)"))
        ref.add(f"{'' if ref.text().endswith('.') else '.'} {year}. ")
        ref.add(title, italic=title_italic)
        ref.add(after_title)
        ref.add(". " if not title.endswith(("?", "!")) else " ")
    else:
        # No author: the title moves into the author position.
        ref.add(title, italic=title_italic)
        ref.add(after_title)
        ref.add(f". {year}. ")

    if shape == "chapter":
        ref.add("In ")
        editors = item.container_editors
        if editors:
            ref.add(f"{_apa_editors_in(editors)} ({'Eds.' if len(editors) > 1 else 'Ed.'}), ")
        ref.add(sentence_case(item.container, keep) if item.container else "[Book]", italic=True)
        first, last = _page_range(item.pages)
        if first:
            ref.add(f" (pp. {first}{_DASH}{last})" if last else f" (p. {first})")
        ref.add(". ")
        if item.publisher:
            ref.add(_end(item.publisher) + " ")
    elif shape == "article":
        ref.add(item.container, italic=True)
        if item.volume:
            ref.add(", ")
            ref.add(item.volume, italic=True)
            if item.issue:
                ref.add(f"({item.issue})")
        elif item.issue:
            ref.add(f", ({item.issue})")
        first, last = _page_range(item.pages)
        if first:
            ref.add(f", {first}{_DASH}{last}" if last else f", {first}")
        ref.add(". ")
    elif shape == "webpage":
        ref.add(_end(item.container) + " ")
    else:
        # APA 7 leaves out the publisher when it is the author (an organisation's own report).
        if item.publisher and item.publisher != item.corporate_author:
            ref.add(_end(item.publisher) + " ")

    link = _doi_url(item.doi) or item.link
    if link:
        ref.add(link, link=True)
    ref.runs[-1:] = [(ref.runs[-1][0].rstrip(), *ref.runs[-1][1:])]
    return ref


def _harvard_date(day):
    return f"{day.day} {day:%B %Y}"


def _harvard_ref(item, accessed=None):
    keep = item.keep_words
    ref = _Ref()
    shape = item.shape
    year = f"({item.year})" if item.year else "(no date)"
    title = item.full_title if shape == "webpage" else sentence_case(item.full_title, keep, False)
    edition = _ordinal_edition(item.edition)

    if item.authors:
        ref.add(f"{_harvard_names(item.authors)} {year} ")
    elif item.corporate_author:
        ref.add(f"{item.corporate_author} {year} ")
    elif item.editors:
        label = "(eds)" if len(item.editors) > 1 else "(ed.)"
        ref.add(f"{_harvard_names(item.editors)} {label} {year} ")

    quoted = shape in ("chapter", "article")
    if quoted:
        ref.add(f"\u2018{title}\u2019, ")
    else:
        ref.add(title, italic=True)
        if not (item.authors or item.corporate_author or item.editors):
            ref.add(f" {year}")
        ref.add(". ")
        if edition:
            ref.add(f"{edition} edn. ")

    def place_publisher(pages_suffix=""):
        parts = ": ".join(p for p in (item.place, item.publisher) if p)
        if parts:
            ref.add(parts + pages_suffix + ". ")
        elif pages_suffix:
            ref.add(pages_suffix.lstrip(", ") + ". ")

    first, last = _page_range(item.pages)
    pages = f"{first}{_DASH}{last}" if last else first
    if shape == "chapter":
        ref.add("in ")
        editors = item.container_editors
        if editors:
            label = "(eds)" if len(editors) > 1 else "(ed.)"
            ref.add(f"{_harvard_names(editors)} {label} ")
        ref.add(sentence_case(item.container, keep, False) if item.container else "[book]", italic=True)
        ref.add(". ")
        if edition:
            ref.add(f"{edition} edn. ")
        place_publisher(f", pp. {pages}" if last else (f", p. {pages}" if pages else ""))
    elif shape == "article":
        ref.add(item.container, italic=True)
        if item.volume:
            ref.add(f", {item.volume}" + (f"({item.issue})" if item.issue else ""))
        elif item.issue:
            ref.add(f", ({item.issue})")
        if pages:
            ref.add(f", pp. {pages}" if last else f", p. {pages}")
        ref.add(". ")
    elif shape == "webpage":
        ref.add(_end(item.container) + " ")
    else:
        place_publisher()

    if item.doi:
        ref.add("Available at: ")
        ref.add(_doi_url(item.doi), link=True)
        ref.add(".")
    elif item.link:
        ref.add("Available at: ")
        ref.add(item.link, link=True)
        if shape == "webpage" or not item.publisher:
            ref.add(f" (Accessed: {_harvard_date(accessed or datetime.date.today())})")
        ref.add(".")
    ref.runs[-1:] = [(ref.runs[-1][0].rstrip(), *ref.runs[-1][1:])]
    return ref


def apa_text(obj, request=None):
    """The APA 7 reference as plain text."""
    return _apa_ref(_Item(obj, request)).text()


def apa(obj, request=None):
    """The APA 7 reference as safe HTML (works in <em>, DOI or URL as a link)."""
    return _apa_ref(_Item(obj, request)).html()


def harvard_text(obj, request=None, accessed=None):
    """The Harvard (Cite Them Right) reference as plain text."""
    return _harvard_ref(_Item(obj, request), accessed).text()


def harvard(obj, request=None, accessed=None):
    """The Harvard (Cite Them Right) reference as safe HTML."""
    return _harvard_ref(_Item(obj, request), accessed).html()


apa_html = apa
harvard_html = harvard


# --- BibTeX ---------------------------------------------------------------------------------

_STOP_WORDS = frozenset({"a", "an", "the", "of", "on", "in", "and", "for", "to", "at", "by", "with", "from"})

_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(ch) for ch in _BIBTEX_ESCAPES))


def bibtex_escape(text):
    """Escape LaTeX's special characters; everything else stays UTF-8."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group(0)], " ".join((text or "").split()))


def _ascii_word(text):
    text = unicodedata.normalize("NFKD", text or "")
    return re.sub(r"[^a-z0-9]", "", "".join(ch for ch in text if not unicodedata.combining(ch)).lower())


def bibtex_key(obj):
    """'loeffler2021palgrave': first person's family name, year, first significant title word."""
    item = obj if isinstance(obj, _Item) else _Item(obj)
    people = item.authors or item.editors
    who = _ascii_word(people[0].family) if people else ("inlogov" if item.corporate_author else "")
    words = [_ascii_word(w) for w in re.split(r"[\s:]+", item.title or "")]
    words = [w for w in words if w and w not in _STOP_WORDS]
    return f"{who or 'anon'}{item.year or 'nd'}{words[0] if words else ''}"


_BIBTEX_TYPES = {"book": "book", "chapter": "incollection", "article": "article", "report": "techreport"}


def _bibtex_people(people):
    return " and ".join(
        bibtex_escape(f"{p.family}, {p.given}" if p.given else p.family) for p in people
    )


def _bibtex_entry(item, key):
    shape = item.shape
    entry_type = _BIBTEX_TYPES.get(shape, "misc")
    if shape == "report" and item.kind in ("other",) and not item.publisher:
        entry_type = "misc"
    fields = []

    def add(name, value, escape_value=True):
        if value:
            fields.append((name, bibtex_escape(str(value)) if escape_value else str(value)))

    if item.authors:
        fields.append(("author", _bibtex_people(item.authors)))
    elif item.corporate_author:
        # Double braces keep an organisation's name from being split into given and family.
        fields.append(("author", "{" + bibtex_escape(item.corporate_author) + "}"))
    if item.editors:
        fields.append(("editor", _bibtex_people(item.editors)))
    if item.container_editors:
        fields.append(("editor", _bibtex_people(item.container_editors)))
    if item.full_title:
        # The inner braces keep the title's capitals: BibTeX styles otherwise lower-case them.
        fields.append(("title", "{" + bibtex_escape(item.full_title) + "}"))
    if shape == "chapter":
        add("booktitle", item.container)
    elif shape == "article":
        add("journal", item.container)
    if shape == "report":
        add("institution", item.publisher)
        if item.kind == "working_paper":
            add("type", "Working paper")
    elif shape == "webpage":
        add("howpublished", item.container)
    else:
        add("publisher", item.publisher)
    add("address", item.place)
    add("year", item.year)
    add("edition", item.edition)
    add("volume", item.volume)
    add("number", item.issue)
    first, last = _page_range(item.pages)
    add("pages", f"{first}--{last}" if last else first)
    # DOIs and URLs are verbatim fields: only the characters that would break the braces change.
    add("doi", item.doi.replace("{", "%7B").replace("}", "%7D"), escape_value=False)
    add("isbn", item.isbn)
    url = item.link or (item.url if shape == "webpage" or not item.doi else "")
    add("url", url.replace("{", "%7B").replace("}", "%7D"), escape_value=False)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _unique_keys(items):
    keys, seen = [], {}
    for item in items:
        base = bibtex_key(item)
        count = seen.get(base, 0)
        seen[base] = count + 1
        keys.append(base if count == 0 else f"{base}{_suffix(count)}")
    return keys


def _suffix(index):
    """1 -> 'b', 2 -> 'c', ... 25 -> 'z', 26 -> 'ba': the first key keeps no suffix."""
    letters = ""
    while True:
        letters = "abcdefghijklmnopqrstuvwxyz"[index % 26] + letters
        index //= 26
        if not index:
            return letters


def _prepare(objs, request=None):
    """Items for many objects; a chapter's parent's credits are fetched in one query."""
    objs = list(objs)
    publications = [o for o in objs if not _is_case_study(o) and o.parent_id]
    if publications:
        from django.db.models import Prefetch

        from people.models import Contributor
        from publications.models import PublicationContributor

        parents = [o.parent for o in publications if o.parent is not None]
        prefetch_related_objects(
            [p for p in parents if "contributions" not in getattr(p, "_prefetched_objects_cache", {})],
            Prefetch(
                "contributions",
                queryset=PublicationContributor.objects.filter(
                    contributor__in=Contributor.objects.published()
                )
                .select_related("contributor")
                .order_by("position"),
            ),
        )
    return [_Item(o, request) for o in objs]


def bibtex_list(objs, request=None):
    """BibTeX entries for many items, with keys made unique in the order given."""
    items = _prepare(objs, request)
    return "\n".join(_bibtex_entry(item, key) for item, key in zip(items, _unique_keys(items), strict=True))


def bibtex_item(obj, request=None):
    return bibtex_list([obj], request)


# --- RIS ------------------------------------------------------------------------------------

_RIS_TYPES = {"book": "BOOK", "chapter": "CHAP", "article": "JOUR", "report": "RPRT", "webpage": "GEN"}


def _ris_clean(value):
    return " ".join(str(value).split())


def _ris_record(item):
    shape = item.shape
    ris_type = _RIS_TYPES[shape]
    if shape == "book" and item.is_edited:
        ris_type = "EDBOOK"
    elif shape == "report" and item.kind == "other":
        ris_type = "GEN"
    lines = [("TY", ris_type)]
    lines += [("AU", f"{p.family}, {p.given}" if p.given else p.family) for p in item.authors]
    if item.corporate_author:
        lines.append(("AU", item.corporate_author))
    for p in [*item.editors, *item.container_editors]:
        lines.append(("A2", f"{p.family}, {p.given}" if p.given else p.family))
    lines.append(("TI", item.full_title))
    if shape in ("chapter", "article", "webpage"):
        lines.append(("T2", item.container))
    lines.append(("PY", item.year))
    if shape != "webpage":
        lines.append(("PB", item.publisher))
    lines.append(("CY", item.place))
    lines.append(("ET", item.edition))
    lines.append(("VL", item.volume))
    lines.append(("IS", item.issue))
    first, last = _page_range(item.pages)
    lines.append(("SP", first))
    lines.append(("EP", last))
    lines.append(("DO", item.doi))
    lines.append(("SN", item.isbn))
    lines.append(("UR", item.link or item.url))
    out = [f"{tag}  - {_ris_clean(value)}" for tag, value in lines if value not in (None, "")]
    out.append("ER  - ")
    return "\r\n".join(out) + "\r\n"


def ris_list(objs, request=None):
    """RIS records for many items (CRLF line ends, as the format's specification asks)."""
    return "\r\n".join(_ris_record(item) for item in _prepare(objs, request))


def ris_item(obj, request=None):
    return ris_list([obj], request)


# --- CSL-JSON -------------------------------------------------------------------------------

_CSL_TYPES = {"book": "book", "chapter": "chapter", "article": "article-journal", "report": "report", "webpage": "webpage"}


def _csl_names(people):
    return [{"family": p.family, "given": p.given} if p.given else {"family": p.family} for p in people]


def _csl(item, key):
    shape = item.shape
    data = {"id": key, "type": _CSL_TYPES[shape]}
    if item.kind == "other" and shape == "report":
        data["type"] = "document"
    data["title"] = item.full_title
    if item.authors:
        data["author"] = _csl_names(item.authors)
    elif item.corporate_author:
        data["author"] = [{"literal": item.corporate_author}]
    if item.editors or item.container_editors:
        data["editor"] = _csl_names(item.editors or item.container_editors)
    if item.container:
        data["container-title"] = item.container
    if item.publisher:
        data["publisher"] = item.publisher
    if item.place:
        data["publisher-place"] = item.place
    if item.kind == "working_paper":
        data["genre"] = "Working paper"
    if item.date:
        data["issued"] = {"date-parts": [[item.date.year, item.date.month, item.date.day]]}
    elif item.year:
        data["issued"] = {"date-parts": [[item.year]]}
    if item.edition:
        data["edition"] = item.edition
    first, last = _page_range(item.pages)
    if first:
        data["page"] = f"{first}-{last}" if last else first
    for name, value in (("volume", item.volume), ("issue", item.issue), ("DOI", item.doi), ("ISBN", item.isbn)):
        if value:
            data[name] = value
    data["URL"] = item.link or item.url
    return data


def csl_data_list(objs, request=None):
    """CSL-JSON items (plain dicts) for many items; ids are the BibTeX keys, unique in the list."""
    items = _prepare(objs, request)
    return [_csl(item, key) for item, key in zip(items, _unique_keys(items), strict=True)]


def csl_data(obj, request=None):
    return csl_data_list([obj], request)[0]


def csl_json_list(objs, request=None):
    """A CSL-JSON array as text."""
    return json.dumps(csl_data_list(objs, request), ensure_ascii=False, indent=2)


def csl_json_list_of_one(obj, request=None):
    """One item as a CSL-JSON array, the shape a .json file for reference managers takes."""
    return csl_json_list([obj], request)


def csl_json_item(obj, request=None):
    """One CSL-JSON item (an object, not an array) as text."""
    return json.dumps(csl_data(obj, request), ensure_ascii=False, indent=2)


# --- CSV for the admin export ---------------------------------------------------------------

PUBLICATION_CSV_HEADER = [
    "slug", "title", "subtitle", "kind", "year", "contributors", "themes", "doi", "isbn",
    "publisher", "status", "public_url",
]
CASE_STUDY_CSV_HEADER = [
    "slug", "title", "country", "locality", "service_areas", "themes", "year_started",
    "year_ended", "source_publications", "status", "public_url",
]


def _csv_safe(value):
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is prefixed with '."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def publication_csv_row(pub, request=None):
    contributions = pub.contributions.all()  # the prefetched rows, in citation order, when loaded
    people = "; ".join(
        f"{c.contributor.family_name}, {c.contributor.given_name} ({c.get_role_display().lower()})"
        if c.contributor.given_name
        else f"{c.contributor.family_name} ({c.get_role_display().lower()})"
        for c in contributions
    )
    themes = "; ".join(t.name for t in pub.themes.all())
    row = [
        pub.slug, pub.title, pub.subtitle, pub.get_kind_display(), pub.year, people, themes, pub.doi,
        pub.isbn, pub.publisher, pub.get_status_display(), public_url(pub, request),
    ]
    return [_csv_safe(v) for v in row]


def case_study_csv_row(case, request=None):
    row = [
        case.slug,
        case.title,
        case.country.name if case.country else "",
        case.locality,
        "; ".join(a.name for a in case.service_areas.all()),
        "; ".join(t.name for t in case.themes.all()),
        case.year_started or "",
        case.year_ended or ("ongoing" if case.is_ongoing else ""),
        "; ".join(p.slug for p in case.source_publications.all()),
        case.get_status_display(),
        public_url(case, request),
    ]
    return [_csv_safe(v) for v in row]


def _csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def publications_csv(objs, request=None):
    """Header and one row per publication. Pass `for_listing()` objects to avoid extra queries."""
    return _csv(PUBLICATION_CSV_HEADER, (publication_csv_row(p, request) for p in objs))


def case_studies_csv(objs, request=None):
    """Header and one row per case study (prefetch service areas, themes, source publications)."""
    return _csv(CASE_STUDY_CSV_HEADER, (case_study_csv_row(c, request) for c in objs))
