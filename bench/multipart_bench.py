"""Benchmark: one large file through `auroravault upload` (multipart), and server memory meanwhile.

    python bench/multipart_bench.py [--quick] [--only local|s3|parallel] [--results-dir DIR]

1. Local storage + SQLite: ``auroravault upload big.jpg`` (parts of 16 MiB, the client's
   default in flight: two per CPU, at least 4; ``--parts N`` to choose)
   into a real server, against ``cp`` of the same file to the same disk followed by
   ``sync`` (the server fsyncs each part and the joined file before it answers). Peak
   server RSS sampled meanwhile.
2. S3 adapter on SeaweedFS: the same upload, against ``rclone copy`` of the file into another
   bucket of the same SeaweedFS (rclone's defaults: multipart above 200 MiB, 4 parts at a
   time). If rclone is missing, boto3's ``upload_file`` (multipart, 4 threads) stands in,
   labelled as such.
3. Four such files at once (``--jobs 4``) into the local server: peak server RSS (aim < 200 MB:
   parts are streamed to disk, never held).

``--only`` runs one of the three (the S3 one takes about two minutes on 2 CPUs). Each upload
also records the client's CPU seconds (user + system of the ``auroravault upload`` process).

Only the upload command is timed (the photo's processing comes after, in the background).
Baselines run before and after ours and are averaged. Inputs: a real JPEG padded with random
bytes to 2 GB (``--quick``: 70 MB), under bench/.inputs/. Writes ``<results>/multipart.json``.
"""

from __future__ import annotations

import argparse
import io
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    INPUTS,
    RssSampler,
    Server,
    bench_env,
    children_cpu,
    register,
    results_dir,
    s3_env,
    seaweedfs,
    upload_cli,
    write_result,
)

MIB = 1024 * 1024


