"""Sending one large file part by part (DESIGN.md "Videos and large files").

The server answers a file over its multipart threshold with ``method: "MULTIPART"``,
``part_size`` and one presigned URL per part. ``send_parts``:

1. asks the server which parts it already has (``GET .../parts``): after a kill, a lost
   network or a fresh URL, only the missing parts are sent;
2. sends the missing ones with at most ``parts_in_flight`` PUTs at a time, each streamed
   from its offset in the file (one 1 MiB chunk in memory per part in flight), each
   retried on transient failures with the run's retry policy;
3. returns every part's ETag, which ``complete`` names so the server joins exactly these.

A 403 (an expired URL) is not retried here: it goes up to the uploader, which asks ``init``
for fresh URLs and calls ``send_parts`` again, which sends only what is still missing.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from pathlib import Path

from auroravault.client.api import AuroraClient
from auroravault.client.models import PresignedRequest
from auroravault.client.retry import RetryPolicy, retrying

Progress = Callable[[int], None]
Pace = Callable[[int], Awaitable[None]]


async def send_parts(
    client: AuroraClient,
    request: PresignedRequest,
    path: Path,
    size: int,
    *,
    batch_id: str,
    upload_id: str,
    parts_in_flight: int,
    retry: RetryPolicy,
    on_progress: Progress | None = None,
    pace: Pace | None = None,
    on_part: Callable[[int], None] | None = None,
) -> dict[int, str]:
    """Send the parts the server lacks; return ``{number: etag}`` of all of them.

    ``on_part`` is called with each part's number once its PUT was answered (a counter).
    """
    listed = await retrying(retry, functools.partial(client.list_parts, batch_id, upload_id))
    etags = {p.number: p.etag for p in listed.parts}
    part_size = request.part_size
    gate = asyncio.Semaphore(max(1, parts_in_flight))

    async def one(number: int, url_index: int) -> None:
        offset = (number - 1) * part_size
        length = min(part_size, size - offset)
        part = request.parts[url_index]
        async with gate:
            put = functools.partial(client.put_part, part, path, offset, length, on_progress=on_progress, pace=pace)
            # Transient failures are retried; a 403 (expired URL) is not, and goes up.
            etags[number] = await retrying(retry, put)
        if on_part is not None:
            on_part(number)

    missing = [(p.number, i) for i, p in enumerate(request.parts) if p.number not in etags]
    async with asyncio.TaskGroup() as group:
        for number, index in missing:
            group.create_task(one(number, index))
    return etags
