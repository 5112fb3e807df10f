"""``JobStore``: the durable job queue's rows (enqueue, lease, finish, fail, retry, purge)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.base import Job, JobState


@runtime_checkable
class JobStore(Protocol):
    async def enqueue_job(self, job: Job) -> bool:
        """Insert a queued job; False (and no insert) if its ``dedupe_key`` exists."""
        ...

    async def claim_jobs(self, now: datetime, owner: str, lease_seconds: int, limit: int) -> list[Job]:
        """Lease up to ``limit`` due jobs: queued with ``run_at <= now``, or running with an
        expired lease. Each claimed job is ``running`` with ``attempts`` + 1, and no two
        callers ever claim the same job for the same lease."""
        ...

    async def finish_job(self, job_id: str, owner: str, now: datetime) -> bool:
        """running -> done, only while ``owner`` holds the lease."""
        ...

    async def fail_job(self, job_id: str, owner: str, error: str, retry_at: datetime | None, now: datetime) -> bool:
        """running -> queued at ``retry_at``, or -> dead when ``retry_at`` is None."""
        ...

    async def get_job(self, job_id: str) -> Job | None: ...

    async def get_job_by_dedupe_key(self, dedupe_key: str) -> Job | None:
        """The job holding ``dedupe_key``, if any (done jobs until they are purged)."""
        ...

    async def list_jobs(self, state: JobState | None, limit: int) -> list[Job]: ...

    async def job_counts(self) -> dict[str, int]: ...

    async def retry_job(self, job_id: str, now: datetime) -> bool:
        """dead -> queued now with attempts reset; False if the job is not dead."""
        ...

    async def next_job_due(self) -> datetime | None:
        """When the earliest queued job is due, to sleep until then."""
        ...

    async def purge_jobs(self, before: datetime) -> int:
        """Delete done jobs last updated before ``before``; return how many."""
        ...
