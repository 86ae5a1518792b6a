"""Importing publications from BibTeX and RIS files.

Two steps, so nothing is saved until an editor has seen what will happen:

1. `parse_file()` reads the file into plain dictionaries (one per entry, with per-entry error
   messages) and `build_preview()` adds what the import would do: duplicates of existing or
   earlier entries, and how each person would be matched (by ORCID iD, then by normalised name,
   or created). The entries are plain JSON-friendly data, so the admin can sign them and carry
   them to the second step unchanged.
2. `import_entries()` creates the chosen entries as drafts, all in one transaction: either every
   chosen entry is saved or none is.
"""

import re
import unicodedata

import bibtexparser
import rispy
from bibtexparser import middlewares
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify

from inlogov.identifiers import normalize_doi, normalize_isbn, normalize_orcid
from inlogov.publishing import Status, year_bounds
from people.models import Contributor
from publications.models import Publication, PublicationContributor

AUTHOR = PublicationContributor.Role.AUTHOR
EDITOR = PublicationContributor.Role.EDITOR
Kind = Publication.Kind

BIBTEX_KINDS = {
    "article": Kind.JOURNAL_ARTICLE,
    "book": Kind.BOOK,
    "collection": Kind.EDITED_BOOK,
    "proceedings": Kind.EDITED_BOOK,
    "incollection": Kind.CHAPTER,
    "inbook": Kind.CHAPTER,
    "inproceedings": Kind.CHAPTER,
    "techreport": Kind.REPORT,
    "report": Kind.REPORT,
    "unpublished": Kind.WORKING_PAPER,
}
RIS_KINDS = {
    "BOOK": Kind.BOOK,
    "EDBOOK": Kind.EDITED_BOOK,
    "CHAP": Kind.CHAPTER,
    "JOUR": Kind.JOURNAL_ARTICLE,
    "JFULL": Kind.JOURNAL_ARTICLE,
    "MGZN": Kind.JOURNAL_ARTICLE,
    "RPRT": Kind.REPORT,
    "UNPB": Kind.WORKING_PAPER,
}
# Field lengths of Publication, so an over-long value is reported instead of failing the save.
_LIMITS = {
    f.name: f.max_length
    for f in Publication._meta.get_fields()
    if getattr(f, "max_length", None) and f.name not in {"slug", "doi", "isbn"}
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing in it can be imported."""


def normalise_name(text):
    """'Löffler, Elke' and 'loeffler elke' both become 'loeffler elke'.

    German umlauts fold to their two-letter spelling (ö -> oe), as names are commonly written
    that way in English-language records; other accents are dropped.
    """
    text = (text or "").casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def normalise_title(text):
    return normalise_name(text)


def person_key(given, family):
    return normalise_name(f"{given} {family}")


# --- reading files -----------------------------------------------------------------------------


def decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. Export it again from your reference manager as "
            "UTF-8 (Unicode) and upload it again."
        ) from None


def parse_file(filename, data):
    """Return a list of entry dictionaries; raise ImportFileError if the file is unusable."""
    text = decode(data)
    name = (filename or "").lower()
    if name.endswith(".ris") or (not name.endswith(".bib") and re.search(r"^TY  - ", text, re.M)):
        entries = parse_ris(text)
    else:
        entries = parse_bibtex(text)
    if not entries:
        raise ImportFileError(
            "No entries were found in this file. Upload a BibTeX (.bib) or RIS (.ris) file "
            "exported from a reference manager."
        )
    if not any(not entry["errors"] for entry in entries):
        raise ImportFileError(
            "None of the entries in this file could be read, so nothing can be imported: "
            + " ".join(f"{entry['ref']}: {' '.join(entry['errors'])}" for entry in entries[:5])
        )
    return entries


def _entry(ref, kind, fields, people, errors):
    fields = {key: value for key, value in fields.items() if value not in (None, "")}
    errors = list(errors)
    title = fields.get("title", "")
    if not title:
        errors.append("It has no title.")
    year = fields.get("year")
    low, high = year_bounds()
    if year is None:
        errors.append("It has no year of publication.")
    elif not low <= year <= high:
        errors.append(f"Its year {year} is outside {low}-{high}.")
    for key, value in fields.items():
        limit = _LIMITS.get(key)
        if limit and isinstance(value, str) and len(value) > limit:
            errors.append(f"Its {key.replace('_', ' ')} is longer than {limit} characters.")
    if not errors:
        errors.extend(_model_errors(kind, fields))
    return {"ref": ref, "kind": kind, "fields": fields, "people": people, "errors": errors}


def _model_errors(kind, fields):
    """The model's own field checks (URL format, choices...), as messages for the preview."""
    try:
        Publication(kind=kind, slug="preview", **fields).full_clean(
            exclude=["slug"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return [
            f"{Publication._meta.get_field(name).verbose_name.capitalize()}: {message}"
            if name in fields or name == "kind"
            else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _identifiers(raw_doi, raw_isbn, errors):
    doi = isbn = ""
    try:
        doi = normalize_doi(raw_doi)
    except ValidationError:
        errors.append(f"Its DOI “{raw_doi}” is not a valid DOI.")
    try:
        isbn = normalize_isbn(raw_isbn)
    except ValidationError:
        errors.append(f"Its ISBN “{raw_isbn}” is not a valid ISBN.")
    return doi, isbn


def _year(raw, errors):
    match = re.search(r"\b(\d{4})\b", raw or "")
    if raw and not match:
        errors.append(f"Its year “{raw}” is not a year.")
    return int(match.group(1)) if match else None


def _abstract(raw):
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw or "") if p.strip()]
    return "".join(f"<p>{escape(' '.join(p.split()))}</p>" for p in paragraphs)


def _pages(raw):
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", raw or "").strip()


def parse_bibtex(text):
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    found = []
    for block in library.entries:
        found.append((block.start_line, _bibtex_entry(block)))
    for block in library.failed_blocks:
        key = getattr(block, "key", None) or _guess_key(block.raw)
        label = f"entry {key}" if key else "an entry"
        found.append(
            (
                block.start_line,
                {
                    "ref": f"{label} at line {block.start_line + 1}",
                    "kind": "",
                    "fields": {},
                    "people": [],
                    "errors": [
                        "It is not valid BibTeX (check for an unclosed brace or a missing comma) "
                        "and was skipped."
                    ],
                },
            )
        )
    found.sort(key=lambda item: item[0])
    return [entry for _, entry in found]


def _guess_key(raw):
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw or "")
    return match.group(1) if match else ""


def _bibtex_people(value, role):
    people = []
    for name in value if isinstance(value, list) else []:
        given = " ".join(name.first).strip()
        family = " ".join([*name.von, *name.last, *name.jr]).strip()
        if family:
            people.append({"given": given, "family": family, "orcid": "", "role": role})
    return people


def _bibtex_orcids(raw, people, errors):
    """Web of Science style: orcid-numbers = {Family, Given/0000-0002-...; ...}."""
    for part in filter(None, (p.strip() for p in (raw or "").split(";"))):
        name, _, orcid = part.rpartition("/")
        try:
            orcid = normalize_orcid(orcid)
        except ValidationError:
            errors.append(f"The ORCID iD in “{part}” is not valid; it was ignored.")
            continue
        family, _, given = name.partition(",")
        key = person_key(given.strip(), family.strip())
        for person in people:
            if person_key(person["given"], person["family"]) == key:
                person["orcid"] = orcid


def _bibtex_entry(block):
    values = {key.lower(): field.value for key, field in block.fields_dict.items()}

    def text(*keys):
        for key in keys:
            value = values.get(key)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    errors = []
    authors = _bibtex_people(values.get("author"), AUTHOR)
    editors = _bibtex_people(values.get("editor"), EDITOR)
    kind = BIBTEX_KINDS.get(block.entry_type.lower(), Kind.OTHER)
    if kind == Kind.BOOK and editors and not authors:
        kind = Kind.EDITED_BOOK
    people = authors + editors
    _bibtex_orcids(text("orcid-numbers", "orcid"), people, errors)
    doi, isbn = _identifiers(text("doi"), text("isbn"), errors)
    container = text("journal", "journaltitle") if kind == Kind.JOURNAL_ARTICLE else text("booktitle")
    fields = {
        "title": text("title"),
        "subtitle": text("subtitle"),
        "year": _year(text("year") or text("date"), errors),
        "publisher": text("publisher", "institution", "organization"),
        "place": text("address", "location"),
        "container_title": container,
        "volume": text("volume"),
        "issue": text("number", "issue"),
        "pages": _pages(text("pages")),
        "edition": text("edition"),
        "doi": doi,
        "isbn": isbn,
        "url": text("url"),
        "abstract": _abstract(values.get("abstract") if isinstance(values.get("abstract"), str) else ""),
    }
    ref = f"entry {block.key} at line {block.start_line + 1}"
    return _entry(ref, kind, fields, people, errors)


_RIS_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")
_RIS_RECORD = re.compile(r"^TY  - .*?(?:^ER  -[^\n]*$|\Z)", re.M | re.S)


def parse_ris(text):
    """Split the file into records first, so that one broken record is reported on its own."""
    entries = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, match in enumerate(_RIS_RECORD.finditer(text), start=1):
        record = match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        ref = f"record {number} at line {line}"
        if not re.search(r"^ER  -", record, re.M):
            entries.append(_broken(ref, "It does not end with an “ER  -” line; the file may be cut short."))
            continue
        stray = [
            line.strip()
            for line in record.splitlines()
            if line.strip() and not _RIS_TAG_LINE.match(line)
        ]
        if stray:
            entries.append(
                _broken(
                    ref,
                    "It has lines that are not RIS tags (each line must start with a two-letter "
                    f"tag, two spaces, a hyphen and a space), e.g. “{stray[0][:80]}”; it was skipped.",
                )
            )
            continue
        try:
            parsed = rispy.loads(record)
        except Exception:  # rispy raises plain IOError/ValueError subclasses on bad records
            entries.append(_broken(ref, "It is not valid RIS and was skipped."))
            continue
        if len(parsed) != 1:
            entries.append(_broken(ref, "It is not valid RIS and was skipped."))
            continue
        entries.append(_ris_entry(ref, parsed[0]))
    return entries


def _broken(ref, message):
    return {"ref": ref, "kind": "", "fields": {}, "people": [], "errors": [message]}


def _ris_people(names, role):
    people = []
    for raw in names or []:
        family, _, given = raw.partition(",")
        family, given = family.strip(), given.strip()
        if family:
            people.append({"given": given, "family": family, "orcid": "", "role": role})
    return people


def _ris_entry(ref, record):
    errors = []
    unknown = record.get("unknown_tag") or {}

    def text(*keys):
        for key in keys:
            value = record.get(key)
            if isinstance(value, list):
                value = value[0] if value else ""
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    kind = RIS_KINDS.get((record.get("type_of_reference") or "").upper(), Kind.OTHER)
    authors = _ris_people(record.get("authors") or record.get("first_authors"), AUTHOR)
    editors = _ris_people((record.get("secondary_authors") or []) + list(unknown.get("ED", [])), EDITOR)
    if kind == Kind.BOOK and editors and not authors:
        kind = Kind.EDITED_BOOK
    raw_sn = text("issn")
    # SN holds an ISBN for books and chapters but an ISSN for journals: keep only ISBNs.
    isbn_raw = raw_sn if len(re.sub(r"[^0-9Xx]", "", raw_sn)) in (10, 13) else ""
    doi, isbn = _identifiers(text("doi"), isbn_raw, errors)
    start, end = text("start_page"), text("end_page")
    container = text("secondary_title", "journal_name", "alternate_title3", "alternate_title1")
    fields = {
        "title": text("title", "primary_title"),
        "year": _year(text("year", "publication_year", "date"), errors),
        "publisher": text("publisher"),
        "place": text("place_published"),
        "container_title": container if kind != Kind.BOOK else "",
        "volume": text("volume"),
        "issue": text("number"),
        "pages": f"{start}-{end}" if start and end else start,
        "edition": text("edition"),
        "doi": doi,
        "isbn": isbn,
        "url": text("urls"),
        "abstract": _abstract(text("abstract", "notes_abstract")),
    }
    return _entry(ref, kind, fields, authors + editors, errors)


# --- preview ----------------------------------------------------------------------------------


class ContributorMatcher:
    """Finds existing contributors by ORCID iD, then by normalised name (two queries in all)."""

    def __init__(self):
        self.by_orcid = {}
        self.by_name = {}
        for person in Contributor.objects.only("pk", "given_name", "family_name", "display_name", "orcid"):
            if person.orcid:
                self.by_orcid.setdefault(person.orcid, person)
            self.by_name.setdefault(person_key(person.given_name, person.family_name), person)
            if person.display_name:
                self.by_name.setdefault(normalise_name(person.display_name), person)

    def match(self, person):
        """Return (contributor or None, how) where how is 'orcid', 'name' or 'new'."""
        if person.get("orcid") and person["orcid"] in self.by_orcid:
            return self.by_orcid[person["orcid"]], "orcid"
        found = self.by_name.get(person_key(person["given"], person["family"]))
        if found is not None and (not person.get("orcid") or not found.orcid):
            return found, "name"
        return None, "new"


def _duplicate_reasons(fields, seen):
    reasons = []
    if fields.get("doi"):
        hit = Publication.objects.filter(doi=fields["doi"]).first() or seen["doi"].get(fields["doi"])
        if hit is not None:
            reasons.append(f"Same DOI as “{hit}”.")
    if fields.get("isbn"):
        hit = Publication.objects.filter(isbn=fields["isbn"]).first() or seen["isbn"].get(fields["isbn"])
        if hit is not None:
            reasons.append(f"Same ISBN as “{hit}”.")
    key = (normalise_title(fields.get("title")), fields.get("year"))
    hit = seen["existing_titles"].get(key) or seen["title"].get(key)
    if hit is not None:
        reasons.append(f"Same title and year as “{hit}”.")
    return reasons


def build_preview(entries):
    """Add to each valid entry `duplicates` (reasons) and `matches` (one line per person).

    Entries with errors are left as they are: they cannot be imported.
    """
    matcher = ContributorMatcher()
    years = {entry["fields"].get("year") for entry in entries if not entry["errors"]}
    existing_titles = {
        (normalise_title(pub.title), pub.year): pub
        for pub in Publication.objects.filter(year__in=years).only("title", "subtitle", "year")
    }
    seen = {"doi": {}, "isbn": {}, "title": {}, "existing_titles": existing_titles}
    for entry in entries:
        if entry["errors"]:
            continue
        fields = entry["fields"]
        entry["duplicates"] = _duplicate_reasons(fields, seen)
        label = fields["title"]
        if fields.get("doi"):
            seen["doi"].setdefault(fields["doi"], label)
        if fields.get("isbn"):
            seen["isbn"].setdefault(fields["isbn"], label)
        seen["title"].setdefault((normalise_title(fields["title"]), fields["year"]), label)
        entry["matches"] = []
        for person in entry["people"]:
            contributor, how = matcher.match(person)
            name = " ".join(p for p in (person["given"], person["family"]) if p)
            role = PublicationContributor.Role(person["role"]).label.lower()
            if how == "orcid":
                line = f"{name} ({role}): matched by ORCID iD to {contributor}"
            elif how == "name":
                line = f"{name} ({role}): matched by name to {contributor}"
            else:
                line = f"{name} ({role}): new contributor, created as a draft"
            entry["matches"].append(line)
    return entries


# --- saving -------------------------------------------------------------------------------------


def _unique_slug(base, taken, model, max_length):
    base = (slugify(base)[: max_length - 8].strip("-")) or "item"
    slug, n = base, 2
    while slug in taken or model.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


def import_entries(entries, chosen, user=None):
    """Create the entries at the indexes in `chosen` as draft publications, in one transaction.

    Contributors are matched as the preview described (re-checked now, in case someone added a
    person meanwhile); people not found are created once, as drafts, and credited in the order
    the file lists them. Returns the new publications in file order.
    """
    chosen = sorted({int(i) for i in chosen if 0 <= int(i) < len(entries)})
    created = []
    with transaction.atomic():
        matcher = ContributorMatcher()
        new_people = {}
        slugs = set()
        for index in chosen:
            entry = entries[index]
            if entry["errors"]:
                continue
            fields = dict(entry["fields"])
            publication = Publication(
                kind=entry["kind"],
                status=Status.DRAFT,
                slug=_unique_slug(fields["title"], slugs, Publication, 200),
                **fields,
            )
            publication._history_user = user
            publication.full_clean(exclude=["slug"])
            publication.save()
            credited = set()
            for position, person in enumerate(entry["people"]):
                contributor, how = matcher.match(person)
                key = person_key(person["given"], person["family"])
                if contributor is None:
                    contributor = new_people.get(key)
                if contributor is None:
                    contributor = Contributor(
                        given_name=person["given"][:100],
                        family_name=person["family"][:100],
                        orcid=person.get("orcid", ""),
                        status=Status.DRAFT,
                        slug=_unique_slug(f"{person['given']} {person['family']}", slugs, Contributor, 120),
                    )
                    contributor._history_user = user
                    contributor.save()
                    new_people[key] = contributor
                if (contributor.pk, person["role"]) in credited:
                    continue
                credited.add((contributor.pk, person["role"]))
                contribution = PublicationContributor(
                    publication=publication, contributor=contributor, role=person["role"], position=position
                )
                contribution._history_user = user
                contribution.save()
            created.append(publication)
    return created
