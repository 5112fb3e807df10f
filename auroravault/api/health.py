"""Operations: liveness and readiness."""

from __future__ import annotations

import asyncio

from litestar import Request, get

from auroravault.api.deps import services_of
from auroravault.api.problems import documented


@get("/healthz", tags=["operations"], summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/readyz",
    tags=["operations"],
    summary="Meta and storage answer; 503 otherwise",
    responses={503: documented()[503]},
)
async def readyz(request: Request) -> dict[str, str]:
    services = services_of(request)
    await asyncio.gather(services.meta.check(), services.blobs.check())
    return {"status": "ready", "meta": services.meta.name, "storage": services.blobs.name}
