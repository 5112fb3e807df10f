"""The server's half of the pending queue, and daily housekeeping.

``sweep_pending`` (every ``jobs.sweep_seconds``): uploads whose client never called
complete are HEAD-checked with backoff (``uploads.first_check_seconds``, doubling up to
``jobs.backoff_cap``). Bytes there: confirmed and processed, exactly as ``complete``
would. Still nothing after ``uploads.pending_ttl_seconds``: expired, object deleted,
quota released.

The same round repairs photos left ``processing`` (``repair``, the pipeline's): one whose
job is missing gets one, one whose job is dead becomes ``failed``.

An upload expires only while it is still pending (a racing ``complete`` that marked it
arrived wins), and its object is deleted only once it has expired.

``housekeeping`` (daily): deletes objects older than a day that no photo owns (orphans
of crashed uploads), done jobs older than a week, expired rows (``MetaStore.purge_expired``:
sessions, reset tokens, counters, ended uploads, empty batches), and scratch files older than a day
(``clean_scratch``: the local store's partial uploads and processing's work folders, which a
killed process leaves behind; the app also calls it at start for everything from before).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from auroravault.config import Settings
from auroravault.errors import AuroraError
from auroravault.meta.base import MetaStore
from auroravault.services.uploads import UploadService
from auroravault.storage.base import BlobStore, original_key
from auroravault.timeutil import utcnow

log = logging.getLogger("auroravault.sweep")

SWEEP_BATCH = 200
ORPHAN_AGE = timedelta(days=1)
DONE_JOBS_KEPT = timedelta(days=7)
#: Scratch files older than this belong to nobody alive (an upload or a decode takes far less).
SCRATCH_AGE = timedelta(days=1)


class SweepService:
    def __init__(
        self,
        meta: MetaStore,
        blobs: BlobStore,
        uploads: UploadService,
        settings: Settings,
        repair: Callable[[datetime], Awaitable[int]] | None = None,
        clean_work: Callable[[datetime], Awaitable[int]] | None = None,
    ) -> None:
        self.meta = meta
        self.blobs = blobs
        self.uploads = uploads
        self.settings = settings
        self.repair = repair
        self.clean_work = clean_work

    def next_check_delay(self, checks: int) -> float:
        first = self.settings.uploads.first_check_seconds
        return float(min(self.settings.jobs.backoff_cap, first * 2 ** min(checks, 30)))

    async def sweep_pending(self, now: datetime | None = None) -> dict[str, int]:
        """One round over the uploads due at ``now``; returns what happened to them."""
        counts = {"confirmed": 0, "expired": 0, "rejected": 0, "waiting": 0, "repaired": 0}
        now = now or utcnow()
        for upload in await self.meta.due_pending_uploads(now, SWEEP_BATCH):
            try:
                if upload.expires_at <= now:
                    if await self.meta.end_upload(upload.id, "expired", "expired: never completed", now):
                        await self.blobs.delete(original_key(upload.owner_id, upload.photo_id))
                        counts["expired"] += 1
                    continue
                fresh = await self.uploads.confirm(upload)
                if fresh.state == "pending":
                    checks = upload.checks + 1
                    due = min(now + timedelta(seconds=self.next_check_delay(checks)), upload.expires_at)
                    await self.meta.schedule_upload_check(upload.id, checks, due)
                    counts["waiting"] += 1
                else:
                    counts["confirmed" if fresh.state == "processing" else "rejected"] += 1
            except AuroraError as exc:
                # storage or meta down: this upload is looked at again next round
                log.warning("sweep: upload %s not checked now: %s", upload.id, exc)
        if self.repair is not None:
            try:
                counts["repaired"] = await self.repair(now)
            except AuroraError as exc:
                log.warning("sweep: processing photos not repaired now: %s", exc)
        if any(counts[k] for k in ("confirmed", "expired", "rejected", "repaired")):
            log.info("pending sweep: %s", counts)
        return counts

    async def delete_orphans(self, older_than: timedelta = ORPHAN_AGE) -> int:
        """Delete objects older than ``older_than`` that no photo owns; return how many."""
        cutoff = utcnow() - older_than
        owners: dict[str, str | None] = {}
        deleted = 0
        async for info in self.blobs.list(""):
            if info.last_modified is not None and info.last_modified > cutoff:
                continue
            parts = info.key.split("/")
            owned = False
            if len(parts) == 3:
                user_id, photo_id, _ = parts
                if photo_id not in owners:
                    photo = await self.meta.get_photo(photo_id)
                    owners[photo_id] = photo.owner_id if photo else None
                owned = owners[photo_id] == user_id
            if not owned:
                await self.blobs.delete(info.key)
                deleted += 1
        if deleted:
            log.info("housekeeping: deleted %d orphaned object(s)", deleted)
        return deleted

    async def clean_scratch(self, before: datetime) -> int:
        """Remove scratch files (partial uploads, work folders) last touched before ``before``."""
        removed = await self.blobs.purge_temp(before)
        if self.clean_work is not None:
            removed += await self.clean_work(before)
        if removed:
            log.info("removed %d leftover scratch file(s) from before %s", removed, before.isoformat())
        return removed

    async def housekeeping(self) -> None:
        await self.delete_orphans()
        await self.clean_scratch(utcnow() - SCRATCH_AGE)
        forgotten = await self.meta.purge_expired(utcnow())
        if forgotten:
            log.info("housekeeping: forgot %d expired row(s) (sessions, tokens, counters, uploads)", forgotten)
        purged = await self.meta.purge_jobs(utcnow() - DONE_JOBS_KEPT)
        if purged:
            log.info("housekeeping: purged %d finished job(s)", purged)
