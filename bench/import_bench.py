"""Benchmark: import a family library, and how soon it is browsable, against cp -r and rclone.

    python bench/import_bench.py [--quick] [--only local|s3] [--results-dir DIR]

1. Embedded default (local disk + SQLite): ``auroravault upload <folder>`` (defaults: 4 PUTs
   at a time, batches of 50) into a real server, against ``cp -r`` of the same folder to the
   same disk, the physical limit. The server fsyncs every photo before it acknowledges it,
   so ``cp -r`` is timed both alone and followed by ``sync`` (the durable equivalent). The
   HTTP baseline: nginx receiving the same files by PUT from curl over loopback, with as many
   parallel connections (``nginx_put.py``), alone and followed by ``sync``.
2. S3 adapter on SeaweedFS: the same upload, against ``rclone copy`` (Debian package,
   defaults: 4 transfers) into another bucket of the same SeaweedFS. If rclone is missing,
   boto3's ``upload_file`` with 4 threads stands in, labelled as such.
3. Time to browsable: from the start of the upload command (its first byte of work: it
   walks and hashes the folder first) until every photo is ``ready`` in ``GET /photos``.

Baselines run before and after ours and are averaged, so drift hits both sides. Inputs: the
seeded generated library (300 photos of 4000x3000, about 2.9 MB each; ``--quick``: 12 of
1600x1200) under bench/.inputs/. Writes ``<results>/import.json``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nginx_put
from common import (
    INPUTS,
    Server,
    bench_env,
    children_cpu,
    folder_bytes,
    photo_library,
    register,
    results_dir,
    s3_env,
    seaweedfs,
    upload_cli,
    write_result,
)

# ``auroravault upload``'s parallel PUTs (client.uploader's default), and so nginx's.
UPLOAD_CONNECTIONS = 4


def _warm(folder: Path) -> None:
    """Read the inputs once so every contender starts from the page cache."""
    for path in sorted(folder.iterdir()):
        with open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass


def _rate(count: int, size: int, seconds: float) -> dict[str, float]:
    return {
        "seconds": round(seconds, 3),
        "mb_per_s": round(size / 1e6 / seconds, 2),
        "photos_per_s": round(count / seconds, 2),
    }


# --------------------------------------------------------------------------- baselines


def time_cp(src: Path, work: Path) -> dict[str, float]:
    dest = work / f"cp-{secrets.token_hex(4)}"
    subprocess.run(["sync"], check=True)
    started = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dest)], check=True)
    copied = time.perf_counter()
    subprocess.run(["sync"], check=True)
    synced = time.perf_counter()
    shutil.rmtree(dest)
    return {"cp_seconds": copied - started, "cp_sync_seconds": synced - started}


def time_rclone(src: Path, weed: Any, work: Path) -> float:
    bucket = f"rclone-{secrets.token_hex(4)}"
    weed.s3_client().create_bucket(Bucket=bucket)
    config = work / "rclone.conf"
    config.write_text("")
    # rclone 1.60 refuses a custom CA bundle (AWS_CA_BUNDLE) with its own transport; the
    # endpoint is plain HTTP on loopback, so no AWS_* variable matters here.
    env = {
        **{k: v for k, v in bench_env().items() if not k.startswith("AWS_")},
        "RCLONE_CONFIG_WEED_TYPE": "s3",
        "RCLONE_CONFIG_WEED_PROVIDER": "Other",
        "RCLONE_CONFIG_WEED_ACCESS_KEY_ID": weed.access_key,
        "RCLONE_CONFIG_WEED_SECRET_ACCESS_KEY": weed.secret_key,
        "RCLONE_CONFIG_WEED_ENDPOINT": weed.endpoint,
        "RCLONE_CONFIG_WEED_REGION": weed.region,
        "RCLONE_CONFIG_WEED_FORCE_PATH_STYLE": "true",
    }
    started = time.perf_counter()
    subprocess.run(
        ["rclone", "--config", str(config), "copy", str(src), f"weed:{bucket}"],
        check=True,
        env=env,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    listed = weed.s3_client().list_objects_v2(Bucket=bucket).get("KeyCount", 0)
    if listed != len(list(src.iterdir())):
        raise RuntimeError(f"rclone copied {listed} objects into {bucket}")
    return elapsed


def time_boto3(src: Path, weed: Any) -> float:
    """Stand-in baseline when rclone is missing: boto3's transfer manager, 4 threads."""
    from concurrent.futures import ThreadPoolExecutor

    bucket = f"boto3-{secrets.token_hex(4)}"
    client = weed.s3_client()
    client.create_bucket(Bucket=bucket)
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda p: client.upload_file(str(p), bucket, p.name), sorted(src.iterdir())))
    return time.perf_counter() - started


