"""Albums over HTTP on both meta adapters (local storage): create, list, show, edit, cover and
order, add and remove with per-id results, the album's photo page, trash and deletion of
its photos, deleting an album, and bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from tests.api.helpers import auth, register, upload_files
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client

NAMES = ["flower.jpg", "starfish.jpg", "hopper.png"]
ALBUM_FIELDS = {
    "id", "name", "description", "owner", "role", "cover_photo_id", "cover_thumb_url", "photo_count",
    "start_at", "end_at", "order", "created_at", "updated_at", "members", "shared",
}  # fmt: skip


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def _library(client: AppClient, photos_dir: Path, email: str = "ada@example.com") -> tuple[str, list[str]]:
    token = (await register(client, email=email, name=email.split("@")[0].title()))["token"]
    _, items = await upload_files(client, token, [photos_dir / n for n in NAMES])
    await client.app.state.services.runner.drain(within=120)
    return token, [i["photo_id"] for i in items]


async def _dated(client: AppClient, token: str, ids: list[str]) -> None:
    """Give the photos distinct days, oldest first: ids[0] is the oldest."""
    for day, photo_id in enumerate(ids, start=1):
        body = {"taken_at": f"2019-07-{day:02d}T12:00:00+01:00"}
        assert (await client.patch(f"/api/v1/photos/{photo_id}", json=body, headers=auth(token))).status_code == 200


async def _album(client: AppClient, token: str, album_id: str) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/albums/{album_id}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _in_album(client: AppClient, token: str, album_id: str, limit: int = 200) -> list[str]:
    ids: list[str] = []
    cursor = ""
    while True:
        page = await client.get(f"/api/v1/albums/{album_id}/photos?limit={limit}{cursor}", headers=auth(token))
        assert page.status_code == 200, page.text
        ids += [p["id"] for p in page.json()["items"]]
        if page.json()["next_cursor"] is None:
            return ids
        cursor = f"&cursor={page.json()['next_cursor']}"


async def test_an_album_is_created_listed_shown_and_named_on_its_photos(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    await _dated(client, token, ids)
    resp = await client.post(
        "/api/v1/albums",
        json={"name": "  Portugal 2019 ", "description": "Beach", "photo_ids": ids[:2]},
        headers=auth(token),
    )
    assert resp.status_code == 201, resp.text
    album = resp.json()
    assert set(album) >= ALBUM_FIELDS and album["errors"] == []
    assert album["name"] == "Portugal 2019" and album["description"] == "Beach"
    assert album["owner"]["display_name"] == "Ada" and album["role"] == "owner"
    assert album["photo_count"] == 2 and album["members"] == [] and album["shared"] is False
    assert album["start_at"].startswith("2019-07-01T11:00") and album["end_at"].startswith("2019-07-02T11:00")
    assert album["cover_photo_id"] == ids[1] and album["cover_thumb_url"] and album["order"] == "newest"
    assert await _album(client, token, album["id"]) == {k: v for k, v in album.items() if k != "errors"}
    for which in ("owned", "all"):
        listed = (await client.get(f"/api/v1/albums?filter={which}", headers=auth(token))).json()
        assert [a["id"] for a in listed["items"]] == [album["id"]] and listed["next_cursor"] is None
    shared = (await client.get("/api/v1/albums?filter=shared", headers=auth(token))).json()
    assert shared == {"items": [], "next_cursor": None}
    one = (await client.get(f"/api/v1/photos/{ids[0]}", headers=auth(token))).json()
    assert one["albums"] == [album["id"]]
    timeline = (await client.get("/api/v1/photos?limit=10", headers=auth(token))).json()["items"]
    assert {p["id"]: p["albums"] for p in timeline} == {ids[0]: [album["id"]], ids[1]: [album["id"]], ids[2]: []}
    # a photo in many albums
    other = await client.post("/api/v1/albums", json={"name": "Best of", "photo_ids": [ids[0]]}, headers=auth(token))
    one = (await client.get(f"/api/v1/photos/{ids[0]}", headers=auth(token))).json()
    assert sorted(one["albums"]) == sorted([album["id"], other.json()["id"]])
    page = (await client.get("/api/v1/albums?limit=1", headers=auth(token))).json()
    assert [a["id"] for a in page["items"]] == [other.json()["id"]] and page["next_cursor"]
    rest = (await client.get(f"/api/v1/albums?limit=1&cursor={page['next_cursor']}", headers=auth(token))).json()
    assert [a["id"] for a in rest["items"]] == [album["id"]] and rest["next_cursor"] is None


async def test_adds_and_removes_answer_per_id_and_the_page_follows_the_albums_order(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    bob, bob_ids = await _library(client, photos_dir, email="bob@example.com")
    await _dated(client, token, ids)
    synced = (await client.get("/api/v1/sync/changes", headers=auth(token))).json()["next"]
    album = (await client.post("/api/v1/albums", json={"name": "Trip"}, headers=auth(token))).json()
    assert album["photo_count"] == 0 and album["cover_photo_id"] is None and album["start_at"] is None
    url = f"/api/v1/albums/{album['id']}/photos"
    added = await client.post(url, json={"ids": [ids[0], ids[1], bob_ids[0], "p_nope"]}, headers=auth(token))
    assert added.status_code == 200, added.text
    assert added.json() == {
        "added": [ids[0], ids[1]],
        "already": [],
        "errors": [{"id": bob_ids[0], "code": "photo_not_found"}, {"id": "p_nope", "code": "photo_not_found"}],
    }
    changes = (await client.get(f"/api/v1/sync/changes?since={synced}", headers=auth(token))).json()
    assert {p["id"]: p["albums"] for p in changes["changed"]} == {ids[0]: [album["id"]], ids[1]: [album["id"]]}
    again = (await client.post(url, json={"ids": ids}, headers=auth(token))).json()
    assert again == {"added": [ids[2]], "already": [ids[0], ids[1]], "errors": []}
    assert (await client.get(f"/api/v1/photos/{bob_ids[0]}", headers=auth(bob))).json()["albums"] == []
    assert await _in_album(client, token, album["id"], limit=1) == [ids[2], ids[1], ids[0]]
    edited = await client.patch(f"/api/v1/albums/{album['id']}", json={"order": "oldest"}, headers=auth(token))
    assert edited.status_code == 200 and edited.json()["order"] == "oldest"
    assert await _in_album(client, token, album["id"], limit=2) == [ids[0], ids[1], ids[2]]
    page = (await client.get(f"{url}?limit=1", headers=auth(token))).json()
    assert page["items"][0]["thumb_url"] and page["items"][0]["albums"] == [album["id"]]
    removed = await client.post(f"{url}/remove", json={"ids": [ids[1], bob_ids[1], ids[1]]}, headers=auth(token))
    assert removed.json() == {"removed": [ids[1]], "errors": [{"id": bob_ids[1], "code": "photo_not_found"}]}
    twice = (await client.post(f"{url}/remove", json={"ids": [ids[1]]}, headers=auth(token))).json()
    assert twice == {"removed": [], "errors": [{"id": ids[1], "code": "not_in_album"}]}
    assert (await _album(client, token, album["id"]))["photo_count"] == 2
    assert (await client.get(f"/api/v1/photos/{ids[1]}", headers=auth(token))).status_code == 200  # the photo stays


async def test_trash_archive_deletion_and_deleting_the_album(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    await _dated(client, token, ids)
    album = (await client.post("/api/v1/albums", json={"name": "All", "photo_ids": ids}, headers=auth(token))).json()
    cover = await client.patch(f"/api/v1/albums/{album['id']}", json={"cover_photo_id": ids[0]}, headers=auth(token))
    assert cover.json()["cover_photo_id"] == ids[0]
    await client.patch("/api/v1/photos", json={"ids": [ids[1]], "archived": True}, headers=auth(token))
    assert await _in_album(client, token, album["id"]) == [ids[2], ids[1], ids[0]]  # archived stays
    await client.post("/api/v1/photos/trash", json={"ids": [ids[0], ids[2]]}, headers=auth(token))
    shown = await _album(client, token, album["id"])
    assert await _in_album(client, token, album["id"]) == [ids[1]]
    assert shown["photo_count"] == 1 and shown["cover_photo_id"] == ids[1]  # the trashed cover gave way
    assert shown["start_at"] == shown["end_at"]
    await client.post("/api/v1/trash/restore", json={"ids": [ids[0]]}, headers=auth(token))
    shown = await _album(client, token, album["id"])
    assert shown["photo_count"] == 2 and shown["cover_photo_id"] == ids[0]  # back, and the cover again
    await client.post("/api/v1/trash/delete", json={"ids": [ids[2]]}, headers=auth(token))
    await client.app.state.services.runner.drain(within=60)
    await client.post("/api/v1/trash/restore", json={}, headers=auth(token))
    assert await _in_album(client, token, album["id"]) == [ids[1], ids[0]]  # deleted for good: out of the album
    assert (await client.delete(f"/api/v1/albums/{album['id']}", headers=auth(token))).status_code == 204
    assert (await client.get(f"/api/v1/albums/{album['id']}", headers=auth(token))).status_code == 404
    photos = (await client.get("/api/v1/photos?archived=include", headers=auth(token))).json()["items"]
    assert {p["id"] for p in photos} == {ids[0], ids[1]} and all(p["albums"] == [] for p in photos)


async def test_bad_input_is_refused_and_changes_nothing(client, photos_dir: Path) -> None:
    token, ids = await _library(client, photos_dir)
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    album = (
        await client.post("/api/v1/albums", json={"name": "Mine", "photo_ids": ids[:1]}, headers=auth(token))
    ).json()
    base = f"/api/v1/albums/{album['id']}"
    # another user's album is no album: 404 on every route
    for resp in (
        await client.get(base, headers=auth(bob)),
        await client.patch(base, json={"name": "Bob's"}, headers=auth(bob)),
        await client.delete(base, headers=auth(bob)),
        await client.get(f"{base}/photos", headers=auth(bob)),
        await client.post(f"{base}/photos", json={"ids": ids}, headers=auth(bob)),
        await client.post(f"{base}/photos/remove", json={"ids": ids[:1]}, headers=auth(bob)),
        await client.get("/api/v1/albums/al_nothing", headers=auth(token)),
    ):
        assert resp.status_code == 404 and resp.json()["code"] == "album_not_found", resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/api/v1/albums", headers=auth(bob))).json()["items"] == []
    too_many = [ids[1]] + [f"p_{n}" for n in range(1000)]
    for path in (f"{base}/photos", f"{base}/photos/remove"):
        resp = await client.post(path, json={"ids": too_many}, headers=auth(token))
        assert resp.status_code == 422 and resp.json()["code"] == "too_many_ids"
    resp = await client.post("/api/v1/albums", json={"name": "Big", "photo_ids": too_many}, headers=auth(token))
    assert resp.status_code == 422 and resp.json()["code"] == "too_many_ids"
    for name in ("", "   ", "x" * 201, "tab\there", "bell\x07"):
        resp = await client.post("/api/v1/albums", json={"name": name}, headers=auth(token))
        assert resp.status_code == 422 and resp.json()["code"] == "invalid_album_name", name
        resp = await client.patch(base, json={"name": name}, headers=auth(token))
        assert resp.status_code == 422 and resp.json()["code"] == "invalid_album_name", name
    for text in ("x" * 2001, "bell\x07"):
        resp = await client.post("/api/v1/albums", json={"name": "Ok", "description": text}, headers=auth(token))
        assert resp.status_code == 422 and resp.json()["code"] == "invalid_description", repr(text)
        resp = await client.patch(base, json={"description": text}, headers=auth(token))
        assert resp.status_code == 422 and resp.json()["code"] == "invalid_description", repr(text)
    resp = await client.patch(base, json={"cover_photo_id": ids[2]}, headers=auth(token))  # not in the album
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_cover"
    resp = await client.patch(base, json={"order": "random"}, headers=auth(token))
    assert resp.status_code == 400
    resp = await client.patch(base, json={"title": "x"}, headers=auth(token))
    assert resp.status_code == 400
    resp = await client.get(f"{base}/photos?cursor=garbage", headers=auth(token))
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_cursor"
    assert (await client.get("/api/v1/albums", headers=auth(token))).json()["items"][0]["name"] == "Mine"
    after = await _album(client, token, album["id"])
    assert after["name"] == "Mine" and after["photo_count"] == 1 and after["cover_photo_id"] == ids[0]
    assert after["updated_at"] == album["updated_at"]
