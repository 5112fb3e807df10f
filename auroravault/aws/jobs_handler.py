"""Lambda entry point for the SQS jobs queue: ``auroravault.aws.jobs_handler.handler``.

Lambda calls ``handler(event, context)`` with a batch of records of the jobs queue
(``jobs.backend = "sqs"``). Each record runs through ``SqsJobRunner.run_message``, the code
app instances run when they poll: the same handlers, backoff, dead-letter queue and hooks.
A record whose outcome could not be recorded (SQS or the store down) is reported in
``batchItemFailures`` (``ReportBatchItemFailures``) and comes back after its visibility
timeout; a job that failed and was re-queued with backoff, or sent to the dead-letter
queue, is a recorded outcome and is not reported. After the batch, due outbox rows are
relayed (jobs written by the HTTP function, whose requests end before a relay could run).

Settings come from the environment (``AURORAVAULT_*``), as for the server. The services are
built once per container (cold start) with the event loop they live on, not per record.
aws-lambda-powertools' BatchProcessor is not used: these few lines need no dependency.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from auroravault.config import load_settings

log = logging.getLogger("auroravault.aws.jobs")

_state: dict[str, Any] = {}


def _services() -> tuple[asyncio.AbstractEventLoop, Any]:
    if "services" not in _state:
        from auroravault.config import signing_secret
        from auroravault.errors import ConfigError
        from auroravault.executors import Executors
        from auroravault.meta import build_meta_store
        from auroravault.services.container import Services
        from auroravault.storage import build_blob_store

        settings = load_settings()
        if settings.jobs.backend != "sqs":
            raise ConfigError('the jobs Lambda needs AURORAVAULT_JOBS__BACKEND = "sqs"')
        loop = asyncio.new_event_loop()
        executors = Executors.from_settings(settings.workers)
        blobs = build_blob_store(settings, signing_secret(settings), executor=executors.storage)
        services = Services.build(settings, build_meta_store(settings), blobs, executors=executors)
        _state["loop"], _state["services"] = loop, services
    return _state["loop"], _state["services"]


def handler(event: dict[str, Any], context: Any = None) -> dict[str, list[dict[str, str]]]:
    """One SQS batch; returns ``{"batchItemFailures": [{"itemIdentifier": <messageId>}]}``."""
    loop, services = _services()
    return loop.run_until_complete(batch(services.runner, event.get("Records", [])))


async def batch(runner: Any, records: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    async def one(record: dict[str, Any]) -> dict[str, str] | None:
        try:
            await runner.run_message(record)
        except Exception:
            log.exception("jobs record %s: outcome not recorded; it comes back", record.get("messageId"))
            return {"itemIdentifier": str(record.get("messageId", ""))}
        return None

    results = await asyncio.gather(*(one(record) for record in records))
    try:
        await runner.relay()
    except Exception:
        log.exception("could not relay the jobs outbox; the next batch or an app instance does")
    return {"batchItemFailures": [r for r in results if r is not None]}


def reset() -> None:
    """Forget the built services (closing them): a new configuration takes effect next call."""
    if "services" in _state:
        loop, services = _state.pop("loop"), _state.pop("services")
        loop.run_until_complete(services.close())
        loop.close()
