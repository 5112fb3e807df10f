"""Admin views of the job queue: counts, jobs by state with their last errors, retry of dead jobs.

Admins see job payloads with every secret-looking value redacted (``redacted``): no job
should carry a secret, and if one ever does, an admin view still does not show it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from auroravault.errors import Conflict, NotFound
from auroravault.jobs.sqs_admin import SqsJobView
from auroravault.meta.base import Job, JobState
from auroravault.meta.protocols import JobStore
from auroravault.timeutil import utcnow

#: Payload keys whose values admins never see, wherever they sit in the payload.
SENSITIVE_KEY = re.compile(
    r"token|passw|secret|credential|api_?key|access_?key|private_?key|signature|authorization|cookie",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def redacted(value: Any) -> Any:
    """``value`` with the value of every sensitive key (``SENSITIVE_KEY``) replaced, at any depth."""
    if isinstance(value, dict):
        return {k: REDACTED if SENSITIVE_KEY.search(str(k)) else redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def _shown(job: Job) -> Job:
    return msgspec.structs.replace(job, payload=redacted(job.payload))


class AdminService:
    def __init__(
        self,
        meta: JobStore | SqsJobView,  # the MetaStore's rows, or the SQS queues ([jobs] backend)
        before_retry: Callable[[Job], Awaitable[None]] | None = None,
        after_retry: Callable[[], None] | None = None,
    ) -> None:
        self.meta = meta
        self.before_retry = before_retry  # the job kind's own step (a failed photo goes back to processing)
        self.after_retry = after_retry  # wakes the job pump: the job is due now

    async def jobs(self, state: JobState | None, limit: int) -> tuple[dict[str, int], list[Job]]:
        return await self.meta.job_counts(), [_shown(job) for job in await self.meta.list_jobs(state, limit)]

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
        if self.after_retry is not None:
            self.after_retry()
        retried = await self.meta.get_job(job_id)
        assert retried is not None
        return _shown(retried)
