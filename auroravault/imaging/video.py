"""Videos: sniff MP4/QuickTime from the bytes, read the container's metadata, make the poster.

PyAV (FFmpeg inside its wheel) is imported here only. Like the rest of ``imaging`` everything is
blocking and CPU-bound: callers run it in a worker thread.

* The type is sniffed from the bytes (``sniff_video``): an ISO-BMFF ``ftyp`` box with a video
  brand, or a QuickTime file's first atom. HEIF/AVIF brands stay images.
* Metadata (``VideoMeta``): duration, displayed width and height (the display matrix's rotation
  applied), capture time (Apple's ``creationdate`` with its offset, else ``creation_time`` in UTC),
  ISO 6709 GPS, camera make/model, Apple's ContentIdentifier (Live Photos). Best effort: a
  malformed value is ``None`` and never fails the video.
* The poster: the frame at ``videos.poster_at_seconds`` (at most half the clip), scaled by
  swscale straight to the preview size, so the full-size RGB frame is never made; the thumb
  (WebP) and preview (JPEG) are written by ``variants.finish`` as for photos.
* Bounded: the frame size is checked from the header before anything is decoded
  (``video_too_large``); at most ``videos.max_packets`` packets are read and for at most
  ``videos.max_decode_seconds`` (an endless or undecodable stream: ``corrupt_video`` or
  ``video_unreadable``); the decoder runs ``videos.decode_threads`` threads.
"""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

import msgspec
from PIL import Image

from auroravault.config import ImageSettings, VideoSettings
from auroravault.errors import PermanentJobError
from auroravault.imaging.results import ImageMeta, ProcessedImage
from auroravault.imaging.variants import finish, fit_short_edge
from auroravault.mediatypes import sniff_video

__all__ = ["ProcessedVideo", "VideoMeta", "VideoRejected", "estimate", "is_video", "process_video", "sniff_video"]

VideoRejectCode = Literal["unsupported_format", "corrupt_video", "video_too_large", "video_unreadable"]

_ISO6709: Final = re.compile(r"^\s*([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")
_TRANSPOSE: Final = {
    90: Image.Transpose.ROTATE_90,  # the display matrix turns the frame counterclockwise
    -90: Image.Transpose.ROTATE_270,
    270: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    -180: Image.Transpose.ROTATE_180,
}
# Decoded-picture-buffer frames an H.264/HEVC decoder may hold (plus one per thread), 1.5 bytes
# a pixel in 4:2:0: what a decode of w x h may take, for the decode pool's memory bound.
_DPB_FRAMES: Final = 16
_AV_TIME_BASE: Final = 1_000_000


class VideoRejected(PermanentJobError):
    """The bytes are not a video we can process; retrying cannot help."""

    status = 422
    title = "Video rejected"

    def __init__(self, code: VideoRejectCode, detail: str) -> None:
        super().__init__(code, detail)


class VideoMeta(msgspec.Struct, kw_only=True):
    mime: str  # video/mp4 | video/quicktime (from the bytes)
    codec: str | None = None  # h264, hevc, ...
    width: int  # as displayed (rotation applied)
    height: int
    rotation: int = 0  # degrees the display turns the stored frame counterclockwise
    duration_ms: int | None = None
    taken_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    content_identifier: str | None = None  # Apple's Live Photo pairing id

    def image_meta(self) -> ImageMeta:
        """As the photo pipeline stores it (format "MP4" or "MOV")."""
        return ImageMeta(
            format="MOV" if self.mime == "video/quicktime" else "MP4",
            mime=self.mime,
            width=self.width,
            height=self.height,
            taken_at=self.taken_at,
            taken_at_source="video_metadata" if self.taken_at else None,
            camera_make=self.camera_make,
            camera_model=self.camera_model,
            lat=self.lat,
            lon=self.lon,
            alt=self.alt,
            content_identifier=self.content_identifier,
        )


class ProcessedVideo(msgspec.Struct, kw_only=True):
    meta: VideoMeta
    variants: ProcessedImage  # the poster's thumb and preview, with their ThumbHash


# --------------------------------------------------------------------------- sniffing


def is_video(src: Path) -> bool:
    with open(src, "rb") as fh:
        return sniff_video(fh.read(32)) is not None


# --------------------------------------------------------------------------- metadata


def _text(meta: dict[str, str], *keys: str) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value and value.strip() and value.strip("\x00 "):
            return value.strip("\x00 ")[:200]
    return None


def _when(meta: dict[str, str]) -> datetime | None:
    """Apple's local time with its offset first; else the container's creation_time (UTC)."""
    for key in ("com.apple.quicktime.creationdate", "creation_time", "date"):
        value = _text(meta, key)
        if value is None:
            continue
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None and key == "creation_time":
            when = when.replace(tzinfo=UTC)
        if 1971 <= when.year <= 2200:  # 1904/1970: an unset QuickTime or Unix zero
            return when
    return None


def _gps(meta: dict[str, str]) -> tuple[float | None, float | None, float | None]:
    value = _text(meta, "com.apple.quicktime.location.ISO6709", "location", "location-eng")
    match = _ISO6709.match(value or "")
    if match is None:
        return None, None, None
    lat, lon = float(match.group(1)), float(match.group(2))
    alt = float(match.group(3)) if match.group(3) else None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None, None
    return lat, lon, alt if alt is None or math.isfinite(alt) else None


