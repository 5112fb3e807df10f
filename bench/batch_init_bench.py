"""Benchmark: batch init under load, next to ``GET /healthz`` under the same load.

    python bench/batch_init_bench.py [--quick] [--results-dir DIR]

16 clients (one asyncio process, each its own account and keep-alive connection) each send
``POST /uploads`` with 50 new files (random sha256s, so every file is new: the full path of
quota reservation, 50 photos + 50 uploads written, 50 URLs presigned) as fast as answers
come, for a bounded number of rounds and seconds. Meanwhile a 17th connection probes
``GET /healthz`` every 10 ms: a slow healthz under load means the event loop is blocked.
The load lasts until the probe has taken its ``HEALTHZ_SAMPLES`` (after ``HEALTHZ_WARMUP``),
whatever the rounds and seconds: a quick run on an idle machine finishes its rounds in a few
tens of milliseconds, and a busy one answers slowly, but both measure healthz under load.
``/healthz`` is also measured idle first. Done for the local presigner (HMAC, its own
``/blobs`` URLs) and the S3 presigner (boto3 SigV4, SeaweedFS as the endpoint). SQLite meta.

All traffic stays on 127.0.0.1. Writes ``<results>/batch_init.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, percentiles, register, results_dir, s3_env, seaweedfs, write_result

CLIENTS = 16
FILES = 50
HEALTHZ_WARMUP = 5  # the probe's first answers under load, dropped (connection set-up)
HEALTHZ_SAMPLES = 50  # the probe's answers measured under load, at least


def _files() -> list[dict[str, Any]]:
    return [
        {
            "filename": f"IMG_{i:04d}.jpg",
            "size": 3_000_000 + i,
            "content_type": "image/jpeg",
            "sha256": secrets.token_hex(32),
        }
        for i in range(FILES)
    ]


async def _healthz(
    client: httpx.AsyncClient, samples: list[float], stop: asyncio.Event, sampled: asyncio.Event
) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        (await client.get("/healthz")).raise_for_status()
        samples.append(time.perf_counter() - started)
        if len(samples) >= HEALTHZ_WARMUP + HEALTHZ_SAMPLES:
            sampled.set()
        await asyncio.sleep(0.01)


async def _client(
    base_url: str, token: str, rounds: int, deadline: float, samples: list[float], sampled: asyncio.Event
) -> None:
    """At least one round; up to ``rounds`` before ``deadline``; then on until the probe is done."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120) as client:
        done = 0
        while not sampled.is_set() or (done < rounds and time.perf_counter() <= deadline):
            done += 1
            body = {"files": _files()}
            started = time.perf_counter()
            resp = await client.post("/api/v1/uploads", json=body)
            samples.append(time.perf_counter() - started)
            if resp.status_code != 201:
                raise RuntimeError(f"POST /uploads: {resp.status_code} {resp.text[:300]}")
            if sum(1 for i in resp.json()["items"] if i["status"] == "upload") != FILES:
                raise RuntimeError("expected every file to need an upload")


async def load(base_url: str, tokens: list[str], rounds: int, seconds: float) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as probe:
        idle: list[float] = []
        for _ in range(200):
            started = time.perf_counter()
            (await probe.get("/healthz")).raise_for_status()
            idle.append(time.perf_counter() - started)
        inits: list[float] = []
        under_load: list[float] = []
        stop, sampled = asyncio.Event(), asyncio.Event()
        prober = asyncio.create_task(_healthz(probe, under_load, stop, sampled))
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(_client(base_url, t, rounds, deadline, inits, sampled) for t in tokens))
        elapsed = time.perf_counter() - started
        stop.set()
        await prober
    return {
        "init": percentiles(inits),
        "healthz_under_load": percentiles(under_load[HEALTHZ_WARMUP:]),
        "healthz_idle": percentiles(idle[20:]),
        "load_seconds": round(elapsed, 2),
        "files_per_second": round(len(inits) * FILES / elapsed, 1),
    }


def run_one(name: str, work: Path, env: dict[str, str], clients: int, rounds: int, seconds: float) -> dict[str, Any]:
    with Server(data_dir=work / f"{name}-data", env=env) as server:
        tokens = [register(server.url, f"init-{name}-{i}@example.com")[1] for i in range(clients)]
        result = asyncio.run(load(server.url, tokens, rounds, seconds))
    print(f"  {name}: init {result['init']} | healthz {result['healthz_under_load']}", flush=True)
    return result


def run(quick: bool) -> dict[str, Any]:
    clients, rounds, seconds = (4, 2, 20.0) if quick else (CLIENTS, 20, 120.0)
    report: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "clients": clients,
        "files_per_batch": FILES,
        "rounds_per_client": rounds,
        "max_seconds": seconds,
        "presigners": {},
    }
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="init-", dir=INPUTS) as tmp:
        work = Path(tmp)
        print("batch init (local presigner) ...", flush=True)
        report["presigners"]["local"] = run_one("local", work, {}, clients, rounds, seconds)
        print("batch init (s3 presigner, SeaweedFS) ...", flush=True)
        with seaweedfs() as weed:
            env = s3_env(weed, f"init-{secrets.token_hex(4)}")
            report["presigners"]["s3"] = run_one("s3", work, env, clients, rounds, seconds)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 clients, 2 rounds each")
    parser.add_argument("--results-dir", help="where to write batch_init.json (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick)
    path = write_result("batch_init", report, results_dir(args.results_dir))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