# --------------------------------------------------------------------------- ours


def _ready_count(client: httpx.Client) -> tuple[int, int]:
    """(listed, ready) photos of the account, walking every page."""
    listed = ready = 0
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/photos", params=params).raise_for_status().json()
        listed += len(page["items"])
        ready += sum(1 for p in page["items"] if p["status"] in ("ready", "failed"))
        cursor = page["next_cursor"]
        if not cursor:
            return listed, ready


def wait_ready(url: str, token: str, count: int, deadline: float, every: float = 0.2) -> None:
    """Poll ``GET /photos`` every ``every`` seconds until ``count`` photos are ready (or
    failed); raise after ``deadline``."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as api:
        while _ready_count(api)[1] < count:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"fewer than {count} photos ready by the deadline")
            time.sleep(every)


def upload_and_wait(server: Server, src: Path, work: Path, count: int, timeout: float) -> dict[str, Any]:
    """Run ``auroravault upload`` against ``server``; time it and the time until all is ready."""
    _, token = register(server.url, f"import-{secrets.token_hex(4)}@example.com")
    cmd, env = upload_cli(server.url, token, [src], work)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        cpu = children_cpu()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        uploaded_at: float | None = None
        ready_at: float | None = None
        listed = ready = 0
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if uploaded_at is None and proc.poll() is not None:
                uploaded_at = time.perf_counter()
                cpu = children_cpu() - cpu  # the client's user + system seconds (it was reaped)
                output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                if proc.returncode != 0:
                    raise RuntimeError(f"upload failed ({proc.returncode}):\n{output}\n{server.log_tail()}")
            if uploaded_at is None:  # listing photos during the upload would load the server measured
                time.sleep(0.05)
                continue
            listed, ready = _ready_count(client)
            if ready >= count:
                ready_at = time.perf_counter()
                break
            time.sleep(0.2)
        if ready_at is None or uploaded_at is None:
            proc.kill()
            raise RuntimeError(f"not browsable after {timeout}s: {listed} listed, {ready} ready")
    return {"upload_seconds": uploaded_at - started, "browsable_seconds": ready_at - started, "client_cpu_s": cpu}


# --------------------------------------------------------------------------- main


def run(quick: bool, only: str | None = None) -> dict[str, Any]:
    count, width, height = (12, 1600, 1200) if quick else (300, 4000, 3000)
    src = photo_library(count, width, height)
    size = folder_bytes(src)
    _warm(src)
    timeout = 120 if quick else 900
    report: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "inputs": {"photos": count, "bytes": size, "width": width, "height": height, "folder": src.name},
        "notes": [],
    }
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="import-", dir=INPUTS) as tmp:
        work = Path(tmp)

        if only in (None, "local"):
            # -- 1. embedded default vs cp -r --------------------------------------------------
            print(f"import (local): {count} photos, {size / 1e6:.0f} MB", flush=True)
            has_nginx = nginx_put.available() is not None
            if not has_nginx:
                report["notes"].append("nginx is not installed (apt-get install nginx): no HTTP PUT baseline")

            def baselines() -> tuple[dict[str, float], dict[str, float] | None]:
                put = nginx_put.time_put(src, work, UPLOAD_CONNECTIONS) if has_nginx else None
                return time_cp(src, work), put

            before = baselines()
            with Server(data_dir=work / "local-data") as server:
                ours = upload_and_wait(server, src, work, count, timeout)
            after = baselines()
            cp = statistics.fmean(b[0]["cp_seconds"] for b in (before, after))
            cp_sync = statistics.fmean(b[0]["cp_sync_seconds"] for b in (before, after))
            local = {
                "ours": _rate(count, size, ours["upload_seconds"]),
                "cp": _rate(count, size, cp),
                "cp_sync": _rate(count, size, cp_sync),
                "browsable_seconds": round(ours["browsable_seconds"], 2),
            }
            local["ratio_vs_cp"] = round(cp / ours["upload_seconds"], 3)
            local["ratio_vs_cp_sync"] = round(cp_sync / ours["upload_seconds"], 3)
            local["browsable_over_upload"] = round(ours["browsable_seconds"] / ours["upload_seconds"], 2)
            if before[1] is not None and after[1] is not None:
                put = statistics.fmean(b[1]["put_seconds"] for b in (before, after))  # type: ignore[index]
                put_sync = statistics.fmean(b[1]["put_sync_seconds"] for b in (before, after))  # type: ignore[index]
                local["nginx_put"] = _rate(count, size, put)
                local["nginx_put_sync"] = _rate(count, size, put_sync)
                local["nginx_connections"] = UPLOAD_CONNECTIONS
                local["ratio_vs_nginx"] = round(put / ours["upload_seconds"], 3)
                local["ratio_vs_nginx_sync"] = round(put_sync / ours["upload_seconds"], 3)
            report["local"] = local
            print(
                f"  ours {local['ours']} | cp {local['cp']} | cp+sync {local['cp_sync']}"
                f" | nginx PUT {local.get('nginx_put')} | nginx PUT+sync {local.get('nginx_put_sync')}",
                flush=True,
            )

        if only in (None, "s3"):
            # -- 2. S3 adapter on SeaweedFS vs rclone -----------------------------------------
            print("import (s3 on SeaweedFS) ...", flush=True)
            with seaweedfs() as weed:
                rclone = shutil.which("rclone")
                baseline_name = "rclone copy" if rclone else "boto3 upload_file x4 (rclone not installed)"
                if not rclone:
                    report["notes"].append("rclone is not installed: boto3's transfer manager is the S3 baseline")

                def baseline() -> float:
                    return time_rclone(src, weed, work) if rclone else time_boto3(src, weed)

                rclone_cpu = children_cpu()
                base_runs = [baseline()]
                rclone_cpu = children_cpu() - rclone_cpu
                env = s3_env(weed, f"av-{secrets.token_hex(4)}")
                with Server(data_dir=work / "s3-data", env=env) as server:
                    ours = upload_and_wait(server, src, work, count, timeout)
                base_runs.append(baseline())
            base = statistics.fmean(base_runs)
            s3 = {
                "baseline": baseline_name,
                "ours": _rate(count, size, ours["upload_seconds"]),
                "rclone": _rate(count, size, base),
                "browsable_seconds": round(ours["browsable_seconds"], 2),
                "browsable_over_upload": round(ours["browsable_seconds"] / ours["upload_seconds"], 2),
                "ratio_vs_rclone": round(base / ours["upload_seconds"], 3),
                "client_cpu_s": round(ours["client_cpu_s"], 2),
                "baseline_cpu_s": round(rclone_cpu, 2),
            }
            report["s3"] = s3
            print(f"  ours {s3['ours']} | {baseline_name} {s3['rclone']}", flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="12 small photos, for smoke tests")
    parser.add_argument("--only", choices=["local", "s3"], help="run only the local or the S3 import")
    parser.add_argument("--results-dir", help="where to write import.json (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick, args.only)
    path = write_result("import", report, results_dir(args.results_dir))
    if local := report.get("local"):
        print(
            f"\nlocal: {local['ours']['mb_per_s']} MB/s, {local['ratio_vs_cp_sync']}x cp+sync, "
            f"{local['ratio_vs_cp']}x cp; browsable after {local['browsable_seconds']} s"
        )
    if s3 := report.get("s3"):
        print(
            f"s3: {s3['ours']['mb_per_s']} MB/s, {s3['ratio_vs_rclone']}x {s3['baseline']}; "
            f"browsable after {s3['browsable_seconds']} s"
        )
    print(f"written to {path}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
