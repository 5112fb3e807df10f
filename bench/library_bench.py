"""Benchmark: the library at scale: trash, restore and permanent deletion; the timeline with flags.

    python bench/library_bench.py [--quick] [--results-dir DIR] [--only timeline]

``--only timeline`` runs part 2 alone and keeps part 1's numbers of the results file.

1. **Trash, restore, delete** of 10,000 photos (quick: 60), on local storage and on the S3
   adapter (SeaweedFS), SQLite meta, one real server each. The photos are seeded ``ready``
   through the MetaStore, each with a real original, thumbnail and preview in storage (small
   files: this measures the bookkeeping, not the disk). Then, through the API, in calls of
   1,000 ids: ``POST /photos/trash``, ``POST /trash/restore``, ``POST /photos/trash`` again, and
   ``POST /trash/delete`` (all), timed until the durable deletion jobs are done (the trash is
   empty, ``used_bytes`` is 0 and no object of the user is left in storage).
   Baselines of the same run: ``PATCH /photos {ids, favorite}`` over the same ids (the
   cheapest bulk write of the API) for trash and restore; for permanent deletion, ``rm -r``
   of a folder of as many files (local) and boto3 ``delete_objects`` of as many objects in
   calls of 1,000 keys (S3).
2. **Timeline with favorites and archived**: ``GET /photos?limit=100`` (archived left out, as
   the web app asks) and ``GET /photos?favorite=true&limit=50``, each a page from the middle
   of its list that the 1k library fills too (100 favorites there: a page of 100 from their
   middle held 49), 300 sequential requests after a warm-up, at 1k and at 100k photos of which 10 % are
   favorites and another 10 % archived (10k and 10k at 100k). Seeded through the MetaStore;
   the flags are set through the API (``PATCH /photos``, 1,000 ids a call). Aim: at 100k,
   p50 and p99 at most 1.3x of those at 1k.

Writes ``<results>/library.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, percentiles, register, results_dir, s3_env, seaweedfs, write_result
from timeline_bench import make_photos

from auroravault.meta.base import Batch, Photo
from auroravault.services.photos import encode_cursor
from auroravault.storage.base import original_key, preview_key, thumb_key

CALL = 1000  # ids per bulk call (the API's limit)
PAGE = 100
BLOB = 4096  # bytes of each seeded original; thumb and preview are a quarter of it


# --------------------------------------------------------------------------- seeding


async def seed_photos(db: Path, photos: list[Photo], reserve: bool) -> None:
    """Ready photos straight into SQLite (5,000 per transaction), reserving their quota when asked."""
    from auroravault.meta.sqlite import SqliteMetaStore

    store = SqliteMetaStore(db)
    try:
        now = datetime.now(UTC)
        for start in range(0, len(photos), 5000):
            chunk = photos[start : start + 5000]
            batch = Batch(
                id=f"b_{secrets.token_urlsafe(16)}", owner_id=chunk[0].owner_id, created_at=now, expires_at=now
            )
            await store.create_uploads(batch, chunk, [], sum(p.size for p in chunk) if reserve else 0)
    finally:
        await store.close()


def blob_keys(photo: Photo) -> list[tuple[str, int]]:
    return [
        (original_key(photo.owner_id, photo.id), BLOB),
        (thumb_key(photo.owner_id, photo.id), BLOB // 4),
        (preview_key(photo.owner_id, photo.id), BLOB // 4),
    ]


def write_local(root: Path, keys: list[tuple[str, int]]) -> None:
    data = os.urandom(BLOB)
    for key, size in keys:
        path = root.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[:size])


def write_s3(client: Any, bucket: str, keys: list[tuple[str, int]]) -> None:
    data = os.urandom(BLOB)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda kv: client.put_object(Bucket=bucket, Key=kv[0], Body=data[: kv[1]]), keys))


def library_photos(owner_id: str, count: int, seed: int) -> list[Photo]:

    photos = make_photos(owner_id, count, random.Random(seed))
    return [msgspec.structs.replace(p, size=BLOB, variants_bytes=BLOB // 2) for p in photos]


# --------------------------------------------------------------------------- 1. trash, restore, delete


def _bulk(http: httpx.Client, method: str, path: str, ids: list[str], body: dict[str, Any], key: str) -> float:
    """Send ``ids`` in calls of 1,000; seconds taken. Every id must come back under ``key``."""
    started = time.perf_counter()
    for start in range(0, len(ids), CALL):
        chunk = ids[start : start + CALL]
        resp = http.request(method, path, json={"ids": chunk, **body})
        resp.raise_for_status()
        answer = resp.json()
        if len(answer.get(key, [])) != len(chunk) or answer.get("errors"):
            raise RuntimeError(f"{method} {path}: {len(answer.get(key, []))} of {len(chunk)}, {answer.get('errors')}")
    return time.perf_counter() - started


def _objects_left(server_env: dict[str, str], weed: Any, data: Path, owner_id: str) -> int:
    if weed is None:
        folder = data / "photos" / owner_id
        return sum(len(files) for _, _, files in os.walk(folder)) if folder.exists() else 0
    answer = weed.s3_client().list_objects_v2(Bucket=server_env["AURORAVAULT_S3__BUCKET"], Prefix=f"{owner_id}/")
    return int(answer.get("KeyCount", 0))


def _delete_baseline(weed: Any, env: dict[str, str], work: Path, keys: list[tuple[str, int]]) -> float:
    """Seconds to remove as many files (``rm -r``) or objects (``delete_objects``) as the photos hold."""
    fake = [(f"baseline/{key}", size) for key, size in keys]
    if weed is None:
        root = work / "baseline"
        write_local(root, fake)
        started = time.perf_counter()
        subprocess.run(["rm", "-r", str(root / "baseline")], check=True)
        return time.perf_counter() - started
    client, bucket = weed.s3_client(), env["AURORAVAULT_S3__BUCKET"]
    write_s3(client, bucket, fake)
    started = time.perf_counter()
    for start in range(0, len(fake), 1000):
        objects = [{"Key": key} for key, _ in fake[start : start + 1000]]
        client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
    return time.perf_counter() - started


def trash_backend(name: str, count: int, work: Path, weed: Any) -> dict[str, Any]:
    env = s3_env(weed, f"lib-{secrets.token_hex(4)}") if weed is not None else {}
    data = work / f"trash-{name}"
    with Server(data_dir=data, env=env) as server:
        owner_id, token = register(server.url, f"library-{name}@example.com")
        photos = library_photos(owner_id, count, seed=12)
        keys = [k for p in photos for k in blob_keys(p)]
        started = time.perf_counter()
        if weed is None:
            write_local(data / "photos", keys)
        else:
            write_s3(weed.s3_client(), env["AURORAVAULT_S3__BUCKET"], keys)
        asyncio.run(seed_photos(data / "auroravault.db", photos, reserve=True))
        print(
            f"  {name}: seeded {count} photos, {len(keys)} objects in {time.perf_counter() - started:.1f} s", flush=True
        )
        ids = [p.id for p in photos]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"{server.url}/api/v1", headers=headers, timeout=300) as http:
            favorite = _bulk(http, "PATCH", "/photos", ids, {"favorite": True}, "updated")
            trash = _bulk(http, "POST", "/photos/trash", ids, {}, "trashed")
            restore = _bulk(http, "POST", "/trash/restore", ids, {}, "restored")
            _bulk(http, "POST", "/photos/trash", ids, {}, "trashed")
            started = time.perf_counter()
            http.post("/trash/delete", json={}).raise_for_status()
            deadline = started + 600
            while True:
                me = http.get("/users/me").json()
                left = http.get("/trash", params={"limit": 1}).json()["items"]
                if not left and me["used_bytes"] == 0 and _objects_left(env, weed, data, owner_id) == 0:
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"deletion not done after 600 s: used_bytes {me['used_bytes']}")
                time.sleep(0.05)
            delete = time.perf_counter() - started
        baseline = _delete_baseline(weed, env, work, keys)
    rate = lambda seconds: round(count / seconds, 1)  # noqa: E731
    row = {
        "photos": count,
        "objects": len(keys),
        "trash_photos_per_s": rate(trash),
        "restore_photos_per_s": rate(restore),
        "delete_photos_per_s": rate(delete),
        "favorite_photos_per_s": rate(favorite),
        "baseline_delete": "rm -r" if weed is None else "boto3 delete_objects",
        "baseline_delete_photos_per_s": rate(baseline),
        "ratio_trash_vs_favorite": round(favorite / trash, 3),
        "ratio_restore_vs_favorite": round(favorite / restore, 3),
        "ratio_delete_vs_baseline": round(baseline / delete, 3),
    }
    print(f"    {row}", flush=True)
    return row


# --------------------------------------------------------------------------- 2. the timeline with flags


def page_size(smallest: int) -> int:
    """A page size the smallest library fills from the middle of a list of ``smallest`` photos.

    Its 10 % of favorites are 100 photos at 1k, so a favorites page of 100 from the middle held
    49 there and 100 at 100k (half the rows to read and send). Each list asks for the page size
    its smallest library fills (favorites 50, the timeline 100), centred on the middle."""
    return min(PAGE, smallest // 2)


def measure(http: httpx.Client, params: dict[str, Any], expected: list[Photo], requests: int) -> dict[str, Any]:
    """Timings of ``requests`` calls; the first answer must be exactly ``expected`` (a full page)."""
    samples = []
    warmup = min(10, max(3, requests // 10))
    for i in range(requests + warmup):
        started = time.perf_counter()
        resp = http.get("/photos", params=params)
        elapsed = time.perf_counter() - started
        resp.raise_for_status()
        if i == 0:
            ids = [item["id"] for item in resp.json()["items"]]
            if ids != [p.id for p in expected] or len(ids) != params["limit"]:
                raise RuntimeError(f"unexpected page for {params}: {len(ids)} items, first {ids[:1]}")
        if i >= warmup:
            samples.append(elapsed)
    return {**percentiles(samples), "page_items": len(expected)}


def timeline(sizes: list[int], requests: int, work: Path) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    data = work / "timeline"
    with Server(data_dir=data) as server:
        owner_id, token = register(server.url, "library-timeline@example.com")
        headers = {"Authorization": f"Bearer {token}"}
        library: list[Photo] = []
        favorites: set[str] = set()
        archived: set[str] = set()
        limits: dict[str, int] = {}
        with httpx.Client(base_url=f"{server.url}/api/v1", headers=headers, timeout=300) as http:
            for size in sizes:
                fresh = make_photos(owner_id, size - len(library), random.Random(size))
                started = time.perf_counter()
                asyncio.run(seed_photos(data / "auroravault.db", fresh, reserve=False))
                fav = [p.id for n, p in enumerate(fresh) if n % 10 == 0]
                arc = [p.id for n, p in enumerate(fresh) if n % 10 == 5]
                _bulk(http, "PATCH", "/photos", fav, {"favorite": True}, "updated")
                _bulk(http, "PATCH", "/photos", arc, {"archived": True}, "updated")
                seeded = time.perf_counter() - started
                library += fresh
                favorites.update(fav)
                archived.update(arc)
                ordered = sorted(library, key=lambda p: (p.sort_at, p.id), reverse=True)
                shown = [p for p in ordered if p.id not in archived]
                faves = [p for p in ordered if p.id in favorites]
                print(f"  timeline {size:>7} photos ({len(faves)} favorites, {len(archived)} archived) ...", flush=True)
                row: dict[str, Any] = {
                    "favorite_count": len(faves),
                    "archived_count": len(archived),
                    "seed_seconds": round(seeded, 1),
                }
                for label, listed, extra in (("timeline", shown, {}), ("favorites", faves, {"favorite": "true"})):
                    limit = limits.setdefault(label, page_size(len(listed)))  # set by the smallest library
                    start = len(listed) // 2 - limit // 2  # the page is the middle of the list
                    params = {"limit": limit, "cursor": encode_cursor(listed[start - 1]), **extra}
                    row[label] = measure(http, params, listed[start : start + limit], requests)
                rows[str(size)] = row
                print(f"    {row}", flush=True)
    first, last = rows[str(sizes[0])], rows[str(sizes[-1])]
    ratios = {
        f"ratio_{label}_{q}_largest_over_smallest": round(last[label][f"{q}_ms"] / first[label][f"{q}_ms"], 3)
        for label in ("timeline", "favorites")
        for q in ("p50", "p99")
    }
    return {"sizes": rows, "page_sizes": limits, **ratios}


def run(quick: bool, timeline_only: bool = False) -> dict[str, Any]:
    count = 60 if quick else 10_000
    sizes = [100, 500] if quick else [1000, 100_000]
    requests = 20 if quick else 300
    report: dict[str, Any] = {"mode": "quick" if quick else "full", "call_ids": CALL, "page": PAGE, "trash": {}}
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="library-", dir=INPUTS) as tmp:
        work = Path(tmp)
        if not timeline_only:
            print("library: trash, restore, delete (local) ...", flush=True)
            report["trash"]["local"] = trash_backend("local", count, work, None)
            print("library: trash, restore, delete (s3 on SeaweedFS) ...", flush=True)
            with seaweedfs() as weed:
                report["trash"]["s3"] = trash_backend("s3", count, work, weed)
            shutil.rmtree(work / "trash-local", ignore_errors=True)
        print("library: timeline with favorites and archived (sqlite) ...", flush=True)
        report["timeline"] = timeline(sizes, requests, work)
        report["timeline"]["requests_per_size"] = requests
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small libraries, few requests")
    parser.add_argument("--results-dir", help="where to write library.json (default bench/results)")
    parser.add_argument("--only", choices=["timeline"], help="run part 2 alone, keeping part 1's results")
    args = parser.parse_args()
    out = results_dir(args.results_dir)
    report = run(args.quick, timeline_only=args.only == "timeline")
    if args.only:
        previous = json.loads((out / "library.json").read_text())
        report["trash"] = previous["trash"]
        report["trash_machine"] = previous.get("trash_machine", previous["machine"])
    path = write_result("library", report, out)
    for name, row in report["trash"].items():
        print(
            f"{name}: trash {row['trash_photos_per_s']}/s, restore {row['restore_photos_per_s']}/s, "
            f"delete {row['delete_photos_per_s']}/s ({row['ratio_delete_vs_baseline']}x of {row['baseline_delete']})"
        )
    tl = report["timeline"]
    print(
        f"timeline p50 {tl['ratio_timeline_p50_largest_over_smallest']}x, "
        f"p99 {tl['ratio_timeline_p99_largest_over_smallest']}x"
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
