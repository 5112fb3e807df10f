"""What the imaging package hands back: image metadata, the processed result, rejections."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import msgspec

from auroravault.errors import PermanentJobError

RejectCode = Literal["corrupt_image", "unsupported_format", "image_too_large"]


class ImageRejected(PermanentJobError):
    """The bytes are not a photo we can process; retrying cannot help.

    ``code`` is one of ``corrupt_image``, ``unsupported_format``, ``image_too_large``.
    """

    status = 422
    title = "Image rejected"

    def __init__(self, code: RejectCode, detail: str) -> None:
        super().__init__(code, detail)


class ImageMeta(msgspec.Struct, kw_only=True):
    """What we know about a photo without looking at its pixels."""

    format: str  # "JPEG", "HEIF", "PNG", "WEBP", ... detected from the bytes
    mime: str  # "image/jpeg", "image/heic", ...
    width: int  # as displayed (orientation applied)
    height: int
    orientation: int | None = None  # EXIF orientation 1..8 as found; None if absent or invalid
    taken_at: datetime | None = None  # aware when the EXIF carries an offset, naive otherwise
    taken_at_source: str | None = None  # "exif_original" | "exif_datetime" | None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    f_number: float | None = None
    exposure_time: float | None = None  # seconds
    iso: int | None = None
    focal_length: float | None = None  # millimetres
    lat: float | None = None  # decimal degrees, south negative
    lon: float | None = None  # decimal degrees, west negative
    alt: float | None = None  # metres, negative below sea level
    content_identifier: str | None = None  # Apple's Live Photo pairing id (MakerNote or QuickTime key)


class Damage(msgspec.Struct, kw_only=True):
    """What is wrong with an image that was still processed: ``truncated`` (the file is cut off;
    the variants show what it holds)."""

    code: Literal["truncated"]
    detail: str


class ProcessedImage(msgspec.Struct, kw_only=True):
    """The result of ``process_image``: metadata plus the two variant files it wrote."""

    meta: ImageMeta
    thumb_path: Path
    thumb_width: int
    thumb_height: int
    preview_path: Path
    preview_width: int
    preview_height: int
    thumbhash: str  # standard base64 of the ThumbHash bytes
    dhash: str  # the thumb's perceptual hash (imaging/perceptual), 16 hex digits
    thumb_bytes: int  # file sizes of the two variants, for the owner's used_bytes
    preview_bytes: int
    damage: Damage | None = None
