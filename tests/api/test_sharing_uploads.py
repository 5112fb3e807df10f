"""``POST /uploads {files, album_id}`` on both meta adapters: the photos join the album once
they are listed (a duplicate at once, a new photo on arrival), stay the uploader's and on
their quota; an album the uploader may not add to refuses the batch and creates nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from tests.api.helpers import auth, content_type_of, file_spec, put_presigned, register
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def user(client: AppClient, name: str) -> str:
    token: str = (await register(client, email=f"{name.lower()}@example.com", name=name))["token"]
    return token


async def new_album(client: AppClient, token: str, name: str = "Holiday") -> str:
    resp = await client.post("/api/v1/albums", json={"name": name}, headers=auth(token))
    assert resp.status_code == 201, resp.text
    album_id: str = resp.json()["id"]
    return album_id


async def upload_into(client: AppClient, token: str, paths: list[Path], album_id: str | None) -> list[dict[str, Any]]:
    """Init (with ``album_id``), PUT, complete, process; complete's items."""
    body: dict[str, Any] = {"files": [file_spec(p, content_type_of(p)) for p in paths]}
    if album_id is not None:
        body["album_id"] = album_id
    resp = await client.post("/api/v1/uploads", json=body, headers=auth(token))
    assert resp.status_code == 201, resp.text
    init = resp.json()
    for item, path in zip(init["items"], paths, strict=True):
        if item["status"] == "upload":
            assert await put_presigned(client, item["upload"], path.read_bytes()) == 200
    done = await client.post(f"/api/v1/uploads/{init['batch_id']}/complete", json={}, headers=auth(token))
    assert done.status_code == 200, done.text
    await client.app.state.services.runner.drain(within=120)
    items: list[dict[str, Any]] = init["items"]
    return items


async def album_ids(client: AppClient, token: str, album_id: str) -> list[str]:
    resp = await client.get(f"/api/v1/albums/{album_id}/photos?limit=200", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return [p["id"] for p in resp.json()["items"]]


async def me(client: AppClient, token: str) -> dict[str, Any]:
    resp = await client.get("/api/v1/users/me", headers=auth(token))
    assert resp.status_code == 200
    body: dict[str, Any] = resp.json()
    return body


async def test_uploaded_photos_join_the_album_and_a_duplicate_joins_at_once(client, photos_dir: Path) -> None:
    ada = await user(client, "Ada")
    album = await new_album(client, ada)
    first = await upload_into(client, ada, [photos_dir / "flower.jpg", photos_dir / "hopper.png"], album)
    ids = {i["photo_id"] for i in first}
    assert set(await album_ids(client, ada, album)) == ids
    shown = (await client.get(f"/api/v1/albums/{album}", headers=auth(ada))).json()
    assert shown["photo_count"] == 2
    # A photo already in the library, sent again into a second album: duplicate, and it joins.
    other = await new_album(client, ada, "Flowers")
    again = await upload_into(client, ada, [photos_dir / "flower.jpg"], other)
    assert again[0]["status"] == "duplicate"
    assert await album_ids(client, ada, other) == [again[0]["photo_id"]]
    photo = (await client.get(f"/api/v1/photos/{again[0]['photo_id']}", headers=auth(ada))).json()
    assert sorted(photo["albums"]) == sorted([album, other])


async def test_complete_again_keeps_each_photo_in_the_album_once(client, photos_dir: Path) -> None:
    ada = await user(client, "Ada")
    album = await new_album(client, ada)
    path = photos_dir / "starfish.jpg"
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(path)], "album_id": album}, headers=auth(ada))
    init = resp.json()
    assert await album_ids(client, ada, album) == []  # pending: not listed yet
    assert await put_presigned(client, init["items"][0]["upload"], path.read_bytes()) == 200
    for _ in range(2):
        done = await client.post(f"/api/v1/uploads/{init['batch_id']}/complete", json={}, headers=auth(ada))
        assert done.status_code == 200
    assert await album_ids(client, ada, album) == [init["items"][0]["photo_id"]]


async def test_an_album_the_uploader_may_not_see_refuses_the_batch_and_creates_nothing(
    client, photos_dir: Path
) -> None:
    ada, bob = await user(client, "Ada"), await user(client, "Bob")
    album = await new_album(client, ada)
    spec = file_spec(photos_dir / "flower.jpg")
    for album_id in (album, "al_missing"):
        resp = await client.post("/api/v1/uploads", json={"files": [spec], "album_id": album_id}, headers=auth(bob))
        assert resp.status_code == 404, resp.text
        assert resp.json()["code"] == "album_not_found"
    assert (await client.get("/api/v1/uploads", headers=auth(bob))).json()["items"] == []
    assert (await me(client, bob))["used_bytes"] == 0
    assert (await client.get("/api/v1/photos", headers=auth(bob))).json()["items"] == []
