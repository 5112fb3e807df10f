"""What a killed process leaves behind is removed, and an expired upload cannot be PUT.

``kill -9`` mid-upload leaves a partial file in the local store's ``.tmp``; mid-processing, a
copy of the original in processing's work folder (under the data folder, ``server.work_dir``).
Both are removed at the next start (everything from before it) and by the daily housekeeping
(only what is older than a day: another instance's work in progress stays).
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auroravault.app import create_app
from auroravault.meta.base import Session
from auroravault.storage.base import original_key
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, file_spec, put_presigned, register
from tests.asgi import app_client
from tests.conftest import PHOTOS, make_settings
from tests.servers.fixtures import create_bucket, unique_bucket

FLOWER = PHOTOS / "flower.jpg"
FLOWER_BYTES = FLOWER.read_bytes()
DAY = 86400


def leave(path: Path, age_seconds: float, data: bytes = b"half of something") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    when = time.time() - age_seconds
    os.utime(path, (when, when))
    return path


def age(path: Path, age_seconds: float) -> None:
    when = time.time() - age_seconds
    os.utime(path, (when, when))


async def test_a_start_removes_what_a_killed_process_left(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    partial = leave(settings.local_root / ".tmp" / "0123abcd.part", 5)
    workdir = settings.work_path / "photo-killed"
    copy = leave(workdir / "original", 5, FLOWER_BYTES)
    age(workdir, 5)
    async with app_client(create_app(settings)) as client:
        assert not partial.exists() and not copy.exists() and not workdir.exists()
        # and processing works in that folder, leaving nothing there when done
        token = (await register(client))["token"]
        resp = await client.post("/api/v1/uploads", json={"files": [file_spec(FLOWER)]}, headers=auth(token))
        batch = resp.json()
        assert await put_presigned(client, batch["items"][0]["upload"], FLOWER_BYTES) == 200
        await client.post(f"/api/v1/uploads/{batch['batch_id']}/complete", json={}, headers=auth(token))
        await client.app.state.services.runner.drain(within=120)
        photo = await client.get(f"/api/v1/photos/{batch['items'][0]['photo_id']}", headers=auth(token))
        assert photo.json()["status"] == "ready"
        assert settings.work_path.is_dir() and list(settings.work_path.iterdir()) == []


async def test_housekeeping_removes_only_old_leftovers(tmp_path: Path) -> None:
    work = tmp_path / "scratch"
    settings = make_settings(tmp_path, server={"work_dir": str(work)})
    async with app_client(create_app(settings)) as client:
        tmp = settings.local_root / ".tmp"
        old_part, new_part = leave(tmp / "old.part", 2 * DAY), leave(tmp / "new.part", 60)
        old_dir, new_dir = work / "photo-old", work / "photo-new"
        leave(old_dir / "original", 2 * DAY)
        age(old_dir, 2 * DAY)
        leave(new_dir / "original", 60)
        meta = client.app.state.services.meta
        user = await meta.get_user_by_email((await register(client))["user"]["email"])
        long_ago = utcnow() - timedelta(days=2)
        await meta.create_session(
            Session(token_hash="t-old", user_id=user.id, created_at=long_ago, expires_at=long_ago)
        )
        await client.app.state.services.sweep.housekeeping()
        assert not old_part.exists() and not old_dir.exists()
        assert new_part.exists() and (new_dir / "original").exists()
        assert await meta.get_session("t-old") is None  # and expired rows are forgotten


@pytest.fixture(params=["local", "s3"])
def short_lived(request: pytest.FixtureRequest, tmp_path: Path):
    # Uploads expire after 1 s, long before the hour a presigned URL would otherwise last.
    over: dict[str, dict[str, object]] = {
        "uploads": {"pending_ttl_seconds": 1},
        "storage": {"presign_ttl_seconds": 3600},
    }
    if request.param == "s3":
        seaweedfs = request.getfixturevalue("seaweedfs")
        bucket = unique_bucket()
        create_bucket(seaweedfs, bucket)
        over["storage"]["backend"] = "s3"
        over["s3"] = {
            "endpoint_url": seaweedfs.endpoint,
            "region": seaweedfs.region,
            "bucket": bucket,
            "access_key": seaweedfs.access_key,
            "secret_key": seaweedfs.secret_key,
            "secure": False,
        }
    return request.param, make_settings(tmp_path, **over)


async def test_an_upload_cannot_be_put_after_it_expired(short_lived) -> None:
    backend, settings = short_lived
    async with app_client(create_app(settings)) as client:
        token = (await register(client))["token"]
        resp = await client.post("/api/v1/uploads", json={"files": [file_spec(FLOWER)]}, headers=auth(token))
        body = resp.json()
        upload = body["items"][0]["upload"]
        query = parse_qs(urlsplit(upload["url"]).query)
        lifetime = int(query["X-Amz-Expires"][0]) if backend == "s3" else int(query["expires"][0]) - int(time.time())
        assert lifetime <= 1
        await asyncio.sleep(2.1)  # the upload's pending TTL has passed: its URL is dead too
        if backend == "s3":
            async with httpx.AsyncClient() as direct:
                put = await direct.put(upload["url"], content=FLOWER_BYTES, headers=upload["headers"])
            assert put.status_code == 403
        else:
            assert await put_presigned(client, upload, FLOWER_BYTES) == 403
        me = (await client.get("/api/v1/users/me", headers=auth(token))).json()
        key = original_key(me["id"], body["items"][0]["photo_id"])
        assert await client.app.state.services.blobs.head(key) is None  # nothing was stored
