"""Image processing: identify, read metadata, make the thumb and preview variants.

This is the only module in AuroraVault that imports Pillow (and pillow-heif). Everything
here is blocking and CPU-bound: callers run it in a worker thread. Functions share no
mutable state apart from the one-time plugin registration, so several may run at once.

Contracts
---------
* The format is detected from the bytes, never from the file name. Only the formats in
  ``_formats`` are ever tried (no EPS/PSD/... plugins, which widens the attack surface for
  nothing a family photo needs).
* Rejections are ``ImageRejected`` (a ``PermanentJobError``) with a stable code:

  - ``unsupported_format``: not an image we know (random bytes, an empty file, a PDF).
  - ``corrupt_image``: it looks like a JPEG/PNG/HEIF/... but cannot be decoded. Truncated
    JPEGs are corrupt: we never set ``ImageFile.LOAD_TRUNCATED_IMAGES``, because a photo with
    a grey lower half is worse than a clear error, and the user keeps the original anyway.
    A HEIF whose *primary* image decodes is fine even if a secondary image is cut off.
  - ``image_too_large``: width * height exceeds ``ImageSettings.max_pixels``. This is checked
    from the header, before a single pixel is decoded (decompression-bomb defence).

* Other errors (the file is missing, the disk is full while writing a variant) propagate
  unchanged: they are not the image's fault and the job may be retried.
* Metadata is best effort: malformed, empty, NaN or zero-denominator EXIF values become
  ``None`` and never fail the photo.
* Width and height are as *displayed*: the EXIF orientation is applied (for HEIF, pillow-heif
  already applied the container's rotation, so it is never applied twice).
* Variants never upscale: the thumb's short edge is ``min(thumb_size, short edge)`` and the
  preview's is ``min(preview_size, short edge)``. Both are sRGB, upright and carry no EXIF,
  XMP or ICC metadata (untagged means sRGB on the web). The thumb is WebP and keeps real
  transparency; the preview is JPEG with transparency composited on white.
"""

from __future__ import annotations

import base64
import contextlib
import math
import os
import re
import struct
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any, Final, Literal

import msgspec
from PIL import ExifTags, Image, ImageCms

from auroravault.config import ImageSettings
from auroravault.errors import PermanentJobError
from auroravault.thumbhash import thumbhash_encode

__all__ = ["ImageMeta", "ImageRejected", "ProcessedImage", "probe", "process_image", "register_heif"]

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
    thumb_bytes: int  # file sizes of the two variants, for the owner's used_bytes
    preview_bytes: int


# --------------------------------------------------------------------------- setup

# The Pillow format names Image.open may try, set once by register_heif(). Assigned as a whole
# tuple (never mutated) so a thread that sees it non-empty sees all of it.
_formats: tuple[str, ...] = ()
_init_lock = threading.Lock()
_MIME: Final = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "AVIF": "image/avif",
    "HEIF": "image/heif",
}
_HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_HEIF_BRANDS: Final = _HEIC_BRANDS | {b"mif1", b"msf1", b"avif", b"avis"}  # not mp4/mov brands


def register_heif() -> None:
    """Register pillow-heif and the Pillow plugins we use. Idempotent and thread-safe.

    Also sets ``Image.MAX_IMAGE_PIXELS = None``, once. Pillow's own bomb guard is a
    process-wide global: toggling it per call would race other worker threads, and its
    default (89 MP warning, 179 MP error) is below what phones shoot. Every image this module
    opens is instead checked against ``ImageSettings.max_pixels`` straight after the header is
    read and before any decoding, so the guard is stricter, not weaker.
    """
    global _formats
    if _formats:
        return
    with _init_lock:
        if _formats:
            return
        import pillow_heif
        from PIL import (  # noqa: F401
            GifImagePlugin,
            JpegImagePlugin,
            MpoImagePlugin,
            PngImagePlugin,
            TiffImagePlugin,
            WebPImagePlugin,
        )

        with contextlib.suppress(ImportError):  # AVIF is built into Pillow >= 11.2 only
            from PIL import AvifImagePlugin  # noqa: F401
        # We only ever decode the primary image: skip loading thumbnails, depth and aux images.
        pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
        Image.MAX_IMAGE_PIXELS = None
        wanted = ["JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF", "GIF", "TIFF"]
        # Image.open raises KeyError for a format without a registered opener: keep only real ones.
        _formats = tuple(f for f in wanted if f in Image.OPEN)


