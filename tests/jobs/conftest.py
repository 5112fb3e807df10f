"""The ``jobs`` fixture: one case per job backend (meta on SQLite, meta on DynamoDB, SQS), on real engines.

SQS and DynamoDB are the session's moto server over HTTP; the SQS backend's outbox is a
real SQLite file. Each case gets queues/tables no other test uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from auroravault.config import JobSettings, SqsSettings
from auroravault.jobs.queue import JobQueue
from auroravault.jobs.runner import Handler, JobRunner
from auroravault.meta.base import MetaStore
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.services.admin import AdminService
from tests.meta.conftest import dynamo_settings
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name

BACKENDS = ["meta-sqlite", "meta-dynamodb", "sqs"]


def fast(**over: Any) -> JobSettings:
    base = {
        "concurrency": 4,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "max_attempts": 3,
        "lease_seconds": 5,
        "poll_seconds": 3600.0,
    }
    return JobSettings(**{**base, **over})


def sqs_settings(endpoint: str, **over: Any) -> SqsSettings:
    name = unique_name("jobs")
    return SqsSettings(
        region=MOTO_REGION,
        endpoint_url=endpoint,
        jobs_queue_url=f"{endpoint}/123456789012/{name}",
        jobs_dead_letter_queue_url=f"{endpoint}/123456789012/{name}-dead",
        wait_seconds=1,
        **MOTO_CREDENTIALS,
        **over,
    )


@dataclass
class Jobs:
    """One backend: make runners, enqueue, look at it as an admin."""

    backend: str
    meta: MetaStore
    sqs: SqsSettings | None = None
    runners: list[JobRunner] = field(default_factory=list)

    def runner(self, handlers: dict[str, Handler], settings: JobSettings | None = None, **kw: Any) -> JobRunner:
        settings = settings or fast()
        if self.sqs is None:
            made = JobRunner(self.meta, settings, handlers, **kw)
        else:
            from auroravault.jobs.sqs import SqsJobRunner

            made = SqsJobRunner(self.meta, settings, self.sqs, handlers, **kw)
        self.runners.append(made)
        return made

    def queue(self) -> JobQueue:
        return JobQueue(self.meta, fast())

    def admin(self, runner: JobRunner) -> AdminService:
        if self.sqs is None:
            return AdminService(self.meta, before_retry=runner.before_retry)
        from auroravault.jobs.sqs import SqsJobRunner
        from auroravault.jobs.sqs_admin import SqsJobView

        assert isinstance(runner, SqsJobRunner)
        return AdminService(SqsJobView(self.meta, runner.queues), before_retry=runner.before_retry)

    async def abandon_one(self, lease: int = 1) -> None:
        """A worker takes one due job and is killed: no outcome, only a lease that runs out."""
        if self.sqs is None:
            from auroravault.timeutil import utcnow

            [_] = await self.meta.claim_jobs(utcnow(), "killed-process", lease, 1)
            return
        from auroravault.jobs.sqs_queue import SqsQueues

        relay = self.runner({})
        assert await relay.relay() >= 1  # type: ignore[attr-defined]
        queues = SqsQueues(self.sqs)
        taken = await asyncio.to_thread(queues.receive, 1, 1, lease)
        assert len(taken) == 1


@pytest.fixture(params=BACKENDS)
async def jobs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Jobs]:
    meta: MetaStore
    sqs = None
    if request.param == "meta-dynamodb":
        from auroravault.meta.dynamodb import DynamoMetaStore

        meta = DynamoMetaStore(dynamo_settings(request.getfixturevalue("moto_server")))
    else:
        meta = SqliteMetaStore(tmp_path / "jobs.db")
    if request.param == "sqs":
        from auroravault.jobs.sqs_queue import SqsQueues

        sqs = sqs_settings(request.getfixturevalue("moto_server"))
        await asyncio.to_thread(SqsQueues(sqs).create)
    await meta.migrate()
    made = Jobs(request.param, meta, sqs)
    try:
        yield made
    finally:
        for runner in made.runners:
            await runner.stop()
        await meta.close()