def _duration_ms(container: Any, stream: Any) -> int | None:
    if container.duration and container.duration > 0:
        return int(container.duration * 1000 // _AV_TIME_BASE)
    if stream.duration and stream.time_base:
        return int(stream.duration * stream.time_base * 1000)
    return None


# --------------------------------------------------------------------------- decoding


def _open(src: Path) -> tuple[Any, Any, str]:
    import av

    with open(src, "rb") as fh:  # a missing file is an OSError, not a bad video
        head = fh.read(32)
    mime = sniff_video(head)
    if mime is None:
        raise VideoRejected("unsupported_format", "not an MP4 or QuickTime video")
    try:
        container = av.open(str(src), metadata_errors="replace")
    except av.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__  # str(exc) names the server's path
        raise VideoRejected("corrupt_video", f"looks like {mime} but cannot be read: {reason}") from exc
    if not container.streams.video:
        container.close()
        raise VideoRejected("unsupported_format", "the file holds no video stream")
    return container, container.streams.video[0], mime


def _check_frame(stream: Any, settings: VideoSettings) -> tuple[int, int]:
    width, height = stream.codec_context.width, stream.codec_context.height
    if width <= 0 or height <= 0:
        raise VideoRejected("corrupt_video", f"invalid frame size {width}x{height}")
    if width * height > settings.max_frame_pixels:
        raise VideoRejected(
            "video_too_large",
            f"{width}x{height} frames are {width * height} pixels, more than the limit of {settings.max_frame_pixels}",
        )
    return width, height


def decode_bytes(width: int, height: int, settings: VideoSettings) -> int:
    """What decoding one w x h video may hold: its reference frames and the decoder threads'."""
    return int(width * height * 1.5 * (_DPB_FRAMES + settings.decode_threads)) + width * height * 3


def estimate(src: Path, settings: VideoSettings) -> int:
    """The memory ``process_video`` of ``src`` reserves in the decode pool (header only)."""
    container, stream, _ = _open(src)
    with container:
        width, height = _check_frame(stream, settings)
        return decode_bytes(width, height, settings)


def _poster(container: Any, stream: Any, target: float, size: tuple[int, int], settings: VideoSettings) -> Any:
    """The first frame at or after ``target`` seconds (else the last one), scaled to ``size``."""
    import av

    stream.codec_context.thread_count = settings.decode_threads
    stream.codec_context.thread_type = "AUTO"
    deadline = time.monotonic() + settings.max_decode_seconds
    best: Any = None
    errors = 0
    for count, packet in enumerate(container.demux(stream)):
        if count >= settings.max_packets or time.monotonic() > deadline:
            break
        try:
            frames = packet.decode()
        except av.FFmpegError:
            errors += 1
            continue
        for frame in frames:
            best = frame  # only the chosen one is converted and scaled
            if frame.time is not None and frame.time >= target:
                break
        else:
            continue
        break
    if best is None and time.monotonic() > deadline:
        raise VideoRejected("video_unreadable", f"no frame decoded within {settings.max_decode_seconds} s")
    if best is None:
        raise VideoRejected("corrupt_video", f"no frame could be decoded ({errors} damaged packets)")
    return best.reformat(width=size[0], height=size[1], format="rgb24", interpolation="AREA"), best.rotation


def _read_meta(container: Any, stream: Any, mime: str, size: tuple[int, int], rotation: int) -> VideoMeta:
    meta = {**dict(stream.metadata), **dict(container.metadata)}
    width, height = size
    if rotation in (90, -90, 270, -270):
        width, height = height, width
    lat, lon, alt = _gps(meta)
    return VideoMeta(
        mime=mime,
        codec=stream.codec_context.name,
        width=width,
        height=height,
        rotation=rotation,
        duration_ms=_duration_ms(container, stream),
        taken_at=_when(meta),
        lat=lat,
        lon=lon,
        alt=alt,
        camera_make=_text(meta, "com.apple.quicktime.make", "make", "com.android.manufacturer"),
        camera_model=_text(meta, "com.apple.quicktime.model", "model", "com.android.model"),
        content_identifier=_text(meta, "com.apple.quicktime.content.identifier"),
    )


def process_video(src: Path, workdir: Path, images: ImageSettings, settings: VideoSettings) -> ProcessedVideo:
    """Read ``src``'s metadata and write its poster as ``thumb.webp`` and ``preview.jpg`` into
    ``workdir``. Raises VideoRejected for videos that cannot be processed; OSError for I/O trouble."""
    import av

    container, stream, mime = _open(src)
    try:
        stored = _check_frame(stream, settings)
        duration = _duration_ms(container, stream)
        target = settings.poster_at_seconds
        if duration is not None:
            target = min(target, duration / 2000)
        preview_size = fit_short_edge(stored, images.preview_size)
        try:
            frame, rotation = _poster(container, stream, target, preview_size, settings)
        except av.FFmpegError as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise VideoRejected("corrupt_video", f"the video cannot be decoded: {reason}") from exc
        meta = _read_meta(container, stream, mime, stored, rotation)
    finally:
        container.close()
    poster = frame.to_image()
    turn = _TRANSPOSE.get(rotation)
    if turn is not None:
        poster = poster.transpose(turn)
    thumb_size = fit_short_edge(poster.size, images.thumb_size)
    return ProcessedVideo(meta=meta, variants=finish(poster, meta.image_meta(), thumb_size, workdir, images))