def _sniff(head: bytes) -> str | None:
    """Name the image family the magic bytes announce, or None. Used only to tell a damaged
    image (corrupt_image) from something that is not an image at all (unsupported_format)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "AVIF" if head[8:12] in (b"avif", b"avis") else "HEIF"
    return None


def _open(src: Path) -> tuple[Image.Image, bytes]:
    """Open ``src`` lazily (header only) and return it with its first 32 bytes.

    Raises ImageRejected for anything that is not an identifiable image of an allowed format.
    """
    register_heif()
    with open(src, "rb") as fh:  # a missing/unreadable file is an OSError, not a bad image
        head = fh.read(32)
    if not head:
        raise ImageRejected("unsupported_format", "the file is empty")
    try:
        im = Image.open(src, formats=_formats)
    except Image.DecompressionBombError as exc:  # only if someone re-enabled Pillow's guard
        raise ImageRejected("image_too_large", str(exc)) from exc
    except MemoryError:
        raise
    except Exception as exc:  # UnidentifiedImageError, or whatever a plugin raises on bad bytes
        family = _sniff(head)
        if family is None:
            raise ImageRejected("unsupported_format", "not a supported image format") from exc
        raise ImageRejected("corrupt_image", f"looks like {family} but cannot be read: {exc}") from exc
    return im, head


def _check_size(im: Image.Image, max_pixels: int) -> None:
    """Reject before decoding when the header announces too many pixels."""
    width, height = im.size
    if width <= 0 or height <= 0:
        raise ImageRejected("corrupt_image", f"invalid dimensions {width}x{height}")
    if width * height > max_pixels:
        raise ImageRejected(
            "image_too_large",
            f"{width}x{height} is {width * height} pixels, more than the limit of {max_pixels}",
        )


def _format_and_mime(im: Image.Image, head: bytes) -> tuple[str, str]:
    fmt = im.format or "UNKNOWN"
    if fmt == "MPO":  # a JPEG with extra frames (MPF); to everyone downstream it is a JPEG
        fmt = "JPEG"
    mime = _MIME.get(fmt, "application/octet-stream")
    if fmt == "HEIF" and head[8:12] in _HEIC_BRANDS:
        mime = "image/heic"
    return fmt, mime


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


def _read_meta(im: Image.Image, src: Path, head: bytes, stored: tuple[int, int]) -> ImageMeta:
    """Build ImageMeta from the header and EXIF; never raises on bad metadata."""
    fmt, mime = _format_and_mime(im, head)
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
    )


def probe(src: Path, max_pixels: int) -> ImageMeta:
    """Identify ``src`` and read its metadata without decoding the pixels.

    Raises ImageRejected (unsupported_format, corrupt_image when the header is damaged,
    image_too_large). A file that probes fine may still be corrupt_image in process_image.
    """
    im, head = _open(src)
    with im:
        _check_size(im, max_pixels)
        return _read_meta(im, src, head, im.size)


# --------------------------------------------------------------------------- pixels

_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_LANCZOS: Final = Image.Resampling.LANCZOS
# Image.resize(reducing_gap=g) first box-reduces by the integer factor floor(ratio / g), then
# Lanczos-filters the rest. For the preview we reduce as far as possible (g=1), which is what
# JPEG DCT scaling already does for JPEGs: a 12 MP HEIC preview comes out 2.6x faster and within
# 48 dB PSNR of a full Lanczos. The thumb (about 6x smaller than the preview) uses Pillow's own
# thumbnail() default g=2, which is indistinguishable from a full Lanczos at thumb size.
_PREVIEW_GAP: Final = 1.0
_THUMB_GAP: Final = 2.0
_WORKING_MODES: Final = frozenset({"RGB", "RGBA", "L", "LA", "CMYK"})


def _fit_short_edge(size: tuple[int, int], short_target: int) -> tuple[int, int]:
    """Scale ``size`` so its short edge is ``short_target``; never upscale."""
    width, height = size
    short = min(width, height)
    if short <= short_target:
        return size
    scale = short_target / short
    if width <= height:
        return short_target, max(1, round(height * scale))
    return max(1, round(width * scale)), short_target


def _decode(im: Image.Image, short_target: int) -> None:
    """Decode the pixels once. JPEGs are DCT-scaled while decoding (``draft``) to the smallest
    power-of-two reduction whose short edge is still >= ``short_target``: a 200 MP photo is
    decoded at 1/8 scale, about 1/64 of the memory and time.

    Raises ImageRejected("corrupt_image") when the data cannot be decoded (truncated, ...).
    """
    if im.format in ("JPEG", "MPO"):
        im.draft(None, (short_target, short_target))
    try:
        im.load()
    except MemoryError:
        raise
    except Exception as exc:  # decoders raise OSError, ValueError, SyntaxError, struct.error...
        raise ImageRejected("corrupt_image", f"{im.format} data cannot be decoded: {exc}") from exc


def _working_mode(im: Image.Image) -> Image.Image:
    """Return ``im`` in a mode that resizes and colour-manages correctly (RGB, RGBA, L, LA, CMYK).

    CMYK is kept so an embedded CMYK profile can still be applied after resizing.
    """
    mode = im.mode
    if mode in _WORKING_MODES:
        return im
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info
        return im.convert("RGBA" if has_alpha else "RGB")
    if mode == "1":
        return im.convert("L")
    if mode.startswith("I"):  # 16-bit grey (I;16*) or 32-bit int: scale 0..65535 to 0..255
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode in ("RGBa", "La"):
        return im.convert(mode[0:-1] + "A")
    return im.convert("RGB")  # YCbCr, LAB, HSV, RGBX, F ...


def _srgb() -> ImageCms.ImageCmsProfile:
    # A fresh handle per call (microseconds): LittleCMS profile handles are not meant to be
    # shared between threads, and process_image runs in several at once.
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB ``RGB`` or ``RGBA``, using the embedded ICC profile when there is one.

    If the profile is unusable (broken, or mismatched with the pixel mode) we fall back to a
    plain conversion: slightly wrong colours beat a failed photo.
    """
    alpha = im.mode in ("RGBA", "LA")
    out_mode = "RGBA" if alpha else "RGB"
    if icc and im.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            profile = ImageCms.ImageCmsProfile(BytesIO(icc))
            if "srgb" not in ImageCms.getProfileDescription(profile).lower():
                converted = ImageCms.profileToProfile(im, profile, _srgb(), outputMode=out_mode)
                if converted is not None:
                    return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return im if im.mode == out_mode else im.convert(out_mode)


