"""Domain events to EventBridge: ``PutEvents`` to ``bus.bus_name``, ten entries a call.

``Source`` is ``auroravault``, ``DetailType`` the event name, ``Detail`` the ids as JSON.
The bus's rule routes them to the events queue, whose consumer (``bus.consumer``) delivers
them to the subscribers. Entries EventBridge refuses, or a call that fails, are sent again
a few times with backoff. Should an event still not get through, its durable subscribers
(the welcome mail) run here at once, so what matters is never lost; should the event
arrive later after all, the subscriber's dedupe key makes the second run a no-op.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from auroravault.bus.clients import client
from auroravault.bus.events import SOURCE, Bus, Detail, log
from auroravault.config import BusSettings

BATCH = 10  # PutEvents takes at most ten entries
ATTEMPTS = 3
BACKOFF_SECONDS = 0.2


class EventBridgeBus(Bus):
    name = "eventbridge"

    def __init__(self, settings: BusSettings, *, backoff: float = BACKOFF_SECONDS) -> None:
        super().__init__()
        self.settings = settings
        self.backoff = backoff
        self._client: Any = None

    async def _events(self) -> Any:
        if self._client is None:  # made in a thread: loading boto3's service model takes a while
            self._client = await asyncio.to_thread(client, self.settings, "events", read_timeout=10)
        return self._client

    async def publish_many(self, events: list[tuple[str, Detail]]) -> None:
        for start in range(0, len(events), BATCH):
            chunk = events[start : start + BATCH]
            unsent = await self._put(chunk)
            for event, detail in unsent:
                log.error("event %s %s not published; running its durable subscribers here", event, detail)
                await self.deliver(event, detail, only_durable=True)

    async def _put(self, events: list[tuple[str, Detail]]) -> list[tuple[str, Detail]]:
        """Send ``events``; returns those still refused after the last attempt."""
        pending = events
        for attempt in range(ATTEMPTS):
            if attempt:
                await asyncio.sleep(self.backoff * 2**attempt)
            entries = [
                {
                    "Source": SOURCE,
                    "DetailType": event,
                    "Detail": json.dumps(detail, sort_keys=True),
                    "EventBusName": self.settings.bus_name,
                }
                for event, detail in pending
            ]
            try:
                eventbridge = await self._events()
                answer = await asyncio.to_thread(eventbridge.put_events, Entries=entries)
            except Exception as exc:  # unreachable, throttled, refused: all retried alike
                log.warning("PutEvents failed (attempt %d of %d): %s", attempt + 1, ATTEMPTS, exc)
                continue
            results = answer.get("Entries", [])
            pending = [item for item, result in zip(pending, results, strict=False) if result.get("ErrorCode")]
            if not pending:
                return []
            log.warning("PutEvents refused %d entr(ies) (attempt %d of %d)", len(pending), attempt + 1, ATTEMPTS)
        return pending

    async def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
