"""An in-process HTTP client for the app, with its lifespan on the test's own event loop.

Litestar's ``AsyncTestClient`` runs the lifespan in a portal thread with an event loop of
its own, so the app would live on two loops at once; an ``asyncio.Lock`` then fails as
soon as it is contended on the second one. Here the lifespan, the requests and whatever the
test calls directly (``runner.drain()``) share one loop, as under uvicorn.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar


class AppClient(httpx.AsyncClient):
    app: Litestar


@asynccontextmanager
async def app_client(app: Litestar, base_url: str = "http://testserver.local") -> AsyncIterator[AppClient]:
    started, stop = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:
        # Entered and exited in this one task: the lifespan holds anyio cancel scopes, and a
        # pytest-asyncio fixture may tear down in another task than it set up in.
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(run_lifespan())
    done, _ = await asyncio.wait([task, asyncio.ensure_future(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # the start failed: raise why
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with AppClient(transport=transport, base_url=base_url, follow_redirects=True) as client:
            client.app = app
            yield client
    finally:
        stop.set()
        await task
