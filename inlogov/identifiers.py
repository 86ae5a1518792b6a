"""Scholarly identifiers: ORCID iD, DOI and ISBN.

Each has a `normalize_*` function giving the one canonical stored form (or raising
ValidationError with a message an editor understands) and a model field that applies it on
every save, so the database never holds a second spelling of the same identifier.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models

ORCID_RE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_ORCID_PREFIX = re.compile(r"^(https?://)?(www\.)?orcid\.org/", re.I)
_DOI_PREFIX = re.compile(r"^(https?://)?(dx\.)?doi\.org/|^doi:\s*", re.I)


def orcid_check_digit(base_digits):
    """ISO 7064 MOD 11-2 check character for the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_orcid(value):
    """'https://orcid.org/0000-0002-1825-0097' -> '0000-0002-1825-0097'."""
    value = (value or "").strip()
    if not value:
        return ""
    bare = _ORCID_PREFIX.sub("", value).upper()
    match = ORCID_RE.match(bare)
    if not match:
        raise ValidationError(
            "Enter an ORCID iD as 16 characters in four groups, e.g. 0000-0002-1825-0097.",
            code="invalid_orcid",
        )
    digits = "".join(match.groups())
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            "This ORCID iD's check digit is wrong: please copy it again from orcid.org.",
            code="invalid_orcid_checksum",
        )
    return "-".join(match.groups())


def normalize_doi(value):
    """'https://doi.org/10.1007/978-3-030-53705-0' -> '10.1007/978-3-030-53705-0'.

    DOIs are case-insensitive, so they are stored in lower case for duplicate detection.
    """
    value = (value or "").strip()
    if not value:
        return ""
    bare = _DOI_PREFIX.sub("", value).strip().lower()
    if not DOI_RE.match(bare) or len(bare) > 200:
        raise ValidationError(
            "Enter a DOI beginning with 10., e.g. 10.1007/978-3-030-53705-0 "
            "(a https://doi.org/ link is accepted too).",
            code="invalid_doi",
        )
    return bare


def isbn10_check(digits9):
    total = sum((10 - i) * int(d) for i, d in enumerate(digits9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check(digits12):
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits12))
    return str((10 - total % 10) % 10)


def normalize_isbn(value):
    """Any valid ISBN-10 or ISBN-13, with or without hyphens -> 13 digits, no hyphens."""
    value = (value or "").strip()
    if not value:
        return ""
    compact = re.sub(r"[\s-]", "", value).upper()
    if compact.startswith("ISBN"):
        compact = compact[4:].lstrip(":")
    if re.fullmatch(r"\d{9}[\dX]", compact):
        if isbn10_check(compact[:9]) != compact[9]:
            raise ValidationError("This ISBN-10's check digit is wrong.", code="invalid_isbn_checksum")
        base = "978" + compact[:9]
        return base + isbn13_check(base)
    if re.fullmatch(r"97[89]\d{10}", compact):
        if isbn13_check(compact[:12]) != compact[12]:
            raise ValidationError("This ISBN-13's check digit is wrong.", code="invalid_isbn_checksum")
        return compact
    raise ValidationError(
        "Enter an ISBN of 10 or 13 digits, e.g. 978-1-910029-78-7.", code="invalid_isbn"
    )


class _NormalizedCharField(models.CharField):
    normalizer = staticmethod(lambda value: value)

    def to_python(self, value):
        return self.normalizer(super().to_python(value) or "")

    def pre_save(self, model_instance, add):
        # Normalise on every save, not only in forms: imports and scripts go through here too.
        value = self.normalizer(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value


class OrcidField(_NormalizedCharField):
    normalizer = staticmethod(normalize_orcid)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 19)
        super().__init__(*args, **kwargs)


class DoiField(_NormalizedCharField):
    normalizer = staticmethod(normalize_doi)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


class IsbnField(_NormalizedCharField):
    normalizer = staticmethod(normalize_isbn)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 13)
        super().__init__(*args, **kwargs)
