"""Multipart uploads through the HTTP contract, on local storage and SeaweedFS (S3 and MinIO adapters).

The threshold is set low (6 MiB, parts of 5 MiB, S3's smallest) so a file of a few parts
takes a fraction of a second; the 300 MB file runs in ``tests/client/test_cli_multipart.py``.
Parts go over real HTTP: to the app's own ``/blob-parts`` endpoint (in-process) for the
local store, to SeaweedFS for the others.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from auroravault.app import create_app
from auroravault.storage.base import original_key
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, local_path, register
from tests.asgi import AppClient, app_client
from tests.conftest import make_settings
from tests.servers.fixtures import create_bucket, unique_bucket

MIB = 1024 * 1024
PART = 5 * MIB
DATA = os.urandom(2 * PART + 777)  # three parts: 5 MiB, 5 MiB, 777 bytes
SHA = hashlib.sha256(DATA).hexdigest()


@dataclass
class Env:
    backend: str
    client: AppClient
    remote: httpx.AsyncClient
    token: str

    async def put_part(self, part: dict[str, Any], body: bytes) -> httpx.Response:
        if self.backend == "local":
            return await self.client.put(local_path(part["url"]), headers=part["headers"], content=body)
        return await self.remote.put(part["url"], headers=part["headers"], content=body)

    async def send(self, upload: dict[str, Any], numbers: list[int], data: bytes = DATA) -> dict[int, str]:
        etags = {}
        size = upload["part_size"]
        for part in upload["parts"]:
            if part["number"] in numbers:
                start = (part["number"] - 1) * size
                resp = await self.put_part(part, data[start : start + size])
                assert resp.status_code == 200, resp.text
                etags[part["number"]] = resp.headers["etag"]
        return etags

    async def init(self, data: bytes = DATA, name: str = "clip.mp4") -> dict[str, Any]:
        spec = {"filename": name, "size": len(data), "content_type": "image/jpeg", "sha256": sha(data)}
        resp = await self.client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(self.token))
        assert resp.status_code == 201, resp.text
        body: dict[str, Any] = resp.json()
        return body

    async def complete(self, batch_id: str, parts: dict[str, list[dict[str, Any]]] | None) -> httpx.Response:
        body = {"parts": parts} if parts is not None else {}
        return await self.client.post(f"/api/v1/uploads/{batch_id}/complete", json=body, headers=auth(self.token))

    async def parts(self, batch_id: str, upload_id: str) -> httpx.Response:
        return await self.client.get(f"/api/v1/uploads/{batch_id}/items/{upload_id}/parts", headers=auth(self.token))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def named(etags: dict[int, str]) -> list[dict[str, Any]]:
    return [{"number": n, "etag": e} for n, e in sorted(etags.items())]


@pytest.fixture(params=["local", "s3", "minio"])
async def env(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Env]:
    over: dict[str, Any] = {"uploads": {"multipart_threshold_bytes": 6 * MIB, "multipart_part_bytes": PART}}
    if request.param != "local":
        seaweedfs = request.getfixturevalue("seaweedfs")
        bucket = unique_bucket()
        create_bucket(seaweedfs, bucket)
        over["storage"] = {"backend": request.param}
        over["s3"] = {
            "endpoint_url": seaweedfs.endpoint,
            "region": seaweedfs.region,
            "bucket": bucket,
            "access_key": seaweedfs.access_key,
            "secret_key": seaweedfs.secret_key,
            "path_style": True,
            "secure": False,
        }
    app = create_app(make_settings(tmp_path, **over))
    async with app_client(app) as client, httpx.AsyncClient(timeout=60) as remote:
        token = (await register(client))["token"]
        yield Env(request.param, client, remote, token)


async def stored(env: Env, photo_id: str, tmp_path: Path) -> bytes | None:
    services = env.client.app.state.services
    user_id = (await env.client.get("/api/v1/users/me", headers=auth(env.token))).json()["id"]
    key = original_key(user_id, photo_id)
    if await services.blobs.head(key) is None:
        return None
    out = tmp_path / "stored"
    await services.blobs.download_to(key, out)
    return out.read_bytes()


async def test_a_large_file_goes_in_parts_and_is_joined_byte_identical(env: Env, tmp_path: Path) -> None:
    body = await env.init()
    item = body["items"][0]
    upload = item["upload"]
    assert upload["method"] == "MULTIPART" and upload["part_size"] == PART
    assert [p["number"] for p in upload["parts"]] == [1, 2, 3]
    etags = await env.send(upload, [1, 2, 3])
    resp = await env.complete(body["batch_id"], {item["upload_id"]: named(etags)})
    assert resp.status_code == 200, resp.text
    assert resp.json()["items"][0]["status"] == "processing"
    assert await stored(env, item["photo_id"], tmp_path) == DATA
    again = await env.complete(body["batch_id"], {item["upload_id"]: named(etags)})  # idempotent
    assert again.status_code == 200 and again.json()["items"][0]["status"] == "processing"


async def test_a_small_file_still_gets_one_put(env: Env) -> None:
    small = os.urandom(1000)
    upload = (await env.init(small, "small.jpg"))["items"][0]["upload"]
    assert upload["method"] == "PUT" and "parts" not in upload


async def test_an_interrupted_upload_resumes_from_the_parts_that_arrived(env: Env, tmp_path: Path) -> None:
    first = await env.init()
    item = first["items"][0]
    sent = await env.send(item["upload"], [1])
    listed = (await env.parts(first["batch_id"], item["upload_id"])).json()
    assert [p["number"] for p in listed["parts"]] == [1] and listed["part_count"] == 3
    assert listed["parts"][0]["etag"] == sent[1].strip('"') and listed["parts"][0]["size"] == PART

    # The client died; it sends the same file again: same upload, new URLs, part 1 kept.
    second = await env.init()
    again = second["items"][0]
    assert (again["upload_id"], again["photo_id"]) == (item["upload_id"], item["photo_id"])
    resp = await env.parts(second["batch_id"], again["upload_id"])
    assert resp.status_code == 200 and [p["number"] for p in resp.json()["parts"]] == [1]
    rest = await env.send(again["upload"], [2, 3])
    done = await env.complete(second["batch_id"], {again["upload_id"]: named({**sent, **rest})})
    assert done.status_code == 200 and done.json()["items"][0]["status"] == "processing"
    assert await stored(env, item["photo_id"], tmp_path) == DATA


async def test_a_wrong_etag_or_a_missing_part_is_refused_and_nothing_changes(env: Env, tmp_path: Path) -> None:
    body = await env.init()
    item = body["items"][0]
    etags = await env.send(item["upload"], [1, 2])
    cases = [
        ({**etags, 3: '"' + "0" * 32 + '"'}, "part_missing"),
        ({1: etags[1], 2: "0" * 32, 3: "0" * 32}, "part_etag_mismatch"),
        ({1: etags[1], 2: etags[2]}, "parts_incomplete"),
    ]
    for parts, code in cases:
        resp = await env.complete(body["batch_id"], {item["upload_id"]: named(parts)})
        assert resp.status_code == 422, resp.text
        assert resp.json()["code"] == code
    assert await stored(env, item["photo_id"], tmp_path) is None
    status = await env.client.get(f"/api/v1/uploads/{body['batch_id']}", headers=auth(env.token))
    assert status.json()["items"][0]["status"] == "pending"
    # The parts stayed: the last one completes it.
    etags |= await env.send(item["upload"], [3])
    assert (await env.complete(body["batch_id"], {item["upload_id"]: named(etags)})).status_code == 200
    assert await stored(env, item["photo_id"], tmp_path) == DATA


async def test_a_part_of_the_wrong_size_is_refused(env: Env) -> None:
    body = await env.init()
    item = body["items"][0]
    part = item["upload"]["parts"][0]
    resp = await env.put_part(part, DATA[: PART - 1])
    if env.backend == "minio":
        # This adapter cannot make storage refuse it (storage/minio.py): the part is stored,
        # not listed as received, and refused at complete.
        assert resp.status_code == 200
        etags = {1: resp.headers["etag"], **await env.send(item["upload"], [2, 3])}
        done = await env.complete(body["batch_id"], {item["upload_id"]: named(etags)})
        assert done.status_code == 422 and done.json()["code"] == "part_size_mismatch"
    else:
        assert resp.status_code in (403, 422)
    listed = (await env.parts(body["batch_id"], item["upload_id"])).json()["parts"]
    assert 1 not in [p["number"] for p in listed]


async def test_the_sweep_joins_what_a_client_sent_but_never_completed(env: Env, tmp_path: Path) -> None:
    body = await env.init()
    item = body["items"][0]
    await env.send(item["upload"], [1, 2, 3])
    counts = await env.client.app.state.services.sweep.sweep_pending(now=utcnow() + timedelta(minutes=2))
    assert counts["confirmed"] == 1
    assert await stored(env, item["photo_id"], tmp_path) == DATA


async def test_an_abandoned_upload_is_aborted_by_the_sweep(env: Env, tmp_path: Path) -> None:
    body = await env.init()
    item = body["items"][0]
    await env.send(item["upload"], [1, 2])
    services = env.client.app.state.services
    user_id = (await env.client.get("/api/v1/users/me", headers=auth(env.token))).json()["id"]
    key = original_key(user_id, item["photo_id"])
    assert len(await services.blobs.open_multiparts(key)) == 1
    counts = await services.sweep.sweep_pending(now=utcnow() + timedelta(days=8))
    assert counts["expired"] == 1
    assert await services.blobs.open_multiparts(key) == []  # no orphan parts left to pay for
    me = (await env.client.get("/api/v1/users/me", headers=auth(env.token))).json()
    assert me["used_bytes"] == 0  # the reservation went with it


async def test_bad_part_lists_and_strangers_are_refused(env: Env) -> None:
    body = await env.init()
    item = body["items"][0]
    batch, upload_id = body["batch_id"], item["upload_id"]
    small = await env.init(os.urandom(1000), "small.jpg")
    resp = await env.complete(small["batch_id"], {small["items"][0]["upload_id"]: [{"number": 1, "etag": "x"}]})
    assert resp.status_code == 422 and resp.json()["code"] == "not_multipart"
    assert (await env.parts(small["batch_id"], small["items"][0]["upload_id"])).status_code == 409
    resp = await env.complete(batch, {"up_nope": [{"number": 1, "etag": "x"}]})
    assert resp.status_code == 404 and resp.json()["code"] == "upload_not_found"
    resp = await env.complete(batch, {upload_id: [{"number": 0, "etag": "x"}]})
    assert resp.status_code == 400
    assert (await env.parts(batch, "up_nope")).status_code == 404
    other = (await register(env.client, email="eve@example.com", name="Eve"))["token"]
    resp = await env.client.get(f"/api/v1/uploads/{batch}/items/{upload_id}/parts", headers=auth(other))
    assert resp.status_code == 404


async def test_joined_bytes_with_another_sha256_are_rejected_before_the_photo_is_accepted(env: Env) -> None:
    # Parts of the right sizes and ETags, but not the bytes whose sha256 was declared.
    body = await env.init()
    item = body["items"][0]
    other = os.urandom(len(DATA))
    etags = await env.send(item["upload"], [1, 2, 3], data=other)
    done = await env.complete(body["batch_id"], {item["upload_id"]: named(etags)})
    assert done.json()["items"][0]["status"] == "processing"
    await env.client.app.state.services.runner.drain(within=120)
    status = await env.client.get(f"/api/v1/uploads/{body['batch_id']}", headers=auth(env.token))
    [upload] = status.json()["items"]
    assert upload["status"] == "rejected" and upload["reason"].startswith("checksum_mismatch")
    listed = await env.client.get("/api/v1/photos", headers=auth(env.token))
    assert listed.json()["items"] == []
