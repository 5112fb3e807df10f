"""HTTP clients of one running app that connect from given addresses (the ASGI peer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar


@asynccontextmanager
async def peer(app: Litestar, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connection comes from ``host``; the app's lifespan must be running."""
    transport = httpx.ASGITransport(app=app, client=(host, 41000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


async def login(client: httpx.AsyncClient, password: str, email: str = "ada@example.com", **headers: str) -> int:
    resp = await client.post("/api/v1/auth/login", json={"email": email, "password": password}, headers=headers)
    if resp.status_code == 429:
        assert resp.json()["code"] == "too_many_attempts" and int(resp.headers["retry-after"]) > 0
    return resp.status_code
