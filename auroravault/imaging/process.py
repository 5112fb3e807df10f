"""The two entry points: ``probe`` (metadata only) and ``process_image`` (metadata + variants)."""

from __future__ import annotations

from pathlib import Path

from auroravault.config import ImageSettings
from auroravault.imaging.decode import decode
from auroravault.imaging.exif import read_meta
from auroravault.imaging.formats import check_size, open_image
from auroravault.imaging.results import ImageMeta, ProcessedImage
from auroravault.imaging.variants import PREVIEW_GAP, finish, fit_short_edge, resized, to_srgb, working_mode


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

    Raises ImageRejected for bad images; OSError for I/O trouble (retryable). Overwrites
    earlier variants in ``workdir``, so running twice is harmless.
    """
    im, head = open_image(src)
    try:
        check_size(im, settings.max_pixels)
        stored = im.size  # before draft() shrinks it
        preview_size = fit_short_edge(stored, settings.preview_size)
        thumb_size = fit_short_edge(stored, settings.thumb_size)
        decode(im, min(max(settings.preview_size, settings.thumb_size), min(stored)))
        meta = read_meta(im, src, head, stored)
        # Resize first (in stored orientation), then colour-convert and rotate the small copy:
        # the full-size image is never copied, only reduced.
        preview = to_srgb(resized(working_mode(im), preview_size, PREVIEW_GAP), im.info.get("icc_profile"))
        if preview is not im:
            im.close()  # free the decoded pixels now, before encoding
        return finish(preview, meta, thumb_size, workdir, settings)
    finally:
        im.close()
