"""The admin's view of the SQS job queue (``AdminService`` reads it as it reads a ``JobStore``).

- counts: outbox rows not yet sent plus the jobs queue's visible and delayed messages are
  ``queued``, its in-flight messages ``running``, the dead-letter queue's messages ``dead``;
- ``state=dead``: the DLQ's messages, each with its last error (jobs moved there by the
  redrive policy after ``sqs.max_receives`` receives say so); other states: the outbox rows;
- retry: the dead job's message is sent to the jobs queue as attempt 1, then deleted from the DLQ.
"""

from __future__ import annotations

import asyncio
import json

import msgspec

from auroravault.errors import Conflict
from auroravault.jobs.sqs_queue import SqsQueues, job_body, job_of
from auroravault.meta.base import Job, JobState
from auroravault.meta.protocols import JobStore


class SqsJobView:
    def __init__(self, meta: JobStore, queues: SqsQueues) -> None:
        self.meta = meta
        self.queues = queues
        self._retried: dict[str, Job] = {}

    async def job_counts(self) -> dict[str, int]:
        outbox = await self.meta.job_counts()
        sqs = await asyncio.to_thread(self.queues.counts)
        return {
            "queued": outbox.get("queued", 0) + sqs["queued"],
            "running": outbox.get("running", 0) + sqs["running"],
            "dead": outbox.get("dead", 0) + sqs["dead"],
        }

    async def list_jobs(self, state: JobState | None, limit: int) -> list[Job]:
        if state == "dead":
            messages, _ = await asyncio.to_thread(self.queues.peek_dead, limit)
            return [job_of(m, "dead") for m in messages]
        return await self.meta.list_jobs(state, limit)

    async def get_job(self, job_id: str) -> Job | None:
        _, found = await asyncio.to_thread(self.queues.peek_dead, 1000, take=job_id)
        if found is not None:
            await asyncio.to_thread(self.queues.release, found["ReceiptHandle"])
            return job_of(found, "dead")
        if job_id in self._retried:
            return self._retried[job_id]
        return await self.meta.get_job(job_id)

    async def retry_job(self, job_id: str, now: object = None) -> bool:
        """Redrive the dead job ``job_id`` to the jobs queue; False if the DLQ does not hold it."""
        _, found = await asyncio.to_thread(self.queues.peek_dead, 1000, take=job_id)
        if found is None:
            return False
        parsed = job_body(found)
        if parsed is None:  # not a job: it stays in the DLQ for an operator to look at
            raise Conflict("job_unreadable", "this dead message is not a job AuroraVault can run; it stays dead")
        body = json.dumps({**parsed, "attempt": 1})
        await asyncio.to_thread(self.queues.send, body)
        await asyncio.to_thread(self.queues.delete, found["ReceiptHandle"], dead=True)
        job = job_of(found, "queued")
        self._retried[job_id] = msgspec.structs.replace(job, attempts=0, last_error=None)
        if len(self._retried) > 1000:
            self._retried.pop(next(iter(self._retried)))
        return True
