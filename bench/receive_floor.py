"""Where the local import's time goes, layer by layer, in one run (issue 19's profile).

    python bench/receive_floor.py [--count 300] [--rounds 2]

The same 300 photos (873 MB) PUT over loopback by ``curl`` with 4 parallel connections to:
nginx (DAV, then ``sync``); a bare ASGI app on the same uvicorn as our server
(``bare_receiver.py``: reading only, then sha256 + write + fsync); and our server's presigned
``PUT /blobs`` (jobs off). Then ``auroravault upload`` itself (our client: hashing, batches,
``complete``) with jobs off and on. Wall time and the server's CPU seconds for each; the
result goes to ``receive_floor.json``. Not part of ``make bench``: a profiling tool, like
``receive_cpu.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH,
    INPUTS,
    Server,
    bench_env,
    children_cpu,
    free_port,
    photo_library,
    register,
    results_dir,
    upload_cli,
    write_result,
)
from nginx_put import time_put
from receive_cpu import cpu_seconds


def curl_put(targets: list[tuple[Path, str, dict[str, str]]], work: Path) -> float:
    """PUT each (file, url, headers) with curl, 4 at a time; the wall seconds."""
    config = work / "curl.args"
    blocks = []
    for path, url, headers in targets:
        lines = [f'url = "{url}"', f'upload-file = "{path}"', 'output = "/dev/null"', "fail"]
        lines += [f'header = "{k}: {v}"' for k, v in headers.items()]
        blocks.append("\n".join(lines) + "\n")
    config.write_text("next\n".join(blocks))
    subprocess.run(["sync"], check=True)
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "--no-progress-meter", "-Z", "--parallel-max", "4", "-K", str(config)], check=True)
    return time.perf_counter() - started


def bare(files: list[Path], work: Path, mode: str) -> dict[str, float]:
    out = work / f"bare-{mode}"
    out.mkdir()
    port = free_port()
    env = {**bench_env(), "BARE_MODE": mode, "BARE_OUT": str(out)}
    cmd = [sys.executable, "-m", "uvicorn", "bare_receiver:app", "--app-dir", str(BENCH)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools"]
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the bare receiver did not start") from None
                time.sleep(0.1)
        before = cpu_seconds(proc.pid)
        wall = curl_put([(p, f"http://127.0.0.1:{port}/x/{p.name}", {}) for p in files], work)
        return {"seconds": wall, "server_cpu_s": cpu_seconds(proc.pid) - before}
    finally:
        proc.terminate()
        proc.wait(10)


def ours_put(files: list[Path], work: Path) -> dict[str, float]:
    with Server(work / "data", {"AURORAVAULT_JOBS__ENABLED": "false"}) as server:
        _, token = register(server.url, f"floor-{secrets.token_hex(3)}@example.com")
        targets = []
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as api:
            for start in range(0, len(files), 50):
                chunk = files[start : start + 50]
                specs = [
                    {
                        "filename": p.name,
                        "size": p.stat().st_size,
                        "content_type": "image/jpeg",
                        "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                    }
                    for p in chunk
                ]
                items = api.post("/api/v1/uploads", json={"files": specs}).raise_for_status().json()["items"]
                targets += [(p, i["upload"]["url"], i["upload"]["headers"]) for p, i in zip(chunk, items, strict=True)]
        before = cpu_seconds(server.pid)
        wall = curl_put(targets, work)
        return {"seconds": wall, "server_cpu_s": cpu_seconds(server.pid) - before}


def ours_upload(src: Path, work: Path, jobs: bool) -> dict[str, float]:
    with Server(work / "data", {"AURORAVAULT_JOBS__ENABLED": str(jobs).lower()}) as server:
        _, token = register(server.url, f"floor-{secrets.token_hex(3)}@example.com")
        cmd, env = upload_cli(server.url, token, [src], work)
        client_before, before = children_cpu(), cpu_seconds(server.pid)
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        return {
            "seconds": wall,
            "server_cpu_s": cpu_seconds(server.pid) - before,
            "client_cpu_s": children_cpu() - client_before,
        }


class FloorRuns:
    """The rows of a floor profile: each run printed as it lands, then their means written out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.runs: dict[str, list[dict[str, float]]] = {}

    def record(self, name: str, row: dict[str, float]) -> None:
        self.runs.setdefault(name, []).append(row)
        extra = "".join(f", {k} {v:.2f}" for k, v in row.items() if k != "seconds")
        print(f"{name:34s} {row['seconds']:6.2f} s ({self.size / 1e6 / row['seconds']:6.1f} MB/s){extra}", flush=True)

    def write(self, name: str, count: int, out_dir: str | None) -> None:
        mean: dict[str, Any] = {
            row: {k: round(sum(r[k] for r in rows) / len(rows), 3) for k in rows[0]} for row, rows in self.runs.items()
        }
        report = {"count": count, "bytes": self.size, "runs": self.runs, "mean": mean}
        print(write_result(name, report, results_dir(out_dir)))


def floor_args(doc: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--results-dir", default=None)
    return parser.parse_args()


def main() -> None:
    args = floor_args(__doc__)
    src = photo_library(args.count)
    files = sorted(p for p in src.iterdir() if p.is_file())
    floor = FloorRuns(sum(p.stat().st_size for p in files))
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(dir=INPUTS) as tmp:
            nginx = time_put(src, Path(tmp), 4)
            floor.record("nginx PUT", {"seconds": nginx["put_seconds"]})
            floor.record("nginx PUT + sync", {"seconds": nginx["put_sync_seconds"]})
        for mode in ("receive", "durable"):
            with tempfile.TemporaryDirectory(dir=INPUTS) as tmp:
                floor.record(f"bare uvicorn, {mode}", bare(files, Path(tmp), mode))
        with tempfile.TemporaryDirectory(dir=INPUTS) as tmp:
            floor.record("ours, PUT /blobs (curl)", ours_put(files, Path(tmp)))
        for jobs in (False, True):
            with tempfile.TemporaryDirectory(dir=INPUTS) as tmp:
                row = ours_upload(src, Path(tmp), jobs)
                floor.record(f"ours, auroravault upload, jobs {'on' if jobs else 'off'}", row)
    floor.write("receive_floor", len(files), args.results_dir)


if __name__ == "__main__":
    main()