def _resized(im: Image.Image, size: tuple[int, int], gap: float) -> Image.Image:
    return im if im.size == size else im.resize(size, _LANCZOS, reducing_gap=gap)


def _drop_opaque_alpha(im: Image.Image) -> Image.Image:
    """RGBA whose alpha is all 255 -> RGB (smaller files, no needless alpha plane)."""
    if im.mode == "RGBA" and im.getchannel("A").getextrema() == (255, 255):
        return im.convert("RGB")
    return im


def _on_white(im: Image.Image) -> Image.Image:
    if im.mode != "RGBA":
        return im
    flat = Image.new("RGB", im.size, (255, 255, 255))
    flat.paste(im, mask=im.getchannel("A"))
    return flat


def _save(im: Image.Image, path: Path, fmt: str, **params: Any) -> None:
    """Write atomically (temp file + rename) with no metadata at all."""
    im.info = {}  # resize/transpose copy .info; make sure no EXIF/XMP/ICC can leak
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        im.save(tmp, fmt, **params)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def process_image(src: Path, workdir: Path, settings: ImageSettings) -> ProcessedImage:
    """Detect, read metadata, decode ONCE, write ``thumb.webp`` and ``preview.jpg`` into workdir.

    Raises ImageRejected for bad images; OSError for I/O trouble (retryable). Overwrites
    earlier variants in ``workdir``, so running twice is harmless.
    """
    im, head = _open(src)
    try:
        _check_size(im, settings.max_pixels)
        stored = im.size  # before draft() shrinks it
        preview_size = _fit_short_edge(stored, settings.preview_size)
        thumb_size = _fit_short_edge(stored, settings.thumb_size)
        _decode(im, min(max(settings.preview_size, settings.thumb_size), min(stored)))
        meta = _read_meta(im, src, head, stored)
        # Resize first (in stored orientation), then colour-convert and rotate the small copy:
        # the full-size image is never copied, only reduced.
        preview = _to_srgb(_resized(_working_mode(im), preview_size, _PREVIEW_GAP), im.info.get("icc_profile"))
        if preview is not im:
            im.close()  # free the decoded pixels now, before encoding
        return _finish(preview, meta, thumb_size, workdir, settings)
    finally:
        im.close()


