"""Image processing: identify, read metadata, make the thumb and preview variants.

This is the only package in AuroraVault that imports Pillow (and pillow-heif). Everything
here is blocking and CPU-bound: callers run it in a worker thread. Functions share no
mutable state apart from the one-time plugin registration, so several may run at once.

Contracts
---------
* The format is detected from the bytes, never from the file name. Only the formats in
  ``_formats`` are ever tried (no EPS/PSD/... plugins, which widens the attack surface for
  nothing a family photo needs).
* Rejections are ``ImageRejected`` (a ``PermanentJobError``) with a stable code:

  - ``unsupported_format``: not an image we know (random bytes, an empty file, a PDF).
  - ``corrupt_image``: it looks like a JPEG/PNG/HEIF/... but nothing of it can be decoded.
  - ``image_too_large``: width * height exceeds ``ImageSettings.max_pixels``, or decoding it
    would take more than ``ImageSettings.max_decode_bytes`` (budget.py estimates it from mode,
    bit depth and size). Both are checked from the header, before a single pixel is decoded
    (decompression-bomb defence); JPEGs count at the reduced size they are decoded at.

* Damaged but shown: a JPEG or HEIF cut off after its header is decoded as far as its data
  goes (the rest grey, or missing tiles filled in), as browsers show it, and the result
  carries ``damage`` with code ``truncated`` (decode.py). The user keeps the original anyway.

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

from auroravault.imaging.formats import register_heif
from auroravault.imaging.process import probe, process_image
from auroravault.imaging.results import ImageMeta, ImageRejected, ProcessedImage, RejectCode
from auroravault.imaging.staged import DecodePlan, PreviewImage, ThumbImage, make_preview, make_thumb, plan
from auroravault.thumbhash import thumbhash_encode

__all__ = [
    "DecodePlan",
    "ImageMeta",
    "ImageRejected",
    "PreviewImage",
    "ProcessedImage",
    "RejectCode",
    "ThumbImage",
    "make_preview",
    "make_thumb",
    "plan",
    "probe",
    "process_image",
    "register_heif",
    "thumbhash_encode",
]
