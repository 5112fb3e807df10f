"""Benchmark: server memory while 16 clients each upload a 200 MB file to local storage.

    python bench/memory_bench.py [--quick] [--results-dir DIR]

The embedded default server (uvicorn subprocess, local storage, SQLite). 16 accounts each
ask for a presigned URL for the same 200 MB file (random bytes, generated once under
bench/.inputs/) and all 16 PUT it at once, streamed from disk in 1 MB chunks. The server
process's RSS is sampled every 20 ms from /proc (and its VmHWM read at the end); the
client is another process. Aim: peak RSS under 150 MB.

Peak RSS of processing the largest image is measured by bench/processing.py (a 200 MP
JPEG, in a fresh child process) and shown next to this one in docs/benchmarks.md.
Writes ``<results>/memory.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, RssSampler, Server, register, results_dir, rss_mb, write_result

CLIENTS = 16
CHUNK = 1 << 20


def big_file(mb: int) -> tuple[Path, str]:
    """A file of ``mb`` MiB of seeded random bytes (made once) and its sha256."""
    path = INPUTS / f"blob-{mb}MiB.bin"
    if not path.exists() or path.stat().st_size != mb * CHUNK:
        INPUTS.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            block = hashlib.shake_256(b"auroravault bench").digest(CHUNK)
            for i in range(mb):
                fh.write(hashlib.sha256(i.to_bytes(8, "big")).digest() + block[32:])
        tmp.replace(path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return path, digest.hexdigest()


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with open(path, "rb") as fh:  # noqa: ASYNC230 - page-cache reads of 1 MB, the bench's own side
        while chunk := fh.read(CHUNK):
            yield chunk


async def upload_all(base_url: str, tokens: list[str], path: Path, sha: str, size: int) -> float:
    spec = {"filename": "big.jpg", "size": size, "content_type": "image/jpeg", "sha256": sha}
    uploads = []
    async with httpx.AsyncClient(base_url=base_url, timeout=600) as client:
        for token in tokens:
            resp = await client.post(
                "/api/v1/uploads", json={"files": [spec]}, headers={"Authorization": f"Bearer {token}"}
            )
            resp.raise_for_status()
            uploads.append(resp.json()["items"][0]["upload"])

    async def put(upload: dict[str, Any]) -> None:
        async with httpx.AsyncClient(timeout=600) as raw:
            headers = {**upload["headers"], "Content-Length": str(size)}
            resp = await raw.request(upload["method"], upload["url"], headers=headers, content=_chunks(path))
            if resp.status_code not in (200, 204):
                raise RuntimeError(f"PUT: {resp.status_code} {resp.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(put(u) for u in uploads))
    return time.perf_counter() - started


def _reset_hwm(pid: int) -> None:
    """Reset the kernel's peak-RSS mark (VmHWM) of ``pid``, where allowed."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def run(quick: bool) -> dict[str, Any]:
    mb = 8 if quick else 200
    path, sha = big_file(mb)
    with tempfile.TemporaryDirectory(prefix="memory-", dir=INPUTS) as tmp:
        server = Server(data_dir=Path(tmp) / "data", env={"AURORAVAULT_JOBS__ENABLED": "false"})
        with server:
            tokens = [register(server.url, f"memory-{i}@example.com")[1] for i in range(CLIENTS)]
            time.sleep(0.5)
            idle_rss, _ = rss_mb(server.pid)
            print(f"memory: {CLIENTS} x {mb} MiB PUTs; server idle at {idle_rss:.0f} MB", flush=True)
            _reset_hwm(server.pid)  # registration hashes passwords (argon2, 64 MiB each): not this test
            with RssSampler(server.pid) as sampler:
                seconds = asyncio.run(upload_all(server.url, tokens, path, sha, mb * CHUNK))
            _, hwm = rss_mb(server.pid)
            stored = sum(1 for _ in (Path(tmp) / "data" / "photos").rglob("original"))
    if stored != CLIENTS:
        raise RuntimeError(f"{stored} of {CLIENTS} uploads stored")
    total = CLIENTS * mb * CHUNK
    return {
        "mode": "quick" if quick else "full",
        "clients": CLIENTS,
        "file_mib": mb,
        "idle_rss_mb": round(idle_rss, 1),
        "peak_rss_mb": sampler.peak_mb,
        "vmhwm_mb": round(hwm, 1),
        "samples": len(sampler.samples),
        "upload_seconds": round(seconds, 2),
        "mb_per_s": round(total / 1e6 / seconds, 1),
        "note": "jobs disabled: the files are not images; this measures receiving only",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="8 MiB files instead of 200 MiB")
    parser.add_argument("--results-dir", help="where to write memory.json (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick)
    path = write_result("memory", report, results_dir(args.results_dir))
    print(
        f"peak RSS {report['peak_rss_mb']} MB (idle {report['idle_rss_mb']} MB, VmHWM {report['vmhwm_mb']} MB), "
        f"{report['mb_per_s']} MB/s; written to {path}"
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
