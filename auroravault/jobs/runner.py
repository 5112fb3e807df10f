"""The job runner: APScheduler triggers, a pump that claims jobs under a lease, handlers.

APScheduler 3 (``AsyncIOScheduler``, started and stopped in the app's lifespan) fires:

- ``pump`` every ``jobs.poll_seconds``, and at once when a job is enqueued or a slot frees;
- each periodic task registered with ``every`` (the pending-upload sweep) or ``daily``.

The pump claims due jobs with ``MetaStore.claim_jobs`` (a conditional update, so two
instances never hold the same job) and runs at most ``jobs.concurrency`` at a time.
Outcomes:

- the handler returns: ``done``;
- ``PermanentJobError``: ``dead`` at once with its reason;
- anything else (``Unavailable``, a bug): queued again after ``backoff_delay``, until
  ``jobs.max_attempts`` attempts, then ``dead`` with the last error.

A kind may register hooks (``hooks``): ``on_dead`` runs once its job is dead (the photo
pipeline marks the photo ``failed`` with the job's last error), ``before_retry`` before an
admin queues a dead job again (the photo goes back to ``processing``). The runner knows no
kind; a hook that fails is logged, and its kind's own repair (the sweep) catches up.

Shutdown waits a few seconds for running jobs; a job cut short keeps its lease and is
claimed again by any instance once the lease expires. Handlers are idempotent, so a job
that runs twice does no harm.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from auroravault.config import JobSettings
from auroravault.errors import AuroraError, PermanentJobError
from auroravault.ids import new_id
from auroravault.jobs.queue import backoff_delay
from auroravault.meta.base import Job
from auroravault.meta.protocols import JobStore
from auroravault.timeutil import utcnow

log = logging.getLogger("auroravault.jobs")

Handler = Callable[[dict[str, Any]], Awaitable[None]]
JobHook = Callable[[Job], Awaitable[None]]
Periodic = Callable[[], Awaitable[Any]]


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{new_id()[:6]}"


class JobRunner:
    def __init__(
        self,
        meta: JobStore,
        settings: JobSettings,
        handlers: dict[str, Handler],
        *,
        owner: str | None = None,
        shutdown_grace: float = 10.0,
    ) -> None:
        self.meta = meta
        self.settings = settings
        self.handlers = handlers
        self.owner = owner or instance_name()
        self.shutdown_grace = shutdown_grace
        self._scheduler: AsyncIOScheduler | None = None
        self._periodic: list[tuple[str, Periodic, dict[str, Any]]] = []
        self._inflight: set[asyncio.Task[None]] = set()
        self._pump_task: asyncio.Task[int] | None = None
        self._pumping = False
        self._dirty = False
        self._stopping = False
        self._on_dead: dict[str, JobHook] = {}
        self._before_retry: dict[str, JobHook] = {}

    # -- wiring ---------------------------------------------------------------------
    def every(self, name: str, seconds: float, task: Periodic) -> None:
        """Run ``task`` every ``seconds`` on this instance (one run at a time)."""
        self._periodic.append((name, task, {"trigger": "interval", "seconds": seconds}))

    def hooks(self, kind: str, *, on_dead: JobHook | None = None, before_retry: JobHook | None = None) -> None:
        """Register what a kind does when one of its jobs dies, and before it is retried."""
        if on_dead is not None:
            self._on_dead[kind] = on_dead
        if before_retry is not None:
            self._before_retry[kind] = before_retry

    async def before_retry(self, job: Job) -> None:
        """Run ``job``'s kind's ``before_retry`` hook (the admin retry calls it first)."""
        hook = self._before_retry.get(job.kind)
        if hook is not None:
            await hook(job)

    def daily(self, name: str, task: Periodic, hour: int = 3) -> None:
        self._periodic.append((name, task, {"trigger": "cron", "hour": hour, "minute": 17}))

    async def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC)
        now = datetime.now(UTC)
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.settings.poll_seconds,
            id="pump",
            max_instances=1,
            coalesce=True,
            next_run_time=now,
        )
        for name, task, trigger in self._periodic:
            scheduler.add_job(
                self._guarded(name, task), id=name, max_instances=1, coalesce=True, misfire_grace_time=None, **trigger
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info("job runner %s started (concurrency %d)", self.owner, self.settings.concurrency)

    async def stop(self) -> None:
        self._stopping = True
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._pump_task is not None:
            await asyncio.wait([self._pump_task], timeout=self.shutdown_grace)
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=self.shutdown_grace)
            for task in pending:  # left to be claimed again after their lease
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2)
                log.warning("%d job(s) cut short at shutdown; they run again after their lease", len(pending))

    def wake(self) -> None:
        """Run the pump now (or again right after the current round)."""
        if self._stopping or self._scheduler is None:
            return
        if self._pump_task is not None and not self._pump_task.done():
            self._dirty = True
            return
        # The pump runs as a task of its own, never as APScheduler's coroutine: the
        # scheduler cancels its coroutines at shutdown, and a claim cut in half would
        # leave jobs leased to nobody until the lease runs out.
        self._pump_task = asyncio.create_task(self.pump(), name="job-pump")

    async def _tick(self) -> None:
        self.wake()

    def _guarded(self, name: str, task: Periodic) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            try:
                await task()
            except Exception:
                log.exception("periodic task %s failed; it runs again at its next tick", name)

        return run

    # -- the pump -------------------------------------------------------------------
    async def pump(self) -> int:
        """Claim and start due jobs until none are due or every slot is busy; return how many."""
        if self._pumping or self._stopping:
            self._dirty = True
            return 0
        self._pumping = True
        started = 0
        try:
            while not self._stopping:
                self._dirty = False
                free = self.settings.concurrency - len(self._inflight)
                if free <= 0:
                    break  # a finishing job wakes us
                try:
                    jobs = await self.meta.claim_jobs(utcnow(), self.owner, self.settings.lease_seconds, free)
                except AuroraError as exc:
                    log.warning("cannot claim jobs now: %s", exc)
                    break
                for job in jobs:
                    task = asyncio.create_task(self._run(job), name=f"job:{job.kind}:{job.id}")
                    self._inflight.add(task)
                    task.add_done_callback(self._finished)
                started += len(jobs)
                if not jobs and not self._dirty:
                    break
        finally:
            self._pumping = False
        return started

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self.wake()

    async def drain(self, within: float = 30.0) -> None:
        """Run jobs until none is running or due within ``within`` seconds (tests, tools)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            await self.pump()
            if self._inflight:
                await asyncio.wait(self._inflight, timeout=max(0.0, deadline - loop.time()))
                continue
            due = await self.meta.next_job_due()
            if due is None:
                return
            wait = (due - utcnow()).total_seconds()
            if wait > deadline - loop.time():
                return  # the next job is due after the deadline
            await asyncio.sleep(max(0.0, wait))
        raise TimeoutError("jobs still running or due after drain timeout")

    async def _run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise PermanentJobError("unknown_job", f"no handler for job kind {job.kind!r}")
            await handler(job.payload)
        except asyncio.CancelledError:
            raise
        except PermanentJobError as exc:
            log.warning("job %s %s failed for good: %s", job.kind, job.id, exc)
            error = f"{exc.code}: {exc.detail}"
            if await self._settle(self.meta.fail_job(job.id, self.owner, error, None, utcnow())):
                await self._died(job, error)
        except Exception as exc:
            await self._retry(job, exc)
        else:
            await self._settle(self.meta.finish_job(job.id, self.owner, utcnow()))

    async def _retry(self, job: Job, exc: Exception) -> None:
        if isinstance(exc, AuroraError):
            error = f"{exc.code}: {exc.detail}"
            log.info("job %s %s attempt %d: %s", job.kind, job.id, job.attempts, error)
        else:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job %s %s attempt %d crashed", job.kind, job.id, job.attempts, exc_info=exc)
        retry_at = None
        if job.attempts < self.settings.max_attempts:
            delay = backoff_delay(job.attempts, self.settings.backoff_base, self.settings.backoff_cap)
            retry_at = utcnow() + timedelta(seconds=delay)
        if await self._settle(self.meta.fail_job(job.id, self.owner, error, retry_at, utcnow())) and retry_at is None:
            await self._died(job, error)

    async def _died(self, job: Job, error: str) -> None:
        hook = self._on_dead.get(job.kind)
        if hook is None:
            return
        try:
            await hook(msgspec.structs.replace(job, state="dead", last_error=error, lease_until=None))
        except Exception:
            log.exception("the on-dead hook of job %s %s failed", job.kind, job.id)

    @staticmethod
    async def _settle(step: Awaitable[bool]) -> bool:
        # If the meta store is down right now, the job keeps its lease and runs again
        # after it expires: at-least-once, never lost.
        try:
            return await step
        except AuroraError as exc:
            log.warning("could not record a job outcome (%s); it will run again after its lease", exc)
            return False
