"""Server CPU seconds spent receiving presigned PUTs into local storage (before/after checks).

    python bench/receive_cpu.py [--count N] [--rounds R]

CPU time (utime + stime of the server process, from /proc) is far steadier than wall time
on a shared machine, so it shows what a change to the receive path saves. The server runs
with jobs off (no processing); the client PUTs the generated library 4 at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, photo_library, register


def stat_cpu(stat: Path) -> float:
    """User + system CPU seconds from a ``/proc/<pid>/stat`` (or ``.../task/<tid>/stat``) file."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    return stat_cpu(Path(f"/proc/{pid}/stat"))


async def put_all(url: str, token: str, files: list[Path]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as api,
        httpx.AsyncClient(timeout=120) as raw,
    ):
        gate = asyncio.Semaphore(4)
        for start in range(0, len(files), 50):
            chunk = files[start : start + 50]
            datas = [p.read_bytes() for p in chunk]
            specs = [
                {
                    "filename": p.name,
                    "size": len(d),
                    "content_type": "image/jpeg",
                    "sha256": hashlib.sha256(d).hexdigest(),
                }
                for p, d in zip(chunk, datas, strict=True)
            ]
            items = (await api.post("/api/v1/uploads", json={"files": specs})).raise_for_status().json()["items"]

            async def put(item: dict, data: bytes) -> None:
                async with gate:
                    up = item["upload"]
                    (await raw.request("PUT", up["url"], headers=up["headers"], content=data)).raise_for_status()

            await asyncio.gather(*(put(i, d) for i, d in zip(items, datas, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = sorted(photo_library(args.count).iterdir())
    total = sum(p.stat().st_size for p in files)
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(dir=INPUTS) as tmp:
            with Server(Path(tmp) / "data", {"AURORAVAULT_JOBS__ENABLED": "false"}) as server:
                _, token = register(server.url, f"cpu-{secrets.token_hex(3)}@example.com")
                before = cpu_seconds(server.pid)
                started = time.perf_counter()
                asyncio.run(put_all(server.url, token, files))
                wall = time.perf_counter() - started
                used = cpu_seconds(server.pid) - before
            print(
                f"server CPU {used:.2f} s for {total / 1e9:.2f} GB ({used / total * 1e9:.2f} s/GB), wall {wall:.1f} s"
            )


if __name__ == "__main__":
    main()
