"""Permanent deletion: a durable, idempotent job per photo, and the daily trash expiry.

A photo leaves for good in steps, each safe to repeat, so a process killed at any point
(or a storage outage) leaves a photo that the job's rerun finishes:

1. ``mark_deleting`` (the request, or the daily expiry): the photo, still in the trash, is
   marked; from then on it is hidden everywhere and can no longer be restored; the job is
   queued with a dedupe key naming the photo and the mark, so it exists once.
2. The job deletes the thumbnail, the preview, then the original (``BlobStore.delete`` is
   idempotent; a storage fault raises ``Unavailable`` and the job retries with backoff).
3. ``finish_deletion``, one atomic meta step: the row and its flags go, the original's size
   is released from the quota, a tombstone ``{photo_id, sha256, deleted_at}`` stays and the
   change enters the owner's feed. A rerun finds no photo and is done.

The daily task ``trash_expiry`` marks photos trashed more than ``library.trash_days`` ago
and queues their jobs, and queues again the job of any photo left marked (a crash between
the mark and the enqueue).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from auroravault.config import Settings
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Photo
from auroravault.meta.protocols import PhotoLibrary
from auroravault.storage.base import BlobStore, original_key, preview_key, thumb_key
from auroravault.timeutil import to_iso, utcnow

log = logging.getLogger("auroravault.library")

DELETE_PHOTO = "delete_photo"
EXPIRY_BATCH = 500


def delete_dedupe_key(photo: Photo) -> str:
    stamp = to_iso(photo.deleting_at) if photo.deleting_at else ""
    return f"delete:{photo.id}:{stamp}"


class DeletionService:
    def __init__(self, meta: PhotoLibrary, blobs: BlobStore, queue: JobQueue, settings: Settings) -> None:
        self.meta = meta
        self.blobs = blobs
        self.queue = queue
        self.settings = settings
        # A photo was deleted for good (``photo.deleted`` on the bus, ``auroravault/bus``).
        self.on_deleted: Callable[[Photo], Awaitable[None]] | None = None

    async def queue_deletions(self, photos: list[Photo]) -> None:
        """Queue the job of each photo marked for deletion (once per mark)."""
        for photo in photos:
            if photo.deleting_at is not None:
                await self.queue.enqueue(DELETE_PHOTO, {"photo_id": photo.id}, dedupe_key=delete_dedupe_key(photo))

    async def handle(self, payload: dict[str, Any]) -> None:
        """The ``delete_photo`` job: idempotent, see the module's steps."""
        photo = await self.meta.get_photo(str(payload.get("photo_id", "")))
        if photo is None or photo.deleting_at is None:
            return  # finished by an earlier run
        for key in (
            thumb_key(photo.owner_id, photo.id),
            preview_key(photo.owner_id, photo.id),
            original_key(photo.owner_id, photo.id),
        ):
            await self.blobs.delete(key)
        if await self.meta.finish_deletion(photo.id, utcnow()):
            log.info("photo %s of %s deleted for good", photo.id, photo.owner_id)
            if self.on_deleted is not None:
                await self.on_deleted(photo)

    async def expire_trash(self) -> int:
        """The daily task: queue the deletion of every photo whose time in the trash is up."""
        cutoff = utcnow() - timedelta(days=self.settings.library.trash_days)
        queued = 0
        while True:
            due = await self.meta.deletion_due(cutoff, EXPIRY_BATCH)
            fresh = [p for p in due if p.deleting_at is None]
            marked = [p for p in due if p.deleting_at is not None]
            for owner_id in {p.owner_id for p in fresh}:
                ids = [p.id for p in fresh if p.owner_id == owner_id]
                marked += await self.meta.mark_deleting(owner_id, ids, utcnow())
            await self.queue_deletions(marked)
            queued += len(marked)
            if len(due) < EXPIRY_BATCH or not fresh:
                return queued
