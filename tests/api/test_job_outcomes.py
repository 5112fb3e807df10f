"""What a photo becomes when its processing job goes missing or dies, on both meta adapters.

- An arrived photo never stays ``processing`` for want of a job: arrival and its job are one
  step, and the sweep gives a job to any ``processing`` photo that has none.
- A photo whose job died is ``failed`` with the job's last error, and an admin's retry of the
  job brings it back to ``processing`` and then ``ready``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from auroravault.app import create_app
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, file_spec, put_presigned, register
from tests.asgi import AppClient, app_client
from tests.conftest import PHOTOS, make_settings
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name

FLOWER = PHOTOS / "flower.jpg"
FLOWER_BYTES = FLOWER.read_bytes()


def settings_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest, **jobs: object):
    meta: dict[str, object] = {}
    if backend == "dynamodb":
        endpoint = request.getfixturevalue("moto_server")
        meta = {
            "meta": {"backend": "dynamodb"},
            "dynamodb": {
                "table": unique_name("jobs"),
                "region": MOTO_REGION,
                "endpoint_url": endpoint,
                **MOTO_CREDENTIALS,
            },
        }
    return make_settings(tmp_path, jobs={"enabled": False, "backoff_base": 0.01, **jobs}, **meta)


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    settings = settings_for(request.param, tmp_path, request, max_attempts=1)
    async with app_client(create_app(settings)) as c:
        yield c


async def sent(client: AppClient, token: str) -> tuple[str, dict]:
    """Init a batch of one photo and PUT its bytes; return the batch id and its item."""
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(FLOWER)]}, headers=auth(token))
    assert resp.status_code == 201, resp.text
    item = resp.json()["items"][0]
    assert await put_presigned(client, item["upload"], FLOWER_BYTES) == 200
    return resp.json()["batch_id"], item


async def status_of(client: AppClient, token: str, photo_id: str) -> dict:
    resp = await client.get(f"/api/v1/photos/{photo_id}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def admin_token(client: AppClient) -> str:
    services = client.app.state.services
    await services.accounts.create_user("root@example.com", "an admin password", "Root", is_admin=True)
    login = await client.post("/api/v1/auth/login", json={"email": "root@example.com", "password": "an admin password"})
    return str(login.json()["token"])


async def test_a_photo_that_arrived_without_its_job_is_repaired_by_the_sweep(client) -> None:
    token = (await register(client))["token"]
    batch_id, item = await sent(client, token)
    services = client.app.state.services
    # What a failed enqueue after the arrival left behind: processing, and no job.
    assert await services.meta.mark_upload_arrived(item["upload_id"], utcnow() - timedelta(minutes=5))
    done = await client.post(f"/api/v1/uploads/{batch_id}/complete", json={}, headers=auth(token))
    assert done.json()["items"][0]["status"] == "processing"
    await services.runner.drain(within=60)
    assert (await status_of(client, token, item["photo_id"]))["status"] == "processing"
    counts = await services.sweep.sweep_pending(now=utcnow() + timedelta(minutes=2))
    await services.runner.drain(within=120)
    assert (await status_of(client, token, item["photo_id"]))["status"] == "ready"
    assert counts.get("repaired") == 1
    # repaired once: a second sweep finds nothing to do
    assert (await services.sweep.sweep_pending(now=utcnow() + timedelta(minutes=4))).get("repaired") == 0


async def test_a_dead_job_fails_the_photo_visibly_and_a_retry_brings_it_back(client) -> None:
    token = (await register(client))["token"]
    batch_id, item = await sent(client, token)
    services = client.app.state.services
    me = (await client.get("/api/v1/users/me", headers=auth(token))).json()
    # Storage refuses the thumbnail (a directory sits where it goes): the job fails, and dies.
    blocker = services.blobs.path_of(f"{me['id']}/{item['photo_id']}/thumb.webp")
    blocker.mkdir(parents=True)
    (blocker / "x").write_bytes(b"in the way")
    done = await client.post(f"/api/v1/uploads/{batch_id}/complete", json={}, headers=auth(token))
    assert done.json()["items"][0]["status"] == "processing"
    await services.runner.drain(within=120)
    photo = await status_of(client, token, item["photo_id"])
    assert photo["status"] == "failed", photo
    assert photo["error"]["code"] == "storage_unavailable" and photo["error"]["detail"]
    original = await client.get(f"/api/v1/photos/{item['photo_id']}/original", headers=auth(token))
    assert original.status_code == 200 and original.content == FLOWER_BYTES  # the original stays

    # The admin fixes storage and retries the dead job from the admin view.
    (blocker / "x").unlink()
    blocker.rmdir()
    admin = await admin_token(client)
    dead = (await client.get("/api/v1/admin/jobs?state=dead", headers=auth(admin))).json()["items"]
    [job] = [j for j in dead if j["payload"].get("photo_id") == item["photo_id"]]
    retried = await client.post(f"/api/v1/admin/jobs/{job['id']}/retry", headers=auth(admin))
    assert retried.status_code == 200, retried.text
    again = await status_of(client, token, item["photo_id"])
    assert again["status"] == "processing" and again.get("error") is None
    await services.runner.drain(within=120)
    assert (await status_of(client, token, item["photo_id"]))["status"] == "ready"


async def test_a_photo_whose_job_died_unnoticed_fails_at_the_next_sweep(client) -> None:
    token = (await register(client))["token"]
    batch_id, item = await sent(client, token)
    services = client.app.state.services
    await client.post(f"/api/v1/uploads/{batch_id}/complete", json={}, headers=auth(token))
    # The instance running the job died after burying it, before its on-dead hook ran.
    claimed = await services.meta.claim_jobs(utcnow(), "gone", 60, 10)
    [job] = [j for j in claimed if j.payload.get("photo_id") == item["photo_id"]]
    assert await services.meta.fail_job(job.id, "gone", "storage_unavailable: storage is down", None, utcnow())
    counts = await services.sweep.sweep_pending(now=utcnow() + timedelta(minutes=2))
    photo = await status_of(client, token, item["photo_id"])
    assert photo["status"] == "failed"
    assert photo["error"] == {"code": "storage_unavailable", "detail": "storage is down"}
    assert counts.get("repaired") == 1


async def test_a_failed_enqueue_at_arrival_leaves_the_upload_to_confirm_again(tmp_path: Path) -> None:
    # A real fault on the SQLite file: every insert into jobs fails while the trigger exists.
    settings = make_settings(tmp_path)
    async with app_client(create_app(settings)) as client:
        token = (await register(client))["token"]
        batch_id, item = await sent(client, token)
        with sqlite3.connect(settings.sqlite_path) as db:
            db.execute("CREATE TRIGGER jobs_fail BEFORE INSERT ON jobs BEGIN INSERT INTO no_such_table VALUES (1); END")
        failed = await client.post(f"/api/v1/uploads/{batch_id}/complete", json={}, headers=auth(token))
        assert failed.status_code == 503 and failed.json()["code"] == "meta_unavailable"
        assert "Retry-After" in failed.headers
        with sqlite3.connect(settings.sqlite_path) as db:
            db.execute("DROP TRIGGER jobs_fail")
        # the client asks again, as a 503 invites
        done = await client.post(f"/api/v1/uploads/{batch_id}/complete", json={}, headers=auth(token))
        assert done.json()["items"][0]["status"] == "processing"
        await client.app.state.services.runner.drain(within=120)
        assert (await status_of(client, token, item["photo_id"]))["status"] == "ready"
