"""Benchmark: a video's poster (thumb + preview) from a 4K 60 s clip, and the memory it takes.

    python bench/video_bench.py [--quick] [--runs N] [--results-dir DIR]

1. A clip is generated with PyAV (libx264 in its wheel, ``ultrafast``, 30 fps, default GOP):
   3840x2160 for 60 s (quick: 640x360 for 3 s), the same picture as the tests' clips.
2. **Ours**: ``imaging.video.process_video`` (metadata, the frame at 1 s scaled by swscale
   straight to the preview size, then the WebP thumb, the JPEG preview and the ThumbHash),
   each run in a fresh process, whose time and peak RSS (VmHWM) are read.
3. **Baseline**, the plainest PyAV poster: open, decode until the frame at 1 s, ``to_image()``
   at full size, save one JPEG; also in fresh processes, alternated with ours.

Writes ``<results>/videos.json``. Run alone, not part of ``run_all.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import results_dir, write_result


def generate(path: Path, width: int, height: int, seconds: int) -> float:
    from tests.videos import make_video

    started = time.perf_counter()
    make_video(path, width=width, height=height, seconds=seconds)
    return time.perf_counter() - started


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(kind: str, clip: Path) -> None:
    """One poster in this (fresh) process; prints ``{seconds, hwm_mb}``."""
    import av

    from auroravault.config import ImageSettings, VideoSettings
    from auroravault.imaging.video import process_video

    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        if kind == "ours":
            process_video(clip, Path(work), ImageSettings(), VideoSettings())
        else:
            with av.open(str(clip)) as container:
                for frame in container.decode(video=0):
                    if frame.time is not None and frame.time >= 1.0:
                        break
                frame.to_image().save(Path(work) / "poster.jpg", quality=80)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "hwm_mb": _hwm_mb()}))


def measure(kind: str, clip: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(clip)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results-dir")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "CLIP"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    width, height, seconds = (640, 360, 3) if args.quick else (3840, 2160, 60)
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        made = generate(clip, width, height, seconds)
        print(f"generated {width}x{height} {seconds} s ({clip.stat().st_size / 1e6:.1f} MB) in {made:.1f} s")
        ours: list[dict[str, float]] = []
        plain: list[dict[str, float]] = []
        for _ in range(args.runs):
            ours.append(measure("ours", clip))
            plain.append(measure("plain", clip))
        size = clip.stat().st_size
    report: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "clip": {"width": width, "height": height, "seconds": seconds, "fps": 30, "bytes": size, "codec": "h264"},
        "generate_seconds": round(made, 2),
        "ours": {
            "median_seconds": round(statistics.median(r["seconds"] for r in ours), 3),
            "peak_rss_mb": round(max(r["hwm_mb"] for r in ours), 1),
            "runs": ours,
        },
        "plain_pyav": {
            "median_seconds": round(statistics.median(r["seconds"] for r in plain), 3),
            "peak_rss_mb": round(max(r["hwm_mb"] for r in plain), 1),
            "runs": plain,
        },
    }
    report["time_ratio"] = round(report["ours"]["median_seconds"] / report["plain_pyav"]["median_seconds"], 2)
    path = write_result("videos", report, results_dir(args.results_dir))
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
