"""Decoding the pixels once, reduced where the format allows, and showing what a cut-off file holds.

A family recovering an old memory card wants to see what is left of a photo, as every browser
and Immich show it: a JPEG or HEIC cut off after its header decodes as far as its data goes
(the rest grey, or the missing tiles filled in), and the photo is marked damaged, ``truncated``.
A file with nothing decodable stays ``corrupt_image``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from auroravault.imaging.formats import truncated_allowed
from auroravault.imaging.heif import missing_bytes
from auroravault.imaging.results import Damage, ImageRejected

_JPEG = ("JPEG", "MPO")


def reduce_on_load(im: Image.Image, short_target: int) -> None:
    """Ask a JPEG to be DCT-scaled while decoding (``draft``) to the smallest power-of-two
    reduction whose short edge is still >= ``short_target``: a 200 MP photo is decoded at 1/8
    scale, about 1/64 of the memory and time. Other formats decode at full size. No pixel is
    decoded here; ``im.size`` becomes the size ``decode`` will produce."""
    if im.format in _JPEG:
        im.draft(None, (short_target, short_target))


def _is_truncation(exc: Exception) -> bool:
    # What Pillow raises when the data ends before the decoder is done.
    return isinstance(exc, OSError) and "truncated" in str(exc)


def _uniform(im: Image.Image) -> bool:
    extrema = im.getextrema()
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    return all(low == high for low, high in bands)


def decode(im: Image.Image, src: Path) -> Damage | None:
    """Decode the pixels once (after ``reduce_on_load``). Returns the damage when the file is
    cut off but shows something, else None.

    Raises ImageRejected("corrupt_image") when nothing can be decoded.
    """
    damage: Damage | None = None
    # Pillow stops reading a JPEG's header just past the start-of-scan segment: what follows is
    # the image data. A file that ends there has not a single pixel to show.
    fp = getattr(im, "fp", None)  # an ImageFile's; Image.Image does not declare it
    scan_start = fp.tell() if im.format == "JPEG" and fp is not None else 0
    try:
        im.load()
    except MemoryError:
        raise
    except Exception as exc:  # decoders raise OSError, ValueError, SyntaxError, struct.error...
        if im.format not in _JPEG or not _is_truncation(exc):
            raise ImageRejected("corrupt_image", f"{im.format} data cannot be decoded: {exc}") from exc
        if src.stat().st_size <= scan_start:
            raise ImageRejected("corrupt_image", "the JPEG file is cut off before any of its pixels") from exc
        # Decode again, keeping what the data holds (libjpeg greys the rest). Only this thread
        # is lenient: another photo decoding meanwhile still learns it is truncated.
        try:
            with truncated_allowed():
                im.load()
        except MemoryError:
            raise
        except Exception as again:
            raise ImageRejected("corrupt_image", f"{im.format} data cannot be decoded: {again}") from again
        damage = Damage(code="truncated", detail="the file ends before the end of the image: the rest is grey")
    if im.format in ("HEIF", "AVIF"):
        with open(src, "rb") as fh:
            missing = missing_bytes(fh)
        if missing:
            unit = "byte" if missing == 1 else "bytes"
            damage = Damage(code="truncated", detail=f"the file lacks the last {missing} {unit} of its image data")
    if damage is not None and _uniform(im):
        raise ImageRejected("corrupt_image", f"the {im.format} file is cut off before any of its pixels")
    return damage
