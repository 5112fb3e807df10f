"""``StoreLifecycle``: the store as a whole: its schema, whether it answers, closing it, and
forgetting what expired (which spans accounts and uploads alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime


@runtime_checkable
class StoreLifecycle(Protocol):
    name: str  # the backend, as logs and ``/readyz`` name it ("sqlite", "dynamodb")

    async def migrate(self) -> None:
        """Create or upgrade the schema; idempotent."""
        ...

    async def check(self) -> None:
        """Raise ``Unavailable`` unless the store answers now."""
        ...

    async def close(self) -> None: ...

    async def purge_expired(self, now: datetime) -> int:
        """Forget what expired by ``now``; return how many rows (items) went.

        Sessions, reset tokens and counter windows that ended; uploads no longer pending
        whose ``expires_at`` passed (an arrived one only once its photo is not processing);
        batches that expired and hold no upload. Pending uploads stay: the sweep expires them.
        """
        ...
