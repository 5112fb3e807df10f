"""Benchmark: 1, 2 and 4 worker processes consuming one SQS jobs queue (moto) to process photos.

    python bench/sqs_workers_bench.py [--photos 500] [--results-dir DIR]

Each worker is a process running ``SqsJobRunner`` (``jobs.backend = "sqs"``) with its own
outbox (an empty SQLite file) and ``jobs.concurrency = 2``. Each job is one generated JPEG
(1024x768): decode, the EXIF orientation, a 512 px preview and a 256 px thumbnail as
WebP, the CPU work of photo processing, in a worker thread as the real handler does. The
parent fills a fresh queue with one message per photo, starts the workers, releases them at
once when all have started (process start-up is not timed), and times until the queue is
empty. Throughput is relative to one worker in the same run. moto runs stock (threaded, not
serialised: SQS's receive and delete are atomic in moto's own locks) in the parent process.
Writes ``<results>/sqs_workers.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import generate_photo, results_dir, write_result  # noqa: E402

CONCURRENCY = 2


def process_photo(path: str) -> None:
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
    for side in (512, 256):
        copy = upright.copy()
        copy.thumbnail((side, side))
        copy.save(io.BytesIO(), "WEBP", quality=80)


def worker(sqs_json: str, outbox: str, ready: Any, go: Any, done: Any) -> None:
    from auroravault.config import JobSettings, SqsSettings
    from auroravault.jobs.sqs import SqsJobRunner
    from auroravault.meta.sqlite import SqliteMetaStore

    sqs = SqsSettings(**json.loads(sqs_json))
    settings = JobSettings(concurrency=CONCURRENCY, lease_seconds=120, max_attempts=3)

    async def handle(payload: dict[str, Any]) -> None:
        await asyncio.to_thread(process_photo, payload["path"])
        with done.get_lock():
            done.value += 1

    async def run() -> None:
        meta = SqliteMetaStore(Path(outbox))
        await meta.migrate()
        runner = SqsJobRunner(meta, settings, sqs, {"process_photo": handle})
        ready.release()
        go.wait()
        await runner.drain(within=1800)
        await meta.close()

    asyncio.run(run())


def run_workers(endpoint: str, photos: list[Path], workers: int, work: Path) -> tuple[float, int]:
    from auroravault.config import SqsSettings
    from auroravault.jobs.sqs_queue import SqsQueues

    name = f"bench-{workers}-{int(time.time() * 1000)}"
    sqs = {
        "region": "us-east-1",
        "endpoint_url": endpoint,
        "access_key": "testing",
        "secret_key": "testing",
        "jobs_queue_url": f"{endpoint}/123456789012/{name}",
        "jobs_dead_letter_queue_url": f"{endpoint}/123456789012/{name}-dead",
        "wait_seconds": 1,
    }
    queues = SqsQueues(SqsSettings(**sqs))  # type: ignore[arg-type]
    queues.create()
    bodies = [
        json.dumps({"id": f"j_{i}", "kind": "process_photo", "payload": {"path": str(p)}, "attempt": 1})
        for i, p in enumerate(photos)
    ]
    queues.send_batch(bodies)
    ctx = mp.get_context("spawn")
    ready, go, done = ctx.Semaphore(0), ctx.Event(), ctx.Value("i", 0)
    procs = [
        ctx.Process(target=worker, args=(json.dumps(sqs), str(work / f"{name}-{i}.db"), ready, go, done))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    # More runs than photos: a duplicate delivery (at least once; stock moto's receive is not atomic).
    if done.value < len(photos) or any(p.exitcode for p in procs):
        raise RuntimeError(f"{done.value} of {len(photos)} photos processed; exit codes {[p.exitcode for p in procs]}")
    return elapsed, done.value - len(photos)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--results-dir")
    args = parser.parse_args()
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        photos = [work / f"photo_{i}.jpg" for i in range(args.photos)]
        for i, path in enumerate(photos):
            generate_photo(path, seed=i, width=1024, height=768)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            measured = {n: run_workers(endpoint, photos, n, work) for n in (1, 2, 4)}
            seconds = {n: m[0] for n, m in measured.items()}
        finally:
            server.stop()
    runs = {
        str(n): {
            "seconds": round(s, 2),
            "photos_per_second": round(args.photos / s, 1),
            "relative_to_one_worker": round(seconds[1] / s, 2),
            "duplicate_runs": measured[n][1],
        }
        for n, s in seconds.items()
    }
    for n, r in runs.items():
        print(f"{n} worker(s): {r['seconds']} s, {r['photos_per_second']} photos/s, {r['relative_to_one_worker']}x")
    write_result(
        "sqs_workers",
        {"photos": args.photos, "concurrency_per_worker": CONCURRENCY, "runs": runs},
        results_dir(args.results_dir),
    )


if __name__ == "__main__":
    main()
