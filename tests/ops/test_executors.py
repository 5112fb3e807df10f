"""Each kind of blocking work has its own bounded pool: a storage server that hangs cannot
stall logins, and the sizes in ``[workers]`` are what runs.

Real components: a SeaweedFS of this test's own, frozen with SIGSTOP (it accepts
connections and answers nothing), and named pipes in a real local photo folder, which block
a reader until a writer comes, like a disk that hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from auroravault.app import create_app
from auroravault.config import WorkerSettings
from auroravault.executors import Executors, default_sizes
from auroravault.storage.base import original_key
from tests.asgi import app_client
from tests.conftest import make_settings
from tests.servers.fixtures import create_bucket, unique_bucket
from tests.servers.seaweedfs import SeaweedFS

PASSWORD = "correct horse battery"
#: Long enough that a login stuck behind storage calls (boto3 waits 60 s per read, three
#: times) counts as stuck; a login never needs this long.
HANG = 45.0


@pytest.fixture
def frozen_s3() -> Iterator[SeaweedFS]:
    with SeaweedFS() as server:
        try:
            yield server
        finally:
            server.resume()


async def test_a_hanging_s3_does_not_stall_logins(frozen_s3: SeaweedFS, tmp_path: Path) -> None:
    bucket = unique_bucket("slow")
    create_bucket(frozen_s3, bucket)
    s3 = {
        "endpoint_url": frozen_s3.endpoint,
        "region": frozen_s3.region,
        "bucket": bucket,
        "access_key": frozen_s3.access_key,
        "secret_key": frozen_s3.secret_key,
        "secure": False,
    }
    settings = make_settings(tmp_path, storage={"backend": "s3"}, s3=s3, workers={"storage": 4})
    async with app_client(create_app(settings)) as client:
        body = {"email": "ada@example.com", "password": PASSWORD, "display_name": "Ada"}
        assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
        blobs = client.app.state.services.blobs

        frozen_s3.pause()
        # More storage calls than any thread pool here holds, every one of them hanging.
        stuck = [asyncio.create_task(blobs.head(original_key("u_x", f"p_{i}"))) for i in range(40)]
        await asyncio.sleep(0)
        login = client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
        resp = await asyncio.wait_for(login, HANG)
        assert resp.status_code == 200, resp.text
        assert not any(task.done() for task in stuck)  # storage was still hanging all along

        frozen_s3.resume()
        await asyncio.gather(*stuck, return_exceptions=True)


def _release(fifo: Path) -> None:
    """Open ``fifo`` for writing if a reader waits on it: the reader gets end of file and goes on."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
            raise
        return
    os.close(fd)


def _threads_waiting_on_a_pipe() -> int:
    """Threads of this process blocked opening a named pipe (the kernel's wait_for_partner)."""
    count = 0
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            count += (task / "wchan").read_text() == "wait_for_partner"
    return count


async def test_the_configured_storage_pool_size_is_what_runs(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, workers={"storage": 2})
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        keys = [original_key("u_pipe", f"p_{i}") for i in range(5)]
        fifos = [services.blobs.path_of(key) for key in keys]
        for fifo in fifos:
            fifo.parent.mkdir(parents=True)
            os.mkfifo(fifo)
        calls = [asyncio.create_task(services.blobs.download_to(k, tmp_path / f"out{i}")) for i, k in enumerate(keys)]
        try:
            # Wait (as long as it takes) until the pool runs calls, then give it every chance
            # to start more than it may: asyncio's default pool would run all five.
            while True:
                if _threads_waiting_on_a_pipe() >= 2:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)
            assert _threads_waiting_on_a_pipe() == 2, "more storage calls ran at once than [workers] storage = 2"
        finally:
            while not all(task.done() for task in calls):
                for fifo in fifos:
                    _release(fifo)
                await asyncio.sleep(0.02)
        for task in calls:
            task.result()
        assert all((tmp_path / f"out{i}").read_bytes() == b"" for i in range(5))


def test_zero_means_a_size_from_the_cpu_count_and_numbers_are_kept() -> None:
    pools = Executors.from_settings(WorkerSettings(), cpus=2)
    try:
        assert pools.sizes == default_sizes(2) == {"passwords": 2, "storage": 8, "disk": 4, "hashing": 2}
    finally:
        pools.shutdown()
    pools = Executors.from_settings(WorkerSettings(passwords=3, storage=5, disk=7, hashing=1), cpus=2)
    try:
        assert pools.sizes == {"passwords": 3, "storage": 5, "disk": 7, "hashing": 1}
        assert pools.storage._max_workers == 5 and pools.passwords._max_workers == 3
    finally:
        pools.shutdown()
