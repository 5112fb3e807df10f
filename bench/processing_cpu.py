"""Where processing's CPU goes: 300 thumbs made with nothing else running, CPU per thread.

    python bench/processing_cpu.py [--backend s3|local] [--rounds 2] [--variant JSON ...]

The photos are uploaded once with jobs off (previews pushed 10 minutes out, so only thumbs
are made), the server's data folder is copied aside, and for each variant (a JSON object of
extra server environment, e.g. ``'{"AURORAVAULT_JOBS__CONCURRENCY": "16"}'`` or
``'{"PYTHONPATH": "/path/to/other/checkout"}'`` to compare two trees) the server starts on a
fresh copy with jobs on and is timed until every photo is ``ready``. Reported: wall seconds,
the server's and SeaweedFS's CPU seconds, and the server's CPU by thread (from
``/proc/<pid>/task``, named with ``py-spy dump`` when py-spy is installed). Variants
alternate within each round. Not part of ``make bench``: a profiling tool, like
``receive_floor.py``; the result goes to ``processing_cpu.json``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, photo_library, register, results_dir, s3_env, seaweedfs, upload_cli, write_result
from import_bench import wait_ready
from receive_cpu import cpu_seconds, stat_cpu

PY_SPY = Path(sys.executable).with_name("py-spy")


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of each thread of ``pid``, by thread id."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            out[task.name] = stat_cpu(task / "stat")
    return out


def thread_names(pid: int) -> dict[str, str]:
    """Python's thread names by thread id (py-spy), pool numbers dropped: ``decode_1`` -> ``decode``."""
    if not PY_SPY.exists():
        return {}
    dump = subprocess.run([str(PY_SPY), "dump", "-p", str(pid)], capture_output=True, text=True).stdout
    return {m[1]: re.sub(r"[_\d]+$", "", m[2]) for m in re.finditer(r'Thread (\d+) \([^)]*\): "([^"]+)"', dump)}


@contextlib.contextmanager
def storage(backend: str) -> Iterator[tuple[dict[str, str], Any]]:
    if backend == "local":
        yield {}, None
        return
    with seaweedfs() as weed:
        yield s3_env(weed, f"av-{secrets.token_hex(4)}"), weed


def measure(data: Path, env: dict[str, str], token: str, count: int, weed: Any) -> dict[str, Any]:
    server = Server(data, env)
    server.start()
    try:
        server_before = cpu_seconds(server.pid)
        weed_before = cpu_seconds(weed.pid) if weed else 0.0
        threads_before = thread_cpu(server.pid)
        started = time.perf_counter()
        wait_ready(server.url, token, count, started + 900, every=0.5)
        wall = time.perf_counter() - started
        threads = thread_cpu(server.pid)
        names = thread_names(server.pid)
        by_thread: collections.Counter[str] = collections.Counter()
        for tid, seconds in threads.items():
            by_thread[names.get(tid, "other")] += seconds - threads_before.get(tid, 0.0)
        return {
            "seconds": round(wall, 3),
            "photos_per_s": round(count / wall, 2),
            "server_cpu_s": round(cpu_seconds(server.pid) - server_before, 2),
            "s3_cpu_s": round(cpu_seconds(weed.pid) - weed_before, 2) if weed else None,
            "threads_cpu_s": {k: round(v, 2) for k, v in by_thread.most_common()},
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["s3", "local"], default="s3")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variant", action="append", default=[], help="JSON object of extra server environment")
    parser.add_argument("--results-dir", default=None)
    args = parser.parse_args()
    variants: list[dict[str, str]] = [json.loads(v) for v in args.variant] or [{}]
    src = photo_library(args.count)
    INPUTS.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=INPUTS) as tmp, storage(args.backend) as (store_env, weed):
        work = Path(tmp)
        base = {**store_env, "AURORAVAULT_IMAGES__PREVIEW_DELAY_SECONDS": "600"}
        uploaded = work / "uploaded"
        with Server(uploaded, {**base, "AURORAVAULT_JOBS__ENABLED": "false"}) as server:
            _, token = register(server.url, f"cpu-{secrets.token_hex(3)}@example.com")
            cmd, client_env = upload_cli(server.url, token, [src], work)
            subprocess.run(cmd, env=client_env, check=True, stdout=subprocess.DEVNULL)
        for _ in range(args.rounds):
            for variant in variants:
                data = work / "data"
                shutil.rmtree(data, ignore_errors=True)
                shutil.copytree(uploaded, data, symlinks=True)
                row = measure(data, {**base, **variant}, token, args.count, weed)
                runs.append({"variant": variant, **row})
                threads = ", ".join(f"{k} {v:.1f}" for k, v in row["threads_cpu_s"].items())
                print(
                    f"{json.dumps(variant)}: {row['seconds']:.2f} s ({row['photos_per_s']}/s),"
                    f" server CPU {row['server_cpu_s']} s, S3 {row['s3_cpu_s']} s | {threads}",
                    flush=True,
                )
    report = {"backend": args.backend, "count": args.count, "runs": runs}
    print(write_result("processing_cpu", report, results_dir(args.results_dir)))


if __name__ == "__main__":
    main()
