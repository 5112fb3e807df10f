"""Benchmark: search and map markers as the library grows, on SQLite, through a real server.

    python bench/search_bench.py [--quick] [--results-dir DIR]

One account's library is seeded to 1k and then 100k ready photos (``--quick``: 200 and 2k),
with the spread a family library has: 12 places in 6 countries, 5 cameras, dates over 20
years, one photo in ten with a description ("beach", "birthday", ...), four in five located.
At each size every query below is timed, one request at a time over a keep-alive
connection, after a warm-up:

- ``GET /search`` with a place word (``q=lisbon``), a description word (``q=beach``), two
  filters and a date range (``country=PT&camera=...&from&to``), ``has_location=true`` alone,
  and a page from the middle of a search (``q=beach`` with the cursor of its 10th page);
- ``GET /map/markers`` over the whole world at zoom 2 and over Europe at zoom 5.

Seeding goes around HTTP for speed (``SqliteMetaStore.create_uploads`` of ready photos,
5,000 per transaction; migration 0006's triggers index them as they land): a bench-only
shortcut, never product code.

Aims: search p50/p99 at 100k at most 1.3x those at 1k; map markers p50 under 100 ms at 100k.
Writes ``<results>/search.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, percentiles, register, results_dir, write_result
from timeline_bench import seed_sqlite

from auroravault.meta.base import Photo, Place
from auroravault.timeutil import sort_key

EPOCH = datetime(2005, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=20 * 365)
PLACES = [
    (Place(city="Lisbon", region="Lisbon", country="Portugal", country_code="PT"), 38.72, -9.14),
    (Place(city="Porto", region="Porto", country="Portugal", country_code="PT"), 41.15, -8.61),
    (Place(city="Tallinn", region="Harjumaa", country="Estonia", country_code="EE"), 59.44, 24.75),
    (Place(city="Tartu", region="Tartumaa", country="Estonia", country_code="EE"), 58.38, 26.72),
    (Place(city="Paris", region="Île-de-France", country="France", country_code="FR"), 48.86, 2.35),
    (Place(city="Nice", region="Provence", country="France", country_code="FR"), 43.70, 7.27),
    (Place(city="Berlin", region="Berlin", country="Germany", country_code="DE"), 52.52, 13.40),
    (Place(city="Munich", region="Bavaria", country="Germany", country_code="DE"), 48.14, 11.58),
    (Place(city="Kyoto", region="Kyoto", country="Japan", country_code="JP"), 35.01, 135.77),
    (Place(city="Tokyo", region="Tokyo", country="Japan", country_code="JP"), 35.68, 139.69),
    (Place(city="Boston", region="Massachusetts", country="United States", country_code="US"), 42.36, -71.06),
    (Place(city="Denver", region="Colorado", country="United States", country_code="US"), 39.74, -104.99),
]
CAMERAS = [("Apple", "iPhone 12"), ("Apple", "iPhone 15 Pro"), ("Canon", "Canon EOS R6"), ("SONY", "ILCE-7M3")]
CAMERAS += [("Google", "Pixel 7")]
WORDS = ["beach", "birthday", "picnic", "snow", "wedding", "museum", "sunset", "harbour"]
QUERIES = {
    "place_word": {"q": "lisbon"},
    "description_word": {"q": "beach"},
    "filters_and_dates": {"country": "PT", "camera": "Canon EOS R6", "from": "2010-01-01", "to": "2019-12-31"},
    "located": {"has_location": "true"},
}
MARKERS = {"world_z2": {"bbox": "-180,-90,180,90", "zoom": 2}, "europe_z5": {"bbox": "-12,34,32,62", "zoom": 5}}


def make_photos(owner_id: str, count: int, rnd: random.Random) -> list[Photo]:
    now = datetime.now(UTC)
    photos = []
    for _ in range(count):
        taken = EPOCH + SPAN * rnd.random()
        place, lat, lon = rnd.choice(PLACES)
        located = rnd.random() < 0.8
        make, model = rnd.choice(CAMERAS)
        described = rnd.random() < 0.1
        photos.append(
            Photo(
                id=f"p_{secrets.token_urlsafe(16)}",
                owner_id=owner_id,
                status="ready",
                filename=f"IMG_{rnd.randrange(10000):04d}.jpg",
                content_type="image/jpeg",
                size=rnd.randrange(1_500_000, 6_000_000),
                sha256=secrets.token_hex(32),
                created_at=now,
                updated_at=now,
                sort_at=sort_key(taken),
                taken_at=taken.isoformat(),
                taken_at_source="exif",
                width=4000,
                height=3000,
                camera_make=make,
                camera_model=model,
                lat=lat + rnd.uniform(-0.2, 0.2) if located else None,
                lon=lon + rnd.uniform(-0.2, 0.2) if located else None,
                place=place if located else None,
                description=f"{rnd.choice(WORDS)} with the family" if described else None,
                thumbhash="1QcSHQRnh493V4dIh4eXh1h4kJUI",
                variants_bytes=180_000,
            )
        )
    return photos


def timed(client: httpx.Client, path: str, params: dict[str, Any], requests: int) -> dict[str, float]:
    samples = []
    warmup = min(10, max(3, requests // 10))
    for i in range(requests + warmup):
        started = time.perf_counter()
        resp = client.get(path, params=params)
        elapsed = time.perf_counter() - started
        resp.raise_for_status()
        if i >= warmup:
            samples.append(elapsed)
    return percentiles(samples)


def measure(client: httpx.Client, requests: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, params in QUERIES.items():
        first = client.get("/api/v1/search", params={**params, "limit": 50}).json()
        out[f"search_{name}"] = {**timed(client, "/api/v1/search", {**params, "limit": 50}, requests)}
        out[f"search_{name}"]["first_page_items"] = len(first["items"])
    params: dict[str, Any] = {"q": "beach", "limit": 10}
    for _ in range(9):  # the cursor of the 10th page, if the library has one
        body = client.get("/api/v1/search", params=params).json()
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    out["search_page_10"] = timed(client, "/api/v1/search", params, requests)
    for name, params in MARKERS.items():
        clusters = client.get("/api/v1/map/markers", params=params).json()["clusters"]
        out[f"markers_{name}"] = {**timed(client, "/api/v1/map/markers", params, requests)}
        out[f"markers_{name}"]["clusters"] = len(clusters)
        out[f"markers_{name}"]["photos"] = sum(c["count"] for c in clusters)
    return out


def run(quick: bool) -> dict[str, Any]:
    sizes = [200, 2000] if quick else [1000, 100_000]
    requests = 20 if quick else 100
    rnd = random.Random(13)
    rows: dict[str, Any] = {}
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="search-", dir=INPUTS) as tmp:
        work = Path(tmp)
        with Server(data_dir=work / "data", env={"AURORAVAULT_JOBS__ENABLED": "false"}) as server:
            owner_id, token = register(server.url, "search@example.com")
            have = 0
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                for size in sizes:
                    started = time.perf_counter()
                    asyncio.run(seed_sqlite(work / "data" / "auroravault.db", make_photos(owner_id, size - have, rnd)))
                    seeded = time.perf_counter() - started
                    have = size
                    print(f"  sqlite {size:>7} photos (seeded in {seeded:.1f} s) ...", flush=True)
                    rows[str(size)] = {**measure(client, requests), "seed_seconds": round(seeded, 1)}
                    for name, row in rows[str(size)].items():
                        print(f"    {name}: {row}", flush=True)
    small, large = rows[str(sizes[0])], rows[str(sizes[-1])]
    ratios = {
        name: {
            "p50": round(large[name]["p50_ms"] / small[name]["p50_ms"], 3),
            "p99": round(large[name]["p99_ms"] / small[name]["p99_ms"], 3),
        }
        for name in small
        if isinstance(small[name], dict)
    }
    return {
        "mode": "quick" if quick else "full",
        "requests": requests,
        "sizes": rows,
        "ratios_largest_over_smallest": ratios,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small libraries, few requests")
    parser.add_argument("--results-dir", help="where to write search.json (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick)
    path = write_result("search", report, results_dir(args.results_dir))
    for name, ratio in report["ratios_largest_over_smallest"].items():
        print(f"{name}: largest/smallest p50 {ratio['p50']}x, p99 {ratio['p99']}x")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
