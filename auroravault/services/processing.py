"""The photo pipeline, job ``process_photo``: verify, read metadata, make variants.

1. Download the original to a temp file (streamed) and check its size and sha256
   against what the client declared. A mismatch rejects the upload (``checksum_mismatch``),
   deletes the object and releases the quota.
2. ``imaging.process_image`` detects the real format from the bytes, reads EXIF and makes
   the thumb and preview from one decode, in a worker thread, at most
   ``images.concurrency`` at a time (a 200 MP photo takes hundreds of MB while decoding).
3. The variants are stored, then the photo becomes ``ready`` with its metadata (and
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

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from auroravault import imaging
from auroravault.config import Settings
from auroravault.errors import NotFound
from auroravault.executors import run_in
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Job, MetaStore, Photo, Upload
from auroravault.scratch import remove_stale
from auroravault.storage.base import BlobStore, original_key, preview_key, thumb_key
from auroravault.timeutil import sort_key, utcnow

log = logging.getLogger("auroravault.processing")

PROCESS_PHOTO = "process_photo"
#: How long a photo is ``processing`` before the repair looks at its job.
REPAIR_AFTER = timedelta(minutes=1)
REPAIR_BATCH = 200
_ERROR = re.compile(r"^([a-z][a-z0-9_]*): (.*)$", re.DOTALL)


def process_dedupe_key(photo_id: str) -> str:
    return f"process:{photo_id}"


def job_error(last_error: str | None) -> tuple[str, str]:
    """A dead job's ``"code: detail"`` as the photo's error; anything else is ``processing_failed``."""
    text = last_error or "the processing job gave up"
    match = _ERROR.match(text)
    return (match.group(1), match.group(2)) if match else ("processing_failed", text)


# Decoding is CPU-heavy and can wait; uploads and page views cannot. On Linux each thread is
# its own scheduling entity, so the decode threads alone get a lower priority.
DECODE_NICENESS = 10


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DECODE_NICENESS)


def _sha256_of(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _make_workdir(root: Path) -> str:
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix="photo-", dir=root)


class ProcessingService:
    def __init__(
        self,
        meta: MetaStore,
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
        # Its own threads, at a lower priority (see DECODE_NICENESS); their number bounds how
        # many photos are decoded at once, and so the memory that takes.
        self._decoder = ThreadPoolExecutor(
            max_workers=settings.images.concurrency, thread_name_prefix="decode", initializer=_lower_priority
        )

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

    async def process(self, photo_id: str) -> None:
        photo = await self.meta.get_photo(photo_id)
        if photo is None or photo.status != "processing":
            return  # already done, rejected, or never arrived: nothing to do
        # Made and removed in a worker thread: removing a multi-GB original can take a while.
        workdir = Path(await run_in(self._disk, _make_workdir, self.settings.work_path))
        try:
            original = workdir / "original"
            try:
                await self.blobs.download_to(original_key(photo.owner_id, photo.id), original)
            except NotFound:
                await self._reject(photo, "object_missing: the original vanished from storage")
                return
            size, sha = await run_in(self._hashing, _sha256_of, original)
            if size != photo.size or sha != photo.sha256:
                await self._reject(photo, f"checksum_mismatch: got {size} bytes with sha256 {sha[:12]}…")
                return
            try:
                result = await asyncio.get_running_loop().run_in_executor(
                    self._decoder, imaging.process_image, original, workdir, self.settings.images
                )
            except imaging.ImageRejected as exc:
                await self._fail(photo, exc.code, exc.detail)
                return
            await self.blobs.put_file(thumb_key(photo.owner_id, photo.id), result.thumb_path, content_type="image/webp")
            await self.blobs.put_file(
                preview_key(photo.owner_id, photo.id), result.preview_path, content_type="image/jpeg"
            )
        finally:
            await run_in(self._disk, shutil.rmtree, workdir, True)
        variants = result.thumb_bytes + result.preview_bytes
        await self._ready(photo, result, variants)

    async def clean_work(self, before: datetime) -> int:
        """Remove work folders left before ``before`` (by a killed process); return how many."""
        return await run_in(self._disk, remove_stale, self.settings.work_path, before)

    def close(self) -> None:
        self._decoder.shutdown(wait=False, cancel_futures=True)

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

    async def _ready(self, photo: Photo, result: imaging.ProcessedImage, variants: int) -> None:
        meta = result.meta
        taken = meta.taken_at
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
            thumbhash=result.thumbhash,
            variants_bytes=variants,
            error_code=None,
            error_detail=None,
            damage_code=result.damage.code if result.damage else None,
            damage_detail=result.damage.detail if result.damage else None,
            updated_at=utcnow(),
        )
        await self.meta.save_processed_photo(ready, "processing")


def _fallback_taken_at(photo: Photo) -> str | None:
    return photo.taken_at if photo.taken_at_source == "file_modified" else None


def _fallback_source(photo: Photo) -> str:
    return "file_modified" if photo.taken_at_source == "file_modified" else "upload"
