"""Which job runner ``[jobs] backend`` asks for, and the store the admin view reads.

- ``meta``: ``JobRunner`` claims MetaStore rows (``auroravault.jobs.runner``);
- ``sqs``: ``SqsJobRunner`` relays the same rows (an outbox) to SQS and consumes from there
  (``auroravault.jobs.sqs``); the admin view reads the SQS queues (``auroravault.jobs.sqs_admin``).
"""

from __future__ import annotations

from auroravault.config import Settings
from auroravault.errors import ConfigError
from auroravault.jobs.runner import Handler, JobRunner
from auroravault.jobs.sqs_admin import SqsJobView
from auroravault.meta.protocols import JobStore


def build_runner(
    settings: Settings, meta: JobStore, handlers: dict[str, Handler]
) -> tuple[JobRunner, JobStore | SqsJobView]:
    if settings.jobs.backend == "meta":
        return JobRunner(meta, settings.jobs, handlers), meta
    from auroravault.jobs.sqs import SqsJobRunner
    from auroravault.jobs.sqs_queue import SqsQueues

    if not settings.sqs.jobs_queue_url or not settings.sqs.jobs_dead_letter_queue_url:
        raise ConfigError('jobs.backend = "sqs" needs sqs.jobs_queue_url and sqs.jobs_dead_letter_queue_url')
    queues = SqsQueues(settings.sqs)
    return SqsJobRunner(meta, settings.jobs, settings.sqs, handlers, queues=queues), SqsJobView(meta, queues)


async def migrate_jobs(settings: Settings) -> str | None:
    """Create the SQS queue and its DLQ with the redrive policy when ``backend = "sqs"`` (dev, moto)."""
    if settings.jobs.backend != "sqs":
        return None
    import asyncio

    from auroravault.jobs.sqs_queue import SqsQueues

    return await asyncio.to_thread(lambda: SqsQueues(settings.sqs).create())
