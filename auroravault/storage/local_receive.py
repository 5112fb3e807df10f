"""Writing a request body to an open file while hashing it: the local store's receive loop.

Shared by ``LocalBlobStore.receive`` (``PUT /blobs``) and ``LocalMultipart.receive_part``
(``PUT /blob-parts``). The server hands the body over in pieces of about 64 KiB; the loop
gathers them into batches of ``BATCH`` bytes and gives each batch to one worker thread that
hashes and writes it (``hashlib`` and ``write`` release the GIL). While a batch is written,
the next one is gathered from the network, so the disk and the socket work at the same time,
and the event loop pays one thread hop per batch (it used to wait for one per MiB). Batches
are written in order, one at a time, so the file and the digest see the bytes as sent. Memory
stays at two batches (4 MiB) per request: 16 parts in flight hold 64 MiB.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

#: Bytes gathered before one worker thread hashes and writes them.
BATCH = 2 * 1024 * 1024


class Digest(Protocol):
    def update(self, data: bytes | bytearray, /) -> None: ...


Runner = Callable[..., Awaitable[Any]]


async def write_hashed(
    run: Runner, fh: Any, digest: Digest, body: AsyncIterator[bytes], *, size: int, too_large: Exception
) -> int:
    """Write ``body`` to ``fh`` and feed ``digest``; return the bytes received.

    Raises ``too_large`` as soon as the body passes ``size`` bytes. Never returns (nor raises)
    with a write still running in a thread, so the caller may close ``fh`` right after.
    """
    received = 0
    buffer = bytearray()
    pending: asyncio.Future[Any] | None = None
    try:
        async for chunk in body:
            received += len(chunk)
            if received > size:
                raise too_large
            buffer += chunk
            if len(buffer) >= BATCH:
                if pending is not None:
                    await pending
                pending = asyncio.ensure_future(run(_write_and_hash, fh, digest, buffer))
                buffer = bytearray()
        if pending is not None:
            await pending
            pending = None
        if buffer:
            await run(_write_and_hash, fh, digest, buffer)
    finally:
        if pending is not None and not pending.done():
            # The request failed (or was cut off) while a batch was being written: let the
            # thread finish before the file is closed; its own error adds nothing.
            with contextlib.suppress(Exception):
                await asyncio.shield(pending)
        elif pending is not None and not pending.cancelled():
            pending.exception()  # seen: asyncio does not log it as never retrieved
    return received


def _write_and_hash(fh: Any, digest: Digest, data: bytearray) -> None:
    digest.update(data)
    fh.write(data)
