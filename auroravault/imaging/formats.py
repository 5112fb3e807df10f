"""Plugin set-up, format detection from the bytes, and opening an image by its header only."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from PIL import Image, ImageFile

from auroravault.imaging.results import ImageRejected

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


class _PerThreadFlag:
    """Stands in for Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``: true only in a
    thread inside ``truncated_allowed()``. Pillow reads the global at each check (``if
    LOAD_TRUNCATED_IMAGES:``), so one worker may decode a cut-off JPEG leniently while every
    other thread still gets the strict error that tells us a file is truncated."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __bool__(self) -> bool:
        return bool(getattr(self._local, "on", False))

    @contextlib.contextmanager
    def allowed(self) -> Iterator[None]:
        self._local.on = True
        try:
            yield
        finally:
            self._local.on = False


_TRUNCATED: Final = _PerThreadFlag()


def truncated_allowed() -> contextlib.AbstractContextManager[None]:
    """Within this block, in this thread only, Pillow decodes what a truncated file holds."""
    return _TRUNCATED.allowed()


def register_heif() -> None:
    """Register pillow-heif and the Pillow plugins we use. Idempotent and thread-safe.

    Also sets ``Image.MAX_IMAGE_PIXELS = None``, once. Pillow's own bomb guard is a
    process-wide global: toggling it per call would race other worker threads, and its
    default (89 MP warning, 179 MP error) is below what phones shoot. Every image this module
    opens is instead checked against ``ImageSettings.max_pixels`` straight after the header is
    read and before any decoding, so the guard is stricter, not weaker. And it replaces
    ``ImageFile.LOAD_TRUNCATED_IMAGES`` by a per-thread flag (see ``truncated_allowed``).
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
        setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", _TRUNCATED)  # noqa: B010 (typed as a bool)
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


def open_image(src: Path) -> tuple[Image.Image, bytes]:
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


def check_size(im: Image.Image, max_pixels: int) -> None:
    """Reject before decoding when the header announces too many pixels."""
    width, height = im.size
    if width <= 0 or height <= 0:
        raise ImageRejected("corrupt_image", f"invalid dimensions {width}x{height}")
    if width * height > max_pixels:
        raise ImageRejected(
            "image_too_large",
            f"{width}x{height} is {width * height} pixels, more than the limit of {max_pixels}",
        )


def format_and_mime(im: Image.Image, head: bytes) -> tuple[str, str]:
    fmt = im.format or "UNKNOWN"
    if fmt == "MPO":  # a JPEG with extra frames (MPF); to everyone downstream it is a JPEG
        fmt = "JPEG"
    mime = _MIME.get(fmt, "application/octet-stream")
    if fmt == "HEIF" and head[8:12] in _HEIC_BRANDS:
        mime = "image/heic"
    return fmt, mime
