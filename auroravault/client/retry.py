"""Retries and bandwidth for the client: exponential backoff with full jitter around any API
call (``retrying``), the error that stops a run (``Fatal``), and a shared byte-rate cap."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from auroravault.client.api import ApiError, ClientError

T = TypeVar("T")


class Fatal(Exception):
    """The run cannot go on (the token was refused): stop at once, keep the state."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: try ``attempts`` times in all.

    The wait before retry ``n`` (0-based) is uniform in ``[0, min(cap, base * 2**n)]``, and at
    least the server's ``Retry-After`` when it sent one.
    """

    attempts: int = 8
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        wait = random.uniform(0, min(self.cap, self.base * 2**attempt))
        if retry_after:
            wait = max(wait, min(retry_after, 300.0))
        return wait


async def retrying(policy: RetryPolicy, call: Callable[[], Awaitable[T]], *, what: str = "") -> T:
    """Run ``call`` until it succeeds, a permanent error, or ``policy.attempts`` tries."""
    attempt = 0
    while True:
        try:
            return await call()
        except ClientError as exc:
            if isinstance(exc, ApiError) and exc.status == 401:
                raise Fatal(f"the server refused the token ({exc.code}): run `auroravault login` again") from exc
            attempt += 1
            if not exc.transient or attempt >= policy.attempts:
                raise
            await asyncio.sleep(policy.delay(attempt - 1, exc.retry_after))


class RateLimiter:
    """A shared bandwidth cap for all PUTs: each chunk reserves its slot on one timeline."""

    def __init__(self, bytes_per_second: float) -> None:
        self.rate = bytes_per_second
        self._next = time.monotonic()

    async def __call__(self, n: int) -> None:
        now = time.monotonic()
        start = max(self._next, now)
        self._next = start + n / self.rate
        if start > now:
            await asyncio.sleep(start - now)
