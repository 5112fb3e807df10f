"""The in-process bus: subscribers run right after the event, in the publisher's task.

A failing subscriber is logged and never reaches the request that published the event.
"""

from __future__ import annotations

from auroravault.bus.events import Bus, Detail, log


class LocalBus(Bus):
    name = "local"

    async def publish_many(self, events: list[tuple[str, Detail]]) -> None:
        for event, detail in events:
            log.debug("event %s %s", event, detail)
            await self.deliver(event, detail)
