"""Run every benchmark, then regenerate the table in docs/benchmarks.md from the JSON files.

    python bench/run_all.py [--quick] [--only NAME ...] [--results-dir DIR] [--docs FILE] [--render-only]

Each benchmark runs as its own process (so one's memory and threads never colour
another's) and writes ``<results>/<name>.json``. The table between the ``bench:begin`` and
``bench:end`` markers of the docs file is rewritten; everything else in it (the profile,
the before/after notes) is left as it is. ``--quick`` runs tiny inputs (for smoke tests);
point ``--results-dir`` and ``--docs`` elsewhere so the committed results stay untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, REPO, machine_info, results_dir

SCRIPTS = {
    "processing": "processing.py",
    "parallel_processing": "parallel_processing.py",
    "import": "import_bench.py",
    "timeline": "timeline_bench.py",
    "library": "library_bench.py",
    "albums": "albums_bench.py",
    "search": "search_bench.py",
    "batch_init": "batch_init_bench.py",
    "memory": "memory_bench.py",
    "multipart": "multipart_bench.py",
}
DOCS = REPO / "docs" / "benchmarks.md"
#: The search bench's rows in the table (``bench/search_bench.py``), and those that compare
#: unlike pages (their matches grow with the library): measured, not held to the 1.3x aim.
SEARCH_ROWS = {
    "search_place_word": "`GET /search?q=lisbon` (a place word)",
    "search_rare_word": "`GET /search?q=beach` (a rare word, as many matches at both sizes)",
    "search_proportional_word": "`GET /search?q=sunset&limit=10` (a word of 1 photo in 80)",
    "search_country": "`GET /search?country=PT`",
    "search_camera_make": "`GET /search?camera=Apple`",
    "search_filters_and_dates": "`GET /search?country=PT&camera=...&from&to&limit=10`",
    "search_located": "`GET /search?has_location=true`",
    "search_page_10": "`GET /search?q=beach`, 10th page",
    "markers_world_z2": "`GET /map/markers` world, zoom 2",
    "markers_europe_z5": "`GET /map/markers` Europe, zoom 5",
}
SEARCH_UNLIKE = {"search_proportional_word"}
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def _load(out: Path, name: str) -> dict[str, Any] | None:
    path = out / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "**missed**")


def multipart_rows(mp: dict[str, Any] | None) -> list[tuple[str, str, str, str, str]]:
    """The rows of ``bench/multipart_bench.py``: one large file, local and S3, and memory."""
    if not mp:
        return []
    gb = mp["inputs"]["bytes"] / 1e9
    loc, s3, par = mp["local"], mp["s3"], mp["parallel"]
    return [
        (
            f"One {gb:g} GB file in parts, local disk",
            f"{loc['ours']['mb_per_s']} MB/s (server peak RSS {loc['server_peak_rss_mb']:.0f} MB)",
            f"`cp` + `sync` {loc['cp_sync']['mb_per_s']} MB/s",
            _x(loc["ratio_vs_cp_sync"]),
            "-",
        ),
        (
            f"One {gb:g} GB file in parts, S3 adapter on SeaweedFS",
            f"{s3['ours']['mb_per_s']} MB/s",
            f"{s3['baseline']} {s3['rclone']['mb_per_s']} MB/s",
            _x(s3["ratio_vs_rclone"]),
            f"≥ 0.8x rclone: {_verdict(s3['ratio_vs_rclone'] >= 0.8)}",
        ),
        (
            f"Server peak RSS, {par['files']} x {par['bytes_each'] / 1e9:g} GB uploads at once (local)",
            f"{par['server_peak_rss_mb']:.0f} MB, {par['mb_per_s']} MB/s",
            "-",
            "-",
            f"< 200 MB: {_verdict(par['server_peak_rss_mb'] < 200)}",
        ),
    ]


def render(out: Path) -> str:
    """The Markdown table (and its context lines) from the JSON files in ``out``."""
    rows: list[tuple[str, str, str, str, str]] = []  # what, ours, baseline, ratio, aim
    lines: list[str] = []
    imp = _load(out, "import")
    if imp:
        n, mb = imp["inputs"]["photos"], imp["inputs"]["bytes"] / 1e6
        lines.append(
            f"Import set: {n} generated JPEGs, {imp['inputs']['width']}x{imp['inputs']['height']}, "
            f"{mb:.0f} MB in all ({imp['mode']} run)."
        )
        loc, s3 = imp["local"], imp["s3"]
        rows.append(
            (
                "Import, local disk + SQLite",
                f"{loc['ours']['mb_per_s']} MB/s, {loc['ours']['photos_per_s']} photos/s",
                f"`cp -r` + `sync` {loc['cp_sync']['mb_per_s']} MB/s (`cp -r` alone {loc['cp']['mb_per_s']} MB/s)",
                f"{_x(loc['ratio_vs_cp_sync'])} ({_x(loc['ratio_vs_cp'])} of `cp -r` alone)",
                f"≥ 0.5x cp: {_verdict(loc['ratio_vs_cp_sync'] >= 0.5)}",
            )
        )
        if "nginx_put" in loc:
            rows.append(
                (
                    "Import, local: same files by HTTP PUT",
                    f"{loc['ours']['mb_per_s']} MB/s",
                    f"nginx PUT x{loc['nginx_connections']} + `sync` {loc['nginx_put_sync']['mb_per_s']} MB/s "
                    f"(alone {loc['nginx_put']['mb_per_s']} MB/s)",
                    f"{_x(loc['ratio_vs_nginx_sync'])} ({_x(loc['ratio_vs_nginx'])} of nginx alone)",
                    f"≥ 0.8x nginx: {_verdict(loc['ratio_vs_nginx_sync'] >= 0.8)}",
                )
            )
        rows.append(
            (
                "Import, S3 adapter on SeaweedFS",
                f"{s3['ours']['mb_per_s']} MB/s, {s3['ours']['photos_per_s']} photos/s",
                f"{s3['baseline']} {s3['rclone']['mb_per_s']} MB/s",
                _x(s3["ratio_vs_rclone"]),
                f"≥ 0.9x rclone: {_verdict(s3['ratio_vs_rclone'] >= 0.9)}",
            )
        )
        for label, part in (("local", loc), ("S3", s3)):
            rows.append(
                (
                    f"Time to browsable, {label}",
                    f"{part['browsable_seconds']} s",
                    f"upload alone {part['ours']['seconds']} s",
                    _x(part["browsable_seconds"] / part["ours"]["seconds"]),
                    f"≤ 2x upload: {_verdict(part['browsable_seconds'] <= 2 * part['ours']['seconds'])}",
                )
            )
    proc = _load(out, "processing")
    if proc:
        for group, result in proc["groups"].items():
            pps = result["photos_per_second"]
            ratio = result.get("ratio_ours_over_pyvips")
            slower = 1 / ratio if ratio else None
            rows.append(
                (
                    f"Processing {group} (thumb + preview)",
                    f"{pps['ours']:.2f} photos/s",
                    f"pyvips {pps['pyvips']:.2f} photos/s" if "pyvips" in pps else "pyvips: cannot decode (see notes)",
                    f"{_x(ratio)} (pyvips takes {_x(slower)} less time)" if ratio else "-",
                    f"within 1.3x of pyvips: {_verdict(slower <= 1.3)}" if group == "JPEG" and slower else "-",
                )
            )
        for name, entry in proc.get("peak_rss", {}).items():
            ours = entry["ours"]["ru_maxrss_children_mb"]
            vips = entry.get("pyvips", {}).get("ru_maxrss_children_mb")
            rows.append(
                (
                    f"Peak RSS processing `{name}` ({entry['bytes'] / 1e6:.0f} MB)",
                    f"{ours:.0f} MB",
                    f"pyvips {vips:.0f} MB" if vips else "-",
                    _x(ours / vips) if vips else "-",
                    "-",
                )
            )
    par = _load(out, "parallel_processing")
    if par:
        runs, big = par["runs"], par["inputs"]["big"]
        mix = f"{par['inputs']['photos']} photos" + (f" + {', '.join(f'`{b}`' for b in big)}" if big else "")
        rows.append(
            (
                f"Processing on every core ({par['cpus']} threads) vs one, {mix}",
                f"{runs['all_cores']['photos_per_s']} photos/s, peak RSS {par['peak_rss_mb']:.0f} MB",
                f"one thread {runs['one_core']['photos_per_s']} photos/s",
                _x(par["speedup"]),
                f"≥ 1.6x, < 1.5 GB: {_verdict(par['speedup'] >= 1.6 and par['peak_rss_mb'] < 1500)}",
            )
        )
    tl = _load(out, "timeline")
    if tl:
        for name, backend in tl["backends"].items():
            sizes = backend["sizes"]
            first, last = next(iter(sizes)), list(sizes)[-1]
            cells = ", ".join(f"{int(k):,}: {v['p50_ms']:.1f} / {v['p99_ms']:.1f} ms" for k, v in sizes.items())
            p50, p99 = backend["ratio_p50_largest_over_smallest"], backend["ratio_p99_largest_over_smallest"]
            rows.append(
                (
                    f"Timeline `GET /photos?limit=100` from the middle, {name} (p50 / p99)",
                    cells,
                    f"itself at {int(first):,}",
                    f"p50 {_x(p50)}, p99 {_x(p99)} at {int(last):,}",
                    f"≤ 1.3x: {_verdict(p50 <= 1.3 and p99 <= 1.3)}" if name == "sqlite" else "- (moto)",
                )
            )
    lib = _load(out, "library")
    if lib:
        for name, row in lib["trash"].items():
            label = "local disk" if name == "local" else "S3 adapter on SeaweedFS"
            rows.append(
                (
                    f"Trash / restore {row['photos']:,} photos, {label} (1,000 ids a call)",
                    f"{row['trash_photos_per_s']:,} / {row['restore_photos_per_s']:,} photos/s",
                    f"`PATCH /photos` favorite, same ids: {row['favorite_photos_per_s']:,} photos/s",
                    f"{_x(row['ratio_trash_vs_favorite'])} / {_x(row['ratio_restore_vs_favorite'])}",
                    "-",
                )
            )
            rows.append(
                (
                    f"Permanent deletion of {row['photos']:,} photos ({row['objects']:,} objects), {label}",
                    f"{row['delete_photos_per_s']:,} photos/s (until storage is empty and quota released)",
                    f"{row['baseline_delete']} of as many objects: {row['baseline_delete_photos_per_s']:,} photos/s",
                    _x(row["ratio_delete_vs_baseline"]),
                    "-",
                )
            )
        tl_lib = lib["timeline"]
        sizes = tl_lib["sizes"]
        first, last = next(iter(sizes)), list(sizes)[-1]
        pages = tl_lib.get("page_sizes", {})
        titles = (
            ("timeline", f"`GET /photos?limit={pages.get('timeline', 100)}`"),
            ("favorites", f"`GET /photos?favorite=true&limit={pages.get('favorites', 100)}`"),
        )
        for label, title in titles:
            cells = ", ".join(
                f"{int(k):,}: {v[label]['p50_ms']:.1f} / {v[label]['p99_ms']:.1f} ms" for k, v in sizes.items()
            )
            p50 = tl_lib[f"ratio_{label}_p50_largest_over_smallest"]
            p99 = tl_lib[f"ratio_{label}_p99_largest_over_smallest"]
            flags = sizes[last]
            rows.append(
                (
                    f"{title} from the middle, {flags['favorite_count']:,} favorites + "
                    f"{flags['archived_count']:,} archived at {int(last):,}, sqlite (p50 / p99)",
                    cells,
                    f"itself at {int(first):,}",
                    f"p50 {_x(p50)}, p99 {_x(p99)} at {int(last):,}",
                    f"≤ 1.3x: {_verdict(p50 <= 1.3 and p99 <= 1.3)}",
                )
            )
    alb = _load(out, "albums")
    if alb:
        walk, base = alb["album_walk_s"]["median"], alb["timeline_walk_s"]["median"]
        ratio = alb["ratio_walk_album_over_timeline"]
        rows.append(
            (
                f"An album of {alb['album_photos']:,} photos paged end to end "
                f"(`GET /albums/{{id}}/photos?limit={alb['page']}`, {alb['pages']} pages), sqlite",
                f"{walk:.2f} s (page p50 {alb['album_page']['p50_ms']:.1f} / p99 {alb['album_page']['p99_ms']:.1f} ms)",
                f"`GET /photos` for as many pages: {base:.2f} s",
                _x(ratio),
                f"≤ 1.3x: {_verdict(ratio <= 1.3)}",
            )
        )
        rows.append(
            (
                f"Adding {alb['album_photos']:,} photos to an album (1,000 ids a call), sqlite",
                f"{alb['add_photos_per_s']:,} photos/s",
                f"`PATCH /photos` favorite, same ids: {alb['favorite_photos_per_s']:,} photos/s",
                _x(alb["ratio_add_vs_favorite"]),
                "-",
            )
        )
    sea = _load(out, "search")
    if sea:
        sizes = sorted({int(k) for row in sea["queries"].values() for k in row})
        small, large = str(sizes[0]), str(sizes[-1])
        for name, label in SEARCH_ROWS.items():
            if name not in sea["queries"]:  # a results file from before this row
                continue
            row, ratio = sea["queries"][name], sea["ratios_largest_over_smallest"][name]
            if name.startswith("markers_"):
                verdict = f"p50 < 100 ms: {_verdict(row[large]['p50_ms'] < 100)}"
            elif name in SEARCH_UNLIKE:
                verdict = "-"
            else:
                verdict = f"≤ 1.3x: {_verdict(ratio['p50'] <= 1.3 and ratio['p99'] <= 1.3)}"
            rows.append(
                (
                    f"{label} at {int(large):,} photos, sqlite (p50 / p99)",
                    f"{row[large]['p50_ms']:.1f} / {row[large]['p99_ms']:.1f} ms",
                    f"itself at {int(small):,}: {row[small]['p50_ms']:.1f} / {row[small]['p99_ms']:.1f} ms",
                    f"p50 {_x(ratio['p50'])}, p99 {_x(ratio['p99'])}",
                    verdict,
                )
            )
    bi = _load(out, "batch_init")
    if bi:
        for name, res in bi["presigners"].items():
            init, hz, idle = res["init"], res["healthz_under_load"], res["healthz_idle"]
            rows.append(
                (
                    f"`POST /uploads` x50 files, {bi['clients']} clients, {name} presigner (p50 / p99)",
                    f"{init['p50_ms']:.0f} / {init['p99_ms']:.0f} ms ({res['files_per_second']:.0f} files/s)",
                    f"`GET /healthz` same load {hz['p50_ms']:.1f} / {hz['p99_ms']:.1f} ms "
                    f"(idle {idle['p50_ms']:.1f} / {idle['p99_ms']:.1f} ms)",
                    f"healthz p99 {_x(hz['p99_ms'] / idle['p99_ms'])} idle",
                    "-",
                )
            )
    mem = _load(out, "memory")
    if mem:
        rows.append(
            (
                f"Server peak RSS, {mem['clients']} clients x {mem['file_mib']} MiB PUT (local)",
                f"{mem['peak_rss_mb']:.0f} MB (idle {mem['idle_rss_mb']:.0f} MB), {mem['mb_per_s']} MB/s",
                "-",
                "-",
                f"< 150 MB: {_verdict(mem['peak_rss_mb'] < 150)}",
            )
        )
    rows += multipart_rows(_load(out, "multipart"))
    machine = next((d["machine"] for d in (imp, tl, lib, alb, sea, bi, mem) if d and "machine" in d), machine_info())
    pk = machine.get("packages", {})
    header = [
        f"Machine: {machine.get('platform')}, {machine.get('cpu_count')} CPUs, {machine.get('memory_mb')} MB RAM; "
        f"Python {machine.get('python')}, SQLite {machine.get('sqlite')}, litestar {pk.get('litestar')}, "
        f"uvicorn {pk.get('uvicorn')}, Pillow {pk.get('pillow')}, pyvips {pk.get('pyvips')}, "
        f"rclone {(machine.get('rclone') or 'not installed').removeprefix('rclone ')}, "
        f"commit {machine.get('git_commit')}.",
        "",
        *lines,
        "",
        "| benchmark | AuroraVault | baseline (same run) | ratio | aim |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(r)} |" for r in rows),
    ]
    return "\n".join(header)


def write_docs(table: str, docs: Path) -> None:
    text = docs.read_text() if docs.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny inputs: checks the scripts, not the product")
    parser.add_argument("--only", nargs="+", choices=sorted(SCRIPTS), help="run only these benchmarks")
    parser.add_argument("--results-dir", help="where the JSON files go (default bench/results)")
    parser.add_argument("--docs", help=f"the Markdown file whose table is regenerated (default {DOCS})")
    parser.add_argument("--render-only", action="store_true", help="only regenerate the table from the JSON files")
    args = parser.parse_args()
    out = results_dir(args.results_dir)
    failed = []
    if not args.render_only:
        for name in args.only or list(SCRIPTS):
            cmd = [sys.executable, str(BENCH / SCRIPTS[name]), "--results-dir", str(out)]
            cmd += ["--quick"] if args.quick else []
            print(f"\n=== {name} ===", flush=True)
            started = time.monotonic()
            code = subprocess.run(cmd, cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"}, check=False).returncode
            print(f"=== {name}: {'ok' if code == 0 else f'FAILED ({code})'} in {time.monotonic() - started:.0f} s")
            if code != 0:
                failed.append(name)
    docs = Path(args.docs) if args.docs else DOCS
    write_docs(render(out), docs)
    print(f"\ntable written to {docs}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
