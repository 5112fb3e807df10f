"""Reading a file, or a range of it, in chunks off the event loop, for a streamed presigned PUT."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

CHUNK = 256 * 1024
#: Bytes read and handed to the socket at a time by a presigned PUT (``file_chunks``).
SEND_CHUNK = 1024 * 1024
Progress = Callable[[int], None]
Pace = Callable[[int], Awaitable[None]]


async def file_chunks(
    path: Path, size: int, on_progress: Progress | None, pace: Pace | None, offset: int = 0
) -> AsyncIterator[bytes]:
    """Read ``size`` bytes of ``path`` from ``offset``, chunk by chunk, off the event loop.

    Each chunk is read (``pread``, unbuffered: no copy through a file buffer) in a worker
    thread while the one before it goes out on the socket, so the disk and the network
    overlap and there is one thread hop per MiB. With a bandwidth cap the chunks are
    smaller (256 KiB), so the cap stays smooth. At most two chunks are in memory.

    Sends at most ``size`` bytes, so a file that grew since it was hashed is refused by
    storage for its checksum rather than for its length; one that shrank ends short.
    """
    step = CHUNK if pace is not None else SEND_CHUNK
    fd = await asyncio.to_thread(os.open, path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    ahead: asyncio.Future[bytes] | None = None
    try:
        position, end = offset, offset + size
        ahead = asyncio.ensure_future(asyncio.to_thread(os.pread, fd, min(step, end - position), position))
        while ahead is not None:
            chunk = await ahead
            ahead = None
            if not chunk:
                return
            position += len(chunk)
            if position < end:
                ahead = asyncio.ensure_future(asyncio.to_thread(os.pread, fd, min(step, end - position), position))
            if pace is not None:
                await pace(len(chunk))
            if on_progress is not None:
                on_progress(len(chunk))
            yield chunk
    finally:
        if ahead is not None:
            # The read must end before its file descriptor closes (it may still run).
            await asyncio.gather(ahead, return_exceptions=True)
        await asyncio.to_thread(os.close, fd)
