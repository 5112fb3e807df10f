"""Benchmark: search and map markers as the library grows, on SQLite, through a real server.

    python bench/search_bench.py [--quick] [--results-dir DIR]

Two vaults, one server each: a library of 1k and one of 100k ready photos (``--quick``: 200
and 2k), each alone in its vault, so every index (the FTS5 one too) holds that library and
nothing else. The spread a family library has: 12 places in 6 countries, 5 cameras, dates
over 20 years, four in five located, one photo in ten with a description ("sunset",
"birthday", ...). And ``beach``: exactly ``BEACH`` photos in each library, a rare word with
the same matches at both sizes, so its rows compare like with like (``q=sunset`` is the
unlike one: 1 in 80 photos, its matches grow with the library).

Every query below is timed for both, one request at a time over keep-alive connections,
interleaved (small, large, small, ...) so that whatever else loads the machine weighs on both
alike, after a warm-up. Each has a page size both libraries fill (the 1k library holds ~15
photos of the two filters and a date range: 10 a page), so both read and answer a full page:

- ``GET /search`` with a place word (``q=lisbon``), the rare word (``q=beach``), a word of 1
  in 80 photos (``q=sunset``), a country (``country=PT``), a make (``camera=Apple``), two
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
import contextlib
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, percentiles, register, results_dir, write_result
from timeline_bench import bench_photo, seed_sqlite

from auroravault.meta.base import Photo, Place

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
WORDS = ["birthday", "picnic", "snow", "wedding", "museum", "sunset", "harbour", "garden"]
BEACH = 150  # photos described "beach ..." in each library, whatever its size
#: Each query with a page size both libraries fill.
QUERIES = {
    "place_word": {"q": "lisbon", "limit": 50},
    "rare_word": {"q": "beach", "limit": 50},
    "proportional_word": {"q": "sunset", "limit": 10},
    "country": {"country": "PT", "limit": 50},
    "camera_make": {"camera": "Apple", "limit": 50},
    "filters_and_dates": {
        "country": "PT",
        "camera": "Canon EOS R6",
        "from": "2010-01-01",
        "to": "2019-12-31",
        "limit": 10,
    },
    "located": {"has_location": "true", "limit": 50},
}
MARKERS = {"world_z2": {"bbox": "-180,-90,180,90", "zoom": 2}, "europe_z5": {"bbox": "-12,34,32,62", "zoom": 5}}


def make_photos(owner_id: str, count: int, rnd: random.Random) -> list[Photo]:
    now = datetime.now(UTC)
    photos = []
    beach = set(rnd.sample(range(count), min(BEACH, count)))
    for n in range(count):
        taken = EPOCH + SPAN * rnd.random()
        place, lat, lon = rnd.choice(PLACES)
        located = rnd.random() < 0.8
        make, model = rnd.choice(CAMERAS)
        described = rnd.random() < 0.1
        photos.append(
            bench_photo(
                owner_id,
                rnd,
                taken,
                now,
                camera_make=make,
                camera_model=model,
                lat=lat + rnd.uniform(-0.2, 0.2) if located else None,
                lon=lon + rnd.uniform(-0.2, 0.2) if located else None,
                place=place if located else None,
                description=_description(rnd, n in beach, described),
            )
        )
    return photos


def _description(rnd: random.Random, beach: bool, described: bool) -> str | None:
    if beach:
        return "beach with the family"
    return f"{rnd.choice(WORDS)} with the family" if described else None


def timed_pair(clients: dict[str, httpx.Client], path: str, params: dict[str, Any], requests: int) -> dict[str, Any]:
    """The same request for each library, interleaved (small, large, small, ...), so the
    machine's load at any moment weighs on both alike."""
    samples: dict[str, list[float]] = {name: [] for name in clients}
    warmup = min(10, max(3, requests // 10))
    for i in range(requests + warmup):
        for name, client in clients.items():
            started = time.perf_counter()
            resp = client.get(path, params=params)
            elapsed = time.perf_counter() - started
            resp.raise_for_status()
            if i >= warmup:
                samples[name].append(elapsed)
    return {name: percentiles(found) for name, found in samples.items()}


def tenth_page(client: httpx.Client) -> dict[str, Any]:
    """The query of a search's 10th page (``q=beach``, 10 a page), with its cursor."""
    params: dict[str, Any] = {"q": "beach", "limit": 10}
    for _ in range(9):
        body = client.get("/api/v1/search", params=params).json()
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    return params


def measure(clients: dict[str, httpx.Client], requests: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, query in QUERIES.items():
        out[f"search_{name}"] = timed_pair(clients, "/api/v1/search", query, requests)
        for size, client in clients.items():
            out[f"search_{name}"][size]["first_page_items"] = len(
                client.get("/api/v1/search", params=query).json()["items"]
            )
    pages = {size: tenth_page(client) for size, client in clients.items()}
    samples: dict[str, Any] = {}
    for size, client in clients.items():  # each library its own cursor
        samples[size] = timed_pair({size: client}, "/api/v1/search", pages[size], requests)[size]
    out["search_page_10"] = samples
    for name, params in MARKERS.items():
        out[f"markers_{name}"] = timed_pair(clients, "/api/v1/map/markers", params, requests)
        for size, client in clients.items():
            clusters = client.get("/api/v1/map/markers", params=params).json()["clusters"]
            out[f"markers_{name}"][size].update(clusters=len(clusters), photos=sum(c["count"] for c in clusters))
    return out


def run(quick: bool) -> dict[str, Any]:
    small, large = (200, 2000) if quick else (1000, 100_000)
    requests = 20 if quick else 100
    rnd = random.Random(13)
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="search-", dir=INPUTS) as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        clients: dict[str, httpx.Client] = {}
        seeded: dict[str, float] = {}
        for size in (small, large):  # one vault each: a small and a large library
            data = work / f"vault-{size}" / "data"
            server = stack.enter_context(Server(data_dir=data, env={"AURORAVAULT_JOBS__ENABLED": "false"}))
            owner_id, token = register(server.url, f"search-{size}@example.com")
            started = time.perf_counter()
            asyncio.run(seed_sqlite(data / "auroravault.db", make_photos(owner_id, size, rnd)))
            seeded[str(size)] = round(time.perf_counter() - started, 1)
            print(f"  sqlite: {size:>7} photos seeded in {seeded[str(size)]} s", flush=True)
            headers = {"Authorization": f"Bearer {token}"}
            clients[str(size)] = stack.enter_context(httpx.Client(base_url=server.url, headers=headers, timeout=60))
        rows = measure(clients, requests)
    for name, row in rows.items():
        print(f"    {name}: {row}", flush=True)
    ratios = {
        name: {
            "p50": round(row[str(large)]["p50_ms"] / row[str(small)]["p50_ms"], 3),
            "p99": round(row[str(large)]["p99_ms"] / row[str(small)]["p99_ms"], 3),
        }
        for name, row in rows.items()
    }
    return {
        "mode": "quick" if quick else "full",
        "requests": requests,
        "seed_seconds": seeded,
        "queries": rows,
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
