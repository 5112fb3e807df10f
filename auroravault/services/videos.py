"""Videos in the photo pipeline, and Live Photos (docs/videos.md).

``process_video`` is the pipeline's branch for a verified original the bytes say is an MP4 or
QuickTime file: metadata from the container and the poster frame as thumb and preview, on the
decode pool like a photo (reserving what ``imaging.video.estimate`` says the decoder may hold).
The photo becomes ``ready`` with ``media_type`` "video" and ``duration_ms``, or ``failed`` with
the rejection's code (``corrupt_video``, ``video_too_large``, ``video_unreadable``,
``unsupported_format``), keeping its original either way.

``pair_live`` runs after every photo or video becomes ready: a still and a video of the same
owner whose capture times lie within ``videos.live_pair_seconds`` pair up when they carry the
same Apple ContentIdentifier, or, when either lacks one, share a base name (``IMG_0001.HEIC``
and ``IMG_0001.MOV``). The still then carries ``motion_photo_id`` and the video ``motion_of``;
listings show the still alone, ``GET /photos/{id}/motion`` plays the video. Idempotent, and the
order in which the two arrive does not matter (each looks for the other once it is ready).
"""

from __future__ import annotations

import logging
import posixpath
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from auroravault.config import VideoSettings
from auroravault.executors import run_in
from auroravault.imaging import video
from auroravault.meta.base import Photo
from auroravault.meta.protocols import PhotoStore
from auroravault.services.decode_pool import THUMB
from auroravault.storage.base import preview_key, thumb_key
from auroravault.timeutil import from_iso, sort_key, utcnow

if TYPE_CHECKING:
    from auroravault.services.processing import ProcessingService

log = logging.getLogger("auroravault.videos")

#: Photos looked at around a capture time when pairing a Live Photo.
PAIR_CANDIDATES = 50


async def is_video(service: ProcessingService, original: Path) -> bool:
    return await run_in(service._disk, video.is_video, original)


async def process_video(service: ProcessingService, photo: Photo, original: Path, workdir: Path) -> None:
    """Make a verified video ``ready`` (poster thumb and preview stored) or ``failed`` with a code."""
    settings = service.settings
    photo = msgspec.structs.replace(photo, media_type="video")
    try:
        needed = await run_in(service._disk, video.estimate, original, settings.videos)
        done = await service.pool.run(
            THUMB, needed, video.process_video, original, workdir, settings.images, settings.videos
        )
    except video.VideoRejected as exc:
        await service._fail(photo, exc.code, exc.detail)
        return
    made = done.variants
    await service.blobs.put_file(thumb_key(photo.owner_id, photo.id), made.thumb_path, content_type="image/webp")
    await service.blobs.put_file(preview_key(photo.owner_id, photo.id), made.preview_path, content_type="image/jpeg")
    photo = msgspec.structs.replace(photo, duration_ms=done.meta.duration_ms)
    await service._ready(
        photo, done.meta.image_meta(), (made.thumbhash, None), None, made.thumb_bytes + made.preview_bytes
    )


# --------------------------------------------------------------------------- Live Photos


def _stem(filename: str) -> str:
    return posixpath.splitext(filename)[0].casefold()


def _pairs(a: Photo, b: Photo) -> bool:
    """Whether ``a`` and ``b`` (one still, one video, both unpaired) are one Live Photo."""
    if a.id == b.id or a.owner_id != b.owner_id or {a.media_type, b.media_type} != {"image", "video"}:
        return False
    if a.status != "ready" or b.status != "ready" or a.motion_photo_id or a.motion_of or b.motion_photo_id:
        return False
    if b.motion_of:
        return False
    if a.content_identifier and b.content_identifier:
        return a.content_identifier == b.content_identifier
    return _stem(a.filename) == _stem(b.filename)


async def pair_live(meta: PhotoStore, photo: Photo, settings: VideoSettings) -> str | None:
    """Pair ``photo`` (just made ready) with its Live Photo half if it is there; return the
    other's id, or None."""
    if photo.taken_at_source == "upload" or photo.motion_photo_id or photo.motion_of:
        return None  # no capture time of its own: a time match would be a guess
    when = from_iso(photo.sort_at)
    window = timedelta(seconds=settings.live_pair_seconds)
    start, end = sort_key(when - window), sort_key(when + window)
    near = await meta.list_photos(photo.owner_id, limit=PAIR_CANDIDATES, after=(start, ""), descending=False)
    for other in near:
        if other.sort_at > end:
            break
        if other.taken_at_source != "upload" and _pairs(photo, other):
            still, motion = (photo, other) if photo.media_type == "image" else (other, photo)
            if await _link(meta, still.id, motion.id):
                log.info("live photo: %s moves with %s", still.id, motion.id)
                return other.id
    return None


async def _link(meta: PhotoStore, still_id: str, motion_id: str) -> bool:
    """Mark the pair on both records, each re-read just before its conditional save."""
    for photo_id, changes in ((motion_id, {"motion_of": still_id}), (still_id, {"motion_photo_id": motion_id})):
        for _ in range(3):
            current = await meta.get_photo(photo_id)
            if current is None or current.status != "ready":
                return False
            if await meta.save_processed_photo(
                msgspec.structs.replace(current, updated_at=utcnow(), **changes), "ready"
            ):
                break
        else:
            return False
    return True


def motions_of(stills: list[Photo]) -> list[str]:
    """The motion videos of these Live Photo stills: trashed, restored and deleted with them."""
    return [p.motion_photo_id for p in stills if p.motion_photo_id]


def asked(done: list[str], ids: list[str]) -> list[str]:
    """``done`` less what was not asked for (a still's motion video went with it, unreported)."""
    wanted = set(ids)
    return [i for i in done if i in wanted]
