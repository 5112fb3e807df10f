"""Progress display: one live line on a terminal, plain periodic lines otherwise.

The engine only bumps counters (cheap, synchronous); a ticker task draws. The line moves per
file and per chunk: a file counts once its bytes are in storage (before the batch's
``complete``), and the bytes of files on their way count as they are handed to the network.
On a TTY the line is redrawn in place (``\\r`` + erase) a few times a second; messages
(failures) are printed above it. Not on a TTY (a log file, CI, a pipe), a plain status line
is written every ``plain_interval`` seconds and at the end, so logs stay readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover - the loop returns


def human_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{max(0.0, seconds):.1f}s"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    """Counters of an upload or export run, and their display."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        live: bool | None = None,
        verb: str = "uploaded",
        interval: float = 0.2,
        plain_interval: float = 5.0,
        quiet: bool = False,
    ) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.verb = verb
        self.interval = interval if self.live else plain_interval
        self.quiet = quiet
        self.files_total = 0
        self.bytes_total = 0
        self.hashed = 0
        self.files_done = 0
        self.bytes_done = 0  # bytes of files that reached an outcome
        self.bytes_sent = 0  # bytes that crossed the network (rate)
        self.counts: dict[str, int] = {}
        self._inflight: dict[str, int] = {}  # bytes sent so far of files without an outcome, by content
        self._sent: set[str] = set()  # contents in storage, not yet confirmed by the server
        self.started = time.monotonic()
        self._samples: deque[tuple[float, int]] = deque(maxlen=64)
        self._task: asyncio.Task[None] | None = None
        self._drawn = False

    # -- counters (called by the engine) --------------------------------------------------
    def add_total(self, files: int, size: int) -> None:
        self.files_total += files
        self.bytes_total += size

    def file_hashed(self) -> None:
        self.hashed += 1

    def transferred(self, n: int) -> None:
        self.bytes_sent += n

    def sending(self, key: str) -> Callable[[int], None]:
        """The ``on_progress`` of one attempt to send content ``key``: it counts from zero again."""
        self._inflight[key] = 0

        def on_chunk(n: int) -> None:
            self.bytes_sent += n
            if key in self._inflight:
                self._inflight[key] += n

        return on_chunk

    def file_sent(self, key: str) -> None:
        """Content ``key`` is in storage; its outcome comes with the batch's ``complete``."""
        if key in self._inflight:
            self._sent.add(key)

    def file_done(self, outcome: str, size: int, key: str | None = None) -> None:
        self.files_done += 1
        self.bytes_done += size
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if key is not None:
            self._inflight.pop(key, None)
            self._sent.discard(key)

    def files_moved(self) -> int:
        """Files with an outcome, and files whose bytes reached storage."""
        return self.files_done + len(self._sent)

    def bytes_moved(self) -> int:
        """Bytes of files with an outcome, and bytes sent so far of the others."""
        return min(self.bytes_total, self.bytes_done + sum(self._inflight.values()))

    def message(self, text: str) -> None:
        """Print a line (a failure, a retry) without garbling the live line."""
        if self.quiet:
            return
        if self.live and self._drawn:
            self.stream.write("\r\x1b[2K")
        self.stream.write(text + "\n")
        if self.live and self._drawn:
            self.stream.write(self.line())
        self.stream.flush()

    # -- rendering ----------------------------------------------------------------------------
    def rate(self) -> float:
        """Bytes per second over the last few seconds of samples."""
        now = time.monotonic()
        self._samples.append((now, self.bytes_sent))
        while len(self._samples) > 2 and now - self._samples[0][0] > 10:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        if now - t0 < 0.5:
            elapsed = now - self.started
            return self.bytes_sent / elapsed if elapsed > 0.5 else 0.0
        return (self.bytes_sent - b0) / (now - t0)

    def line(self) -> str:
        rate = self.rate()
        parts = [f"{self.files_moved()}/{self.files_total} files"]
        if self.verb == "uploaded" and self.hashed < self.files_total:
            parts.append(f"hashed {self.hashed}")
        moved = self.bytes_moved()
        parts.append(f"{human_bytes(moved)}/{human_bytes(self.bytes_total)}")
        parts.append(f"{human_bytes(rate)}/s")
        left = self.bytes_total - moved
        if rate > 0 and left > 0:
            parts.append(f"ETA {human_duration(left / rate)}")
        failed = self.counts.get("failed", 0)
        if failed:
            parts.append(f"{failed} failed")
        return " · ".join(parts)

    def draw(self) -> None:
        if self.quiet:
            return
        if self.live:
            self.stream.write("\r\x1b[2K" + self.line())
            self._drawn = True
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.draw()

    def start(self) -> None:
        self.started = time.monotonic()
        if self._task is None and not self.quiet:
            self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.draw()
        if self.live and self._drawn and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
