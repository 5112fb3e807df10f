"""The photo pipeline, job ``process_photo``: verify, read metadata, make variants.

1. Download the original to a temp file (streamed) and check its size and sha256
   against what the client declared. A mismatch rejects the upload (``checksum_mismatch``),
   deletes the object and releases the quota.
2. The header says how to decode (``imaging.plan``). A JPEG is decoded twice, thumbnails
   first: its thumb from a small DCT-scaled decode, after which the photo is ``ready`` and
   browsable with ``preview_pending``, then its preview from a larger decode by the
   ``make_preview`` job, queued ``images.preview_delay_seconds`` later so the thumbs of photos
   arriving meanwhile come first (the verified original waits in the work folder for it).
   Other formats decode at full size anyway and make both variants from one decode. Decodes
   run on the decode pool (``services/decode_pool.py``): every core, previews after thumbs,
   and at most ``images.decode_memory_bytes`` reserved at once.
3. The variants are stored, then the photo becomes ``ready`` with its metadata, its ``place``
   by name when it has coordinates, and a capture time without an EXIF offset read in the
   coordinates' local time zone (``auroravault.places``, offline) (and
   ``damage_code`` "truncated" when the file is cut off but shows something), or ``failed``
   with a code when the image is corrupt, unsupported or too large (``image_too_large`` also
   when decoding would take more than ``images.max_decode_bytes``). A failed or damaged
   photo keeps its original: the user can always download what they uploaded.

Idempotent: a photo no longer ``processing`` is left alone, and a second run of the same
job rewrites identical variants and loses the conditional save.

The job's lifecycle, seen from the photo: its job is stored with its arrival
(``arrival_job``); a job that dies makes the photo ``failed`` with the job's last error
(``job_died``); an admin's retry of that job makes it ``processing`` again
(``job_retried``); and the sweep's ``repair`` gives a ``processing`` photo whose job is
missing a new one, and fails one whose job died without the hook having run.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import msgspec

from auroravault import imaging, places
from auroravault.checksums import file_sha256
from auroravault.config import Settings
from auroravault.errors import NotFound, PermanentJobError, Unavailable
from auroravault.executors import run_in
from auroravault.imaging.results import Damage
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Job, Photo, Place, Upload
from auroravault.meta.protocols import JobStore, PhotoStore, UploadStore
from auroravault.scratch import remove_stale
from auroravault.services import videos
from auroravault.services.decode_pool import PREVIEW, THUMB, DecodePool, default_workers
from auroravault.storage.base import BlobStore, original_key, preview_key, thumb_key
from auroravault.timeutil import sort_key, utcnow

log = logging.getLogger("auroravault.processing")

PROCESS_PHOTO = "process_photo"
MAKE_PREVIEW = "make_preview"
#: How long a photo is ``processing`` before the repair looks at its job.
REPAIR_AFTER = timedelta(minutes=1)
REPAIR_BATCH = 200
_ERROR = re.compile(r"^([a-z][a-z0-9_]*): (.*)$", re.DOTALL)


def process_dedupe_key(photo_id: str) -> str:
    return f"process:{photo_id}"


def preview_dedupe_key(photo_id: str) -> str:
    return f"preview:{photo_id}"


def job_error(last_error: str | None) -> tuple[str, str]:
    """A dead job's ``"code: detail"`` as the photo's error; anything else is ``processing_failed``."""
    text = last_error or "the processing job gave up"
    match = _ERROR.match(text)
    return (match.group(1), match.group(2)) if match else ("processing_failed", text)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return -1


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _make_workdir(root: Path) -> str:
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix="photo-", dir=root)


class ProcessingMeta(PhotoStore, UploadStore, JobStore, Protocol):
    """The store as the pipeline sees it: the photo it processes, the upload it rejects,
    and the job it repairs."""


class ProcessingService:
    def __init__(
        self,
        meta: ProcessingMeta,
        blobs: BlobStore,
        settings: Settings,
        queue: JobQueue | None = None,
        *,
        disk: Executor | None = None,
        hashing: Executor | None = None,
    ) -> None:
        self.meta = meta
        self.blobs = blobs
        self.settings = settings
        self.queue = queue
        # The app's bounded pools for work folders and checksums (asyncio's default when None).
        self._disk = disk
        self._hashing = hashing
        # Every core, memory bounded: never less than one decode's limit, so every admitted image runs.
        images = settings.images
        memory = max(images.decode_memory_bytes, images.max_decode_bytes)
        self.pool = DecodePool(images.concurrency or default_workers(), memory)
        # A photo became ready (``photo.ready`` on the bus, ``auroravault/bus``).
        self.on_ready: Callable[[Photo], Awaitable[None]] | None = None
        # Called once a photo and its preview are stored (people: face detection); a failing
        # hook is logged and never fails the photo (its own backfill catches up).
        self.on_preview: list[Callable[[Photo], Awaitable[None]]] = []

    # -- the job's lifecycle ------------------------------------------------------------
    def arrival_job(self, upload: Upload) -> Job:
        """The processing job of an arrived upload's photo, stored with its arrival."""
        key = process_dedupe_key(upload.photo_id)
        return JobQueue.job(PROCESS_PHOTO, {"photo_id": upload.photo_id}, dedupe_key=key)

    async def job_died(self, job: Job) -> None:
        """On-dead hook: the photo is ``failed`` with the job's last error (the original stays)."""
        photo = await self.meta.get_photo(str(job.payload.get("photo_id", "")))
        if photo is None or photo.status != "processing":
            return
        code, detail = job_error(job.last_error)
        await self._fail(photo, code, detail)

    async def job_retried(self, job: Job) -> None:
        """Before-retry hook: a photo failed by its dead job is ``processing`` again."""
        photo = await self.meta.get_photo(str(job.payload.get("photo_id", "")))
        if photo is None or photo.status != "failed":
            return
        again = msgspec.structs.replace(
            photo, status="processing", error_code=None, error_detail=None, updated_at=utcnow()
        )
        await self.meta.save_processed_photo(again, "failed")

    async def repair(self, now: datetime) -> int:
        """Photos ``processing`` for a while whose job is missing get one (their dedupe key
        makes that safe), and those whose job is dead fail as ``job_died`` says; return how many."""
        repaired = 0
        for photo in await self.meta.processing_photos(now - REPAIR_AFTER, REPAIR_BATCH):
            job = await self.meta.get_job_by_dedupe_key(process_dedupe_key(photo.id))
            if job is None and self.queue is not None:
                log.warning("photo %s was processing without a job: queued one", photo.id)
                payload = {"photo_id": photo.id}
                repaired += await self.queue.enqueue(PROCESS_PHOTO, payload, dedupe_key=process_dedupe_key(photo.id))
            elif job is not None and job.state == "dead":
                await self.job_died(job)
                repaired += 1
        return repaired

    async def handle(self, payload: dict[str, Any]) -> None:
        """The ``process_photo`` job handler; payload ``{"photo_id": ...}``."""
        await self.process(str(payload["photo_id"]))

    async def handle_preview(self, payload: dict[str, Any]) -> None:
        """The ``make_preview`` job handler; payload ``{"photo_id": ...}``."""
        await self.make_preview(str(payload["photo_id"]))

    def _kept(self, photo_id: str) -> Path:
        """Where a verified original waits between its thumb and its preview."""
        return self.settings.work_path / f"kept-{photo_id}"

    async def _fetch_verified(self, photo: Photo, dest: Path) -> bool:
        """Download the original to ``dest`` and check it; False (upload rejected) when it is not
        what the client declared."""
        try:
            await self.blobs.download_to(original_key(photo.owner_id, photo.id), dest)
        except NotFound:
            await self._reject(photo, "object_missing: the original vanished from storage")
            return False
        size, sha = await run_in(self._hashing, file_sha256, dest)
        if size != photo.size or sha != photo.sha256:
            await self._reject(photo, f"checksum_mismatch: got {size} bytes with sha256 {sha[:12]}…")
            return False
        return True

    async def process(self, photo_id: str) -> None:
        photo = await self.meta.get_photo(photo_id)
        if photo is None or photo.status != "processing":
            return  # already done, rejected, or never arrived: nothing to do
        images = self.settings.images
        # Made and removed in a worker thread: removing a multi-GB original can take a while.
        workdir = Path(await run_in(self._disk, _make_workdir, self.settings.work_path))
        try:
            original = workdir / "original"
            if not await self._fetch_verified(photo, original):
                return
            if await videos.is_video(self, original):
                await videos.process_video(self, photo, original, workdir)
                return
            try:
                plan = await run_in(self._disk, imaging.plan, original, images)
                if plan.staged:
                    thumb = await self.pool.run(THUMB, plan.thumb_bytes, imaging.make_thumb, original, workdir, images)
                else:
                    both = await self.pool.run(THUMB, plan.full_bytes, imaging.process_image, original, workdir, images)
            except imaging.ImageRejected as exc:
                await self._fail(photo, exc.code, exc.detail)
                return
            if not plan.staged:
                await self._put_variants(photo, both.thumb_path, both.preview_path)
                await self._ready(
                    photo, both.meta, (both.thumbhash, both.dhash), both.damage, both.thumb_bytes + both.preview_bytes
                )
                return
            await self.blobs.put_file(thumb_key(photo.owner_id, photo.id), thumb.thumb_path, content_type="image/webp")
            await run_in(self._disk, os.replace, original, self._kept(photo.id))
            if self.queue is not None:
                payload = {"photo_id": photo.id}
                delay = images.preview_delay_seconds
                await self.queue.enqueue(MAKE_PREVIEW, payload, dedupe_key=preview_dedupe_key(photo.id), delay=delay)
            await self._ready(
                photo, thumb.meta, (thumb.thumbhash, thumb.dhash), thumb.damage, thumb.thumb_bytes, preview_pending=True
            )
        finally:
            await run_in(self._disk, shutil.rmtree, workdir, True)

    async def make_preview(self, photo_id: str) -> None:
        """The second half of thumbnails first: the preview of a photo browsable by its thumb."""
        photo = await self.meta.get_photo(photo_id)
        if photo is not None and photo.status == "processing":
            raise Unavailable("thumb_not_ready", "the photo's thumb is not made yet")  # retried with backoff
        kept = self._kept(photo_id)
        if photo is None or photo.status != "ready" or not photo.preview_pending:
            await run_in(self._disk, _unlink, kept)
            return
        images = self.settings.images
        workdir = Path(await run_in(self._disk, _make_workdir, self.settings.work_path))
        try:
            src = kept
            if await run_in(self._disk, _size_of, kept) != photo.size:  # made on another instance, or cleaned
                src = workdir / "original"
                if not await self._fetch_verified(photo, src):
                    return
            try:
                plan = await run_in(self._disk, imaging.plan, src, images)
                preview = await self.pool.run(PREVIEW, plan.full_bytes, imaging.make_preview, src, workdir, images)
            except imaging.ImageRejected as exc:
                await run_in(self._disk, _unlink, kept)
                raise PermanentJobError(exc.code, f"the preview cannot be made: {exc.detail}") from exc
            key = preview_key(photo.owner_id, photo.id)
            await self.blobs.put_file(key, preview.preview_path, content_type="image/jpeg")
            await self._preview_done(photo_id, preview.preview_bytes)
            await run_in(self._disk, _unlink, kept)
        finally:
            await run_in(self._disk, shutil.rmtree, workdir, True)

    async def _preview_done(self, photo_id: str, preview_bytes: int) -> None:
        # Re-read just before saving, so whatever changed the photo meanwhile is kept.
        for _ in range(3):
            photo = await self.meta.get_photo(photo_id)
            if photo is None or photo.status != "ready" or not photo.preview_pending:
                return
            done = msgspec.structs.replace(
                photo,
                preview_pending=False,
                variants_bytes=photo.variants_bytes + preview_bytes,
                updated_at=utcnow(),
            )
            if await self.meta.save_processed_photo(done, "ready"):
                await self._announce(done)
                return
        raise Unavailable("meta_unavailable", "the photo kept changing; the preview is saved again later")

    async def _announce(self, photo: Photo) -> None:
        for hook in self.on_preview:
            try:
                await hook(photo)
            except Exception:
                log.exception("an on-preview hook failed for photo %s", photo.id)

    async def _put_variants(self, photo: Photo, thumb: Path, preview: Path) -> None:
        await self.blobs.put_file(thumb_key(photo.owner_id, photo.id), thumb, content_type="image/webp")
        await self.blobs.put_file(preview_key(photo.owner_id, photo.id), preview, content_type="image/jpeg")

    async def clean_work(self, before: datetime) -> int:
        """Remove work folders left before ``before`` (by a killed process); return how many."""
        return await run_in(self._disk, remove_stale, self.settings.work_path, before)

    def close(self) -> None:
        self.pool.close()

    async def _reject(self, photo: Photo, reason: str) -> None:
        log.warning("upload of photo %s rejected: %s", photo.id, reason)
        await self.blobs.delete(original_key(photo.owner_id, photo.id))
        if photo.upload_id:
            await self.meta.end_upload(photo.upload_id, "rejected", reason, utcnow())

    async def _fail(self, photo: Photo, code: str, detail: str) -> None:
        log.info("photo %s failed: %s (%s)", photo.id, code, detail)
        failed = msgspec.structs.replace(
            photo,
            status="failed",
            error_code=code,
            error_detail=detail,
            damage_code=None,
            damage_detail=None,
            updated_at=utcnow(),
        )
        await self.meta.save_processed_photo(failed, "processing")

    async def _locate(self, photo: Photo, meta: imaging.ImageMeta) -> tuple[datetime | None, Place | None]:
        """The photo's place and its capture time in the local zone of where it was taken (EXIF
        without an offset); from the owner's corrected location when there is one."""
        lat, lon = (photo.lat, photo.lon) if photo.location_source == "owner" else (meta.lat, meta.lon)
        if lat is None or lon is None:
            return meta.taken_at, None
        # The k-d tree query (and the first call's loading) is CPU work: the CPU-sized pool.
        try:
            located = await run_in(self._hashing, places.locate, lat, lon, meta.taken_at)
        except (ImportError, OSError, ValueError):
            # A broken install (package or data file missing) must not fail the photo: it is
            # ready without a place, and the places backfill names it once the install is fixed.
            log.exception("photo %s: the places data cannot be used; the photo is ready without a place", photo.id)
            return meta.taken_at, None
        return located.taken_at, located.place

    async def _ready(
        self,
        photo: Photo,
        meta: imaging.ImageMeta,
        hashes: tuple[str, str | None],  # the thumb's ThumbHash and perceptual hash (none for a video)
        damage: Damage | None,
        variants: int,
        *,
        preview_pending: bool = False,
    ) -> None:
        taken, place = await self._locate(photo, meta)
        ready = msgspec.structs.replace(
            photo,
            status="ready",
            format=meta.format,
            width=meta.width,
            height=meta.height,
            # No capture date in the file: the upload's file_modified_at (or the upload time) stays.
            taken_at=taken.isoformat() if taken else _fallback_taken_at(photo),
            taken_at_source=meta.taken_at_source or _fallback_source(photo),
            sort_at=sort_key(taken) if taken else photo.sort_at,
            exif_taken_at=taken.isoformat() if taken else None,
            camera_make=meta.camera_make,
            camera_model=meta.camera_model,
            lens=meta.lens,
            f_number=meta.f_number,
            exposure_time=meta.exposure_time,
            iso=meta.iso,
            focal_length=meta.focal_length,
            lat=meta.lat,
            lon=meta.lon,
            alt=meta.alt,
            content_identifier=meta.content_identifier,
            place=place,
            thumbhash=hashes[0],
            dhash=hashes[1],
            variants_bytes=variants,
            error_code=None,
            error_detail=None,
            damage_code=damage.code if damage else None,
            damage_detail=damage.detail if damage else None,
            preview_pending=preview_pending,
            updated_at=utcnow(),
        )
        if await self.meta.save_processed_photo(ready, "processing"):
            await videos.pair_live(self.meta, ready, self.settings.videos)
            if self.on_ready is not None:
                await self.on_ready(ready)
            if not preview_pending:
                await self._announce(ready)


def _fallback_taken_at(photo: Photo) -> str | None:
    return photo.taken_at if photo.taken_at_source == "file_modified" else None


def _fallback_source(photo: Photo) -> str:
    return "file_modified" if photo.taken_at_source == "file_modified" else "upload"
