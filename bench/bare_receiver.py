"""The floor under our receive path: a bare ASGI app on the same uvicorn, for ``receive_floor.py``.

    BARE_MODE=receive|durable BARE_OUT=DIR python -m uvicorn bare_receiver:app --app-dir bench ...

``receive`` reads every body and drops it: what uvicorn itself costs. ``durable`` does the
work our local store must do before it acknowledges a photo, and nothing else: sha256 of the
body, written to a file, ``fsync`` (in a worker thread, so the other uploads go on). No
routing, no signature check, no temp file and rename, no folder fsync, no framework.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from typing import Any

MODE = os.environ.get("BARE_MODE", "receive")
OUT = os.environ.get("BARE_OUT", "")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["method"] != "PUT":  # the start-up probe
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    durable = MODE == "durable"
    digest = hashlib.sha256()
    fd = (
        os.open(os.path.join(OUT, scope["path"].rsplit("/", 1)[-1]), os.O_WRONLY | os.O_CREAT, 0o600) if durable else -1
    )
    try:
        more = True
        while more:
            message = await receive()
            body = message.get("body", b"")
            if body and durable:
                digest.update(body)
                os.write(fd, body)
            more = message.get("more_body", False)
        if durable:
            await asyncio.to_thread(os.fsync, fd)
    finally:
        if durable:
            os.close(fd)
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
