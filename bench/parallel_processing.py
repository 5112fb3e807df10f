"""Benchmark: the pipeline's decode pool on every core against one core, with a 200 MP photo in the mix.

    python bench/parallel_processing.py [--quick] [--results-dir DIR]

Each run is a fresh process that makes what the server makes for every photo, as the server
makes it: the header's plan (``imaging.plan``), then on ``services.decode_pool.DecodePool``
the thumb (a JPEG's from a small DCT-scaled decode) and the preview at lower priority, all
photos submitted at once, with the default ``images.decode_memory_bytes``. Once with one
decode thread, once with one per CPU (the default). Inputs: 4000x3000 photos of the import
library plus, in full mode, a 200 MP JPEG and a 200 MP 16-bit PNG (about 445 MiB to decode by
the budget's estimate); peak RSS is the worker's VmHWM.

Writes ``<results>/parallel_processing.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from common import INPUTS, photo_library, results_dir, write_result  # noqa: E402


async def _process_all(files: list[Path], workers: int, out: Path) -> float:
    from auroravault import imaging
    from auroravault.config import ImageSettings
    from auroravault.services.decode_pool import PREVIEW, THUMB, DecodePool

    settings = ImageSettings()
    pool = DecodePool(workers, max(settings.decode_memory_bytes, settings.max_decode_bytes))

    async def one(i: int, src: Path) -> None:
        work = out / str(i)
        plan = await asyncio.to_thread(imaging.plan, src, settings)
        if not plan.staged:
            await pool.run(THUMB, plan.full_bytes, imaging.process_image, src, work, settings)
            return
        await pool.run(THUMB, plan.thumb_bytes, imaging.make_thumb, src, work, settings)
        await pool.run(PREVIEW, plan.full_bytes, imaging.make_preview, src, work, settings)

    started = time.perf_counter()
    await asyncio.gather(*(one(i, p) for i, p in enumerate(files)))
    elapsed = time.perf_counter() - started
    pool.close()
    return elapsed


def worker(workers: int, files: list[str]) -> None:
    from auroravault import imaging

    imaging.register_heif()
    with tempfile.TemporaryDirectory(prefix="par-") as tmp:
        seconds = asyncio.run(_process_all([Path(f) for f in files], workers, Path(tmp)))
    status = Path("/proc/self/status").read_text()
    hwm_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    print(json.dumps({"seconds": seconds, "peak_rss_mb": round(hwm_kb / 1024, 1)}))


def measure(workers: int, files: list[Path]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", str(workers), *map(str, files)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def inputs(quick: bool) -> tuple[list[Path], list[Path]]:
    """(the everyday photos, the 200 MP ones)."""
    library = photo_library(12, 1600, 1200) if quick else photo_library(300)
    photos = sorted(library.iterdir())[: 12 if quick else 48]
    if quick:
        return photos, []
    from processing import ensure_inputs  # the 200 MP JPEG of processing.py, made once

    big_jpeg = next(p for p in ensure_inputs(False) if "200mp" in p.name)
    big_png = INPUTS / "gen_200mp_16bit.png"
    if not big_png.exists():
        sys.path.insert(0, str(REPO))
        from tests.imaging.bombs import write_png_bomb

        write_png_bomb(big_png, 14_143)
    return photos, [big_jpeg, big_png]


def run(quick: bool) -> dict[str, Any]:
    photos, big = inputs(quick)
    # The big ones in the middle of the queue, as in a real import.
    mix = photos[: len(photos) // 2] + big + photos[len(photos) // 2 :]
    cpus = os.cpu_count() or 1
    report: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "cpus": cpus,
        "inputs": {"photos": len(photos), "big": [p.name for p in big]},
    }
    runs: dict[str, Any] = {}
    for label, workers in (("one_core", 1), ("all_cores", cpus), ("one_core_again", 1), ("all_cores_again", cpus)):
        print(f"parallel processing: {workers} worker(s), {len(mix)} photos ...", flush=True)
        runs[label] = measure(workers, mix)
        runs[label]["photos_per_s"] = round(len(mix) / runs[label]["seconds"], 2)
        print(f"  {runs[label]}", flush=True)
    one = (runs["one_core"]["seconds"] + runs["one_core_again"]["seconds"]) / 2
    every = (runs["all_cores"]["seconds"] + runs["all_cores_again"]["seconds"]) / 2
    report["runs"] = runs
    report["speedup"] = round(one / every, 2)
    report["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs.values())
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.files)
        return
    report = run(args.quick)
    path = write_result("parallel_processing", report, results_dir(args.results_dir))
    print(f"\n{report['speedup']}x with {report['cpus']} cores; peak RSS {report['peak_rss_mb']} MB; written to {path}")


if __name__ == "__main__":
    main()
