"""Lambda entry point for the events queue: ``auroravault.aws.events_handler.handler``.

Lambda calls ``handler(event, context)`` with a batch of SQS records (S3 notifications, S3
events and domain events through EventBridge). Each record's body goes through
``EventsConsumer.handle_body``, the code app instances run when they poll the queue. The
answer reports partial batch failures (``ReportBatchItemFailures``): only the records that
failed come back after their visibility timeout, the others are deleted by Lambda.

Settings come from the environment (``AURORAVAULT_*``), as for the server. The services
are built on the first call and kept, with the event loop they live on, for the warm
container's next calls: no server, no job runner, just the store, storage and bus.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from auroravault.config import load_settings

log = logging.getLogger("auroravault.aws.events")

_state: dict[str, Any] = {}


def _services() -> tuple[asyncio.AbstractEventLoop, Any]:
    if "services" not in _state:
        # Not auroravault.app: the HTTP layer is no business of this function's cold start.
        from auroravault.config import signing_secret
        from auroravault.executors import Executors
        from auroravault.meta import build_meta_store
        from auroravault.services.container import Services
        from auroravault.storage import build_blob_store

        loop = asyncio.new_event_loop()
        settings = load_settings()
        executors = Executors.from_settings(settings.workers)
        blobs = build_blob_store(settings, signing_secret(settings), executor=executors.storage)
        services = Services.build(settings, build_meta_store(settings), blobs, executors=executors)
        if services.events is None:
            from auroravault.bus.consumer import EventsConsumer

            services.events = EventsConsumer(settings, services.uploads, services.bus)
        _state["loop"], _state["services"] = loop, services
    return _state["loop"], _state["services"]


def handler(event: dict[str, Any], context: Any = None) -> dict[str, list[dict[str, str]]]:
    """One SQS batch; returns ``{"batchItemFailures": [{"itemIdentifier": <messageId>}]}``."""
    loop, services = _services()
    return loop.run_until_complete(_batch(services, event.get("Records", [])))


async def _batch(services: Any, records: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    failures = []
    for record in records:
        try:
            ok = await services.events.handle_body(record.get("body", ""))
        except Exception:
            log.exception("events record %s failed", record.get("messageId"))
            ok = False
        if not ok:
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    return {"batchItemFailures": failures}


def reset() -> None:
    """Forget the built services (closing them): a new configuration takes effect next call."""
    if "services" in _state:
        loop, services = _state.pop("loop"), _state.pop("services")
        loop.run_until_complete(services.close())
        loop.close()
