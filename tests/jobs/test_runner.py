"""Durable jobs on a real SQLite file: backoff, dead letters, leases, two pumps, wake-up, shutdown."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from auroravault.errors import PermanentJobError, Unavailable
from auroravault.jobs.queue import JobQueue, backoff_delay
from auroravault.jobs.runner import JobRunner
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.timeutil import utcnow
from tests.jobs.conftest import fast


@pytest.fixture
async def meta(tmp_path: Path):
    store = SqliteMetaStore(tmp_path / "jobs.db")
    await store.migrate()
    yield store
    await store.close()


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(600.0, 2.0 * 2**attempt)
        samples = [backoff_delay(attempt, 2.0, 600.0, rng) for _ in range(300)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.9  # full jitter reaches the ceiling...
        assert min(samples) < ceiling * 0.1  # ...and goes down to zero
    assert backoff_delay(200, 2.0, 600.0, rng) <= 600.0


async def test_transient_failures_back_off_then_die_and_can_be_retried(meta) -> None:
    calls: list[str] = []
    healthy = asyncio.Event()

    async def flaky(payload: dict[str, Any]) -> None:
        calls.append(payload["n"])
        if not healthy.is_set():
            raise Unavailable("storage_unavailable", "storage is down")

    runner = JobRunner(meta, fast(), {"flaky": flaky})
    queue = JobQueue(meta, runner.settings)
    await queue.enqueue("flaky", {"n": "x"})
    await runner.drain(within=10)
    [job] = await meta.list_jobs("dead", 10)
    assert job.attempts == 3 and len(calls) == 3
    assert job.last_error == "storage_unavailable: storage is down"
    # the backoff is visible: each retry was queued for later, not run at once
    healthy.set()
    assert await meta.retry_job(job.id, utcnow())
    await runner.drain(within=10)
    assert (await meta.get_job(job.id)).state == "done" and len(calls) == 4


async def test_permanent_errors_die_at_once(meta) -> None:
    async def corrupt(payload: dict[str, Any]) -> None:
        raise PermanentJobError("corrupt_image", "not a picture")

    runner = JobRunner(meta, fast(), {"corrupt": corrupt})
    await JobQueue(meta, runner.settings).enqueue("corrupt", {})
    await runner.drain(within=10)
    [job] = await meta.list_jobs("dead", 10)
    assert job.attempts == 1 and job.last_error == "corrupt_image: not a picture"


async def test_unknown_kinds_die_with_a_reason(meta) -> None:
    runner = JobRunner(meta, fast(), {})
    await JobQueue(meta, runner.settings).enqueue("mystery", {})
    await runner.drain(within=10)
    [job] = await meta.list_jobs("dead", 10)
    assert "mystery" in job.last_error


async def test_a_job_whose_worker_died_runs_again_after_its_lease(meta) -> None:
    ran: list[str] = []

    async def work(payload: dict[str, Any]) -> None:
        ran.append(payload["id"])

    await JobQueue(meta, fast()).enqueue("work", {"id": "a"})
    # a process claims it and is killed: no finish, no fail, only a lease that runs out
    [claimed] = await meta.claim_jobs(utcnow(), "killed-process", 1, 10)
    runner = JobRunner(meta, fast(), {"work": work})
    assert await runner.pump() == 0  # still leased
    await asyncio.sleep(1.2)
    await runner.drain(within=10)
    assert ran == ["a"]
    done = await meta.get_job(claimed.id)
    assert done.state == "done" and done.attempts == 2


async def test_two_pumps_on_one_database_never_run_a_job_twice(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    stores = [SqliteMetaStore(path), SqliteMetaStore(path)]  # two connections, as two processes
    for store in stores:
        await store.migrate()
    runs: Counter[int] = Counter()

    async def work(payload: dict[str, Any]) -> None:
        runs[payload["n"]] += 1
        await asyncio.sleep(random.uniform(0, 0.01))

    runners = [JobRunner(store, fast(concurrency=3), {"work": work}, owner=f"w{i}") for i, store in enumerate(stores)]
    queue = JobQueue(stores[0], fast())
    for n in range(60):
        await queue.enqueue("work", {"n": n})
    await asyncio.gather(*(r.drain(within=30) for r in runners))
    assert sorted(runs) == list(range(60))
    assert set(runs.values()) == {1}
    assert (await stores[1].job_counts())["done"] == 60
    for store in stores:
        await store.close()


async def test_enqueue_wakes_the_pump_without_waiting_for_the_poll(meta) -> None:
    ran = asyncio.Event()

    async def work(payload: dict[str, Any]) -> None:
        ran.set()

    runner = JobRunner(meta, fast(poll_seconds=3600), {"work": work})
    queue = JobQueue(meta, runner.settings)
    queue.on_enqueue(runner.wake)
    await runner.start()
    try:
        await asyncio.sleep(0.2)  # the first tick has passed; the next is an hour away
        await queue.enqueue("work", {})
        await asyncio.wait_for(ran.wait(), timeout=10)
    finally:
        await runner.stop()


async def test_dedupe_keys_make_enqueueing_idempotent(meta) -> None:
    queue = JobQueue(meta, fast())
    assert await queue.enqueue("mail", {"to": "a"}, dedupe_key="welcome:u1") is True
    assert await queue.enqueue("mail", {"to": "a"}, dedupe_key="welcome:u1") is False
    assert (await meta.job_counts())["queued"] == 1


async def test_shutdown_finishes_short_jobs_and_leaves_long_ones_to_their_lease(meta) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def short(payload: dict[str, Any]) -> None:
        started.set()
        await asyncio.sleep(0.2)

    async def long(payload: dict[str, Any]) -> None:
        await release.wait()

    runner = JobRunner(meta, fast(lease_seconds=30), {"short": short, "long": long}, shutdown_grace=1.0)
    queue = JobQueue(meta, runner.settings)
    queue.on_enqueue(runner.wake)
    await runner.start()
    await queue.enqueue("short", {})
    await queue.enqueue("long", {})
    await asyncio.wait_for(started.wait(), timeout=10)
    await runner.stop()
    jobs = {j.kind: j for j in await meta.list_jobs(None, 10)}
    assert jobs["short"].state == "done"
    assert jobs["long"].state == "running"  # cut short: leased, not lost
    assert jobs["long"].lease_until > utcnow() + timedelta(seconds=20)
    # another instance picks it up once the lease has run out
    later = utcnow() + timedelta(seconds=31)
    [again] = await meta.claim_jobs(later, "other", 30, 10)
    assert again.kind == "long" and again.attempts == 2
