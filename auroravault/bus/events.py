"""The domain events and the one interface that publishes and delivers them.

An event is a name and a ``detail`` of ids only (no names, emails or other personal data):
whoever needs more reads it from the store. Subscribers are called by ``deliver``: in the
same process right after ``publish`` on the local bus, or when the event comes back from
EventBridge through the events queue (``bus.consumer``). Either way a subscriber may run
more than once for one event (SQS delivers at least once), so each is idempotent: the
welcome mail's job has a dedupe key.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("auroravault.bus")

SOURCE = "auroravault"  # EventBridge ``Source`` of every domain event

USER_REGISTERED = "user.registered"
PHOTO_READY = "photo.ready"
PHOTO_DELETED = "photo.deleted"
ALBUM_SHARED = "album.shared"
FAMILY_JOINED = "family.joined"
EVENT_NAMES = (USER_REGISTERED, PHOTO_READY, PHOTO_DELETED, ALBUM_SHARED, FAMILY_JOINED)

Detail = dict[str, str]
Subscriber = Callable[[Detail], Awaitable[None]]


class Bus:
    """Subscribers by event name; ``publish`` is the backend's (local or EventBridge)."""

    name = "bus"

    def __init__(self) -> None:
        self._subscribers: dict[str, list[tuple[Subscriber, bool]]] = {}

    def subscribe(self, event: str, subscriber: Subscriber, *, durable: bool = False) -> None:
        """Call ``subscriber(detail)`` for each ``event``. ``durable``: its effect must not be
        lost when the event cannot be published (it then runs in this process at once)."""
        if event not in EVENT_NAMES:
            raise ValueError(f"unknown event {event!r}")
        self._subscribers.setdefault(event, []).append((subscriber, durable))

    async def publish(self, event: str, **ids: str) -> None:
        """Publish one event; never raises (a request must not fail on its events)."""
        await self.publish_many([(event, ids)])

    async def publish_many(self, events: list[tuple[str, Detail]]) -> None:
        raise NotImplementedError

    async def deliver(self, event: str, detail: Detail, *, only_durable: bool = False) -> int:
        """Run ``event``'s subscribers; a failing one is logged, the others still run.
        Returns how many failed (the events queue consumer retries the message then)."""
        failed = 0
        for subscriber, durable in self._subscribers.get(event, []):
            if only_durable and not durable:
                continue
            try:
                await subscriber(detail)
            except Exception:
                failed += 1
                log.exception("subscriber %s of %s failed", getattr(subscriber, "__qualname__", subscriber), event)
        return failed

    async def close(self) -> None:
        return None
