"""The thumb and preview: working mode, sRGB, resizing, orientation, atomic writes, ThumbHash."""

from __future__ import annotations

import base64
import os
from io import BytesIO
from pathlib import Path
from typing import Any, Final

from PIL import Image, ImageCms

from auroravault.config import ImageSettings
from auroravault.imaging.perceptual import dhash_hex
from auroravault.imaging.results import Damage, ImageMeta, ProcessedImage
from auroravault.thumbhash import thumbhash_encode

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
PREVIEW_GAP: Final = 1.0
_THUMB_GAP: Final = 2.0
_WORKING_MODES: Final = frozenset({"RGB", "RGBA", "L", "LA", "CMYK"})


def fit_short_edge(size: tuple[int, int], short_target: int) -> tuple[int, int]:
    """Scale ``size`` so its short edge is ``short_target``; never upscale."""
    width, height = size
    short = min(width, height)
    if short <= short_target:
        return size
    scale = short_target / short
    if width <= height:
        return short_target, max(1, round(height * scale))
    return max(1, round(width * scale)), short_target


def working_mode(im: Image.Image) -> Image.Image:
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


def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
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


def resized(im: Image.Image, size: tuple[int, int], gap: float | None) -> Image.Image:
    return im if im.size == size else im.resize(size, _LANCZOS, reducing_gap=gap)


def preview_copy(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The decoded image reduced to ``size``, in a working mode (still in stored orientation).

    Working modes and deep grey (16-bit, 32-bit) are reduced as they are and only the small
    copy is converted; palette, bilevel and other modes must be converted at full size first
    (budget.py counts that copy).
    """
    if im.mode in _WORKING_MODES:
        return resized(im, size, PREVIEW_GAP)
    if im.mode == "I" or im.mode.startswith("I;16"):
        return working_mode(resized(im, size, None))  # Image.reduce() refuses these modes
    return resized(working_mode(im), size, PREVIEW_GAP)


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


def upright(preview: Image.Image, meta: ImageMeta) -> Image.Image:
    """The stored-orientation image turned as displayed, without a needless alpha plane."""
    if meta.format != "HEIF" and meta.orientation in _TRANSPOSE:
        preview = preview.transpose(_TRANSPOSE[meta.orientation])
    return _drop_opaque_alpha(preview)


# libwebp's effort (0-6). The thumb is on the path to browsable, and after a 1/8-scale decode
# its encode was a fifth of the thumb's CPU: for a 333x250 thumb at quality 80, effort 4 took
# 9.7 ms, 2 takes 4.1 ms for 4.6 % more bytes (18.1 KB) and 0.2 dB less PSNR (30 sample
# photos; docs/benchmarks.md, "The S3 import taken apart").
_THUMB_WEBP_METHOD: Final = 2


def _write_thumb(thumb: Image.Image, workdir: Path, settings: ImageSettings) -> tuple[Path, bytes]:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "thumb.webp"
    _save(thumb, path, "WEBP", quality=settings.thumb_quality, method=_THUMB_WEBP_METHOD)
    return path, _thumbhash_of(thumb)


def _write_preview(preview: Image.Image, workdir: Path, settings: ImageSettings) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "preview.jpg"
    _save(_on_white(preview), path, "JPEG", quality=settings.preview_quality)
    return path


def finish_thumb(
    small: Image.Image, meta: ImageMeta, size: tuple[int, int], workdir: Path, settings: ImageSettings
) -> tuple[Path, Image.Image, bytes]:
    """Orient ``small`` (stored orientation), resize it to ``size`` (as displayed), write the
    thumb; return its path, the thumb and its ThumbHash."""
    thumb = resized(upright(small, meta), size, _THUMB_GAP)
    path, thumbhash = _write_thumb(thumb, workdir, settings)
    return path, thumb, thumbhash


def finish_preview(
    preview: Image.Image, meta: ImageMeta, workdir: Path, settings: ImageSettings
) -> tuple[Path, Image.Image]:
    """Orient the preview-sized image and write it; return its path and the upright image."""
    shown = upright(preview, meta)
    return _write_preview(shown, workdir, settings), shown


def finish(
    preview: Image.Image,
    meta: ImageMeta,
    thumb_size: tuple[int, int],
    workdir: Path,
    settings: ImageSettings,
    damage: Damage | None = None,
) -> ProcessedImage:
    """Orient the preview-sized image, derive the thumb from it, write both, hash the thumb."""
    preview = upright(preview, meta)
    # The thumb is derived from the preview, which is always at least as large.
    thumb = resized(preview, oriented(thumb_size, meta), _THUMB_GAP)
    thumb_path, thumbhash = _write_thumb(thumb, workdir, settings)
    preview_path = _write_preview(preview, workdir, settings)
    return ProcessedImage(
        meta=meta,
        thumb_path=thumb_path,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        preview_path=preview_path,
        preview_width=preview.width,
        preview_height=preview.height,
        thumbhash=base64.b64encode(thumbhash).decode("ascii"),
        dhash=dhash_hex(thumb),
        thumb_bytes=thumb_path.stat().st_size,
        preview_bytes=preview_path.stat().st_size,
        damage=damage,
    )


def oriented(size: tuple[int, int], meta: ImageMeta) -> tuple[int, int]:
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
