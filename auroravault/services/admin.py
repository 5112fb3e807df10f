"""Admin views of the job queue: counts, jobs by state with their last errors, retry of dead jobs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from auroravault.errors import Conflict, NotFound
from auroravault.meta.base import Job, JobState, MetaStore
from auroravault.timeutil import utcnow


class AdminService:
    def __init__(self, meta: MetaStore, before_retry: Callable[[Job], Awaitable[None]] | None = None) -> None:
        self.meta = meta
        self.before_retry = before_retry  # the job kind's own step (a failed photo goes back to processing)

    async def jobs(self, state: JobState | None, limit: int) -> tuple[dict[str, int], list[Job]]:
        return await self.meta.job_counts(), await self.meta.list_jobs(state, limit)

    async def retry(self, job_id: str) -> Job:
        job = await self.meta.get_job(job_id)
        if job is None:
            raise NotFound("job_not_found", "no such job")
        if job.state != "dead":
            raise Conflict("job_not_dead", f"only dead jobs can be retried; this one is {job.state}")
        if self.before_retry is not None:
            await self.before_retry(job)
        if not await self.meta.retry_job(job_id, utcnow()):
            raise Conflict("job_not_dead", f"only dead jobs can be retried; this one is {job.state}")
        retried = await self.meta.get_job(job_id)
        assert retried is not None
        return retried
