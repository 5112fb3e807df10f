"""Benchmark: sharing. The merged timeline and the access check's cost per photo.

    python bench/sharing_bench.py [--quick] [--results-dir DIR]

One real server (uvicorn subprocess) on SQLite. Ada and Ben each get a library of 50,000
ready photos (quick: 2,000); Ben partner-shares his with Ada, who keeps it in her timeline.

- Timeline: ``GET /photos?limit=100&with_partners=true`` for Ada (two libraries of 50k, the
  pages merged under one keyset cursor) against ``GET /photos?limit=100`` for Ada alone (one
  library of 50k), both from the middle (a cursor at Ada's photo N/2), interleaved request by
  request, after a warm-up. Aim: p50 <= 1.3x.
- Access check: an album of 100 of Ada's photos shared with 10 members; in-process, on the
  same SQLite file, ``services.access.relations`` for one member over the page's 100 ids (the
  check a bulk call or an opened photo runs for a non-owner: photos, partner shares, album
  memberships and roles), and for Ada (the owner's fast path); reported in microseconds per
  photo. The album page itself (``GET /albums/{id}/photos?limit=100``) is timed for the
  member and for Ada too.

Writes ``<results>/sharing.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, percentiles, register, results_dir, write_result
from timeline_bench import make_photos, seed_sqlite

from auroravault.meta.base import Photo, User
from auroravault.services.photos import encode_cursor

PAGE = 100
MEMBERS = 10


def timed(client: httpx.Client, path: str, params: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    resp = client.get(path, params=params)
    elapsed = time.perf_counter() - started
    resp.raise_for_status()
    body: dict[str, Any] = resp.json()
    return elapsed, body


def measure_timeline(url: str, token: str, ada: list[Photo], ben: list[Photo], requests: int) -> dict[str, Any]:
    ordered = sorted(ada, key=lambda p: (p.sort_at, p.id), reverse=True)
    middle = ordered[len(ordered) // 2]
    cursor = encode_cursor(middle)
    merged = sorted(ada + ben, key=lambda p: (p.sort_at, p.id), reverse=True)
    after = [p for p in merged if (p.sort_at, p.id) < (middle.sort_at, middle.id)][:PAGE]
    alone, both = [], []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        warmup = min(10, max(3, requests // 10))
        for i in range(requests + warmup):
            one, body_one = timed(client, "/api/v1/photos", {"limit": PAGE, "cursor": cursor})
            two, body_two = timed(client, "/api/v1/photos", {"limit": PAGE, "cursor": cursor, "with_partners": "true"})
            if i == 0 and [p["id"] for p in body_two["items"]] != [p.id for p in after]:
                raise RuntimeError("the merged page is not the next 100 photos of both libraries")
            if i == 0 and len(body_one["items"]) != PAGE:
                raise RuntimeError("the page of one library is short")
            if i >= warmup:
                alone.append(one)
                both.append(two)
    one_p, two_p = percentiles(alone), percentiles(both)
    return {
        "one_library": one_p,
        "with_partners": two_p,
        "ratio_p50": round(two_p["p50_ms"] / one_p["p50_ms"], 3),
        "ratio_p99": round(two_p["p99_ms"] / one_p["p99_ms"], 3),
    }


def measure_album_page(url: str, tokens: dict[str, str], album_id: str, requests: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for who, token in tokens.items():
        samples = []
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            for i in range(requests + 5):
                elapsed, body = timed(client, f"/api/v1/albums/{album_id}/photos", {"limit": PAGE})
                if i == 0 and len(body["items"]) != PAGE:
                    raise RuntimeError(f"the album page of {who} is short")
                if i >= 5:
                    samples.append(elapsed)
        found[who] = percentiles(samples)
    return found


async def measure_check(db: Path, owner_id: str, member_id: str, ids: list[str], rounds: int) -> dict[str, Any]:
    """``access.relations`` over the album page's ids, in-process: µs per photo."""
    from auroravault.meta.sqlite import SqliteMetaStore
    from auroravault.services import access

    store = SqliteMetaStore(db)
    try:
        found: dict[str, Any] = {}
        for who, user_id in (("member", member_id), ("owner", owner_id)):
            user = await store.get_user(user_id)
            assert isinstance(user, User)
            samples = []
            for i in range(rounds + 5):
                started = time.perf_counter()
                seen, hidden = await access.relations(store, user, ids)
                elapsed = time.perf_counter() - started
                if len(seen) != len(ids) or hidden:
                    raise RuntimeError(f"the {who} does not see the album's photos")
                if i >= 5:
                    samples.append(elapsed)
            stats = percentiles(samples)
            found[who] = {**stats, "us_per_photo_p50": round(stats["p50_ms"] * 1000 / len(ids), 1)}
        return found
    finally:
        await store.close()


