"""The job guarantees, the same test bodies on every backend (meta on SQLite/DynamoDB, SQS)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

from auroravault.errors import PermanentJobError, Unavailable
from tests.jobs.conftest import Jobs, fast


async def test_enqueued_jobs_run_once_and_dedupe_keys_make_enqueueing_idempotent(jobs: Jobs) -> None:
    ran: list[str] = []

    async def mail(payload: dict[str, Any]) -> None:
        ran.append(payload["to"])

    queue = jobs.queue()
    assert await queue.enqueue("mail", {"to": "a"}, dedupe_key="welcome:a") is True
    assert await queue.enqueue("mail", {"to": "a"}, dedupe_key="welcome:a") is False
    assert await queue.enqueue("mail", {"to": "b"}) is True
    await jobs.runner({"mail": mail}).drain(within=20)
    assert sorted(ran) == ["a", "b"]
    # the key still names the (finished or handed-over) job: enqueueing again does nothing
    assert await queue.enqueue("mail", {"to": "a"}, dedupe_key="welcome:a") is False


async def test_failures_back_off_then_die_with_their_error_and_an_admin_retry_runs_them(jobs: Jobs) -> None:
    calls: list[str] = []
    retried: list[str] = []
    healthy = asyncio.Event()

    async def flaky(payload: dict[str, Any]) -> None:
        calls.append(payload["n"])
        if not healthy.is_set():
            raise Unavailable("storage_unavailable", "storage is down")

    runner = jobs.runner({"flaky": flaky})

    async def before_retry(job: Any) -> None:
        retried.append(job.payload["n"])

    runner.hooks("flaky", before_retry=before_retry)
    await jobs.queue().enqueue("flaky", {"n": "x"})
    await runner.drain(within=20)
    assert calls == ["x", "x", "x"]  # max_attempts = 3
    admin = jobs.admin(runner)
    counts, dead = await admin.jobs("dead", 10)
    assert counts["dead"] == 1
    [job] = dead
    assert job.state == "dead" and job.kind == "flaky" and job.attempts == 3
    assert job.last_error == "storage_unavailable: storage is down"

    healthy.set()
    again = await admin.retry(job.id)
    assert again.state == "queued" and retried == ["x"]
    await runner.drain(within=20)
    assert calls == ["x", "x", "x", "x"]
    counts, dead = await admin.jobs("dead", 10)
    assert counts["dead"] == 0 and dead == []


async def test_permanent_errors_die_at_once_and_run_the_on_dead_hook(jobs: Jobs) -> None:
    died: list[str | None] = []

    async def corrupt(payload: dict[str, Any]) -> None:
        raise PermanentJobError("corrupt_image", "not a picture")

    async def on_dead(job: Any) -> None:
        died.append(job.last_error)

    runner = jobs.runner({"corrupt": corrupt})
    runner.hooks("corrupt", on_dead=on_dead)
    await jobs.queue().enqueue("corrupt", {})
    await runner.drain(within=20)
    assert died == ["corrupt_image: not a picture"]
    _, [job] = await jobs.admin(runner).jobs("dead", 10)
    assert job.attempts == 1 and job.last_error == "corrupt_image: not a picture"


async def test_a_job_whose_worker_died_runs_again_after_its_lease(jobs: Jobs) -> None:
    ran: list[str] = []

    async def work(payload: dict[str, Any]) -> None:
        ran.append(payload["id"])

    await jobs.queue().enqueue("work", {"id": "a"})
    await jobs.abandon_one(lease=1)
    runner = jobs.runner({"work": work})
    await runner.pump()
    assert ran == []  # still leased to the dead worker
    await asyncio.sleep(1.5)
    await runner.drain(within=20)
    assert ran == ["a"]


async def test_two_runners_never_run_one_job_at_once(jobs: Jobs) -> None:
    runs: Counter[int] = Counter()
    running: set[int] = set()
    overlaps: list[int] = []

    async def work(payload: dict[str, Any]) -> None:
        n = payload["n"]
        if n in running:
            overlaps.append(n)
        running.add(n)
        runs[n] += 1
        await asyncio.sleep(random.uniform(0, 0.01))
        running.discard(n)

    runners = [jobs.runner({"work": work}, fast(concurrency=3), owner=f"w{i}") for i in range(2)]
    queue = jobs.queue()
    for n in range(30):
        await queue.enqueue("work", {"n": n})
    await asyncio.gather(*(r.drain(within=60) for r in runners))
    assert sorted(runs) == list(range(30))
    assert set(runs.values()) == {1} and overlaps == []
