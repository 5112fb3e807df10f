"""``jobs.backend = "sqs"``: the same job kinds, handlers and guarantees, on an SQS queue.

Why an outbox. Some jobs are stored by a MetaStore step together with other rows, in one
transaction (``JobQueue.job(...)``: the photo-processing job written with the completed
upload). Sending to SQS cannot join that transaction: send first and the step may fail (a
job for nothing), commit first and the process may die before the send (a photo never
processed). So every job is still written as a MetaStore row exactly as with the meta
backend (one code path for ``enqueue`` and for steps, dedupe by ``dedupe_key`` as before),
and the rows are a transactional outbox: the relay claims due rows under a lease
(``claim_jobs``), sends them to SQS, and marks them ``done`` (handed over). A relay that dies
between send and mark leaves the row leased; it is sent again when the lease expires, so a
job may run twice but is never lost (handlers are idempotent). A row delayed with
``enqueue(delay=...)`` stays in the outbox until due, however long the delay.

On SQS:

- each instance long-polls (``sqs.wait_seconds``) for at most ``jobs.concurrency`` jobs at
  once; the visibility timeout (``jobs.lease_seconds``) is the lease, extended with
  ChangeMessageVisibility every third of it while a job runs;
- success deletes the message; a failure sends the job again as a new message with
  ``attempt + 1`` after ``backoff_delay`` (DelaySeconds caps at 900 s: a longer delay rides
  in ``not_before``, and a message received early is sent again with the rest of its delay),
  then deletes the one received; after ``jobs.max_attempts`` runs, or at a
  ``PermanentJobError``, the job goes to the dead-letter queue with its error;
- a consumer that dies mid-job leaves the message to reappear when its visibility ends
  (the lease expired: another instance runs it); after ``sqs.max_receives`` such receives
  the queue's redrive policy moves it to the dead-letter queue;
- ``auroravault.jobs.sqs_admin`` reads the DLQ for ``GET /admin/jobs?state=dead`` and redrives
  a dead job for ``POST /admin/jobs/{id}/retry``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from auroravault.config import JobSettings, SqsSettings
from auroravault.errors import AuroraError, PermanentJobError
from auroravault.jobs.queue import backoff_delay
from auroravault.jobs.runner import Handler, JobRunner
from auroravault.jobs.sqs_queue import SqsQueues, body_of, job_of, message_attribute
from auroravault.meta.protocols import JobStore
from auroravault.timeutil import utcnow

log = logging.getLogger("auroravault.jobs.sqs")


class SqsJobRunner(JobRunner):
    """A ``JobRunner`` (periodic tasks, hooks, start/stop) whose jobs run from SQS."""

    def __init__(
        self,
        meta: JobStore,
        settings: JobSettings,
        sqs: SqsSettings,
        handlers: dict[str, Handler],
        *,
        queues: SqsQueues | None = None,
        owner: str | None = None,
        shutdown_grace: float = 10.0,
    ) -> None:
        super().__init__(meta, settings, handlers, owner=owner, shutdown_grace=shutdown_grace)
        self.sqs = sqs
        self.queues = queues or SqsQueues(sqs)
        self._relay_task: asyncio.Task[int] | None = None
        self._relay_again = False
        self._consumer: asyncio.Task[None] | None = None
        self._slot = asyncio.Event()

    # -- the outbox relay -------------------------------------------------------------
    def wake(self) -> None:
        if self._stopping or self._scheduler is None:
            return
        if self._relay_task is not None and not self._relay_task.done():
            self._relay_again = True
        else:
            self._relay_task = asyncio.create_task(self._relay_loop(), name="job-relay")
        if self._consumer is None or self._consumer.done():
            self._consumer = asyncio.create_task(self._consume(), name="job-consumer")

    async def _relay_loop(self) -> int:
        sent = 0
        while True:
            self._relay_again = False
            try:
                sent += await self.relay()
            except AuroraError as exc:
                log.warning("cannot relay jobs now: %s", exc)
            if not self._relay_again or self._stopping:
                return sent

    async def relay(self, batch: int = 50) -> int:
        """Send due outbox rows to SQS and mark them done; return how many were sent."""
        total = 0
        while True:
            jobs = await self.meta.claim_jobs(utcnow(), self.owner, self.settings.lease_seconds, batch)
            if not jobs:
                return total
            try:
                await asyncio.to_thread(self.queues.send_batch, [body_of(job, 1) for job in jobs])
            except Exception as exc:  # the rows stay leased and are sent again after their lease
                log.warning("cannot send %d job(s) to SQS: %s", len(jobs), exc)
                return total
            for job in jobs:
                await self._settle(self.meta.finish_job(job.id, self.owner, utcnow()))
            total += len(jobs)

    # -- the consumer -----------------------------------------------------------------
    async def pump(self) -> int:
        """One round: relay, then receive (short poll) and start as many jobs as slots allow."""
        await self.relay()
        return await self._receive(wait=0)

    async def _receive(self, wait: int) -> int:
        free = self.settings.concurrency - len(self._inflight)
        if free <= 0:
            return 0
        try:
            messages = await asyncio.to_thread(self.queues.receive, free, wait, self.settings.lease_seconds)
        except Exception as exc:
            log.warning("cannot receive jobs from SQS now: %s", exc)
            await asyncio.sleep(1)
            return 0
        for message in messages:
            task = asyncio.create_task(self._run_logged(message), name=f"job:{message['MessageId']}")
            self._inflight.add(task)
            task.add_done_callback(self._released)
        return len(messages)

    async def _run_logged(self, message: dict[str, Any]) -> None:
        try:
            await self.run_message(message)
        except Exception as exc:  # the message keeps its lease and comes back: at least once
            log.warning("could not record a job's outcome on SQS (%s); it runs again after its lease", exc)

    def _released(self, task: asyncio.Task[Any]) -> None:
        self._inflight.discard(task)
        self._slot.set()

    async def _consume(self) -> None:
        while not self._stopping:
            if len(self._inflight) >= self.settings.concurrency:
                self._slot.clear()
                await self._slot.wait()
                continue
            await self._receive(wait=self.sqs.wait_seconds)

    async def stop(self) -> None:
        self._stopping = True
        if self._consumer is not None:
            # Only the long poll's wait: no job is cut short here. Messages that poll still
            # returns stay invisible until their lease ends, then any instance runs them.
            self._consumer.cancel()
            await asyncio.wait([self._consumer], timeout=2)
        if self._relay_task is not None:
            await asyncio.wait([self._relay_task], timeout=self.shutdown_grace)
        await super().stop()

    async def drain(self, within: float = 30.0) -> None:
        """Run jobs until the outbox and the jobs queue are empty (tests, tools)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            started = await self.pump()
            if self._inflight:
                await asyncio.wait(self._inflight, timeout=max(0.0, deadline - loop.time()))
                continue
            if started:
                continue
            counts = await asyncio.to_thread(self.queues.counts)
            due = await self.meta.next_job_due()
            if not counts["queued"] and not counts["running"] and due is None:
                return
            await asyncio.sleep(0.1)
        raise TimeoutError("jobs still running or due after drain timeout")

    # -- one message ------------------------------------------------------------------
    async def run_message(self, message: dict[str, Any]) -> None:
        """Run the job ``message`` carries and settle it on SQS; raise if the outcome was not recorded
        (the Lambda handler reports that record as failed; the message then comes back)."""
        receipt = message.get("ReceiptHandle") or message["receiptHandle"]
        body = message.get("Body") or message["body"]
        not_before = message_attribute(message, "not_before")
        if not_before is not None and float(not_before) > time.time():  # early: never run before due
            remaining = float(not_before) - time.time()
            await asyncio.to_thread(
                self.queues.send, body, delay=remaining, last_error=message_attribute(message, "last_error")
            )
            await asyncio.to_thread(self.queues.delete, receipt)
            return
        job = job_of(message, "running")
        handler = self.handlers.get(job.kind)
        heartbeat = asyncio.create_task(self._heartbeat(receipt))
        try:
            if handler is None:
                raise PermanentJobError("unknown_job", f"no handler for job kind {job.kind!r}")
            await handler(job.payload)
        except asyncio.CancelledError:
            raise
        except PermanentJobError as exc:
            log.warning("job %s %s failed for good: %s", job.kind, job.id, exc)
            await self._dead(job, body, receipt, f"{exc.code}: {exc.detail}")
        except Exception as exc:
            error = f"{exc.code}: {exc.detail}" if isinstance(exc, AuroraError) else f"{type(exc).__name__}: {exc}"
            log.info("job %s %s attempt %d: %s", job.kind, job.id, job.attempts, error)
            if job.attempts >= self.settings.max_attempts:
                await self._dead(job, body, receipt, error)
            else:
                delay = backoff_delay(job.attempts, self.settings.backoff_base, self.settings.backoff_cap)
                again = json.dumps({**json.loads(body), "attempt": job.attempts + 1})
                await asyncio.to_thread(self.queues.send, again, delay=delay, last_error=error)
                await asyncio.to_thread(self.queues.delete, receipt)
        else:
            await asyncio.to_thread(self.queues.delete, receipt)
            log.info("job %s %s done: %s", job.kind, job.id, json.dumps(job.payload, sort_keys=True))
        finally:
            heartbeat.cancel()

    async def _dead(self, job: Any, body: str, receipt: str, error: str) -> None:
        await asyncio.to_thread(self.queues.send, body, last_error=error, dead=True)
        await asyncio.to_thread(self.queues.delete, receipt)
        await self._died(job, error)

    async def _heartbeat(self, receipt: str) -> None:
        lease = self.settings.lease_seconds
        while True:
            await asyncio.sleep(max(1.0, lease / 3))
            try:
                await asyncio.to_thread(self.queues.extend, receipt, lease)
            except Exception as exc:
                log.warning("cannot extend a job's lease: %s", exc)
