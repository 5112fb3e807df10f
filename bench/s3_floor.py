"""Where the S3 import's time goes, layer by layer, in one run (issue 19's profile for S3).

    python bench/s3_floor.py [--count 300] [--rounds 2]

The same 300 photos (873 MB) into one SeaweedFS (``weed mini`` on 127.0.0.1), each contender
into a bucket of its own: ``rclone copy`` (4 transfers, the aim's baseline); ``curl`` PUTting
the files to the presigned URLs our server hands out, 4 at a time (the HTTP floor into this
S3 server, jobs off); ``auroravault upload`` with jobs off (our client: sniff + sha256 each
file, batches, ``complete``; the server only confirms); and with jobs on (the server reads
every original back from SeaweedFS and makes its thumb while the upload runs), also timed
until every photo is ``ready``. Two what-ifs of uploads taking priority over processing: jobs
on with the server's whole scheduling group at nice 19 (Linux autogroup: each session is one
unit to the scheduler, so the decode threads' own niceness only orders them inside the
server), and processing deferred until the upload is over (jobs off for the upload, then the
server restarted with jobs on). Wall time and the CPU seconds of SeaweedFS, our server and
the client for each; the result goes to ``s3_floor.json``. Not part of ``make bench``: a
profiling tool, like ``receive_floor.py``.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, children_cpu, photo_library, register, s3_env, seaweedfs, upload_cli
from import_bench import time_rclone, wait_ready
from receive_cpu import cpu_seconds
from receive_floor import FloorRuns, curl_put, floor_args


def rclone(src: Path, weed: Any, work: Path) -> dict[str, float]:
    weed_before, own_before = cpu_seconds(weed.pid), children_cpu()
    wall = time_rclone(src, weed, work)
    return {
        "seconds": wall,
        "s3_cpu_s": cpu_seconds(weed.pid) - weed_before,
        "client_cpu_s": children_cpu() - own_before,
    }


def _specs(chunk: list[Path]) -> list[dict[str, Any]]:
    return [
        {
            "filename": p.name,
            "size": p.stat().st_size,
            "content_type": "image/jpeg",
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        }
        for p in chunk
    ]


def curl_presigned(files: list[Path], weed: Any, work: Path) -> dict[str, float]:
    env = {**s3_env(weed, f"curl-{secrets.token_hex(4)}"), "AURORAVAULT_JOBS__ENABLED": "false"}
    with Server(work / "curl-data", env) as server:
        _, token = register(server.url, f"s3floor-{secrets.token_hex(3)}@example.com")
        targets = []
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as api:
            for start in range(0, len(files), 50):
                chunk = files[start : start + 50]
                items = api.post("/api/v1/uploads", json={"files": _specs(chunk)}).raise_for_status().json()["items"]
                targets += [(p, i["upload"]["url"], i["upload"]["headers"]) for p, i in zip(chunk, items, strict=True)]
        weed_before, own_before = cpu_seconds(weed.pid), children_cpu()
        wall = curl_put(targets, work)
        return {
            "seconds": wall,
            "s3_cpu_s": cpu_seconds(weed.pid) - weed_before,
            "client_cpu_s": children_cpu() - own_before,
        }


def _autogroup_nice(pid: int, nice: int) -> None:
    Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def upload(
    src: Path, weed: Any, work: Path, jobs: bool, count: int, *, group_nice: int | None = None
) -> dict[str, float]:
    env = {**s3_env(weed, f"av-{secrets.token_hex(4)}"), "AURORAVAULT_JOBS__ENABLED": str(jobs).lower()}
    with Server(work / f"data-{secrets.token_hex(3)}", env) as server:
        if group_nice is not None:
            _autogroup_nice(server.pid, group_nice)
        _, token = register(server.url, f"s3floor-{secrets.token_hex(3)}@example.com")
        cmd, client_env = upload_cli(server.url, token, [src], work)
        own_before = children_cpu()
        server_before, weed_before = cpu_seconds(server.pid), cpu_seconds(weed.pid)
        started = time.perf_counter()
        subprocess.run(cmd, env=client_env, check=True, stdout=subprocess.DEVNULL)
        row = {
            "seconds": time.perf_counter() - started,
            "s3_cpu_s": cpu_seconds(weed.pid) - weed_before,
            "server_cpu_s": cpu_seconds(server.pid) - server_before,
            "client_cpu_s": children_cpu() - own_before,
        }
        if not jobs:
            return row
        wait_ready(server.url, token, count, started + 900)
        row["browsable_seconds"] = time.perf_counter() - started
        row["s3_cpu_to_browsable_s"] = cpu_seconds(weed.pid) - weed_before
        row["server_cpu_to_browsable_s"] = cpu_seconds(server.pid) - server_before
        return row


def deferred(src: Path, weed: Any, work: Path, count: int) -> dict[str, float]:
    """The upload with jobs off, then the same data served with jobs on until all is ready."""
    env = {**s3_env(weed, f"av-{secrets.token_hex(4)}"), "AURORAVAULT_JOBS__ENABLED": "false"}
    data = work / f"data-{secrets.token_hex(3)}"
    with Server(data, env) as server:
        _, token = register(server.url, f"s3floor-{secrets.token_hex(3)}@example.com")
        cmd, client_env = upload_cli(server.url, token, [src], work)
        started = time.perf_counter()
        subprocess.run(cmd, env=client_env, check=True, stdout=subprocess.DEVNULL)
        uploaded = time.perf_counter() - started
    with Server(data, {**env, "AURORAVAULT_JOBS__ENABLED": "true"}) as server:
        wait_ready(server.url, token, count, started + 900)
    return {"seconds": uploaded, "browsable_seconds": time.perf_counter() - started}


def main() -> None:
    args = floor_args(__doc__)
    if shutil.which("rclone") is None:
        raise SystemExit("rclone is not installed (apt-get install rclone): it is this profile's baseline")
    src = photo_library(args.count)
    files = sorted(p for p in src.iterdir() if p.is_file())
    floor = FloorRuns(sum(p.stat().st_size for p in files))
    INPUTS.mkdir(parents=True, exist_ok=True)
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(dir=INPUTS) as tmp, seaweedfs() as weed:
            work = Path(tmp)
            floor.record("rclone copy", rclone(src, weed, work))
            floor.record("curl PUT, presigned (x4)", curl_presigned(files, weed, work))
            floor.record("auroravault upload, jobs off", upload(src, weed, work, False, len(files)))
            floor.record("auroravault upload, jobs on", upload(src, weed, work, True, len(files)))
            if Path("/proc/self/autogroup").exists():
                niced = upload(src, weed, work, True, len(files), group_nice=19)
                floor.record("jobs on, server group nice 19", niced)
            floor.record("processing after the upload", deferred(src, weed, work, len(files)))
    floor.write("s3_floor", len(files), args.results_dir)


if __name__ == "__main__":
    main()
