"""``UploadStore``: batches and uploads, from the presigned URL to the photo's arrival."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.base import Batch, Job, Photo, Upload


@runtime_checkable
class UploadStore(Protocol):
    async def create_uploads(
        self, batch: Batch, photos: list[Photo], uploads: list[Upload], reserve_bytes: int
    ) -> None:
        """Create a batch with its new pending photos and uploads, reserving quota.

        All or nothing: ``QuotaExceeded('quota_exceeded')`` when
        ``used_bytes + reserve_bytes > quota_bytes``; ``Conflict('sha256_taken')`` when
        another upload claimed one of the hashes meanwhile.
        """
        ...

    async def move_uploads(self, moves: list[tuple[str, int]], batch_id: str, url_expires_at: datetime) -> None:
        """Resume: attach still-pending uploads ``(upload_id, index)`` to a new batch at
        their new index, with a fresh URL expiry."""
        ...

    async def get_batch(self, batch_id: str) -> Batch | None: ...

    async def get_upload(self, upload_id: str) -> Upload | None: ...

    async def batch_uploads(self, batch_id: str) -> list[Upload]:
        """The batch's uploads ordered by ``index``."""
        ...

    async def pending_uploads(self, owner_id: str, limit: int) -> list[Upload]: ...

    async def mark_upload_arrived(self, upload_id: str, now: datetime, job: Job | None = None) -> bool:
        """pending -> processing for the upload and its photo; False if not pending.

        ``job`` (the photo's processing job) is enqueued in the same atomic step, as
        ``enqueue_job`` would (not when its ``dedupe_key`` already names a job): an arrived
        photo never lacks its job because a second write failed.
        """
        ...

    async def end_upload(
        self, upload_id: str, state: Literal["rejected", "expired"], reason: str, now: datetime
    ) -> bool:
        """Give up on an upload: ``rejected`` from pending or processing, ``expired`` from
        pending only (an upload that arrived meanwhile is not expired).

        The upload takes ``state``; its photo row is deleted and the reserved bytes
        are released from the owner's ``used_bytes``. False if the upload already ended
        (or, for ``expired``, is no longer pending).
        """
        ...

    async def due_pending_uploads(self, now: datetime, limit: int) -> list[Upload]:
        """Pending uploads whose ``next_check_at`` has come (for the sweep)."""
        ...

    async def schedule_upload_check(self, upload_id: str, checks: int, next_check_at: datetime) -> None: ...
