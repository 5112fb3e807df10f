"""Readiness: whether this instance can serve now (``GET /readyz``)."""

from __future__ import annotations

import asyncio

from auroravault.meta.protocols import StoreLifecycle
from auroravault.storage.base import BlobStore


class ReadinessService:
    def __init__(self, meta: StoreLifecycle, blobs: BlobStore) -> None:
        self.meta = meta
        self.blobs = blobs

    async def check(self) -> dict[str, str]:
        """The backends' names once both answer; ``Unavailable`` (503) from the first that does not."""
        await asyncio.gather(self.meta.check(), self.blobs.check())
        return {"meta": self.meta.name, "storage": self.blobs.name}
