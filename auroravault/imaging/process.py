"""The two entry points: ``probe`` (metadata only) and ``process_image`` (metadata + variants)."""

from __future__ import annotations

from pathlib import Path

from auroravault.config import ImageSettings
from auroravault.imaging.budget import check_budget
from auroravault.imaging.decode import decode, reduce_on_load
from auroravault.imaging.exif import read_meta
from auroravault.imaging.formats import check_size, open_image
from auroravault.imaging.results import ImageMeta, ProcessedImage
from auroravault.imaging.variants import finish, fit_short_edge, preview_copy, to_srgb


def probe(src: Path, max_pixels: int) -> ImageMeta:
    """Identify ``src`` and read its metadata without decoding the pixels.

    Raises ImageRejected (unsupported_format, corrupt_image when the header is damaged,
    image_too_large). A file that probes fine may still be corrupt_image in process_image.
    """
    im, head = open_image(src)
    with im:
        check_size(im, max_pixels)
        return read_meta(im, src, head, im.size)


def process_image(src: Path, workdir: Path, settings: ImageSettings) -> ProcessedImage:
    """Detect, read metadata, decode ONCE, write ``thumb.webp`` and ``preview.jpg`` into workdir.

    Raises ImageRejected for bad images (``image_too_large`` also when decoding would take more
    than ``settings.max_decode_bytes``, judged from the header before any pixel is decoded);
    OSError for I/O trouble (retryable). A truncated JPEG or HEIC is processed as far as its
    data goes and carries ``damage``. Overwrites earlier variants in ``workdir``, so running
    twice is harmless.
    """
    im, head = open_image(src)
    try:
        check_size(im, settings.max_pixels)
        stored = im.size  # before draft() shrinks it
        preview_size = fit_short_edge(stored, settings.preview_size)
        thumb_size = fit_short_edge(stored, settings.thumb_size)
        reduce_on_load(im, min(max(settings.preview_size, settings.thumb_size), min(stored)))
        check_budget(im, src, stored, preview_size, settings.max_decode_bytes)
        damage = decode(im, src)
        meta = read_meta(im, src, head, stored)
        # Resize first (in stored orientation), then colour-convert and rotate the small copy:
        # the full-size image is never copied, only reduced (palette images excepted).
        preview = to_srgb(preview_copy(im, preview_size), im.info.get("icc_profile"))
        if preview is not im:
            im.close()  # free the decoded pixels now, before encoding
        return finish(preview, meta, thumb_size, workdir, settings, damage)
    finally:
        im.close()