def _finish(
    preview: Image.Image, meta: ImageMeta, thumb_size: tuple[int, int], workdir: Path, settings: ImageSettings
) -> ProcessedImage:
    """Orient the preview-sized image, derive the thumb from it, write both, hash the thumb."""
    if meta.format != "HEIF" and meta.orientation in _TRANSPOSE:
        preview = preview.transpose(_TRANSPOSE[meta.orientation])
    preview = _drop_opaque_alpha(preview)
    # The thumb is derived from the preview, which is always at least as large.
    thumb = _resized(preview, _oriented(thumb_size, meta), _THUMB_GAP)
    workdir.mkdir(parents=True, exist_ok=True)
    thumb_path, preview_path = workdir / "thumb.webp", workdir / "preview.jpg"
    _save(thumb, thumb_path, "WEBP", quality=settings.thumb_quality, method=4)
    _save(_on_white(preview), preview_path, "JPEG", quality=settings.preview_quality)
    return ProcessedImage(
        meta=meta,
        thumb_path=thumb_path,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        preview_path=preview_path,
        preview_width=preview.width,
        preview_height=preview.height,
        thumbhash=base64.b64encode(_thumbhash_of(thumb)).decode("ascii"),
        thumb_bytes=thumb_path.stat().st_size,
        preview_bytes=preview_path.stat().st_size,
    )


def _oriented(size: tuple[int, int], meta: ImageMeta) -> tuple[int, int]:
    """A stored-orientation size as displayed."""
    swap = meta.format != "HEIF" and meta.orientation is not None and meta.orientation >= 5
    return (size[1], size[0]) if swap else size


# --------------------------------------------------------------------------- ThumbHash

# The spec allows up to 100x100; the hash keeps at most 7 cosines per axis, so 48 px carries the
# same information (identical headers, AC terms within a quantisation step on the sample photos)
# at a quarter of the pure-Python cost (about 3 ms instead of 12).
_THUMBHASH_EDGE: Final = 48


def _thumbhash_of(im: Image.Image) -> bytes:
    small = im.convert("RGBA") if im.mode != "RGBA" else im.copy()
    small.thumbnail((_THUMBHASH_EDGE, _THUMBHASH_EDGE), _LANCZOS)
    return thumbhash_encode(small.width, small.height, small.tobytes())
