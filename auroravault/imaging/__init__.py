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
  - ``corrupt_image``: it looks like a JPEG/PNG/HEIF/... but cannot be decoded. Truncated
    JPEGs are corrupt: we never set ``ImageFile.LOAD_TRUNCATED_IMAGES``, because a photo with
    a grey lower half is worse than a clear error, and the user keeps the original anyway.
    A HEIF whose *primary* image decodes is fine even if a secondary image is cut off.
  - ``image_too_large``: width * height exceeds ``ImageSettings.max_pixels``. This is checked
    from the header, before a single pixel is decoded (decompression-bomb defence).

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
from auroravault.thumbhash import thumbhash_encode

__all__ = [
    "ImageMeta",
    "ImageRejected",
    "ProcessedImage",
    "RejectCode",
    "probe",
    "process_image",
    "register_heif",
    "thumbhash_encode",
]
