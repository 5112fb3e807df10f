"""The server's half of the pending queue, and daily housekeeping.

``sweep_pending`` (every ``jobs.sweep_seconds``): uploads whose client never called
complete are HEAD-checked with backoff (``uploads.first_check_seconds``, doubling up to
``jobs.backoff_cap``). Bytes there: confirmed and processed, exactly as ``complete``
would. Still nothing after ``uploads.pending_ttl_seconds``: expired, object deleted,
quota released.

``housekeeping`` (daily): tidies objects older than a day that no photo owns, purges done
jobs older than a week, forgets expired rows (``MetaStore.purge_expired``: sessions, reset
tokens, counters, ended uploads, empty batches), and removes scratch files older than a day
(``clean_scratch``: the local store's partial uploads and processing's work folders, which a
killed process leaves behind; the app also calls it at start for everything from before).

Only keys of the user layout (``u_.../p_.../original``, ``thumb.webp``, ``preview.jpg``) are
ever looked at by the orphan tidy: anything else in the store is left alone. An *original*
without its row (a damaged database lost rows, an older backup was restored) is never
deleted: it moves to ``quarantine/{key}``, where ``auroravault check`` reports it and
``auroravault quarantine restore`` brings it back as a photo of its user. Variants without a
row are deleted; they can always be made again.

The pending sweep also repairs photos left ``processing`` (``repair``, the pipeline's): one
whose job is missing gets one, one whose job is dead becomes ``failed``. An upload expires
only while it is still pending (a racing ``complete`` that marked it arrived wins), and its
object is deleted only once it has expired.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from auroravault.config import Settings
from auroravault.errors import AuroraError
from auroravault.meta.protocols import JobStore, PhotoStore, StoreLifecycle, UploadStore
from auroravault.services.multipart import abort_all, is_multipart
from auroravault.services.uploads import UploadService
from auroravault.storage.base import QUARANTINE_PREFIX, BlobStore, original_key
from auroravault.timeutil import utcnow

log = logging.getLogger("auroravault.sweep")

SWEEP_BATCH = 200
ORPHAN_AGE = timedelta(days=1)
DONE_JOBS_KEPT = timedelta(days=7)
#: The keys housekeeping may touch: ``{user_id}/{photo_id}/{original|thumb.webp|preview.jpg}``.
USER_LAYOUT = re.compile(r"^(u_[A-Za-z0-9_-]+)/(p_[A-Za-z0-9_-]+)/(original|thumb\.webp|preview\.jpg)$")
#: Scratch files older than this belong to nobody alive (an upload or a decode takes far less).
SCRATCH_AGE = timedelta(days=1)


class SweepMeta(PhotoStore, UploadStore, JobStore, StoreLifecycle, Protocol):
    """The store as the sweep sees it: pending uploads and their photos, done jobs, and
    what expired anywhere."""


class SweepService:
    def __init__(
        self,
        meta: SweepMeta,
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
                        key = original_key(upload.owner_id, upload.photo_id)
                        await self.blobs.delete(key)
                        if is_multipart(upload.size, self.settings):  # no orphan parts either
                            await abort_all(self.blobs, key)
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

    async def tidy_orphans(self, older_than: timedelta = ORPHAN_AGE) -> dict[str, int]:
        """Quarantine originals and delete variants older than ``older_than`` that no photo owns."""
        cutoff = utcnow() - older_than
        owners: dict[str, str | None] = {}
        counts = {"quarantined": 0, "deleted": 0}
        async for info in self.blobs.list(""):
            match = USER_LAYOUT.match(info.key)
            if match is None or (info.last_modified is not None and info.last_modified > cutoff):
                continue
            user_id, photo_id, name = match.groups()
            if photo_id not in owners:
                photo = await self.meta.get_photo(photo_id)
                owners[photo_id] = photo.owner_id if photo else None
            if owners[photo_id] == user_id:
                continue
            if name == "original":
                await self.blobs.move(info.key, QUARANTINE_PREFIX + info.key)
                counts["quarantined"] += 1
            else:
                await self.blobs.delete(info.key)
                counts["deleted"] += 1
        if counts["quarantined"]:
            log.warning(
                "housekeeping: %d original(s) without a database row moved to %s; "
                "'auroravault quarantine restore' brings them back",
                counts["quarantined"],
                QUARANTINE_PREFIX,
            )
        if counts["deleted"]:
            log.info("housekeeping: deleted %d orphaned variant(s)", counts["deleted"])
        return counts

    async def clean_scratch(self, before: datetime) -> int:
        """Remove scratch files (partial uploads, work folders) last touched before ``before``."""
        removed = await self.blobs.purge_temp(before)
        if self.clean_work is not None:
            removed += await self.clean_work(before)
        if removed:
            log.info("removed %d leftover scratch file(s) from before %s", removed, before.isoformat())
        return removed

    async def housekeeping(self) -> None:
        await self.tidy_orphans()
        await self.clean_scratch(utcnow() - SCRATCH_AGE)
        forgotten = await self.meta.purge_expired(utcnow())
        if forgotten:
            log.info("housekeeping: forgot %d expired row(s) (sessions, tokens, counters, uploads)", forgotten)
        purged = await self.meta.purge_jobs(utcnow() - DONE_JOBS_KEPT)
        if purged:
            log.info("housekeeping: purged %d finished job(s)", purged)
