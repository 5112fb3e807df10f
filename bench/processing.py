"""Benchmark: auroravault.imaging.process_image against pyvips making the same two variants.

    python bench/processing.py [--quick]

Both engines make, from the same files in the same run: a 250 px short-edge WebP q80 thumb and
a 1440 px short-edge JPEG q80 preview, orientation applied, sRGB, metadata stripped, never
upscaled. pyvips uses its fastest idiom (``thumbnail`` with shrink-on-load, materialise the
preview once, ``thumbnail_image`` for the thumb). Ours also computes the ThumbHash; pyvips does
not, so the comparison slightly favours pyvips.

Inputs: the JPEGs and HEICs of tests/data/photos that are real images, plus seeded
generated JPEGs under bench/.inputs/ (git-ignored): 4000x3000 photo-like files with EXIF, and
in full mode one 200 MP JPEG for the peak-memory measurement.

Peak RSS is measured in a child process with ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``.
Linux carries ru_maxrss over fork+exec from the parent, so the worker is launched by a tiny
stdlib-only intermediate process; the worker's own VmHWM is reported alongside as a check.

Writes bench/results/processing.json. Needs ``pip install pyvips-binary pyvips`` (bench only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PHOTOS = REPO / "tests" / "data" / "photos"
INPUTS = HERE / ".inputs"
RESULTS = HERE / "results" / "processing.json"
THUMB, PREVIEW, QUALITY = 250, 1440, 80
# Test files that are meant to fail (truncated or not images): not a throughput workload.
BROKEN = {"starfish_truncated.jpg", "truncated_jpeg.jpg", "notjpeg.jpg", "not_an_image.jpg"}

sys.path.insert(0, str(REPO))


# --------------------------------------------------------------------------- inputs


def generate_jpeg(path: Path, width: int, height: int, seed: int, orientation: int) -> None:
    """A seeded photo-like JPEG (smooth colour fields plus fine texture) with camera EXIF."""
    from PIL import ExifTags, Image
    from PIL.TiffImagePlugin import IFDRational

    rnd = random.Random(seed)
    fields = Image.frombytes("RGB", (48, 36), rnd.randbytes(48 * 36 * 3))
    fields = fields.resize((width, height), Image.Resampling.BICUBIC)
    tw, th = max(1, width // 3), max(1, height // 3)
    texture = Image.frombytes("L", (tw, th), rnd.randbytes(tw * th)).resize((width, height))
    picture = Image.blend(fields, Image.merge("RGB", (texture, texture, texture)), 0.18)
    del fields, texture
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchCam"
    exif[ExifTags.Base.Model] = f"Seed {seed}"
    exif[ExifTags.Base.Orientation] = orientation
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2024:06:01 12:00:00"
    sub[ExifTags.Base.FNumber] = IFDRational(18, 10)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (IFDRational(48, 1), IFDRational(51, 1), IFDRational(24, 1))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (IFDRational(2, 1), IFDRational(21, 1), IFDRational(7, 1))
    tmp = path.with_suffix(".tmp")
    picture.save(tmp, "JPEG", quality=90, exif=exif.tobytes())
    tmp.replace(path)


def generated_specs(quick: bool) -> list[tuple[str, int, int, int, int]]:
    """(name, width, height, seed, orientation) of the generated inputs."""
    count = 2 if quick else 4
    orientations = [1, 6, 8, 3]
    specs = [(f"gen_4000x3000_s{seed}.jpg", 4000, 3000, seed, orientations[seed]) for seed in range(count)]
    if not quick:
        specs.append(("gen_200mp_s99.jpg", 16320, 12240, 99, 1))
    return specs


def ensure_inputs(quick: bool) -> list[Path]:
    """Generate missing inputs in a child process (keeps this process small for RSS)."""
    INPUTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, width, height, seed, orientation in generated_specs(quick):
        path = INPUTS / name
        if not path.exists():
            print(f"generating {name} ...", flush=True)
            args = [str(width), str(height), str(seed), str(orientation), str(path)]
            subprocess.run([sys.executable, __file__, "--generate", *args], check=True)
        paths.append(path)
    return paths


def corpus(quick: bool) -> dict[str, list[Path]]:
    files = sorted(p for p in PHOTOS.iterdir() if p.name not in BROKEN)
    jpegs = [p for p in files if p.suffix.lower() == ".jpg"]
    heics = [p for p in files if p.suffix.lower() in (".heic", ".heif")]
    generated = [p for p in ensure_inputs(quick) if "200mp" not in p.name]
    return {"JPEG": jpegs + generated, "HEIC": heics}


# --------------------------------------------------------------------------- engines


def ours(src: Path, out: Path) -> None:
    from auroravault.config import ImageSettings
    from auroravault.imaging import process_image

    process_image(src, out, ImageSettings())


def _vips_box(short_target: int, width: int, height: int) -> tuple[int, int]:
    """thumbnail() fits a box; a huge long side makes the short edge the constraint."""
    return (10_000_000, short_target) if width >= height else (short_target, 10_000_000)


def vips(src: Path, out: Path) -> None:
    import pyvips

    header = pyvips.Image.new_from_file(str(src))  # header only, lazy
    width, height = header.width, header.height
    if header.get_typeof("orientation") and header.get("orientation") >= 5:
        width, height = height, width
    options: dict[str, Any] = {"size": "down"}  # never upscale
    if header.get_typeof("icc-profile-data") or header.interpretation == "cmyk":
        options["export_profile"] = "srgb"
    box = _vips_box(PREVIEW, width, height)
    preview = pyvips.Image.thumbnail(str(src), box[0], height=box[1], **options).copy_memory()
    flat = preview.flatten(background=[255, 255, 255]) if preview.hasalpha() else preview
    flat.jpegsave(str(out / "preview.jpg"), Q=QUALITY, keep=0)  # keep=0: strip all metadata
    box = _vips_box(THUMB, preview.width, preview.height)
    thumb = preview.thumbnail_image(box[0], height=box[1], size="down")
    thumb.webpsave(str(out / "thumb.webp"), Q=QUALITY, keep=0)


ENGINES = {"ours": ours, "pyvips": vips}


def vips_can_load(path: Path) -> str | None:
    """None if pyvips decodes ``path``; else the reason it cannot."""
    import pyvips

    try:
        pyvips.Image.new_from_file(str(path)).avg()
    except pyvips.Error as exc:
        return " ".join(str(exc).split())[:300]
    return None


# --------------------------------------------------------------------------- measurements


def time_group(files: list[Path], engines: list[str], repeats: int) -> dict[str, Any]:
    """Photos per second of each engine over ``files``; engines alternate per file and round."""
    per_file: dict[str, dict[str, float]] = {name: {} for name in engines}
    totals = dict.fromkeys(engines, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for src in files:
            for name in engines:  # warm-up: file cache, plugin init, first-call costs
                ENGINES[name](src, out)
            best = dict.fromkeys(engines, float("inf"))
            for _ in range(repeats):
                for name in engines:
                    started = time.perf_counter()
                    ENGINES[name](src, out)
                    elapsed = time.perf_counter() - started
                    totals[name] += elapsed
                    best[name] = min(best[name], elapsed)
            for name in engines:
                per_file[name][src.name] = round(best[name] * 1000, 1)
    count = len(files) * repeats
    pps = {name: count / totals[name] for name in engines}
    return {"photos": len(files), "repeats": repeats, "photos_per_second": pps, "best_ms": per_file}


def peak_rss(engine: str, src: Path) -> dict[str, float]:
    """Peak RSS (MB) of one engine processing ``src``, in a fresh child process."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--rss-probe", engine, str(src), tmp]
        result = subprocess.run(cmd, check=True, capture_output=True, text=True)
    maxrss_kb, hwm_kb = (int(v) for v in result.stdout.split())
    return {"ru_maxrss_children_mb": round(maxrss_kb / 1024, 1), "worker_vmhwm_mb": round(hwm_kb / 1024, 1)}


