"""Benchmark: what the people page reads of every face (issue 18's follow-up).

    python bench/people_listing_bench.py [--quick] [--results-dir DIR]

``GET /people``, a person's photos and search by person need four fields of each of the
owner's faces (id, photo, score, person). They used to read whole faces (``owner_faces``,
with the 128-number embedding, nine tenths of a record); they now read ``owner_face_refs``.
For one owner with 2 faces per photo in 60 people, on SQLite (20,000 faces; quick 2,000) and
DynamoDB on moto (1,000; quick 400; a 120 s read timeout, since moto takes seconds per 1 MB
page of such items), both reads alternate in the same run, five rounds each; medians and
the ratio refs / whole faces. moto is an in-memory emulator whose own serialising dominates
its seconds, which are not AWS's: on DynamoDB the ratio shows what leaving the embedding out
saves in bytes sent and parsed, not a latency to expect.

Writes ``<results>/people_listing.json``.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, results_dir, write_result

from auroravault.meta.base import MetaStore
from auroravault.meta.protocols.people import Face
from auroravault.timeutil import utcnow
from tests.meta.test_contract import a_batch, photo_and_upload, with_user

ROUNDS = 5


async def seed(meta: MetaStore, faces: int, rnd: random.Random) -> str:
    user = await with_user(meta, quota=10**12)
    now = utcnow()
    for start in range(0, faces // 2, 50):
        batch = a_batch(user)
        pairs = [photo_and_upload(user, batch, f"{start + i:064x}", index=i) for i in range(50)]
        await meta.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 0)
        for photo, _ in pairs:
            found = [
                Face(
                    id=f"fc_{photo.id}_{seq}",
                    owner_id=user.id,
                    photo_id=photo.id,
                    seq=seq,
                    box=[0.1 + 0.4 * seq, 0.2, 0.2, 0.25],
                    score=rnd.uniform(0.5, 1.0),
                    embedding=[rnd.uniform(-0.3, 0.3) for _ in range(128)],
                    person_id=f"pe_{rnd.randrange(60)}",
                    created_at=now,
                )
                for seq in range(2)
            ]
            await meta.replace_photo_faces(user.id, photo.id, found)
    return user.id


async def measure(meta: MetaStore, faces: int) -> dict[str, Any]:
    owner = await seed(meta, faces, random.Random(7))
    times: dict[str, list[float]] = {"whole_faces": [], "face_refs": []}
    for _ in range(ROUNDS):
        for name, read in (("whole_faces", meta.owner_faces), ("face_refs", meta.owner_face_refs)):
            start = time.perf_counter()
            got = await read(owner)
            times[name].append(time.perf_counter() - start)
            assert len(got) == faces, (name, len(got))
    whole, refs = statistics.median(times["whole_faces"]), statistics.median(times["face_refs"])
    return {
        "faces": faces,
        "whole_faces_s": round(whole, 4),
        "face_refs_s": round(refs, 4),
        "ratio_refs_over_whole": round(refs / whole, 3),
        "runs_s": {k: [round(t, 4) for t in v] for k, v in times.items()},
    }


async def run(quick: bool) -> dict[str, Any]:
    from auroravault.config import DynamoDBSettings
    from auroravault.meta.dynamodb import DynamoMetaStore
    from auroravault.meta.sqlite import SqliteMetaStore
    from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, running_moto, unique_name

    report: dict[str, Any] = {"mode": "quick" if quick else "full", "rounds": ROUNDS, "backends": {}}
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="people-", dir=INPUTS) as tmp:
        print("people listing (sqlite) ...", flush=True)
        sqlite = SqliteMetaStore(Path(tmp) / "meta.db")
        await sqlite.migrate()
        try:
            report["backends"]["sqlite"] = await measure(sqlite, 2_000 if quick else 20_000)
        finally:
            await sqlite.close()

    print("people listing (dynamodb on moto) ...", flush=True)
    with running_moto() as endpoint:
        settings = DynamoDBSettings(
            table=unique_name("bench"), region=MOTO_REGION, endpoint_url=endpoint, **MOTO_CREDENTIALS
        )
        dynamo = DynamoMetaStore(settings, read_timeout=120.0)
        await dynamo.migrate()
        try:
            report["backends"]["dynamodb_moto"] = await measure(dynamo, 400 if quick else 1_000)
        finally:
            await dynamo.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer faces")
    parser.add_argument("--results-dir", help="where to write people_listing.json (default bench/results)")
    args = parser.parse_args()
    report = asyncio.run(run(args.quick))
    path = write_result("people_listing", report, results_dir(args.results_dir))
    for name, b in report["backends"].items():
        print(
            f"{name}: {b['faces']} faces, whole {b['whole_faces_s']} s, refs {b['face_refs_s']} s"
            f" ({b['ratio_refs_over_whole']}x)"
        )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
