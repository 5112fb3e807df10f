"""Security over HTTP: presigned URL tampering, other users' data, traversal keys."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.api.helpers import auth, file_spec, local_path, put_presigned, register, upload_files

PHOTO = "flower.jpg"


async def one_url(client, photos_dir: Path) -> tuple[str, dict, bytes, str]:
    token = (await register(client))["token"]
    path = photos_dir / PHOTO
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(path)]}, headers=auth(token))
    item = resp.json()["items"][0]
    return token, item, path.read_bytes(), resp.json()["batch_id"]


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return f"{parts.path}?{urlencode(query)}"


async def nothing_stored(client, token: str, batch_id: str) -> bool:
    items = (await client.post(f"/api/v1/uploads/{batch_id}/complete", json={}, headers=auth(token))).json()["items"]
    return [i["status"] for i in items] == ["pending"]


@pytest.mark.parametrize(
    "change",
    [
        {"signature": "0" * 64},
        {"sha256": "0" * 64},
        {"expires": str(int(time.time()) + 99_999)},
        {"expires": "soon"},
    ],
)
async def test_a_tampered_url_is_403_and_stores_nothing(client, photos_dir: Path, change: dict) -> None:
    token, item, data, batch_id = await one_url(client, photos_dir)
    resp = await client.put(
        with_query(item["upload"]["url"], **change), content=data, headers=item["upload"]["headers"]
    )
    assert resp.status_code == 403
    assert resp.json()["code"] == "signature_invalid"
    assert await nothing_stored(client, token, batch_id)


async def test_an_expired_url_is_403(client, photos_dir: Path) -> None:
    token = (await register(client))["token"]
    store = client.app.state.services.blobs
    data = (photos_dir / PHOTO).read_bytes()
    spec = file_spec(photos_dir / PHOTO)
    req = await store.presign_put(
        "u/p/original", content_type="image/jpeg", size=len(data), sha256=spec["sha256"], expires_in=-1
    )
    resp = await client.put(local_path(req.url), content=data, headers=req.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "url_expired"
    assert await store.head("u/p/original") is None
    assert token


async def test_a_different_content_type_is_403(client, photos_dir: Path) -> None:
    token, item, data, batch_id = await one_url(client, photos_dir)
    resp = await client.put(local_path(item["upload"]["url"]), content=data, headers={"Content-Type": "text/html"})
    assert resp.status_code == 403
    assert await nothing_stored(client, token, batch_id)


async def test_a_longer_or_shorter_body_is_refused(client, photos_dir: Path) -> None:
    token, item, data, batch_id = await one_url(client, photos_dir)
    assert await put_presigned(client, item["upload"], data + b"more") == 403
    assert await put_presigned(client, item["upload"], data[:-10]) == 403
    assert await nothing_stored(client, token, batch_id)


async def test_other_bytes_of_the_same_size_are_refused(client, photos_dir: Path) -> None:
    token, item, data, batch_id = await one_url(client, photos_dir)
    forged = bytes(reversed(data))
    resp = await client.put(local_path(item["upload"]["url"]), content=forged, headers=item["upload"]["headers"])
    assert resp.status_code == 422 and resp.json()["code"] == "checksum_mismatch"
    assert await nothing_stored(client, token, batch_id)
    assert await put_presigned(client, item["upload"], data) == 200


@pytest.mark.parametrize("key", ["..%2F..%2Fetc%2Fpasswd", "a/../../b", "%2Fabs", "a%5Cb", "a%00b", "a//b"])
async def test_traversal_keys_are_refused(client, key: str) -> None:
    for method in ("PUT", "GET"):
        resp = await client.request(method, f"/blobs/{key}?expires=9999999999&signature=x", content=b"x")
        assert resp.status_code in (400, 403, 404, 422), (method, key, resp.status_code)
    root = client.app.state.services.blobs.root
    written = [p for p in root.parent.rglob("*") if p.is_file() and p.name in ("b", "passwd", "abs")]
    assert written == [], "nothing may be written for a refused key"


async def test_another_user_sees_nothing_of_mine(client, photos_dir: Path) -> None:
    ada = (await register(client))["token"]
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    batch_id, [item] = await upload_files(client, ada, [photos_dir / PHOTO])
    photo_id = item["photo_id"]
    for path in (
        f"/api/v1/photos/{photo_id}",
        f"/api/v1/photos/{photo_id}/original",
        f"/api/v1/photos/{photo_id}/thumb",
        f"/api/v1/uploads/{batch_id}",
    ):
        resp = await client.get(path, headers=auth(bob), follow_redirects=False)
        assert resp.status_code == 404, path
        assert resp.json()["code"] in ("photo_not_found", "batch_not_found")
    done = await client.post(f"/api/v1/uploads/{batch_id}/complete", json={}, headers=auth(bob))
    assert done.status_code == 404
    assert (await client.get("/api/v1/photos", headers=auth(bob))).json()["items"] == []
    assert (await client.get("/api/v1/timeline", headers=auth(bob))).json() == []
    check = await client.post("/api/v1/uploads/check", json={"sha256": [item["sha256"]]}, headers=auth(bob))
    assert check.json()["existing"] == {}
    # Bob uploading the same bytes gets his own photo, not a duplicate of Ada's
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(photos_dir / PHOTO)]}, headers=auth(bob))
    assert resp.json()["items"][0]["status"] == "upload"
    assert resp.json()["items"][0]["photo_id"] != photo_id


async def test_a_download_url_cannot_be_turned_into_another_object(client, photos_dir: Path) -> None:
    token = (await register(client))["token"]
    _, items = await upload_files(client, token, [photos_dir / PHOTO, photos_dir / "starfish.jpg"])
    url = (
        await client.get(f"/api/v1/photos/{items[0]['photo_id']}/original?redirect=false", headers=auth(token))
    ).json()["url"]
    other = url.replace(items[0]["photo_id"], items[1]["photo_id"])
    assert (await client.get(other)).status_code == 403
    assert (await client.get(with_query(url, filename="evil.html", type="text/html"))).status_code == 403
