"""Validation of uploaded images (cover images and portraits) by their content.

The file name and the browser's content type are not trusted: Pillow opens the bytes, and the
image must really be a JPEG, PNG or WebP of a sensible size. Each failure gets a message that
tells an editor what to do, naming the limit that was exceeded.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MIN_DIMENSION = 100  # pixels, on the shorter side: smaller pictures look broken on the site
MAX_DIMENSION = 6000  # pixels, on the longer side: larger ones are camera originals
# Pillow's decompression-bomb guard, made explicit: no image over this many pixels is decoded.
MAX_PIXELS = MAX_DIMENSION * MAX_DIMENSION


def validate_image(upload):
    """Raise ValidationError unless `upload` is a JPEG, PNG or WebP within the limits.

    `upload` is an uploaded file (or any file object with `size`, `seek` and `read`).
    """
    max_bytes = settings.IMAGE_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            "This file is %(size)s; images may be at most %(limit)s. Save it at a smaller size "
            "or with more compression and upload it again.",
            code="image_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    "This image is %(width)s x %(height)s pixels; the largest allowed is "
                    "%(max)s pixels on each side.",
                    code="image_too_many_pixels",
                    params={"width": width, "height": height, "max": MAX_DIMENSION},
                )
            # verify() reads the whole file and catches truncated or corrupted data.
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not an image that can be read. Upload a JPEG, PNG or WebP picture.",
            code="image_unreadable",
        ) from None
    finally:
        upload.seek(0)
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(
            "This is a %(kind)s image; upload a JPEG, PNG or WebP picture instead.",
            code="image_wrong_type",
            params={"kind": kind or "unknown"},
        )
    if max(width, height) > MAX_DIMENSION:
        raise ValidationError(
            "This image is %(width)s x %(height)s pixels; the largest allowed is %(max)s pixels "
            "on each side. Resize it and upload it again.",
            code="image_too_wide",
            params={"width": width, "height": height, "max": MAX_DIMENSION},
        )
    if min(width, height) < MIN_DIMENSION:
        raise ValidationError(
            "This image is %(width)s x %(height)s pixels; it must be at least %(min)s pixels on "
            "each side to look sharp on the site.",
            code="image_too_small",
            params={"width": width, "height": height, "min": MIN_DIMENSION},
        )
    return upload


def clean_image_with_alt(form, image_field, alt_field):
    """Form-level check shared by the admin forms: validate a new upload, and require alt text
    whenever an image is (or stays) attached."""
    image = form.cleaned_data.get(image_field)
    if image and hasattr(image, "content_type"):  # a new upload, not the stored file
        try:
            validate_image(image)
        except ValidationError as error:
            form.add_error(image_field, error)
            return
    alt = (form.cleaned_data.get(alt_field) or "").strip()
    if image and not alt:
        form.add_error(
            alt_field,
            ValidationError(
                "Describe the picture in a few words for people who cannot see it "
                "(alt text is required when an image is given).",
                code="alt_required",
            ),
        )
