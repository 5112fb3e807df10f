"""The decode pool on real threads: bounded workers, a memory budget, thumbs before previews."""

from __future__ import annotations

import asyncio
import threading

from auroravault.services.decode_pool import PREVIEW, THUMB, DecodePool


class Gate:
    """A decode stand-in that records what runs beside it and holds its thread until opened."""

    def __init__(self, pool: DecodePool) -> None:
        self.pool = pool
        self.open = threading.Event()
        self.lock = threading.Condition()
        self.running: set[str] = set()
        self.seen_together: list[frozenset[str]] = []
        self.order: list[str] = []

    def work(self, name: str) -> str:
        with self.lock:
            self.running.add(name)
            self.order.append(name)
            self.seen_together.append(frozenset(self.running))
            self.lock.notify_all()
        self.open.wait(10)
        with self.lock:
            self.running.discard(name)
        return name

    def wait_started(self, count: int) -> None:
        with self.lock:
            assert self.lock.wait_for(lambda: len(self.order) >= count, timeout=10)


async def started(gate: Gate, count: int) -> None:
    await asyncio.to_thread(gate.wait_started, count)


async def test_no_more_decodes_run_at_once_than_there_are_workers() -> None:
    pool = DecodePool(workers=2, memory_bytes=1 << 40)
    gate = Gate(pool)
    tasks = [asyncio.create_task(pool.run(THUMB, 1, gate.work, f"p{i}")) for i in range(6)]
    await started(gate, 2)
    await asyncio.sleep(0.2)  # the other four are queued, not running
    assert len(gate.order) == 2
    gate.open.set()
    assert sorted(await asyncio.gather(*tasks)) == [f"p{i}" for i in range(6)]
    assert pool.peak_running == 2 and max(len(s) for s in gate.seen_together) == 2
    pool.close()


async def test_a_big_decode_never_runs_beside_others_beyond_the_memory_budget() -> None:
    pool = DecodePool(workers=4, memory_bytes=100)
    gate = Gate(pool)
    first = [asyncio.create_task(pool.run(THUMB, 30, gate.work, f"small{i}")) for i in range(2)]
    await started(gate, 2)
    big = asyncio.create_task(pool.run(THUMB, 90, gate.work, "big"))
    later = asyncio.create_task(pool.run(THUMB, 30, gate.work, "after"))  # fits, but must not overtake big
    await asyncio.sleep(0.2)
    assert gate.order == ["small0", "small1"]
    gate.open.set()
    await asyncio.gather(*first, big, later)
    assert gate.order.index("big") < gate.order.index("after")
    for together in gate.seen_together:
        if "big" in together:
            assert together == {"big"}
    assert pool.peak_reserved <= 100 and pool.reserved == 0
    pool.close()


async def test_a_decode_bigger_than_the_budget_still_runs_alone() -> None:
    pool = DecodePool(workers=2, memory_bytes=100)
    gate = Gate(pool)
    gate.open.set()
    assert await pool.run(THUMB, 500, gate.work, "huge") == "huge"
    assert pool.reserved == 0
    pool.close()


async def test_waiting_thumbs_go_before_waiting_previews() -> None:
    pool = DecodePool(workers=1, memory_bytes=1 << 40)
    gate = Gate(pool)
    busy = asyncio.create_task(pool.run(PREVIEW, 1, gate.work, "busy"))
    await started(gate, 1)
    previews = [asyncio.create_task(pool.run(PREVIEW, 1, gate.work, f"preview{i}")) for i in range(2)]
    await asyncio.sleep(0.05)
    thumbs = [asyncio.create_task(pool.run(THUMB, 1, gate.work, f"thumb{i}")) for i in range(2)]
    await asyncio.sleep(0.05)
    gate.open.set()
    await asyncio.gather(busy, *previews, *thumbs)
    assert gate.order == ["busy", "thumb0", "thumb1", "preview0", "preview1"]
    pool.close()


async def test_a_cancelled_wait_gives_its_place_back() -> None:
    pool = DecodePool(workers=1, memory_bytes=100)
    gate = Gate(pool)
    busy = asyncio.create_task(pool.run(THUMB, 10, gate.work, "busy"))
    await started(gate, 1)
    waiting = asyncio.create_task(pool.run(THUMB, 10, gate.work, "cancelled"))
    await asyncio.sleep(0.05)
    waiting.cancel()
    gate.open.set()
    await busy
    assert await pool.run(THUMB, 10, gate.work, "next") == "next"
    assert "cancelled" not in gate.order and pool.reserved == 0
    pool.close()
