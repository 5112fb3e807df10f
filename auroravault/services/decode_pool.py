"""The decode pool: every core used for photos, memory bounded, thumbnails before previews.

Pillow releases the GIL while it decodes, resizes and encodes, so threads run photos on every
core. How many run at once is bounded twice:

* by ``workers`` threads (from the CPU count by default), at a lower scheduling priority than
  the request path (uploads and page views come first, see ``DECODE_NICENESS``);
* by ``memory_bytes``: each decode first reserves what ``imaging.budget`` estimates it will
  take, from the header, and waits until that much is free. A 200 MP photo (hundreds of MB)
  therefore runs beside small ones only while the sum fits; it never multiplies by the
  worker count. A decode bigger than the whole budget runs alone (it already passed
  ``images.max_decode_bytes``).

Waiting work is served by priority (``THUMB`` before ``PREVIEW``), first come first served
within a priority. The head of the queue is never overtaken by a smaller reservation, so a big
photo cannot starve.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

T = TypeVar("T")

THUMB: Final = 0
PREVIEW: Final = 1
# Decoding is CPU-heavy and can wait; uploads and page views cannot. On Linux each thread is
# its own scheduling entity, so the decode threads alone get a lower priority.
DECODE_NICENESS: Final = 10


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DECODE_NICENESS)


def default_workers(cpus: int | None = None) -> int:
    """One decode thread per CPU."""
    return max(1, cpus or os.cpu_count() or 1)


class DecodePool:
    def __init__(self, workers: int, memory_bytes: int) -> None:
        self.workers = max(1, workers)
        self.memory_bytes = max(1, memory_bytes)
        self._threads = ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="decode", initializer=_lower_priority
        )
        self._running = 0
        self._reserved = 0
        self._waiting: list[tuple[int, int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        #: The most bytes and decodes in flight at once so far (for tests and benchmarks).
        self.peak_reserved = 0
        self.peak_running = 0

    @property
    def reserved(self) -> int:
        return self._reserved

    async def run(self, priority: int, needed: int, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(*args)`` on a decode thread once a thread and ``needed`` bytes are free."""
        needed = max(0, needed)
        await self._admit(priority, needed)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._threads, fn, *args)
        finally:
            self._running -= 1
            self._reserved -= needed
            self._wake()

    def _fits(self, needed: int) -> bool:
        if self._running >= self.workers:
            return False
        return self._running == 0 or self._reserved + needed <= self.memory_bytes

    def _take(self, needed: int) -> None:
        self._running += 1
        self._reserved += needed
        self.peak_running = max(self.peak_running, self._running)
        self.peak_reserved = max(self.peak_reserved, self._reserved)

    async def _admit(self, priority: int, needed: int) -> None:
        if not self._waiting and self._fits(needed):
            self._take(needed)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), needed, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # admitted just as we were cancelled
                self._running -= 1
                self._reserved -= needed
            else:
                self._waiting = [w for w in self._waiting if w[3] is not future]
                heapq.heapify(self._waiting)
            self._wake()
            raise

    def _wake(self) -> None:
        """Admit waiters from the head of the queue while they fit (the head is never skipped)."""
        while self._waiting:
            _, _, needed, future = self._waiting[0]
            if future.done():
                heapq.heappop(self._waiting)
                continue
            if not self._fits(needed):
                return
            heapq.heappop(self._waiting)
            self._take(needed)
            future.set_result(None)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
