"""Many uploads at once, as the import benchmark sends them, with the pending sweep running beside.

Every PUT that succeeded must come back ``processing`` from its first ``complete``: the
server saw the bytes, so "pending" would send the client away believing they were lost.
With reads that could see an old snapshot of the database (issue 11: one SQLite reader
connection whose overlapping statements shared one read transaction), this saw "pending"
and even ``batch_not_found`` for a batch made a moment before.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

from PIL import Image

from auroravault.app import create_app
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, file_spec, put_presigned, register
from tests.asgi import app_client
from tests.conftest import make_settings

FILES = 300
BATCH = 25
PARALLEL_PUTS = 4


def little_photos(out: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (n % 256, (n * 7) % 256, (n * 13) % 256)).save(buffer, "PNG")
        path = out / f"p{n:04d}.png"
        path.write_bytes(buffer.getvalue() + n.to_bytes(4, "big"))  # distinct bytes, still a PNG
        paths.append(path)
    return paths


async def test_concurrent_put_and_complete_always_see_the_bytes(tmp_path: Path) -> None:
    # First checks due at once: the sweep looks at every pending upload while clients complete them.
    settings = make_settings(tmp_path, uploads={"first_check_seconds": 0.001}, jobs={"enabled": True, "concurrency": 4})
    paths = little_photos(tmp_path, FILES)
    content = {p: p.read_bytes() for p in paths}
    async with app_client(create_app(settings)) as client:
        token = (await register(client))["token"]
        services = client.app.state.services
        stop = asyncio.Event()

        async def sweeper() -> int:
            rounds = 0
            while not stop.is_set():
                await services.sweep.sweep_pending(now=utcnow() + timedelta(seconds=1))
                rounds += 1
                await asyncio.sleep(0)
            return rounds

        async def reader() -> None:  # other family members browsing meanwhile
            while not stop.is_set():
                await client.get("/api/v1/uploads?state=pending", headers=auth(token))

        gate = asyncio.Semaphore(PARALLEL_PUTS)

        async def put_and_complete(batch_id: str, item: dict, data: bytes) -> str:
            async with gate:
                assert await put_presigned(client, item["upload"], data) == 200
            # as a client that confirms each file as soon as its PUT returns
            body = {"upload_ids": [item["upload_id"]]}
            done = await client.post(f"/api/v1/uploads/{batch_id}/complete", json=body, headers=auth(token))
            assert done.status_code == 200, done.text
            [status] = [i["status"] for i in done.json()["items"]]
            return str(status)

        async def batch(chunk: list[Path]) -> list[str]:
            specs = [file_spec(p, "image/png") for p in chunk]
            resp = await client.post("/api/v1/uploads", json={"files": specs}, headers=auth(token))
            assert resp.status_code == 201, resp.text
            body = resp.json()
            pairs = zip(body["items"], chunk, strict=True)
            return list(await asyncio.gather(*(put_and_complete(body["batch_id"], i, content[p]) for i, p in pairs)))

        background = [asyncio.create_task(sweeper()), *(asyncio.create_task(reader()) for _ in range(8))]
        try:
            chunks = [paths[i : i + BATCH] for i in range(0, FILES, BATCH)]
            results = await asyncio.gather(*(batch(c) for c in chunks))
        finally:
            stop.set()
            rounds = (await asyncio.gather(*background))[0]
        statuses = [s for r in results for s in r]
        assert statuses == ["processing"] * FILES, {s: statuses.count(s) for s in set(statuses)}
        assert rounds > 1  # the sweep did run beside the uploads
        # and nothing is left pending for the sweep to find later
        user = await services.meta.get_user_by_email("ada@example.com")
        assert await services.meta.pending_uploads(user.id, 10) == []
