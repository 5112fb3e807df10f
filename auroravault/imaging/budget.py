"""How much memory a decode will take, estimated from the header before any pixel is decoded.

``max_pixels`` alone does not bound memory: a 473 kB 16-bit PNG of 15,800 x 15,800 is under
250 MP yet took 2.45 GB, and a 200 MP HEIC 1.4 GB. The estimate adds up what is alive at the
peak of ``process_image``, per format, from what the header says (mode, bit depth, chroma,
progressive or not, strip and tile sizes):

* the decoded image in Pillow's layout (1 byte a pixel for 1/L/P, 2 for I;16, 4 for the rest),
  at the reduced size ``draft`` chose for a JPEG;
* the decoder's own buffers: libjpeg keeps every DCT coefficient of a progressive JPEG (2 bytes
  each, full size whatever the scale), libheif and libavif hold the YCbCr planes and an
  interleaved RGB copy beside Pillow's, libwebp its canvases, libtiff one strip or tile;
* a full-size conversion copy for modes that cannot be resized as they are (P, 1, YCbCr, and
  RGBA/LA, whose alpha Pillow premultiplies on a full-size copy);
* the preview-sized working images and a fixed allowance for the interpreter's share.

It is an upper bound by design (tests/imaging/test_budget.py measures real decodes against it),
so an image within ``max_decode_bytes`` never takes more.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Final

from PIL import Image

from auroravault.imaging.results import ImageRejected

MiB: Final = 1024 * 1024
# Decoder state, libjpeg/zlib line buffers, LittleCMS transforms and the WebP/JPEG encoders.
_FIXED: Final = 24 * MiB
# Preview-sized images alive at once: the reduced copy, its sRGB and upright versions, the
# flattened JPEG input, the thumb; 4 bytes a pixel each.
_PREVIEW_COPIES: Final = 5
# Modes that resize without a full-size copy. Any other is converted at full size first: P, 1,
# YCbCr... by variants.py, and RGBA/LA by Pillow's resize, which premultiplies the alpha.
_RESIZABLE: Final = frozenset({"RGB", "L", "CMYK", "I", "I;16", "I;16L", "I;16B", "I;16N"})
_TIFF_ROWS_PER_STRIP, _TIFF_TILE_WIDTH, _TIFF_TILE_LENGTH = 278, 322, 323


def pixel_bytes(mode: str) -> int:
    """Bytes a pixel of ``mode`` takes in Pillow's memory (its image8 / image32 layouts)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def _jpeg_coefficients(im: Image.Image, full: tuple[int, int]) -> int:
    """libjpeg's whole-image coefficient buffer, needed for progressive JPEGs only."""
    if not (im.info.get("progressive") or im.info.get("progression")):
        return 0
    layers = getattr(im, "layer", None) or [("", 1, 1, 0)] * 3
    h_max = max(h for _, h, _, _ in layers) or 1
    v_max = max(v for _, _, v, _ in layers) or 1
    width, height = full
    mcu_cols, mcu_rows = math.ceil(width / (8 * h_max)), math.ceil(height / (8 * v_max))
    blocks = sum(mcu_cols * h * mcu_rows * v for _, h, v, _ in layers)
    return blocks * 64 * 2


def _heif_buffers(im: Image.Image, src: Path) -> int:
    """libheif/libavif: the compressed file in memory, the YCbCr planes, an interleaved RGB(A)
    image; at 16 bits a sample above 8 bits of depth."""
    width, height = im.size
    depth = im.info.get("bit_depth") or 8
    sample = 2 if depth > 8 else 1
    chroma = im.info.get("chroma")
    planes = {420: 1.5, 422: 2.0}.get(chroma, 3.0) if isinstance(chroma, int) else 3.0
    channels = 4 if "A" in im.mode else 3
    return src.stat().st_size + math.ceil(width * height * sample * (planes + channels))


def _tiff_strip(im: Image.Image) -> int:
    """libtiff decodes one strip or tile at a time into a buffer of its raw size."""
    tags = getattr(im, "tag_v2", None)
    if tags is None:
        return 0
    width, height = im.size
    bits = tags.get(258, (8,))
    raw_pixel = math.ceil(sum(bits if isinstance(bits, tuple) else (bits,)) / 8) or 4
    if _TIFF_TILE_WIDTH in tags and _TIFF_TILE_LENGTH in tags:
        return int(tags[_TIFF_TILE_WIDTH]) * int(tags[_TIFF_TILE_LENGTH]) * max(raw_pixel, 4)
    rows = min(int(tags.get(_TIFF_ROWS_PER_STRIP, height)), height)
    return rows * width * max(raw_pixel, 4)  # YCbCr and odd layouts go through an RGBA strip


def decode_bytes(im: Image.Image, src: Path, full: tuple[int, int], preview: tuple[int, int]) -> int:
    """Estimated peak bytes of decoding ``im`` (opened, ``draft`` already applied for a JPEG)
    whose stored size is ``full``, and making a ``preview``-sized copy of it."""
    width, height = im.size  # the reduced size for a drafted JPEG
    pixels = width * height
    decoded = pixels * pixel_bytes(im.mode)
    fmt = im.format or ""
    scratch = 0
    if fmt in ("JPEG", "MPO"):
        scratch = _jpeg_coefficients(im, full)
    elif fmt in ("HEIF", "AVIF"):
        scratch = _heif_buffers(im, src)
    elif fmt == "WEBP":
        # The file read whole, libwebp's output and the animation decoder's two canvases.
        scratch = src.stat().st_size + 3 * pixels * 4
    elif fmt == "TIFF":
        scratch = _tiff_strip(im)
    converted = 0 if im.mode in _RESIZABLE else pixels * 4
    working = _PREVIEW_COPIES * preview[0] * preview[1] * 4
    return decoded + scratch + converted + working + _FIXED


def check_budget(im: Image.Image, src: Path, full: tuple[int, int], preview: tuple[int, int], budget: int) -> None:
    """Reject, before decoding, an image whose decode would take more than ``budget`` bytes."""
    needed = decode_bytes(im, src, full, preview)
    if needed > budget:
        raise ImageRejected(
            "image_too_large",
            f"decoding this {full[0]}x{full[1]} {im.format} ({im.mode}) would take about "
            f"{math.ceil(needed / MiB)} MiB, more than the limit of {budget // MiB} MiB",
        )
