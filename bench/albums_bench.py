"""Benchmark: an album of 10,000 photos, filled and paged end to end, against the plain timeline.

    python bench/albums_bench.py [--quick] [--results-dir DIR]

One real server on SQLite (local storage). A library of 20,000 ready photos (quick: 300) is
seeded through the MetaStore; half of them, picked at random across the years, go into one
album through the API (``POST /albums/{id}/photos``, 1,000 ids a call), timed against
``PATCH /photos {ids, favorite}`` over the same ids (the cheapest bulk write of the API).

Then, in the same run, three times each, alternating:

- the album paged end to end: ``GET /albums/{id}/photos?limit=100`` following ``next_cursor``
  until it is null (10,000 photos, 100 pages);
- the plain timeline paged for as many photos: ``GET /photos?limit=100`` from the newest, the
  same number of pages.

Reported: the best and the median walk of each, per-page p50/p99 over every walk, and the
ratio album / timeline (aim: at most 1.3x). Also ``GET /albums/{id}`` (its count, dates and
cover over 10,000 photos) and ``GET /albums``, 100 requests each after a warm-up.

Writes ``<results>/albums.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, percentiles, register, results_dir, write_result
from library_bench import _bulk, seed_photos
from timeline_bench import make_photos

CALL = 1000
PAGE = 100
WALKS = 3


def walk(http: httpx.Client, path: str, pages: int | None) -> tuple[float, list[float], int]:
    """Follow ``next_cursor`` from the first page (at most ``pages``); (seconds, per-page seconds, photos)."""
    samples: list[float] = []
    seen = 0
    params: dict[str, Any] = {"limit": PAGE}
    started = time.perf_counter()
    while True:
        begun = time.perf_counter()
        resp = http.get(path, params=params)
        samples.append(time.perf_counter() - begun)
        resp.raise_for_status()
        body = resp.json()
        seen += len(body["items"])
        if body["next_cursor"] is None or (pages is not None and len(samples) == pages):
            return time.perf_counter() - started, samples, seen
        params["cursor"] = body["next_cursor"]


def repeat(http: httpx.Client, path: str, requests: int) -> dict[str, float]:
    for _ in range(5):
        http.get(path).raise_for_status()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        http.get(path).raise_for_status()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def run(quick: bool) -> dict[str, Any]:
    library, in_album = (300, 150) if quick else (20_000, 10_000)
    requests = 10 if quick else 100
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="albums-", dir=INPUTS) as tmp:
        data = Path(tmp) / "data"
        with Server(data_dir=data) as server:
            owner_id, token = register(server.url, "albums-bench@example.com")
            photos = make_photos(owner_id, library, random.Random(13))
            print(f"albums: seeding {library:,} photos ...", flush=True)
            asyncio.run(seed_photos(data / "auroravault.db", photos, reserve=False))
            chosen = [p.id for p in random.Random(14).sample(photos, in_album)]
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=f"{server.url}/api/v1", headers=headers, timeout=300) as http:
                album = http.post("/albums", json={"name": "Ten thousand"})
                album.raise_for_status()
                album_id = album.json()["id"]
                print(f"albums: adding {in_album:,} photos, {CALL} ids a call ...", flush=True)
                add_s = _bulk(http, "POST", f"/albums/{album_id}/photos", chosen, {}, "added")
                favorite_s = _bulk(http, "PATCH", "/photos", chosen, {"favorite": True}, "updated")
                shown = http.get(f"/albums/{album_id}").json()
                if shown["photo_count"] != in_album:
                    raise RuntimeError(f"album holds {shown['photo_count']} photos, expected {in_album}")
                pages = -(-in_album // PAGE)
                album_walks: list[float] = []
                timeline_walks: list[float] = []
                album_pages: list[float] = []
                timeline_pages: list[float] = []
                print(f"albums: paging the album and the timeline end to end, {WALKS} times each ...", flush=True)
                for _ in range(WALKS):
                    seconds, samples, seen = walk(http, f"/albums/{album_id}/photos", None)
                    if seen != in_album:
                        raise RuntimeError(f"the album's pages held {seen} photos, expected {in_album}")
                    album_walks.append(seconds)
                    album_pages += samples
                    seconds, samples, seen = walk(http, "/photos", pages)
                    timeline_walks.append(seconds)
                    timeline_pages += samples
                report: dict[str, Any] = {
                    "mode": "quick" if quick else "full",
                    "library_photos": library,
                    "album_photos": in_album,
                    "page": PAGE,
                    "pages": pages,
                    "add_photos_per_s": round(in_album / add_s),
                    "favorite_photos_per_s": round(in_album / favorite_s),
                    "ratio_add_vs_favorite": round(add_s / favorite_s, 3),
                    "album_walk_s": {
                        "best": round(min(album_walks), 3),
                        "median": round(statistics.median(album_walks), 3),
                    },
                    "timeline_walk_s": {
                        "best": round(min(timeline_walks), 3),
                        "median": round(statistics.median(timeline_walks), 3),
                    },
                    "album_page": percentiles(album_pages),
                    "timeline_page": percentiles(timeline_pages),
                    "get_album": repeat(http, f"/albums/{album_id}", requests),
                    "list_albums": repeat(http, "/albums", requests),
                }
    report["ratio_walk_album_over_timeline"] = round(
        report["album_walk_s"]["median"] / report["timeline_walk_s"]["median"], 3
    )
    for q in ("p50", "p99"):
        report[f"ratio_page_{q}_album_over_timeline"] = round(
            report["album_page"][f"{q}_ms"] / report["timeline_page"][f"{q}_ms"], 3
        )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small library, few requests")
    parser.add_argument("--results-dir", help="where to write albums.json (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick)
    path = write_result("albums", report, results_dir(args.results_dir))
    print(
        f"album of {report['album_photos']:,}: paged end to end in {report['album_walk_s']['median']} s "
        f"({report['ratio_walk_album_over_timeline']}x the timeline's {report['timeline_walk_s']['median']} s); "
        f"page p50 {report['ratio_page_p50_album_over_timeline']}x, "
        f"p99 {report['ratio_page_p99_album_over_timeline']}x; "
        f"adds {report['add_photos_per_s']:,} photos/s ({report['ratio_add_vs_favorite']}x of PATCH favorite)"
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
