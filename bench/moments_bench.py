"""Benchmark: events and near-duplicates.

    python bench/moments_bench.py [--quick] [--results-dir DIR]

1. **Events**: ``services.trips.group`` over 10,000 and 100,000 generated photo rows (quick:
   1,000 and 10,000): a home city photographed most days over years, with a week-long trip
   every two months; beside the baseline of sorting the same rows by ``sort_at`` (what reading
   a library in time order costs anyway), in the same run.
2. **Kept events**: ``GET /events``'s service on a real SQLite file of 10,000 and 100,000 such
   photos (quick: 1,000 and 10,000): the first call (read every photo, group them) beside
   the next ones while the library is unchanged (``services/library_cache``: one feed read).
3. **Perceptual hash**: ``imaging.perceptual.dhash`` of a thumbnail, per photo, beside the cost
   of making that thumbnail (Pillow's draft decode + ``thumbnail`` to 512 px) from a seeded
   4000x3000 JPEG; and ``similar.groups`` over 10,000 hashes.

Writes ``<results>/moments.json``.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import results_dir, write_result

from auroravault.imaging import perceptual
from auroravault.meta.base import Photo, Place
from auroravault.services import similar, trips
from auroravault.timeutil import sort_key

HOME = (59.4370, 24.7536, "Tallinn")
AWAY = [(38.7223, -9.1393, "Lisbon"), (41.3874, 2.1686, "Barcelona"), (52.52, 13.405, "Berlin")]
EPOCH = datetime(2015, 1, 1, tzinfo=UTC)


def rows(count: int, seed: int = 7) -> list[Photo]:
    rng = random.Random(seed)
    out: list[Photo] = []
    at = EPOCH
    for n in range(count):
        at += timedelta(minutes=rng.choice((1, 2, 5, 30, 60 * 9, 60 * 20)))
        away = (at - EPOCH).days % 60 < 7
        lat, lon, city = AWAY[(at - EPOCH).days // 60 % len(AWAY)] if away else HOME
        out.append(
            Photo(
                id=f"ph_{n:07d}",
                owner_id="us_1",
                status="ready",
                filename="x.jpg",
                content_type="image/jpeg",
                size=1,
                sha256="0" * 64,
                created_at=EPOCH,
                updated_at=EPOCH,
                sort_at=sort_key(at),
                taken_at=at.isoformat(),
                lat=lat + rng.uniform(-0.02, 0.02),
                lon=lon + rng.uniform(-0.02, 0.02),
                place=Place(city=city),
            )
        )
    rng.shuffle(out)
    return out


def best(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def events(counts: list[int]) -> list[dict[str, Any]]:
    out = []
    for count in counts:
        photos = rows(count)
        grouped = best(lambda p=photos: trips.group(p), 2)
        baseline = best(lambda p=photos: sorted(p, key=lambda x: (x.sort_at, x.id)), 2)
        moments = trips.group(photos)
        out.append(
            {
                "photos": count,
                "group_s": round(grouped, 3),
                "sort_baseline_s": round(baseline, 4),
                "ratio_to_sort": round(grouped / baseline, 1),
                "events": sum(m.kind == "event" for m in moments),
                "trips": sum(m.kind == "trip" for m in moments),
            }
        )
    return out


def photo(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((4000, 3000), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def hashing(photos: int, hashes: int) -> dict[str, Any]:
    data = [photo(s) for s in range(photos)]
    thumbs: list[Image.Image] = []
    started = time.perf_counter()
    for blob in data:
        image = Image.open(io.BytesIO(blob))
        image.draft("RGB", (512, 512))
        image.thumbnail((512, 512))
        thumbs.append(image)
    thumb_s = (time.perf_counter() - started) / photos
    started = time.perf_counter()
    for image in thumbs:
        perceptual.dhash(image)
    hash_s = (time.perf_counter() - started) / photos
    rng = random.Random(3)
    values = [(f"ph_{n}", rng.getrandbits(64)) for n in range(hashes)]
    started = time.perf_counter()
    similar.groups(values)
    groups_s = time.perf_counter() - started
    return {
        "photos": photos,
        "thumb_ms_per_photo": round(thumb_s * 1000, 2),
        "dhash_ms_per_photo": round(hash_s * 1000, 3),
        "dhash_share_of_thumb": round(hash_s / thumb_s, 3),
        "groups_hashes": hashes,
        "groups_s": round(groups_s, 2),
    }


async def _kept(count: int, folder: Path) -> dict[str, Any]:
    import statistics
    import tempfile

    import msgspec

    from auroravault.meta.base import Batch, User
    from auroravault.meta.sqlite import SqliteMetaStore

    with tempfile.TemporaryDirectory(dir=folder) as work:
        store = SqliteMetaStore(Path(work) / "meta.db")
        await store.migrate()
        try:
            photos = [msgspec.structs.replace(p, sha256=f"{n:064x}") for n, p in enumerate(rows(count))]
            now = datetime.now(UTC)
            owner = User(
                id="us_1", email="a@example.com", display_name="A", password_hash="x", quota_bytes=0, created_at=now
            )
            await store.create_user(owner)
            for start in range(0, count, 5000):
                batch = Batch(id=f"b_{start}", owner_id="us_1", created_at=now, expires_at=now)
                await store.create_uploads(batch, photos[start : start + 5000], [], 0)
            service = trips.EventService(store, None)  # type: ignore[arg-type]
            started = time.perf_counter()
            first = await service.list(owner)
            first_s = time.perf_counter() - started
            again = []
            for _ in range(20):
                started = time.perf_counter()
                await service.list(owner)
                again.append(time.perf_counter() - started)
            kept_s = statistics.median(again)
            return {
                "photos": count,
                "events": len(first),
                "first_s": round(first_s, 3),
                "kept_ms": round(kept_s * 1000, 3),
                "ratio_kept_to_first": round(kept_s / first_s, 5),
            }
        finally:
            await store.close()


def kept(counts: list[int]) -> list[dict[str, Any]]:
    import asyncio

    out = [asyncio.run(_kept(count, Path(__file__).resolve().parent)) for count in counts]
    for row in out:
        print(row, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir")
    args = parser.parse_args()
    counts = [1_000, 10_000] if args.quick else [10_000, 100_000]
    report = {
        "mode": "quick" if args.quick else "full",
        "events": events(counts),
        "kept_events": kept(counts),
        "hashing": hashing(3 if args.quick else 20, 1_000 if args.quick else 10_000),
    }
    path = write_result("moments", report, results_dir(args.results_dir))
    print(path.read_text())


if __name__ == "__main__":
    main()
