"""End to end, sharing on each backend combination (local + SQLite, MinIO adapter on SeaweedFS +
SQLite, S3 adapter on SeaweedFS + DynamoDB): a real uvicorn process and a plain HTTP client.

Ada uploads three photos; Bob joins her family from the mailed invitation; she shares an
album with him and her library as a partner, and makes a password link. Bob and a visitor
fetch the bytes from storage through the presigned URLs the server signs after its check;
Eve, a stranger, gets 404 everywhere; revoking and removing take effect on the next request.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.backends import put_all, register, specs, wait_until_settled
from tests.e2e.conftest import Server
from tests.e2e.test_upload_e2e import backend_server  # noqa: F401  (the three combinations)

NAMES = ["flower.jpg", "starfish.jpg", "hopper.png"]


def _join_token(server: Server, to: str) -> str:
    """The token of the invitation mailed to ``to`` (the default log mailer's outbox)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for eml in (server.data_dir / "outbox").glob("*.eml"):
            msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            body = msg.get_body(("plain",))
            found = re.search(r"#/join/(av_[A-Za-z0-9_-]+)", body.get_content()) if body is not None else None
            if msg["To"] == to and found:
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no invitation reached {to}")


def _me(url: str, headers: dict[str, str]) -> str:
    user_id: str = httpx.get(f"{url}/api/v1/users/me", headers=headers, timeout=30).json()["id"]
    return user_id


def _fetch(url: str, path: str, headers: dict[str, str]) -> httpx.Response:
    """A variant or original through the server's redirect to storage (no token sent there)."""
    found = httpx.get(f"{url}{path}", headers=headers, timeout=30)
    if found.status_code != 302:
        return found
    return httpx.get(found.headers["location"], timeout=60)


def _ids(resp: httpx.Response) -> set[str]:
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return {p["id"] for p in body["items"]}


def test_a_family_shares_an_album_a_library_and_a_link_and_nobody_else_sees_them(
    backend_server: Server,  # noqa: F811  (the imported fixture)
    photos_dir: Path,
) -> None:
    url = backend_server.url
    ada, bob, eve = (register(url, f"{n}@example.com") for n in ("ada", "bob", "eve"))
    paths = [photos_dir / n for n in NAMES]
    init = httpx.post(f"{url}/api/v1/uploads", json={"files": specs(paths)}, headers=ada, timeout=60).json()
    put_all(init["items"], paths)
    complete = f"{url}/api/v1/uploads/{init['batch_id']}/complete"
    done = httpx.post(complete, json={}, headers=ada, timeout=60).json()["items"]
    if any(i["status"] == "pending" for i in done):  # "ask again", as a client does
        httpx.post(complete, json={}, headers=ada, timeout=60)
    photos = wait_until_settled(url, ada, 3)
    ids = {p["id"] for p in photos}
    first = next(p for p in photos if p["filename"] == "flower.jpg")

    # Bob joins Ada's family from the mailed link
    assert httpx.post(f"{url}/api/v1/family", json={"name": "Lovelace"}, headers=ada).status_code == 201
    invite = {"email": "bob@example.com", "role": "member"}
    assert httpx.post(f"{url}/api/v1/family/invites", json=invite, headers=ada).status_code == 201
    token = _join_token(backend_server, "bob@example.com")
    assert httpx.post(f"{url}/api/v1/family/join", json={"token": token}, headers=bob).status_code == 200
    bob_id = _me(url, bob)

    # an album shared with Bob as viewer: he sees it and fetches the bytes from storage
    album = httpx.post(f"{url}/api/v1/albums", json={"name": "Lisbon", "photo_ids": sorted(ids)}, headers=ada).json()
    member = {"user_id": bob_id, "role": "viewer"}
    assert httpx.post(f"{url}/api/v1/albums/{album['id']}/members", json=member, headers=ada).status_code == 201
    assert _ids(httpx.get(f"{url}/api/v1/albums/{album['id']}/photos", headers=bob)) == ids
    original = _fetch(url, f"/api/v1/photos/{first['id']}/original", bob)
    expected = (photos_dir / "flower.jpg").read_bytes()
    assert original.status_code == 200
    assert hashlib.sha256(original.content).digest() == hashlib.sha256(expected).digest()
    assert _fetch(url, f"/api/v1/photos/{first['id']}/thumb", bob).content[:4] == b"RIFF"
    adding = httpx.post(f"{url}/api/v1/albums/{album['id']}/photos", json={"ids": [first["id"]]}, headers=bob)
    assert adding.status_code == 403 and adding.json()["code"] == "not_allowed"

    # a stranger: 404, as for what does not exist
    photo_path, album_path = f"/api/v1/photos/{first['id']}", f"/api/v1/albums/{album['id']}"
    for path in (photo_path, album_path, f"{photo_path}/thumb", f"{album_path}/photos"):
        stranger = httpx.get(f"{url}{path}", headers=eve, timeout=30)
        assert stranger.status_code == 404, (path, stranger.text)
    assert _ids(httpx.get(f"{url}/api/v1/photos?with_partners=true", headers=eve)) == set()

    # partner sharing, merged into Bob's timeline
    assert httpx.post(f"{url}/api/v1/partners", json={"user_id": bob_id}, headers=ada).status_code == 201
    ada_id = _me(url, ada)
    assert httpx.patch(f"{url}/api/v1/partners/{ada_id}", json={"in_timeline": True}, headers=bob).status_code == 200
    assert _ids(httpx.get(f"{url}/api/v1/photos?with_partners=true&limit=50", headers=bob)) == ids

    # a password link: locked everywhere (thumbnails too) until unlocked
    link = {"album_id": album["id"], "password": "sardines at dusk"}
    made = httpx.post(f"{url}/api/v1/links", json=link, headers=ada)
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    public = f"/api/v1/public/{key}"
    assert httpx.get(f"{url}{public}").json()["requires_password"] is True
    for path in (f"{public}/photos", f"{public}/photos/{first['id']}/thumb"):
        locked = httpx.get(f"{url}{path}", timeout=30)
        assert locked.status_code == 401 and locked.json()["code"] == "link_locked"
    unlocked = httpx.post(f"{url}{public}/unlock", json={"password": "sardines at dusk"}).json()
    visitor = {"X-Link-Token": unlocked["token"]}
    assert _ids(httpx.get(f"{url}{public}/photos", headers=visitor)) == ids
    assert _fetch(url, f"{public}/photos/{first['id']}/thumb", visitor).content[:4] == b"RIFF"

    # revoked and removed: gone on the very next request
    assert httpx.delete(f"{url}/api/v1/links/{made.json()['id']}", headers=ada).status_code == 204
    assert httpx.get(f"{url}{public}/photos", headers=visitor).json()["code"] == "link_not_found"
    assert httpx.delete(f"{url}/api/v1/albums/{album['id']}/members/{bob_id}", headers=ada).status_code == 204
    assert httpx.get(f"{url}/api/v1/albums/{album['id']}", headers=bob).status_code == 404
    assert httpx.delete(f"{url}/api/v1/partners/{bob_id}", headers=ada).status_code == 204
    assert httpx.get(f"{url}/api/v1/photos/{first['id']}", headers=bob).status_code == 404