def one_family(url: str, data: Path, head: dict[str, str], email_to: str, joiner: dict[str, str]) -> None:
    """Make ``head`` found a family and the account of ``email_to`` join it from the mailed
    invitation (partners are among one family), reading the link from the server's outbox."""
    httpx.post(f"{url}/api/v1/family", json={"name": "Bench"}, headers=head).raise_for_status()
    invite = {"email": email_to, "role": "member"}
    httpx.post(f"{url}/api/v1/family/invites", json=invite, headers=head).raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for eml in (data / "outbox").glob("*.eml"):
            msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            found = re.search(r"#/join/(av_[A-Za-z0-9_-]+)", msg.get_body(("plain",)).get_content())  # type: ignore[union-attr]
            if msg["To"] == email_to and found:
                joined = httpx.post(f"{url}/api/v1/family/join", json={"token": found.group(1)}, headers=joiner)
                joined.raise_for_status()
                return
        time.sleep(0.2)
    raise RuntimeError(f"no invitation reached {email_to}")


def run(quick: bool) -> dict[str, Any]:
    size = 2_000 if quick else 50_000
    requests = 20 if quick else 200
    rnd = random.Random(14)
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sharing-", dir=INPUTS) as tmp:
        work = Path(tmp)
        data = work / "data"
        with Server(data_dir=data) as server:
            ada_id, ada_token = register(server.url, "sharing-ada@example.com")
            ben_id, ben_token = register(server.url, "sharing-ben@example.com")
            ada, ben = make_photos(ada_id, size, rnd), make_photos(ben_id, size, rnd)
            print(f"sharing: seeding 2 x {size:,} photos ...", flush=True)
            asyncio.run(seed_sqlite(data / "auroravault.db", ada))
            asyncio.run(seed_sqlite(data / "auroravault.db", ben))
            ben_h, ada_h = {"Authorization": f"Bearer {ben_token}"}, {"Authorization": f"Bearer {ada_token}"}
            one_family(server.url, data, ben_h, "sharing-ada@example.com", ada_h)
            httpx.post(f"{server.url}/api/v1/partners", json={"user_id": ada_id}, headers=ben_h).raise_for_status()
            httpx.patch(
                f"{server.url}/api/v1/partners/{ben_id}", json={"in_timeline": True}, headers=ada_h
            ).raise_for_status()
            print("sharing: timeline ...", flush=True)
            timeline = measure_timeline(server.url, ada_token, ada, ben, requests)
            print(f"  {timeline}", flush=True)

            picked = [p.id for p in rnd.sample(ada, PAGE)]
            made = httpx.post(
                f"{server.url}/api/v1/albums", json={"name": "Shared", "photo_ids": picked}, headers=ada_h, timeout=60
            )
            made.raise_for_status()
            album_id = made.json()["id"]
            members = [register(server.url, f"sharing-member{n}@example.com") for n in range(MEMBERS)]
            for n in range(MEMBERS):
                httpx.post(
                    f"{server.url}/api/v1/albums/{album_id}/members",
                    json={"email": f"sharing-member{n}@example.com", "role": "viewer"},
                    headers=ada_h,
                ).raise_for_status()
            print("sharing: access check ...", flush=True)
            page = measure_album_page(server.url, {"member": members[-1][1], "owner": ada_token}, album_id, requests)
            check = asyncio.run(measure_check(data / "auroravault.db", ada_id, members[-1][0], picked, requests))
            print(f"  page {page}\n  check {check}", flush=True)
    return {
        "mode": "quick" if quick else "full",
        "page": PAGE,
        "library_photos": size,
        "members": MEMBERS,
        "requests": requests,
        "timeline": timeline,
        "album_page": page,
        "access_check": check,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny inputs: does it run at all")
    parser.add_argument("--results-dir", help="where to write sharing.json (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick)
    write_result("sharing", report, results_dir(args.results_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
