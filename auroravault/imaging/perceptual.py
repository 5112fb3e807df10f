"""The perceptual hash of a thumbnail: what "similar photos" compares (``services/similar``).

``dhash`` is the 64-bit difference hash of an image: grey, shrunk to 9 x 8, one bit per
horizontal neighbour pair (is the left pixel brighter?). It survives re-encoding at another
quality, resizing and small shifts of the frame, and costs a resize of the thumbnail (a few
lines of Pillow and numpy instead of a dependency). Processing stores it on the photo as 16 hex
digits (``Photo.dhash``: a 64-bit unsigned value does not fit SQLite's signed integers).
"""

from __future__ import annotations

from PIL import Image


def dhash(image: Image.Image) -> int:
    """The 64-bit difference hash of ``image`` (any mode and size)."""
    import numpy as np  # lazily: the app starts without numpy (tests/places)

    bits_of = np.uint64(1) << np.arange(64, dtype=np.uint64)
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.int16)
    bits = (pixels[:, :-1] > pixels[:, 1:]).ravel()
    return int(np.bitwise_or.reduce(bits_of[bits])) if bits.any() else 0


def dhash_hex(image: Image.Image) -> str:
    """``dhash`` as stored: 16 lower-case hex digits."""
    return f"{dhash(image):016x}"


def distance(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return (a ^ b).bit_count()
