"""Operations: liveness and readiness."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from auroravault.api.deps import READINESS_SERVICE
from auroravault.api.problems import documented
from auroravault.services.readiness import ReadinessService


@get("/healthz", tags=["operations"], summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/readyz",
    tags=["operations"],
    summary="Meta and storage answer; 503 otherwise",
    responses={503: documented()[503]},
    dependencies=READINESS_SERVICE,
)
async def readyz(readiness: NamedDependency[ReadinessService]) -> dict[str, str]:
    return {"status": "ready", **await readiness.check()}
