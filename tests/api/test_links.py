"""Share links over HTTP on both meta adapters: the owner's /links and the visitor's /public
(creating, options, password and unlock tokens, metadata hidden, revocation, uploads through a link)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from PIL import Image

from auroravault.app import create_app
from auroravault.timeutil import to_iso, utcnow
from tests.api.helpers import auth, file_spec, local_path, put_presigned, register, upload_files
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client

NAMES = ["starfish.jpg", "flower.jpg", "hopper.png"]
LINK_FIELDS = {
    "id", "key", "url", "kind", "album_id", "photo_ids", "expires_at", "expired", "has_password",
    "allow_download", "allow_upload", "show_metadata", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def library(client: AppClient, photos_dir: Path, email: str = "ada@example.com") -> tuple[str, list[str]]:
    token = (await register(client, email=email, name=email.split("@")[0].title()))["token"]
    _, items = await upload_files(client, token, [photos_dir / n for n in NAMES])
    await client.app.state.services.runner.drain(within=120)
    return token, [i["photo_id"] for i in items]


async def album_of(client: AppClient, token: str, ids: list[str], name: str = "Beach") -> str:
    resp = await client.post("/api/v1/albums", json={"name": name, "photo_ids": ids}, headers=auth(token))
    assert resp.status_code == 201, resp.text
    album_id: str = resp.json()["id"]
    return album_id


async def make_link(client: AppClient, token: str, **body: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/links", json=body, headers=auth(token))
    assert resp.status_code == 201, resp.text
    link: dict[str, Any] = resp.json()
    return link


def visitor(link_token: str | None = None) -> dict[str, str]:
    return {"X-Link-Token": link_token} if link_token else {}


async def public_ids(client: AppClient, key: str, link_token: str | None = None) -> list[str]:
    resp = await client.get(f"/api/v1/public/{key}/photos?limit=1", headers=visitor(link_token))
    assert resp.status_code == 200, resp.text
    ids = [p["id"] for p in resp.json()["items"]]
    while resp.json()["next_cursor"]:
        resp = await client.get(
            f"/api/v1/public/{key}/photos?limit=1&cursor={resp.json()['next_cursor']}", headers=visitor(link_token)
        )
        ids += [p["id"] for p in resp.json()["items"]]
    return ids


async def test_an_album_link_shows_the_album_to_a_visitor_without_an_account(client, photos_dir: Path) -> None:
    token, ids = await library(client, photos_dir)
    album_id = await album_of(client, token, ids[:2])
    link = await make_link(client, token, album_id=album_id)
    assert set(link) == LINK_FIELDS and link["kind"] == "album" and link["has_password"] is False
    assert link["url"] == f"http://testserver.local/#/s/{link['key']}" and len(link["key"]) >= 22
    assert link["allow_download"] and not link["allow_upload"] and link["show_metadata"]
    info = await client.get(f"/api/v1/public/{link['key']}")
    assert info.status_code == 200, info.text
    assert info.json() == {
        "kind": "album", "title": "Beach", "owner_name": "Ada", "requires_password": False, "locked": False,
        "allow_download": True, "allow_original": True, "allow_upload": False, "show_metadata": True,
        "expires_at": None,
    }  # fmt: skip
    assert sorted(await public_ids(client, link["key"])) == sorted(ids[:2])
    one = await client.get(f"/api/v1/public/{link['key']}/photos/{ids[0]}")
    assert one.status_code == 200 and one.json()["camera"]["model"] and one.json()["location"] is not None
    assert one.json()["thumb_url"] and "sha256" not in one.json()
    original = await client.get(f"/api/v1/public/{link['key']}/photos/{ids[0]}/original?redirect=false")
    assert original.status_code == 200
    got = await client.get(local_path(original.json()["url"]))
    assert got.status_code == 200 and got.content == (photos_dir / NAMES[0]).read_bytes()
    outside = await client.get(f"/api/v1/public/{link['key']}/photos/{ids[2]}")
    assert outside.status_code == 404 and outside.json()["code"] == "photo_not_found"
    # Trashed photos leave the link at once.
    assert (await client.post("/api/v1/photos/trash", json={"ids": [ids[1]]}, headers=auth(token))).status_code == 200
    assert await public_ids(client, link["key"]) == [ids[0]]
    gone = await client.get(f"/api/v1/public/{link['key']}/photos/{ids[1]}/thumb")
    assert gone.status_code == 404 and gone.json()["code"] == "photo_not_found"


async def test_a_selection_link_covers_only_its_photos(client, photos_dir: Path) -> None:
    token, ids = await library(client, photos_dir)
    link = await make_link(client, token, photo_ids=[ids[0], ids[2]], allow_download=False)
    assert link["kind"] == "selection" and link["photo_ids"] == [ids[0], ids[2]]
    assert sorted(await public_ids(client, link["key"])) == sorted([ids[0], ids[2]])
    info = (await client.get(f"/api/v1/public/{link['key']}")).json()
    assert info["title"] == "Photos from Ada" and info["allow_download"] is False
    assert (await client.get(f"/api/v1/public/{link['key']}/photos/{ids[1]}")).status_code == 404
    refused = await client.get(f"/api/v1/public/{link['key']}/photos/{ids[0]}/original")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    preview = await client.get(f"/api/v1/public/{link['key']}/photos/{ids[0]}/preview?redirect=false")
    assert preview.status_code == 200


async def test_only_your_own_album_or_photos_get_a_link(client, photos_dir: Path) -> None:
    ada, ada_ids = await library(client, photos_dir)
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    album_id = await album_of(client, ada, ada_ids[:1])
    cases = [
        ({"album_id": album_id}, 404, "album_not_found"),
        ({"photo_ids": [ada_ids[0]]}, 404, "photo_not_found"),
        ({}, 422, "link_target"),
        ({"album_id": album_id, "photo_ids": ada_ids}, 422, "link_target"),
    ]
    for body, status, code in cases:
        resp = await client.post("/api/v1/links", json=body, headers=auth(bob))
        assert (resp.status_code, resp.json()["code"]) == (status, code), body
    bad = [
        ({"photo_ids": ada_ids[:1], "allow_upload": True}, "upload_needs_album"),
        ({"album_id": album_id, "expires_at": to_iso(utcnow() - timedelta(minutes=1))}, "invalid_expiry"),
        ({"album_id": album_id, "password": ""}, "invalid_link_password"),
    ]
    for body, code in bad:
        resp = await client.post("/api/v1/links", json=body, headers=auth(ada))
        assert (resp.status_code, resp.json()["code"]) == (422, code), body
    assert (await client.get("/api/v1/links", headers=auth(ada))).json() == {"items": [], "next_cursor": None}
    mine = await make_link(client, ada, album_id=album_id)
    for method in ("GET", "PATCH", "DELETE"):
        resp = await client.request(method, f"/api/v1/links/{mine['id']}", json={}, headers=auth(bob))
        assert resp.status_code == 404 and resp.json()["code"] == "link_not_found", method
    assert (await client.get(f"/api/v1/public/{mine['key']}")).status_code == 200


async def test_links_are_listed_newest_first_changed_and_revoked_at_once(client, photos_dir: Path) -> None:
    token, ids = await library(client, photos_dir)
    album_id = await album_of(client, token, ids)
    first = await make_link(client, token, album_id=album_id)
    second = await make_link(client, token, photo_ids=ids[:1])
    page = await client.get("/api/v1/links?limit=1", headers=auth(token))
    assert [x["id"] for x in page.json()["items"]] == [second["id"]] and page.json()["next_cursor"]
    rest = await client.get(f"/api/v1/links?limit=1&cursor={page.json()['next_cursor']}", headers=auth(token))
    assert [x["id"] for x in rest.json()["items"]] == [first["id"]] and rest.json()["next_cursor"] is None
    until = to_iso(utcnow() + timedelta(days=2))
    resp = await client.patch(
        f"/api/v1/links/{first['id']}",
        json={"allow_upload": True, "show_metadata": False, "expires_at": until},
        headers=auth(token),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["allow_upload"] and not resp.json()["show_metadata"] and resp.json()["expires_at"]
    refused = await client.patch(f"/api/v1/links/{second['id']}", json={"allow_upload": True}, headers=auth(token))
    assert refused.status_code == 422 and refused.json()["code"] == "upload_needs_album"
    assert (await client.delete(f"/api/v1/links/{first['id']}", headers=auth(token))).status_code == 204
    for path in ("", "/photos", f"/photos/{ids[0]}", f"/photos/{ids[0]}/thumb"):
        resp = await client.get(f"/api/v1/public/{first['key']}{path}")
        assert resp.status_code == 404 and resp.json()["code"] == "link_not_found", path


async def test_a_password_link_is_locked_until_unlocked_and_a_new_password_ends_tokens(
    client, photos_dir: Path
) -> None:
    token, ids = await library(client, photos_dir)
    album_id = await album_of(client, token, ids[:1])
    link = await make_link(client, token, album_id=album_id, password="sesame street")
    assert link["has_password"] is True
    key = link["key"]
    info = (await client.get(f"/api/v1/public/{key}")).json()
    assert info["requires_password"] is True and info["locked"] is True
    for path in ("/photos", f"/photos/{ids[0]}", f"/photos/{ids[0]}/thumb", f"/photos/{ids[0]}/preview"):
        resp = await client.get(f"/api/v1/public/{key}{path}")
        assert resp.status_code == 401 and resp.json()["code"] == "link_locked", path
        assert ids[0] not in str({k: v for k, v in resp.json().items() if k != "instance"})  # instance: the path asked
    wrong = await client.post(f"/api/v1/public/{key}/unlock", json={"password": "open sesame"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_password"
    unlocked = await client.post(f"/api/v1/public/{key}/unlock", json={"password": "sesame street"})
    assert unlocked.status_code == 200, unlocked.text
    link_token = unlocked.json()["token"]
    assert (await client.get(f"/api/v1/public/{key}", headers=visitor(link_token))).json()["locked"] is False
    assert await public_ids(client, key, link_token) == [ids[0]]
    # The token is no session: it opens no account route.
    for headers in (auth(link_token), visitor(link_token)):
        resp = await client.get("/api/v1/photos", headers=headers)
        assert resp.status_code == 401
    # A new password (or none) ends every token given out before.
    await client.patch(f"/api/v1/links/{link['id']}", json={"password": "another one"}, headers=auth(token))
    resp = await client.get(f"/api/v1/public/{key}/photos", headers=visitor(link_token))
    assert resp.status_code == 401 and resp.json()["code"] == "link_locked"
    await client.patch(f"/api/v1/links/{link['id']}", json={"password": None}, headers=auth(token))
    assert await public_ids(client, key) == [ids[0]]


async def test_unlock_attempts_are_limited_per_link_and_client(client, photos_dir: Path) -> None:
    token, ids = await library(client, photos_dir)
    link = await make_link(client, token, photo_ids=ids[:1], password="sesame street")
    limit = client.app.state.services.settings.links.unlock_max_attempts
    for _ in range(limit):
        resp = await client.post(f"/api/v1/public/{link['key']}/unlock", json={"password": "guess"})
        assert resp.status_code == 401
    resp = await client.post(f"/api/v1/public/{link['key']}/unlock", json={"password": "sesame street"})
    assert resp.status_code == 429 and resp.json()["code"] == "too_many_attempts" and resp.headers["retry-after"]
    other = await make_link(client, token, photo_ids=ids[:1], password="sesame street")
    assert (
        await client.post(f"/api/v1/public/{other['key']}/unlock", json={"password": "sesame street"})
    ).status_code == 200


async def test_hidden_metadata_leaves_the_answers_and_the_bytes_served(client, photos_dir: Path) -> None:
    token, ids = await library(client, photos_dir)
    link = await make_link(client, token, photo_ids=ids[:1], show_metadata=False)
    key = link["key"]
    photo = (await client.get(f"/api/v1/public/{key}/photos/{ids[0]}")).json()
    assert photo["location"] is None and photo["place"] is None
    assert set(photo["camera"].values()) == {None} and set(photo["exposure"].values()) == {None}
    listed = (await client.get(f"/api/v1/public/{key}/photos")).json()["items"][0]
    assert listed["location"] is None and listed["camera"]["model"] is None
    info = (await client.get(f"/api/v1/public/{key}")).json()
    assert info["allow_download"] is True and info["allow_original"] is False
    refused = await client.get(f"/api/v1/public/{key}/photos/{ids[0]}/original")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    for variant in ("thumb", "preview"):
        url = (await client.get(f"/api/v1/public/{key}/photos/{ids[0]}/{variant}?redirect=false")).json()["url"]
        body = (await client.get(local_path(url))).content
        image = Image.open(io.BytesIO(body))
        assert not image.getexif() and "xmp" not in image.info and "exif" not in image.info, variant
    # The owner still sees everything.
    own = (await client.get(f"/api/v1/photos/{ids[0]}", headers=auth(token))).json()
    assert own["location"] is not None and own["camera"]["model"]


async def test_an_upload_link_puts_photos_in_the_album_on_the_owners_quota(client, photos_dir: Path) -> None:
    token, ids = await library(client, photos_dir)
    album_id = await album_of(client, token, ids[:1])
    link = await make_link(client, token, album_id=album_id, allow_upload=True)
    key = link["key"]
    path = photos_dir / "Landscape_1.jpg"
    init = await client.post(f"/api/v1/public/{key}/uploads", json={"files": [file_spec(path)]})
    assert init.status_code == 201, init.text
    item = init.json()["items"][0]
    assert await put_presigned(client, item["upload"], path.read_bytes()) == 200
    done = await client.post(f"/api/v1/public/{key}/uploads/{init.json()['batch_id']}/complete", json={})
    assert done.status_code == 200 and done.json()["items"][0]["status"] == "processing"
    await client.app.state.services.runner.drain(within=120)
    assert item["photo_id"] in await public_ids(client, key)
    mine = await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))
    assert mine.status_code == 200 and album_id in mine.json()["albums"]
    # A batch the link did not start is not the link's to complete.
    other_batch, _ = await upload_files(client, token, [photos_dir / "Landscape_2.jpg"])
    resp = await client.post(f"/api/v1/public/{key}/uploads/{other_batch}/complete", json={})
    assert resp.status_code == 404 and resp.json()["code"] == "batch_not_found"
    no_upload = await make_link(client, token, album_id=album_id)
    refused = await client.post(f"/api/v1/public/{no_upload['key']}/uploads", json={"files": [file_spec(path)]})
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"


@pytest.fixture(params=["sqlite", "dynamodb"])
async def small_client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    """Accounts of 2 MB: the three sample photos fit, a landscape more does not."""
    settings = settings_for(request.param, tmp_path, request)
    settings = msgspec.structs.replace(
        settings, auth=msgspec.structs.replace(settings.auth, default_quota_bytes=2_000_000)
    )
    async with app_client(create_app(settings)) as c:
        yield c


async def test_an_upload_over_the_owners_quota_is_refused_and_creates_nothing(small_client, photos_dir: Path) -> None:
    client = small_client
    token, ids = await library(client, photos_dir)
    link = await make_link(client, token, album_id=await album_of(client, token, ids[:1]), allow_upload=True)
    big = photos_dir / "iphone_hdr_NO.jpg"
    resp = await client.post(f"/api/v1/public/{link['key']}/uploads", json={"files": [file_spec(big)]})
    assert resp.status_code == 413 and resp.json()["code"] == "quota_exceeded"
    assert (await client.get("/api/v1/uploads", headers=auth(token))).json()["items"] == []
