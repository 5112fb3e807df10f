"""What is computed from a whole library, kept until the library changes (events, similar photos).

Events and near-duplicate groups are computed from every photo of an owner (``services/trips``,
``services/similar``): seconds at 100,000 photos. ``LibraryCache`` keeps each owner's last
answer beside the position of the owner's change feed (the feed ``/sync/changes`` reads, which
names every photo made ready, edited, trashed, restored or deleted) read *before* the photos
were. A later request asks the feed for one entry after that position: none, and the answer
stands; any, and it is computed again. So a page costs one small feed read while the library
is unchanged, on every instance (each keeps its own; the feed is shared), and nothing is ever
stale: a change written while an answer was being computed is after the kept position, so the
next request computes again.

The computation itself runs in a worker thread (``asyncio.to_thread``), so the event loop keeps
serving other requests meanwhile. At most ``MAX_OWNERS`` answers are kept (least recently
used first out); two requests for the same owner at once compute once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from auroravault.meta.base import ChangeBatch

T = TypeVar("T")

MAX_OWNERS = 32
FEED_PAGE = 1000


class ChangeFeed(Protocol):
    async def changes_since(self, viewer_id: str, position: str | None, limit: int) -> ChangeBatch: ...


class LibraryCache(Generic[T]):
    def __init__(self, feed: ChangeFeed, max_owners: int = MAX_OWNERS) -> None:
        self.feed = feed
        self.max_owners = max_owners
        self._kept: OrderedDict[str, tuple[str, T]] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self.computed = 0  # how many answers were computed (not served from the cache)

    async def get(self, owner_id: str, compute: Callable[[], Awaitable[T]]) -> T:
        """The owner's answer: the kept one while their feed has nothing new, else ``compute()``."""
        lock = self._locks.setdefault(owner_id, asyncio.Lock())
        async with lock:
            kept = self._kept.get(owner_id)
            if kept is not None:
                newer = await self.feed.changes_since(owner_id, kept[0], 1)
                if not newer.photo_ids:
                    self._kept.move_to_end(owner_id)
                    return kept[1]
            position = await self._head(owner_id, kept[0] if kept else None)
            value = await compute()
            self.computed += 1
            self._kept[owner_id] = (position, value)
            self._kept.move_to_end(owner_id)
            while len(self._kept) > self.max_owners:
                old, _ = self._kept.popitem(last=False)
                self._locks.pop(old, None)
            return value

    async def _head(self, owner_id: str, position: str | None) -> str:
        """The position after the feed's newest entry (walking from ``position``)."""
        while True:
            batch = await self.feed.changes_since(owner_id, position, FEED_PAGE)
            position = batch.position
            if not batch.more:
                return position
