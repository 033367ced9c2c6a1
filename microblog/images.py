"""Uploaded pictures, decoded and encoded again by Pillow before anything keeps them.

A file that says it is a picture may be anything: an HTML page with a ``.png`` name
(which a browser that sniffs would run as a page of ours), a picture with the
author's home in its EXIF GPS fields, or a "decompression bomb", a few kilobytes of
PNG that unpack to gigabytes of pixels. So an upload is never stored as it came:

1. Pillow reads the header with the decoders of the four formats we take and no
   others (no EPS, whose decoder runs Ghostscript), and we refuse more than
   ``UPLOAD_MAX_PIXELS`` pixels *before* a single one is decoded. Pillow's own guard
   (``Image.MAX_IMAGE_PIXELS``, set to the same limit by :func:`init_app`, its warning
   made an error here) stands behind that check.
2. The first frame is decoded, turned the way the camera's EXIF orientation says,
   shrunk to ``UPLOAD_MAX_SIDE`` (or cut square for an avatar) and copied into a new,
   empty image: only pixels cross over, no EXIF, no ICC profile, no text chunks.
3. That image is encoded afresh: JPEG stays JPEG, WebP stays WebP, PNG and GIF
   become PNG (a GIF's first frame). What is stored is always what we wrote.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from microblog.errors import ValidationError

# What we accept (Pillow's format names) → what we write: format, Content-Type, extension.
FORMATS = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "PNG": ("PNG", "image/png", "png"),
    "GIF": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
}
CONTENT_TYPES = {extension: content_type for _format, content_type, extension in FORMATS.values()}
ENCODER_OPTIONS = {"JPEG": {"quality": 85}, "PNG": {}, "WEBP": {"quality": 85}}
ACCEPTED = ", ".join(sorted({"image/jpeg", "image/png", "image/gif", "image/webp"}))


def not_a_picture() -> ValidationError:
    return ValidationError(_("That file is not a picture we can read. Upload a JPEG, PNG, "
                             "GIF or WebP image."), "image")


@dataclass(frozen=True)
class Picture:
    """An image as we encoded it: the bytes to store and what they are."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def init_app(app: Flask) -> None:
    """Pillow's own decompression-bomb guard, at our limit. It is the process's (a
    setting of Pillow, not of an app): every app in a process should agree on it."""
    Image.MAX_IMAGE_PIXELS = app.config["UPLOAD_MAX_PIXELS"]


def too_many_pixels(max_pixels: int) -> ValidationError:
    return ValidationError(
        _("That picture has too many pixels: at most %(max)s million are accepted.",
          max=format_decimal(max_pixels / 1_000_000)), "image")


def reencode(data: bytes, *, max_pixels: int, max_side: int | None = None,
             square: int | None = None) -> Picture:
    """``data`` as a picture we wrote ourselves, or ValidationError (field ``image``)
    saying why not. ``square``: cut to a centred square that many pixels wide (an
    avatar); else ``max_side`` bounds the longer side."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels(max_pixels) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise not_a_picture() from None
        with image:
            if image.width * image.height > max_pixels:
                raise too_many_pixels(max_pixels)
            output_format, content_type, extension = FORMATS[image.format]
            try:
                pixels = _decoded(image, keep_alpha=output_format != "JPEG")
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise too_many_pixels(max_pixels) from None
            except (OSError, SyntaxError, ValueError, EOFError):
                raise not_a_picture() from None
    if square:
        pixels = ImageOps.fit(pixels, (square, square), Image.Resampling.LANCZOS)
    elif max_side and max(pixels.size) > max_side:
        pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image with nothing but the pixels: no EXIF, ICC profile or text survives.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    encoded = io.BytesIO()
    clean.save(encoded, output_format, **ENCODER_OPTIONS[output_format])
    return Picture(encoded.getvalue(), content_type, extension, clean.width, clean.height)


def _decoded(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """The first frame's pixels, turned upright, in RGB (or RGBA where it is
    transparent and the format can keep that)."""
    image.seek(0)
    image.load()
    upright = ImageOps.exif_transpose(image)
    transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    return upright.convert("RGBA" if transparent and keep_alpha else "RGB")
