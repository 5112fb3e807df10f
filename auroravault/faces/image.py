"""The image a face model sees: oriented, RGB, and never bigger than ``max_side`` pixels.

A JPEG is decoded at 1/2, 1/4 or 1/8 scale straight away (``Image.draft``), so even a 200 MP
original costs a few MB here; other formats are decoded once, then shrunk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image, ImageOps

if TYPE_CHECKING:
    from pathlib import Path

    from auroravault.faces.model import Image as Pixels


def model_input(path: Path, max_side: int) -> tuple[Pixels, tuple[int, int]]:
    """The pixels for detection and the oriented full size ``(w, h)`` they stand for."""
    import numpy as np  # lazily: the app starts without numpy (tests/places)

    with Image.open(path) as img:
        img.draft("RGB", (max_side, max_side))
        oriented = ImageOps.exif_transpose(img)
        size = oriented.size
        oriented = oriented.convert("RGB")
        oriented.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return np.asarray(oriented, dtype=np.uint8), size


def input_bytes(max_side: int) -> int:
    """What ``model_input`` plus the model's working set reserve in the decode pool (rough)."""
    return max_side * max_side * 3 * 8
