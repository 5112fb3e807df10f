"""Benchmark: the timeline as the library grows: ``GET /photos?limit=100`` from its middle.

    python bench/timeline_bench.py [--quick] [--results-dir DIR]

A real server (uvicorn subprocess) per meta backend; one account's library is seeded to
1k, 10k and 100k photos (DynamoDB on moto: 1k and 10k, moto is an in-memory emulator
written in Python and gets slow beyond that), and at each size ``GET /photos?limit=100``
is timed from the middle of the library (a cursor on the photo at N/2, newest first), one
request at a time over a keep-alive connection, after a warm-up. Every photo is ``ready``
with full metadata, so each item carries a presigned thumb URL as in real use.

Seeding goes around HTTP for speed: SQLite through ``SqliteMetaStore.create_uploads`` (ready
photos, 5,000 per transaction), DynamoDB by BatchWriteItem of the items the adapter itself
builds (``_item`` + ``_photo_key`` / ``_timeline_key``): bench-only shortcuts, never product code.

Aim: at 100k, p50 and p99 at most 1.3x of those at 1k. Writes ``<results>/timeline.json``.
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

from auroravault.meta.base import Batch, Photo
from auroravault.services.photos import encode_cursor
from auroravault.timeutil import sort_key

PAGE = 100
EPOCH = datetime(2005, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=20 * 365)


def bench_photo(owner_id: str, rnd: random.Random, taken: datetime, now: datetime, **fields: Any) -> Photo:
    """A ready JPEG photo taken at ``taken``, as the pipeline leaves one; ``fields`` add or override."""
    return Photo(
        **{
            "id": f"p_{secrets.token_urlsafe(16)}",
            "owner_id": owner_id,
            "status": "ready",
            "filename": f"IMG_{rnd.randrange(10000):04d}.jpg",
            "content_type": "image/jpeg",
            "size": rnd.randrange(1_500_000, 6_000_000),
            "sha256": secrets.token_hex(32),
            "created_at": now,
            "updated_at": now,
            "sort_at": sort_key(taken),
            "taken_at": taken.isoformat(),
            "taken_at_source": "exif",
            "width": 4000,
            "height": 3000,
            "thumbhash": "1QcSHQRnh493V4dIh4eXh1h4kJUI",
            "variants_bytes": 180_000,
            **fields,
        }
    )


def make_photos(owner_id: str, count: int, rnd: random.Random) -> list[Photo]:
    now = datetime.now(UTC)
    photos = []
    for _ in range(count):
        taken = EPOCH + SPAN * rnd.random()
        photos.append(
            bench_photo(
                owner_id,
                rnd,
                taken,
                now,
                format="JPEG",
                camera_make="Canon",
                camera_model="EOS R6",
                f_number=1.8,
                exposure_time=0.004,
                iso=200,
                focal_length=35.0,
                lat=rnd.uniform(-60, 60),
                lon=rnd.uniform(-170, 170),
            )
        )
    return photos


# --------------------------------------------------------------------------- seeding


async def seed_sqlite(db: Path, photos: list[Photo]) -> None:
    from auroravault.meta.sqlite import SqliteMetaStore

    store = SqliteMetaStore(db)
    try:
        now = datetime.now(UTC)
        for start in range(0, len(photos), 5000):
            batch = Batch(
                id=f"b_{secrets.token_urlsafe(16)}", owner_id=photos[0].owner_id, created_at=now, expires_at=now
            )
            await store.create_uploads(batch, photos[start : start + 5000], [], 0)
    finally:
        await store.close()


def seed_dynamodb(env: dict[str, str], photos: list[Photo]) -> None:
    import boto3

    from auroravault.meta.dynamodb import _item, _photo_key, _timeline_key

    client = boto3.client(
        "dynamodb",
        endpoint_url=env["AURORAVAULT_DYNAMODB__ENDPOINT_URL"],
        region_name=env["AURORAVAULT_DYNAMODB__REGION"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    table = env["AURORAVAULT_DYNAMODB__TABLE"]
    items = []
    for photo in photos:
        attrs = _item(photo)
        items += [{**attrs, **_photo_key(photo.id)}, {**attrs, **_timeline_key(photo)}]
    for start in range(0, len(items), 25):
        requests: list[dict[str, Any]] = [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])


# --------------------------------------------------------------------------- measuring


def measure(base_url: str, token: str, ordered: list[Photo], requests: int) -> dict[str, Any]:
    """Latency of the page after the middle photo (newest first), ``requests`` times."""
    middle = ordered[len(ordered) // 2]
    params = {"limit": PAGE, "cursor": encode_cursor(middle)}
    expected = ordered[len(ordered) // 2 + 1].id
    samples = []
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        warmup = min(10, max(3, requests // 10))
        for i in range(requests + warmup):
            started = time.perf_counter()
            resp = client.get("/api/v1/photos", params=params)
            elapsed = time.perf_counter() - started
            resp.raise_for_status()
            if i == 0:
                items = resp.json()["items"]
                if len(items) != min(PAGE, len(ordered) // 2 - 1 + len(ordered) % 2) or items[0]["id"] != expected:
                    raise RuntimeError(f"unexpected page: {len(items)} items, first {items[:1]}")
            if i >= warmup:  # the first ones warm caches and connections
                samples.append(elapsed)
    return percentiles(samples)


def run_backend(name: str, sizes: list[int], requests: int, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """Seed ``name`` up to each size in turn and measure there."""
    rnd = random.Random(8)
    rows: dict[str, Any] = {}
    with Server(data_dir=work / f"{name}-data", env=env) as server:
        owner_id, token = register(server.url, f"timeline-{name}@example.com")
        library: list[Photo] = []
        for size in sizes:
            fresh = make_photos(owner_id, size - len(library), rnd)
            started = time.perf_counter()
            if name == "sqlite":
                asyncio.run(seed_sqlite(work / f"{name}-data" / "auroravault.db", fresh))
            else:
                seed_dynamodb(env, fresh)
            seeded = time.perf_counter() - started
            library += fresh
            ordered = sorted(library, key=lambda p: (p.sort_at, p.id), reverse=True)
            print(f"  {name} {size:>7} photos (seeded {len(fresh)} in {seeded:.1f} s) ...", flush=True)
            rows[str(size)] = {**measure(server.url, token, ordered, requests), "seed_seconds": round(seeded, 1)}
            print(f"    {rows[str(size)]}", flush=True)
    first, last = rows[str(sizes[0])], rows[str(sizes[-1])]
    return {
        "sizes": rows,
        "ratio_p50_largest_over_smallest": round(last["p50_ms"] / first["p50_ms"], 3),
        "ratio_p99_largest_over_smallest": round(last["p99_ms"] / first["p99_ms"], 3),
    }


def run(quick: bool) -> dict[str, Any]:
    sqlite_sizes = [100, 500] if quick else [1000, 10_000, 100_000]
    dynamo_sizes = [50, 150] if quick else [1000, 10_000]
    requests = 20 if quick else 300
    dynamo_requests = 5 if quick else 20  # moto answers a query in seconds at 10k
    report: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "page": PAGE,
        "requests_per_size": {"sqlite": requests, "dynamodb_moto": dynamo_requests},
        "backends": {},
    }
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="timeline-", dir=INPUTS) as tmp:
        work = Path(tmp)
        print("timeline (sqlite) ...", flush=True)
        report["backends"]["sqlite"] = run_backend("sqlite", sqlite_sizes, requests, work, {})

        print("timeline (dynamodb on moto) ...", flush=True)
        from tests.servers.moto import running_moto

        with running_moto() as endpoint:
            env = {
                "AURORAVAULT_META__BACKEND": "dynamodb",
                "AURORAVAULT_DYNAMODB__TABLE": f"bench-{secrets.token_hex(4)}",
                "AURORAVAULT_DYNAMODB__REGION": "us-east-1",
                "AURORAVAULT_DYNAMODB__ENDPOINT_URL": endpoint,
                "AURORAVAULT_DYNAMODB__ACCESS_KEY": "testing",
                "AURORAVAULT_DYNAMODB__SECRET_KEY": "testing",
            }
            report["backends"]["dynamodb_moto"] = run_backend("dynamodb", dynamo_sizes, dynamo_requests, work, env)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small libraries, few requests")
    parser.add_argument("--results-dir", help="where to write timeline.json (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick)
    path = write_result("timeline", report, results_dir(args.results_dir))
    for name, backend in report["backends"].items():
        print(
            f"{name}: largest/smallest p50 {backend['ratio_p50_largest_over_smallest']}x, "
            f"p99 {backend['ratio_p99_largest_over_smallest']}x"
        )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