def rss_probe(engine: str, src: str, out: str) -> None:
    """Stdlib-only middle process: run the worker and report RUSAGE_CHILDREN.ru_maxrss."""
    worker = subprocess.run(
        [sys.executable, __file__, "--rss-worker", engine, src, out], check=True, capture_output=True, text=True
    )
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, worker.stdout.strip())


def rss_worker(engine: str, src: str, out: str) -> None:
    ENGINES[engine](Path(src), Path(out))
    status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    hwm = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
    print(hwm)


def machine() -> dict[str, Any]:
    import PIL
    import pillow_heif
    from PIL import features

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "pillow": PIL.__version__,
        "libjpeg_turbo": features.version("libjpeg_turbo"),
        "pillow_heif": pillow_heif.__version__,
        "libheif": pillow_heif.libheif_version(),
    }
    try:
        import pyvips

        info["pyvips"] = pyvips.__version__
        info["libvips"] = ".".join(str(pyvips.version(i)) for i in range(3))
        info["vips_concurrency"] = pyvips.concurrency_get()
    except ImportError:
        info["pyvips"] = None
    return info


# --------------------------------------------------------------------------- main


def run(quick: bool) -> dict[str, Any]:
    groups = corpus(quick)
    repeats = 1 if quick else 3
    report: dict[str, Any] = {"mode": "quick" if quick else "full", "machine": machine(), "groups": {}}
    notes: list[str] = report.setdefault("notes", [])
    try:
        import pyvips
    except ImportError:
        pyvips = None
        notes.append("pyvips is not installed: only our numbers are reported")

    for group, files in groups.items():
        engines = ["ours"]
        if pyvips is not None:
            reason = vips_can_load(files[0])
            if reason is None:
                engines.append("pyvips")
            else:
                notes.append(f"pyvips cannot load {group} ({files[0].name}), pyvips side skipped: {reason}")
        print(f"timing {group}: {len(files)} files x {repeats} with {', '.join(engines)} ...", flush=True)
        result = time_group(files, engines, repeats)
        if "pyvips" in engines:
            pps = result["photos_per_second"]
            result["ratio_ours_over_pyvips"] = round(pps["ours"] / pps["pyvips"], 3)
            if len(files) > 0:
                pyvips.concurrency_set(1)
                single = time_group(files, ["pyvips"], repeats)["photos_per_second"]["pyvips"]
                pyvips.concurrency_set(report["machine"]["vips_concurrency"])
                result["pyvips_1_thread_photos_per_second"] = single
                result["ratio_ours_over_pyvips_1_thread"] = round(pps["ours"] / single, 3)
        report["groups"][group] = result

    largest = max((p for files in groups.values() for p in files), key=lambda p: p.stat().st_size)
    rss_inputs = [largest] + ([INPUTS / generated_specs(False)[-1][0]] if not quick else [])
    report["peak_rss"] = {}
    for src in rss_inputs:
        entry: dict[str, Any] = {"bytes": src.stat().st_size}
        for engine in ENGINES if pyvips is not None else ["ours"]:
            print(f"peak RSS: {engine} on {src.name} ...", flush=True)
            entry[engine] = peak_rss(engine, src)
        report["peak_rss"][src.name] = entry
    return report


