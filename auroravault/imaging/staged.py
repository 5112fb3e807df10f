"""Thumbnails first: the thumb from a small DCT-scaled decode, the preview later from another.

A JPEG can be decoded at 1/2, 1/4 or 1/8 scale for a fraction of the full cost, so its thumb
(250 px) is made from a decode at the smallest scale that still covers it, the photo becomes
browsable, and the preview (1440 px) follows from a second, larger decode at a lower priority.
Other formats (HEIC, PNG, WebP, TIFF...) decode at full size whatever the target, so they
keep ``process_image``'s single decode for both variants: ``plan`` says which applies.
"""

from __future__ import annotations

import base64
from pathlib import Path

import msgspec

from auroravault.config import ImageSettings
from auroravault.imaging.budget import check_budget, decode_bytes
from auroravault.imaging.decode import decode, reduce_on_load
from auroravault.imaging.exif import read_meta
from auroravault.imaging.formats import check_size, open_image
from auroravault.imaging.perceptual import dhash_hex
from auroravault.imaging.results import Damage, ImageMeta
from auroravault.imaging.variants import (
    finish_preview,
    finish_thumb,
    fit_short_edge,
    oriented,
    preview_copy,
    to_srgb,
)

_JPEG = ("JPEG", "MPO")


class DecodePlan(msgspec.Struct, kw_only=True, frozen=True):
    """How a photo will be decoded, and the memory each decode reserves (budget.py's estimate)."""

    staged: bool  # thumb first, preview later (two decodes); else both from one decode
    thumb_bytes: int  # the thumb decode's estimate (staged only)
    full_bytes: int  # the preview decode's, or the single decode's


class ThumbImage(msgspec.Struct, kw_only=True):
    meta: ImageMeta
    thumb_path: Path
    thumb_width: int
    thumb_height: int
    thumbhash: str
    dhash: str
    thumb_bytes: int
    damage: Damage | None = None


class PreviewImage(msgspec.Struct, kw_only=True):
    preview_path: Path
    preview_width: int
    preview_height: int
    preview_bytes: int


def _estimate(src: Path, target: int, settings: ImageSettings) -> tuple[str, tuple[int, int], int]:
    im, _ = open_image(src)
    with im:
        check_size(im, settings.max_pixels)
        stored = im.size
        out = fit_short_edge(stored, target)
        reduce_on_load(im, min(target, min(stored)))
        check_budget(im, src, stored, out, settings.max_decode_bytes)
        return im.format or "", im.size, decode_bytes(im, src, stored, out)


def plan(src: Path, settings: ImageSettings) -> DecodePlan:
    """Read the header only. Raises ImageRejected (unsupported, corrupt header, too large)."""
    preview_target = max(settings.preview_size, settings.thumb_size)
    fmt, preview_decoded, full = _estimate(src, preview_target, settings)
    if fmt not in _JPEG:
        return DecodePlan(staged=False, thumb_bytes=full, full_bytes=full)
    _, thumb_decoded, small = _estimate(src, settings.thumb_size, settings)
    staged = thumb_decoded[0] * thumb_decoded[1] < preview_decoded[0] * preview_decoded[1]
    return DecodePlan(staged=staged, thumb_bytes=small, full_bytes=full)


def make_thumb(src: Path, workdir: Path, settings: ImageSettings) -> ThumbImage:
    """Metadata and ``thumb.webp`` from a decode at the thumb's scale. Raises ImageRejected."""
    im, head = open_image(src)
    try:
        check_size(im, settings.max_pixels)
        stored = im.size
        thumb_size = fit_short_edge(stored, settings.thumb_size)
        reduce_on_load(im, min(settings.thumb_size, min(stored)))
        check_budget(im, src, stored, thumb_size, settings.max_decode_bytes)
        damage = decode(im, src)
        meta = read_meta(im, src, head, stored)
        small = to_srgb(preview_copy(im, thumb_size), im.info.get("icc_profile"))
        if small is not im:
            im.close()
        thumb_path, thumb, thumbhash = finish_thumb(small, meta, oriented(thumb_size, meta), workdir, settings)
        return ThumbImage(
            meta=meta,
            thumb_path=thumb_path,
            thumb_width=thumb.width,
            thumb_height=thumb.height,
            thumbhash=base64.b64encode(thumbhash).decode("ascii"),
            dhash=dhash_hex(thumb),
            thumb_bytes=thumb_path.stat().st_size,
            damage=damage,
        )
    finally:
        im.close()


def make_preview(src: Path, workdir: Path, settings: ImageSettings) -> PreviewImage:
    """``preview.jpg`` from a decode at the preview's scale. Raises ImageRejected."""
    im, head = open_image(src)
    try:
        check_size(im, settings.max_pixels)
        stored = im.size
        preview_size = fit_short_edge(stored, settings.preview_size)
        reduce_on_load(im, min(max(settings.preview_size, settings.thumb_size), min(stored)))
        check_budget(im, src, stored, preview_size, settings.max_decode_bytes)
        decode(im, src)
        meta = read_meta(im, src, head, stored)
        preview = to_srgb(preview_copy(im, preview_size), im.info.get("icc_profile"))
        if preview is not im:
            im.close()
        path, upright = finish_preview(preview, meta, workdir, settings)
        return PreviewImage(
            preview_path=path,
            preview_width=upright.width,
            preview_height=upright.height,
            preview_bytes=path.stat().st_size,
        )
    finally:
        im.close()
