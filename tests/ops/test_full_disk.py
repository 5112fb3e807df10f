"""A full or read-only disk answers 503 with Retry-After, and the server recovers when it is fixed.

Real disks: a small tmpfs under ``tmp_path`` holds the data folder (SQLite, photos, secret),
filled up with a real file, then freed. No mocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from tests.api.helpers import auth, file_spec, local_path, put_presigned, register
from tests.asgi import AppClient, app_client
from tests.conftest import make_settings
from tests.ops.disks import SmallDisk, small_disk


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk", "8m") as mounted:
        yield mounted


def assert_503(resp: Any) -> None:
    assert resp.status_code == 503, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert int(resp.headers["retry-after"]) > 0
    assert resp.json()["code"] in ("meta_unavailable", "storage_unavailable")


async def init_upload(client: AppClient, token: str, path: Path) -> Any:
    return await client.post("/api/v1/uploads", json={"files": [file_spec(path)]}, headers=auth(token))


async def try_register(client: AppClient, email: str) -> Any:
    body = {"email": email, "password": "correct horse battery", "display_name": "Bo"}
    return await client.post("/api/v1/auth/register", json=body)


async def test_a_full_disk_answers_503_and_the_server_recovers(
    disk: SmallDisk, tmp_path: Path, photos_dir: Path
) -> None:
    settings = make_settings(tmp_path, server={"data_dir": str(disk.path / "data")})
    photos = [photos_dir / "Landscape_1.jpg", photos_dir / "Landscape_2.jpg"]
    async with app_client(create_app(settings)) as client:
        ada = await register(client)
        token = ada["token"]
        first = await init_upload(client, token, photos[0])
        assert first.status_code == 201, first.text
        upload = first.json()["items"][0]["upload"]

        disk.fill()
        assert_503(await try_register(client, "bo@example.com"))
        assert_503(await init_upload(client, token, photos[1]))
        resp = await client.request(
            upload["method"], local_path(upload["url"]), content=photos[0].read_bytes(), headers=upload["headers"]
        )
        assert_503(resp)

        disk.free()
        again = await try_register(client, "bo@example.com")
        assert again.status_code == 201, again.text
        second = await init_upload(client, token, photos[1])
        assert second.status_code == 201, second.text
        assert await put_presigned(client, upload, photos[0].read_bytes()) == 200
        me = await client.get("/api/v1/users/me", headers=auth(token))
        assert me.status_code == 200


async def test_a_read_only_photo_folder_answers_503_and_recovers(
    disk: SmallDisk, tmp_path: Path, photos_dir: Path
) -> None:
    settings = make_settings(tmp_path, local={"root": str(disk.path / "photos")})
    photo = photos_dir / "Landscape_1.jpg"
    async with app_client(create_app(settings)) as client:
        token = (await register(client))["token"]
        first = await init_upload(client, token, photo)
        assert first.status_code == 201, first.text
        upload = first.json()["items"][0]["upload"]

        disk.read_only()
        resp = await client.request(
            upload["method"], local_path(upload["url"]), content=photo.read_bytes(), headers=upload["headers"]
        )
        assert_503(resp)

        disk.writable()
        assert await put_presigned(client, upload, photo.read_bytes()) == 200
        done = await client.post(f"/api/v1/uploads/{first.json()['batch_id']}/complete", json={}, headers=auth(token))
        assert done.status_code == 200 and done.json()["items"][0]["status"] == "processing"
