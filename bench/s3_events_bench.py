"""Benchmark: time from a photo's PUT to ``ready`` with S3 events, against the sweep alone.

    python bench/s3_events_bench.py [--quick] [--results-dir DIR]

A client inits a batch of distinct photos, PUTs each straight to S3 (moto server on
127.0.0.1) and never calls ``complete``, as a phone whose app was closed mid-upload. The
server learns of the bytes:

- events: S3 ObjectCreated notifications to SQS (``bus.s3_notifications = "sqs"``), read by
  the app instance's consumer; once more through EventBridge (``"eventbridge"``);
- sweep alone: the pending-upload sweep, the only way without notifications;
- and, as the floor, a client that does call ``complete`` right after its PUT (processing
  alone: what neither way of learning of the bytes can beat).

The time is from the end of each PUT until ``GET /photos/{id}`` says ``ready``. The sweep runs
every ``SWEEP_SECONDS`` with the first check ``FIRST_CHECK_SECONDS`` after init, shorter than
the defaults (300 s and 60 s), which would only make the ratio larger. moto serves one request
at a time, so the consumer polls without waiting (``bus.wait_seconds = 0``) once a second:
a long poll would hold up the PUTs. One process, in-process app (ASGI), jobs running.
Writes ``<results>/s3_events.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import results_dir, write_result  # noqa: E402

from auroravault.app import create_app  # noqa: E402
from auroravault.config import load_settings  # noqa: E402
from tests.api.helpers import auth, register  # noqa: E402
from tests.asgi import app_client  # noqa: E402
from tests.bus.cloud import cloud_env, migrated, put_without_complete  # noqa: E402
from tests.servers.moto import running_moto  # noqa: E402

PHOTOS = REPO / "tests" / "data" / "photos"
SWEEP_SECONDS = 10.0
FIRST_CHECK_SECONDS = 5.0


async def run_mode(moto: str, work: Path, mode: str, photos: list[Path]) -> list[float]:
    notifications = mode if mode in ("sqs", "eventbridge") else "off"
    env = cloud_env(work / mode, moto, bus="eventbridge", s3_notifications=notifications)
    env |= {
        "AURORAVAULT_JOBS__ENABLED": "true",
        "AURORAVAULT_JOBS__SWEEP_SECONDS": str(SWEEP_SECONDS),
        "AURORAVAULT_UPLOADS__FIRST_CHECK_SECONDS": str(FIRST_CHECK_SECONDS),
    }
    if notifications == "off":
        env |= {"AURORAVAULT_BUS__BACKEND": "local", "AURORAVAULT_BUS__EVENTS_QUEUE_URL": ""}
        settings = load_settings(environ=env)
    else:
        settings = await migrated(env)
    async with app_client(create_app(settings)) as client:
        token = (await register(client, email=f"{mode}@example.com"))["token"]
        await asyncio.sleep(2.5)  # the consumer's first polls (its client made): every mode starts warm
        put_at: dict[str, float] = {}
        for path in photos:
            item = await put_without_complete(client, token, path)
            put_at[item["photo_id"]] = time.monotonic()
            if mode == "complete":
                done = await client.post(f"/api/v1/uploads/{item['batch_id']}/complete", json={}, headers=auth(token))
                assert done.status_code == 200, done.text
        ready: dict[str, float] = {}
        deadline = time.monotonic() + 10 * (SWEEP_SECONDS + FIRST_CHECK_SECONDS) + 60
        while len(ready) < len(put_at) and time.monotonic() < deadline:
            for photo_id in put_at:
                if photo_id in ready:
                    continue
                resp = await client.get(f"/api/v1/photos/{photo_id}", headers=auth(token))
                if resp.json()["status"] == "ready":
                    ready[photo_id] = time.monotonic()
            await asyncio.sleep(0.05)
    if len(ready) < len(put_at):
        raise SystemExit(f"{mode}: {len(put_at) - len(ready)} photo(s) never became ready")
    return [ready[p] - put_at[p] for p in put_at]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_s": round(statistics.median(samples), 3),
        "max_s": round(max(samples), 3),
        "mean_s": round(statistics.fmean(samples), 3),
    }


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir")
    args = parser.parse_args()
    count = 3 if args.quick else 8
    photos = [PHOTOS / f"Landscape_{i}.jpg" for i in range(1, count + 1)]
    results: dict[str, Any] = {}
    with running_moto() as endpoint, tempfile.TemporaryDirectory(prefix="s3-events-bench-") as tmp:
        for mode in ("complete", "sqs", "eventbridge", "sweep"):
            print(f"s3 events: {mode} ...", flush=True)
            samples = asyncio.run(run_mode(endpoint, Path(tmp), mode, photos))
            results[mode] = {"seconds": [round(s, 3) for s in samples], **summary(samples)}
    for mode in ("sqs", "eventbridge"):
        results[mode]["sweep_over_events_p50"] = round(results["sweep"]["p50_s"] / results[mode]["p50_s"], 2)
    report = {
        "photos": count,
        "sweep_seconds": SWEEP_SECONDS,
        "first_check_seconds": FIRST_CHECK_SECONDS,
        "consumer": "app instance, poll every 1 s, wait_seconds 0",
        "results": results,
    }
    path = write_result("s3_events", report, results_dir(args.results_dir))
    for mode, numbers in results.items():
        print(f"{mode:12} p50 {numbers['p50_s']:7.3f} s  max {numbers['max_s']:7.3f} s")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