def big_file(path: Path, size: int) -> Path:
    """A JPEG of 64x48 followed by random bytes up to ``size`` (decoders ignore the tail)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "JPEG")
    with path.open("wb") as fh:
        fh.write(buffer.getvalue())
        left = size - buffer.tell()
        while left:
            chunk = os.urandom(min(16 * MIB, left))
            fh.write(chunk)
            left -= len(chunk)
    return path


def _rate(size: int, seconds: float) -> dict[str, float]:
    return {"seconds": round(seconds, 3), "mb_per_s": round(size / 1e6 / seconds, 2)}


def _warm(path: Path) -> None:
    with path.open("rb") as fh:
        while fh.read(16 * MIB):
            pass


def time_cp_sync(src: Path, work: Path) -> float:
    dest = work / f"cp-{secrets.token_hex(4)}"
    subprocess.run(["sync"], check=True)
    started = time.perf_counter()
    subprocess.run(["cp", str(src), str(dest)], check=True)
    subprocess.run(["sync"], check=True)
    elapsed = time.perf_counter() - started
    dest.unlink()
    return elapsed


def time_rclone(src: Path, weed: Any, work: Path) -> float:
    bucket = f"rclone-{secrets.token_hex(4)}"
    weed.s3_client().create_bucket(Bucket=bucket)
    config = work / "rclone.conf"
    config.write_text("")
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
    return time.perf_counter() - started


def time_boto3(src: Path, weed: Any) -> float:
    from boto3.s3.transfer import TransferConfig

    bucket = f"boto3-{secrets.token_hex(4)}"
    client = weed.s3_client()
    client.create_bucket(Bucket=bucket)
    started = time.perf_counter()
    client.upload_file(str(src), bucket, src.name, Config=TransferConfig(max_concurrency=4))
    return time.perf_counter() - started


#: ``--parts`` for every upload (None: the client's default).
PARTS: list[int | None] = [None]
#: CPU seconds (user + system) of the last ``upload`` command, for the report.
LAST_CLIENT_CPU: list[float] = [0.0]


def upload(server: Server, paths: list[Path], work: Path, jobs: int = 4) -> float:
    """Time ``auroravault upload`` of ``paths`` (a new account); fail unless every file went up."""
    _, token = register(server.url, f"mp-{secrets.token_hex(4)}@example.com")
    cmd, env = upload_cli(server.url, token, paths, work)
    cmd += ["--jobs", str(jobs)]
    if PARTS[0]:
        cmd += ["--parts", str(PARTS[0])]
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    LAST_CLIENT_CPU[0] = round(children_cpu() - cpu, 2)
    if done.returncode != 0 or f"uploaded {len(paths)} " not in done.stdout:
        raise RuntimeError(f"upload failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{server.log_tail()}")
    return elapsed


def run(quick: bool, only: str | None = None) -> dict[str, Any]:
    size = 70_000_000 if quick else 2_000_000_000  # quick: just over the 64 MiB threshold
    INPUTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"mode": "quick" if quick else "full", "inputs": {"bytes": size}, "notes": []}
    report["parts_in_flight"] = PARTS[0] or "client default"
    with tempfile.TemporaryDirectory(prefix="multipart-", dir=INPUTS) as tmp:
        work = Path(tmp)
        src = big_file(work / "big.jpg", size)
        _warm(src)

        if only in (None, "local"):
            _local(report, src, size, work)
        if only in (None, "s3"):
            _s3(report, src, size, work)
        if only in (None, "parallel"):
            _parallel(report, src, size, work)
    return report


def _local(report: dict[str, Any], src: Path, size: int, work: Path) -> None:
    print(f"multipart (local): one file of {size / 1e6:.0f} MB", flush=True)
    before = time_cp_sync(src, work)
    with Server(data_dir=work / "local-data") as server, RssSampler(server.pid) as rss:
        ours = upload(server, [src], work)
    after = time_cp_sync(src, work)
    cp = statistics.fmean([before, after])
    report["local"] = {
        "ours": _rate(size, ours),
        "client_cpu_s": LAST_CLIENT_CPU[0],
        "cp_sync": _rate(size, cp),
        "ratio_vs_cp_sync": round(cp / ours, 3),
        "server_peak_rss_mb": rss.peak_mb,
    }
    print(f"  ours {report['local']['ours']} | cp+sync {report['local']['cp_sync']}", flush=True)


def _s3(report: dict[str, Any], src: Path, size: int, work: Path) -> None:
    """The S3 adapter on SeaweedFS vs rclone, rclone before and after ours."""
    print("multipart (s3 on SeaweedFS) ...", flush=True)
    with seaweedfs() as weed:
        rclone = shutil.which("rclone")
        if not rclone:
            report["notes"].append("rclone is not installed: boto3's upload_file (4 threads) is the baseline")

        def baseline() -> float:
            return time_rclone(src, weed, work) if rclone else time_boto3(src, weed)

        first = baseline()
        env = s3_env(weed, f"av-{secrets.token_hex(4)}")
        with Server(data_dir=work / "s3-data", env=env) as server, RssSampler(server.pid) as rss:
            ours = upload(server, [src], work)
        base = statistics.fmean([first, baseline()])
    report["s3"] = {
        "ours": _rate(size, ours),
        "client_cpu_s": LAST_CLIENT_CPU[0],
        "baseline": "rclone copy" if rclone else "boto3 upload_file x4 (rclone not installed)",
        "rclone": _rate(size, base),
        "ratio_vs_rclone": round(base / ours, 3),
        "server_peak_rss_mb": rss.peak_mb,
    }
    print(f"  ours {report['s3']['ours']} | {report['s3']['baseline']} {report['s3']['rclone']}", flush=True)


def _parallel(report: dict[str, Any], src: Path, size: int, work: Path) -> None:
    """Four such files at once into the local server: peak server RSS."""
    print("multipart: four files at once (local) ...", flush=True)
    files = [src] + [big_file(work / f"big-{n}.jpg", size) for n in range(1, 4)]
    with Server(data_dir=work / "parallel-data") as server, RssSampler(server.pid) as rss:
        seconds = upload(server, files, work, jobs=4)
    report["parallel"] = {
        "files": len(files),
        "bytes_each": size,
        "seconds": round(seconds, 2),
        "mb_per_s": round(len(files) * size / 1e6 / seconds, 2),
        "server_peak_rss_mb": rss.peak_mb,
    }
    print(f"  {report['parallel']}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a 70 MB file instead of 2 GB")
    parser.add_argument("--only", choices=["local", "s3", "parallel"], help="run one of the three")
    parser.add_argument("--parts", type=int, help="parts in flight per file (default: the client's)")
    parser.add_argument("--results-dir", help="where multipart.json goes (default bench/results)")
    args = parser.parse_args()
    PARTS[0] = args.parts
    report = run(args.quick, args.only)
    path = write_result("multipart", report, results_dir(args.results_dir))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
