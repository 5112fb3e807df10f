"""Metadata: EXIF date, camera, exposure and GPS, read without decoding the pixels.

Best effort: malformed, empty, NaN or zero-denominator values become None, never an error.
"""

from __future__ import annotations

import math
import os
import re
import struct
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

from PIL import ExifTags, Image

from auroravault.imaging.apple import content_identifier
from auroravault.imaging.formats import format_and_mime
from auroravault.imaging.results import ImageMeta

# --------------------------------------------------------------------------- metadata

_TAG_MAKE: Final = 0x010F
_TAG_MODEL: Final = 0x0110
_TAG_ORIENTATION: Final = 0x0112
_TAG_DATETIME: Final = 0x0132
_TAG_EXPOSURE_TIME: Final = 0x829A
_TAG_F_NUMBER: Final = 0x829D
_TAG_ISO: Final = 0x8827
_TAG_DATETIME_ORIGINAL: Final = 0x9003
_TAG_OFFSET_TIME: Final = 0x9010
_TAG_OFFSET_TIME_ORIGINAL: Final = 0x9011
_TAG_FOCAL_LENGTH: Final = 0x920A
_TAG_LENS_MODEL: Final = 0xA434
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON, _GPS_ALT_REF, _GPS_ALT = 1, 2, 3, 4, 5, 6
_MAX_TEXT: Final = 200
_DATETIME_RE: Final = re.compile(r"^\s*(\d{4})[:\-/.](\d{2})[:\-/.](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET_RE: Final = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


def _png_exif_chunk(src: Path, limit: int = 4 * 1024 * 1024) -> bytes | None:
    """Return a PNG's eXIf chunk by walking chunk headers, without decoding IDAT.

    Pillow only sees an eXIf chunk that follows the image data after a full decode, and
    ``probe`` must not decode. Returns None when absent, oversized or the file is malformed.
    """
    with open(src, "rb") as fh:
        if fh.read(8) != b"\x89PNG\r\n\x1a\n":
            return None
        while True:
            header = fh.read(8)
            if len(header) < 8:
                return None
            length, kind = struct.unpack(">I4s", header)
            if kind == b"eXIf":
                return fh.read(length) if length <= limit else None
            if kind == b"IEND":
                return None
            fh.seek(length + 4, os.SEEK_CUR)  # data + CRC


def _read_exif(im: Image.Image, src: Path) -> Image.Exif:
    """The image's EXIF, or an empty Exif when it has none or it is unreadable."""
    try:
        if im.format == "PNG" and "exif" not in im.info:
            exif = Image.Exif()
            raw = _png_exif_chunk(src)
            if raw:
                exif.load(raw)
            return exif
        return im.getexif()
    except Exception:  # metadata is best effort: any parse failure means "no EXIF"
        return Image.Exif()


def _sub_ifd(exif: Image.Exif, ifd: ExifTags.IFD) -> Mapping[int, Any]:
    try:
        return exif.get_ifd(ifd)
    except Exception:  # bad IFD offsets and the like: treat the sub-IFD as absent
        return {}


def _text(value: Any) -> str | None:
    """A clean EXIF string: C-string semantics (cut at NUL), trimmed, no control characters."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 \t\r\n").split("\x00", 1)[0]
    value = "".join(ch for ch in value if ch >= " " and ch != "\x7f").strip()
    return value[:_MAX_TEXT] or None


def _number(value: Any) -> float | None:
    """A finite float from an EXIF number/rational (first of a sequence), else None."""
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    if value is None or isinstance(value, str | bytes):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _positive(value: Any, upper: float) -> float | None:
    number = _number(value)
    return number if number is not None and 0 < number < upper else None


def _iso(value: Any) -> int | None:
    number = _positive(value, 10_000_000)
    return round(number) if number is not None else None


def _parse_datetime(raw: Any, raw_offset: Any) -> datetime | None:
    """Parse an EXIF ``YYYY:MM:DD HH:MM:SS`` (+ ``±HH:MM`` offset) into a datetime."""
    text = _text(raw)
    match = _DATETIME_RE.match(text) if text else None
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:  # "0000:00:00 00:00:00", month 13, ...
        return None
    offset_text = _text(raw_offset)
    offset = _OFFSET_RE.match(offset_text) if offset_text else None
    if offset is not None:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta < timedelta(hours=24):
            value = value.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    return value


def _coordinate(value: Any, ref: Any, negative_ref: str, limit: float) -> float | None:
    """Degrees/minutes/seconds (or plain degrees) plus hemisphere ref -> signed decimal degrees."""
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    numbers = [_number(part) for part in parts]
    if any(n is None or n < 0 for n in numbers):
        return None
    degrees = sum(n / 60**i for i, n in enumerate(numbers) if n is not None)
    if degrees > limit:
        return None
    ref_text = (_text(ref) or "").upper()
    return round(-degrees if ref_text.startswith(negative_ref) else degrees, 7)


def _gps(gps: Mapping[int, Any]) -> tuple[float | None, float | None, float | None]:
    """(lat, lon, alt) from a GPS IFD; all None without a usable position.

    (0, 0) is treated as no position: it is what cameras write before they get a fix.
    """
    lat = _coordinate(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "S", 90.0)
    lon = _coordinate(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "W", 180.0)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None, None, None
    alt = _number(gps.get(_GPS_ALT))
    ref = gps.get(_GPS_ALT_REF)
    below = ref[:1] == b"\x01" if isinstance(ref, bytes) else ref == 1
    if alt is not None and below:
        alt = -alt
    return lat, lon, alt


def _orientation(exif: Mapping[int, Any]) -> int | None:
    value = exif.get(_TAG_ORIENTATION)
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


_TAG_MAKER_NOTE = 0x927C


def read_meta(im: Image.Image, src: Path, head: bytes, stored: tuple[int, int]) -> ImageMeta:
    """Build ImageMeta from the header and EXIF; never raises on bad metadata."""
    fmt, mime = format_and_mime(im, head)
    exif = _read_exif(im, src)
    sub = _sub_ifd(exif, ExifTags.IFD.Exif)
    orientation = _orientation(exif)
    width, height = stored
    if orientation is not None and orientation >= 5 and fmt != "HEIF":
        width, height = height, width
    taken_at = _parse_datetime(sub.get(_TAG_DATETIME_ORIGINAL), sub.get(_TAG_OFFSET_TIME_ORIGINAL))
    source: str | None = "exif_original" if taken_at else None
    if taken_at is None:
        taken_at = _parse_datetime(exif.get(_TAG_DATETIME), sub.get(_TAG_OFFSET_TIME))
        source = "exif_datetime" if taken_at else None
    lat, lon, alt = _gps(_sub_ifd(exif, ExifTags.IFD.GPSInfo))
    return ImageMeta(
        format=fmt,
        mime=mime,
        width=width,
        height=height,
        orientation=orientation,
        taken_at=taken_at,
        taken_at_source=source,
        camera_make=_text(exif.get(_TAG_MAKE)),
        camera_model=_text(exif.get(_TAG_MODEL)),
        lens=_text(sub.get(_TAG_LENS_MODEL)),
        f_number=_positive(sub.get(_TAG_F_NUMBER), 1000),
        exposure_time=_positive(sub.get(_TAG_EXPOSURE_TIME), 100_000),
        iso=_iso(sub.get(_TAG_ISO)),
        focal_length=_positive(sub.get(_TAG_FOCAL_LENGTH), 100_000),
        lat=lat,
        lon=lon,
        alt=alt,
        content_identifier=content_identifier(sub.get(_TAG_MAKER_NOTE)),
    )