def print_summary(report: dict[str, Any], written: Path = RESULTS) -> None:
    print()
    for group, result in report["groups"].items():
        pps = result["photos_per_second"]
        line = f"{group:5s} ours {pps['ours']:6.2f} photos/s"
        if "pyvips" in pps:
            line += (
                f" | pyvips {pps['pyvips']:6.2f} photos/s"
                f" | ours/pyvips {result['ratio_ours_over_pyvips']:.2f}"
                f" (vs pyvips 1 thread: {result['ratio_ours_over_pyvips_1_thread']:.2f})"
            )
        else:
            line += " | pyvips: skipped"
        print(line)
    for name, entry in report["peak_rss"].items():
        parts = [
            f"{engine} {v['ru_maxrss_children_mb']:.0f} MB (VmHWM {v['worker_vmhwm_mb']:.0f} MB)"
            for engine, v in entry.items()
            if isinstance(v, dict)
        ]
        print(f"peak RSS {name}: " + ", ".join(parts))
    for note in report["notes"]:
        print(f"note: {note}")
    print(f"\nwritten to {written}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer inputs, one round, no 200 MP file")
    parser.add_argument("--results-dir", help="where to write processing.json (default bench/results)")
    parser.add_argument(
        "--generate", nargs=5, metavar=("W", "H", "SEED", "ORIENTATION", "PATH"), help=argparse.SUPPRESS
    )
    parser.add_argument("--rss-probe", nargs=3, metavar=("ENGINE", "SRC", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--rss-worker", nargs=3, metavar=("ENGINE", "SRC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        width, height, seed, orientation, path = args.generate
        generate_jpeg(Path(path), int(width), int(height), int(seed), int(orientation))
        return
    if args.rss_probe:
        rss_probe(*args.rss_probe)
        return
    if args.rss_worker:
        rss_worker(*args.rss_worker)
        return
    report = run(args.quick)
    out_dir = Path(args.results_dir or os.environ.get("BENCH_RESULTS_DIR") or RESULTS.parent)
    written = out_dir / RESULTS.name
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = written.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    tmp.replace(written)
    print_summary(report, written)


if __name__ == "__main__":
    main()
