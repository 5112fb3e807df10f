"""JPEGs made in the test with the EXIF a camera writes: capture time, its offset, GPS."""

from __future__ import annotations

import io
from fractions import Fraction

from PIL import ExifTags, Image


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(10_000)


def jpeg(
    *,
    taken: str | None = "2019:07:14 12:00:00",
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
    color: tuple[int, int, int] = (40, 120, 200),
) -> bytes:
    """A small JPEG; ``taken`` is DateTimeOriginal, ``offset`` OffsetTimeOriginal, ``gps`` (lat, lon)."""
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if taken:
        sub[0x9003] = taken
    if offset:
        sub[0x9011] = offset
    if gps:
        lat, lon = gps
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[1], info[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        info[3], info[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG", exif=exif)
    return out.getvalue()
