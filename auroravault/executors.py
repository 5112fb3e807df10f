"""Bounded thread pools, one per kind of blocking work, owned by one app.

asyncio's default pool is small (``min(32, cpus + 4)`` threads) and shared by everything
that calls ``asyncio.to_thread``. If argon2, disk I/O, boto3/minio and hashing all used it,
a slow S3 would fill it with waiting calls and a login would wait behind them. Each kind
gets its own pool instead, sized by ``[workers]`` (0 means a default from the CPU count):

- ``passwords``: argon2id hashing and verification (CPU and 64 MiB each);
- ``storage``: every call of the BlobStore (boto3, minio, or the local folder's file I/O);
- ``disk``: the server's own files beside storage (the pipeline's work folders);
- ``hashing``: checksums of downloaded originals.

``Executors.from_settings`` is called by ``create_app`` (through ``build_services``), and
``shutdown`` by the app's lifespan: nothing is created at import time.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from auroravault.config import WorkerSettings

T = TypeVar("T")


def default_sizes(cpus: int | None = None) -> dict[str, int]:
    """The pool sizes used when ``[workers]`` says 0, from the number of CPUs."""
    n = max(1, cpus or os.cpu_count() or 1)
    return {
        "passwords": max(2, n),
        "storage": min(32, max(8, 4 * n)),
        "disk": max(4, 2 * n),
        "hashing": max(1, n),
    }


def bounded_pool(size: int, name: str) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"av-{name}")


def pool_threads(executor: Executor | None, default: int = 16) -> int:
    """How many threads ``executor`` may run at once (to size connection pools to match)."""
    size = getattr(executor, "_max_workers", None)
    return size if isinstance(size, int) and size > 0 else default


async def run_in(executor: Executor | None, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in ``executor`` (asyncio's default pool when None)."""
    call = functools.partial(fn, *args, **kwargs) if kwargs else functools.partial(fn, *args)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


@dataclass(frozen=True)
class Executors:
    passwords: ThreadPoolExecutor
    storage: ThreadPoolExecutor
    disk: ThreadPoolExecutor
    hashing: ThreadPoolExecutor
    sizes: dict[str, int]

    @classmethod
    def from_settings(cls, workers: WorkerSettings, cpus: int | None = None) -> Executors:
        defaults = default_sizes(cpus)
        sizes = {kind: getattr(workers, kind) or defaults[kind] for kind in defaults}
        return cls(**{kind: bounded_pool(size, kind) for kind, size in sizes.items()}, sizes=sizes)

    def shutdown(self) -> None:
        """Stop every pool; queued calls are cancelled, running ones finish in their thread."""
        for pool in (self.passwords, self.storage, self.disk, self.hashing):
            pool.shutdown(wait=False, cancel_futures=True)
