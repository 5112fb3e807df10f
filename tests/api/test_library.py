"""The library over HTTP on both meta adapters (local storage): flags, corrections, trash,
permanent deletion, sync."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auroravault.app import create_app
from auroravault.services.sync import decode_token, encode_token
from tests.api.helpers import auth, file_spec, local_path, put_presigned, register, upload_files
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


NAMES = ["flower.jpg", "starfish.jpg", "hopper.png"]


async def _library(client, photos_dir: Path, email: str = "ada@example.com") -> tuple[str, list[str]]:
    token = (await register(client, email=email))["token"]
    _, items = await upload_files(client, token, [photos_dir / n for n in NAMES])
    await client.app.state.services.runner.drain(within=120)
    return token, [i["photo_id"] for i in items]


async def _ids(client, token: str, query: str = "") -> list[str]:
    page = (await client.get(f"/api/v1/photos?limit=200{query}", headers=auth(token))).json()
    return [p["id"] for p in page["items"]]


async def test_favorites_and_archive_are_per_viewer_and_filter_the_timeline(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    resp = await client.patch(f"/api/v1/photos/{ids[0]}", json={"favorite": True}, headers=auth(token))
    assert resp.status_code == 200, resp.text
    assert resp.json()["favorite"] is True and resp.json()["archived"] is False
    bulk = await client.patch("/api/v1/photos", json={"ids": [ids[1], "p_nope"], "archived": True}, headers=auth(token))
    assert bulk.json() == {"updated": [ids[1]], "errors": [{"id": "p_nope", "code": "photo_not_found"}]}
    assert await _ids(client, token, "&favorite=true") == [ids[0]]
    assert set(await _ids(client, token)) == {ids[0], ids[2]}
    assert await _ids(client, token, "&archived=only") == [ids[1]]
    assert set(await _ids(client, token, "&archived=include")) == set(ids)
    months = (await client.get("/api/v1/timeline", headers=auth(token))).json()
    assert sum(m["count"] for m in months) == 2
    photo = (await client.get(f"/api/v1/photos/{ids[1]}", headers=auth(token))).json()
    assert photo["archived"] is True and photo["albums"] == [] and photo["media_type"] == "image"


async def test_another_users_ids_are_reported_per_id_and_nothing_changes(client, photos_dir: Path) -> None:
    ada, ada_ids = await _library(client, photos_dir)
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    resp = await client.post("/api/v1/photos/trash", json={"ids": ada_ids[:2]}, headers=auth(bob))
    assert resp.status_code == 200
    assert resp.json() == {"trashed": [], "errors": [{"id": i, "code": "photo_not_found"} for i in ada_ids[:2]]}
    resp = await client.patch(f"/api/v1/photos/{ada_ids[0]}", json={"description": "mine"}, headers=auth(bob))
    assert resp.status_code == 404 and resp.json()["code"] == "photo_not_found"
    assert set(await _ids(client, ada)) == set(ada_ids)
    assert (await client.get(f"/api/v1/photos/{ada_ids[0]}", headers=auth(ada))).json()["description"] is None


async def test_bad_bulk_and_edit_input_is_refused_whole(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    too_many = [ids[0]] + [f"p_{n}" for n in range(1000)]
    resp = await client.post("/api/v1/photos/trash", json={"ids": too_many}, headers=auth(token))
    assert resp.status_code == 422 and resp.json()["code"] == "too_many_ids"
    resp = await client.patch("/api/v1/photos", json={"ids": too_many, "favorite": True}, headers=auth(token))
    assert resp.status_code == 422 and resp.json()["code"] == "too_many_ids"
    bad_date = await client.patch(
        f"/api/v1/photos/{ids[0]}", json={"taken_at": "2024-02-30T10:00:00+00:00"}, headers=auth(token)
    )
    assert bad_date.status_code == 422 and bad_date.json()["code"] == "invalid_taken_at"
    unknown = await client.patch(f"/api/v1/photos/{ids[0]}", json={"favourite": True}, headers=auth(token))
    assert unknown.status_code == 400 and unknown.headers["content-type"].startswith("application/problem+json")
    for text in ("x" * 2001, "bell\x07", "esc\x1b[31m", "c1\x85"):
        resp = await client.patch(f"/api/v1/photos/{ids[0]}", json={"description": text}, headers=auth(token))
        assert resp.status_code == 422 and resp.json()["code"] == "invalid_description", repr(text)
    assert (await client.get("/api/v1/trash", headers=auth(token))).json()["items"] == []
    photo = (await client.get(f"/api/v1/photos/{ids[0]}", headers=auth(token))).json()
    assert photo["favorite"] is False and photo["taken_at_source"] != "owner"
    assert photo["description"] is None
    lines = await client.patch(f"/api/v1/photos/{ids[0]}", json={"description": " a\n\tb "}, headers=auth(token))
    assert lines.status_code == 200 and lines.json()["description"] == "a\n\tb"


async def test_owner_corrections_keep_the_exif_values_beside(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    before = (await client.get(f"/api/v1/photos/{ids[0]}", headers=auth(token))).json()
    body = {"taken_at": "1999-12-31T23:00:00+01:00", "location": {"lat": 48.85, "lon": 2.35}, "description": "Paris"}
    after = (await client.patch(f"/api/v1/photos/{ids[0]}", json=body, headers=auth(token))).json()
    assert after["taken_at"] == "1999-12-31T23:00:00+01:00" and after["taken_at_source"] == "owner"
    assert after["location"] == {"lat": 48.85, "lon": 2.35, "alt": None} and after["description"] == "Paris"
    assert after["exif_taken_at"] == (before["taken_at"] if before["taken_at_source"].startswith("exif") else None)
    assert after["exif_location"] == before["location"]
    months = (await client.get("/api/v1/timeline", headers=auth(token))).json()
    assert {"month": "1999-12", "count": 1} in months


async def test_trash_restore_and_delete_for_good(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    services = client.app.state.services
    used = (await client.get("/api/v1/users/me", headers=auth(token))).json()["used_bytes"]
    resp = await client.post("/api/v1/photos/trash", json={"ids": ids[:2]}, headers=auth(token))
    assert resp.json() == {"trashed": ids[:2], "errors": []}
    assert await _ids(client, token, "&archived=include") == [ids[2]]
    assert (await client.get(f"/api/v1/photos/{ids[0]}", headers=auth(token))).status_code == 404
    assert (await client.get(f"/api/v1/photos/{ids[0]}/original", headers=auth(token))).status_code == 404
    trash = (await client.get("/api/v1/trash", headers=auth(token))).json()
    assert {p["id"] for p in trash["items"]} == set(ids[:2]) and all(p["trashed_at"] for p in trash["items"])
    assert (await client.get("/api/v1/users/me", headers=auth(token))).json()["used_bytes"] == used  # still counted
    restored = await client.post("/api/v1/trash/restore", json={"ids": [ids[0]]}, headers=auth(token))
    assert restored.json() == {"restored": [ids[0]], "errors": []}
    deleted = await client.post("/api/v1/trash/delete", json={}, headers=auth(token))
    assert deleted.json() == {"deleted": [ids[1]], "errors": []}
    await services.runner.drain(within=60)
    me = (await client.get("/api/v1/users/me", headers=auth(token))).json()
    gone = (photos_dir / NAMES[1]).stat().st_size
    assert me["used_bytes"] == used - gone and me["photo_count"] == 2
    assert [o.key async for o in services.blobs.list(f"{me['id']}/{ids[1]}/")] == []
    assert (await client.get("/api/v1/trash", headers=auth(token))).json()["items"] == []
    sha = hashlib.sha256((photos_dir / NAMES[1]).read_bytes()).hexdigest()
    check = (await client.post("/api/v1/uploads/check", json={"sha256": [sha]}, headers=auth(token))).json()
    assert check["deleted"] == [sha] and check["existing"] == {}
    # Its bytes upload again as a new photo.
    _, [again] = await upload_files(client, token, [photos_dir / NAMES[1]])
    assert again["photo_id"] != ids[1] and again["status"] == "processing"


async def test_uploading_a_trashed_photos_bytes_restores_it(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    await client.post("/api/v1/photos/trash", json={"ids": [ids[0]]}, headers=auth(token))
    sha = hashlib.sha256((photos_dir / NAMES[0]).read_bytes()).hexdigest()
    check = (await client.post("/api/v1/uploads/check", json={"sha256": [sha]}, headers=auth(token))).json()
    assert check["trashed"] == {sha: ids[0]} and check["existing"] == {}
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(photos_dir / NAMES[0])]}, headers=auth(token))
    assert resp.json()["items"][0]["status"] == "duplicate" and resp.json()["items"][0]["photo_id"] == ids[0]
    assert ids[0] in await _ids(client, token)


async def test_a_file_without_a_capture_date_takes_its_modified_time(client, photos_dir: Path) -> None:
    token = (await register(client))["token"]
    path = photos_dir / "hopper.png"  # no EXIF date
    spec = file_spec(path, "image/png", file_modified_at="2011-07-04T12:00:00+00:00")
    resp = await client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(token))
    item = resp.json()["items"][0]
    assert await put_presigned(client, item["upload"], path.read_bytes()) == 200
    await client.post(f"/api/v1/uploads/{resp.json()['batch_id']}/complete", json={}, headers=auth(token))
    await client.app.state.services.runner.drain(within=120)
    photo = (await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))).json()
    assert photo["status"] == "ready"
    assert datetime.fromisoformat(photo["taken_at"]) == datetime(2011, 7, 4, 12, tzinfo=UTC)
    assert {"month": "2011-07", "count": 1} in (await client.get("/api/v1/timeline", headers=auth(token))).json()


async def test_sync_changes_catch_a_cache_up_deletions_included(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    first = (await client.get("/api/v1/sync/changes", headers=auth(token))).json()
    assert {p["id"] for p in first["changed"]} == set(ids) and first["deleted"] == []
    quiet = (await client.get(f"/api/v1/sync/changes?since={first['next']}", headers=auth(token))).json()
    assert quiet["changed"] == [] and quiet["deleted"] == []
    await client.patch(f"/api/v1/photos/{ids[0]}", json={"favorite": True}, headers=auth(token))
    await client.post("/api/v1/photos/trash", json={"ids": [ids[1]]}, headers=auth(token))
    await client.post("/api/v1/trash/delete", json={"ids": [ids[1]]}, headers=auth(token))
    await client.app.state.services.runner.drain(within=60)
    later = (await client.get(f"/api/v1/sync/changes?since={quiet['next']}", headers=auth(token))).json()
    assert [(p["id"], p["favorite"]) for p in later["changed"]] == [(ids[0], True)]
    assert later["deleted"] == [ids[1]]
    bad = await client.get("/api/v1/sync/changes?since=garbage", headers=auth(token))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_sync_token"


async def test_the_owner_sees_thumbnails_and_previews_in_the_trash_and_nobody_else_does(
    client, photos_dir: Path
) -> None:
    ada, ids = await _library(client, photos_dir)
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    await client.post("/api/v1/photos/trash", json={"ids": [ids[0]]}, headers=auth(ada))
    [item] = (await client.get("/api/v1/trash", headers=auth(ada))).json()["items"]
    assert item["id"] == ids[0] and item["thumb_url"]
    thumb = await client.get(local_path(item["thumb_url"]))
    assert thumb.status_code == 200 and thumb.content[8:12] == b"WEBP"
    preview = await client.get(f"/api/v1/trash/{ids[0]}/preview", headers=auth(ada))
    assert preview.status_code == 200 and preview.content[:3] == b"\xff\xd8\xff"  # a JPEG
    # Outside the trash the trashed photo is still hidden, and to Bob it is nowhere.
    assert (await client.get(f"/api/v1/photos/{ids[0]}/thumb", headers=auth(ada))).status_code == 404
    for path in (f"/api/v1/trash/{ids[0]}/thumb", f"/api/v1/trash/{ids[0]}/preview", f"/api/v1/photos/{ids[0]}/thumb"):
        resp = await client.get(path, headers=auth(bob))
        assert resp.status_code == 404 and resp.json()["code"] == "photo_not_found"
    assert (await client.get("/api/v1/trash", headers=auth(bob))).json()["items"] == []
    # A photo not in the trash has no trash files, even for its owner.
    assert (await client.get(f"/api/v1/trash/{ids[1]}/thumb", headers=auth(ada))).status_code == 404


async def test_a_sync_token_older_than_the_feed_keeps_is_410_sync_expired(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    me = (await client.get("/api/v1/users/me", headers=auth(token))).json()
    first = (await client.get("/api/v1/sync/changes", headers=auth(token))).json()
    days = client.app.state.services.settings.library.changes_days
    position = decode_token(me["id"], first["next"], datetime.min.replace(tzinfo=UTC))
    old = encode_token(me["id"], position, datetime.now(UTC) - timedelta(days=days + 1))
    resp = await client.get(f"/api/v1/sync/changes?since={old}", headers=auth(token))
    assert resp.status_code == 410 and resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "sync_expired"
    recent = encode_token(me["id"], position, datetime.now(UTC) - timedelta(days=days - 1))
    assert (await client.get(f"/api/v1/sync/changes?since={recent}", headers=auth(token))).status_code == 200
    again = (await client.get("/api/v1/sync/changes", headers=auth(token))).json()  # from the start
    assert {p["id"] for p in again["changed"]} == set(ids)
