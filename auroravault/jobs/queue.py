"""The durable job queue: rows in the MetaStore, shared by every app instance.

A job is ``(kind, payload)``; each kind has one handler (``auroravault.jobs.runner``).
Enqueueing is durable before it returns and wakes this instance's pump at once.
``dedupe_key`` makes enqueueing idempotent: a second job with the same key is not created.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from auroravault.config import JobSettings
from auroravault.ids import new_id
from auroravault.meta.base import Job
from auroravault.meta.protocols import JobStore
from auroravault.timeutil import utcnow


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in ``[0, min(cap, base * 2**attempt)]``.

    Full jitter spreads retries of many failed jobs (storage was down for all of them)
    so they don't return in lockstep. ``attempt`` counts from 1 for the first retry.
    """
    ceiling = min(cap, base * (2 ** min(attempt, 62)))
    return (rng or random).uniform(0, ceiling)


class JobQueue:
    def __init__(self, meta: JobStore, settings: JobSettings) -> None:
        self.meta = meta
        self.settings = settings
        self._wake: Callable[[], None] | None = None

    def on_enqueue(self, wake: Callable[[], None]) -> None:
        """Register the pump's wake-up, called after every successful enqueue."""
        self._wake = wake

    @staticmethod
    def job(kind: str, payload: dict[str, Any], *, dedupe_key: str | None = None, delay: float = 0) -> Job:
        """A new queued job, for ``enqueue`` or for a MetaStore step that stores one with other rows."""
        now = utcnow()
        return Job(
            id=new_id("j_"),
            kind=kind,
            payload=payload,
            run_at=now + timedelta(seconds=delay),
            dedupe_key=dedupe_key,
            created_at=now,
            updated_at=now,
        )

    def queued(self) -> None:
        """Tell the pump a job due now was stored (``enqueue`` does it itself)."""
        if self._wake is not None:
            self._wake()

    async def enqueue(
        self, kind: str, payload: dict[str, Any], *, dedupe_key: str | None = None, delay: float = 0
    ) -> bool:
        """Store a job; return False when ``dedupe_key`` already names one."""
        created = await self.meta.enqueue_job(self.job(kind, payload, dedupe_key=dedupe_key, delay=delay))
        if created and delay <= 0:
            self.queued()
        return created
