"""The access matrix of share links: every public route x every link relation, with the exact
status and code, and nothing leaked (no photo id, file name or URL the relation may not see).

Relations: an open link; a password link locked, unlocked, and with a wrong token (one that
unlocked another link); an expired link; a revoked link; a link of another album asking for
this album's photo; a photo outside the link. And a link token never opens an account route.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, file_spec
from tests.api.test_job_outcomes import settings_for
from tests.api.test_links import NAMES, album_of, library, make_link
from tests.asgi import AppClient, app_client

ROUTES = ["info", "unlock", "photos", "photo", "thumb", "preview", "original", "upload", "complete"]
OK = {"info": 200, "unlock": 200, "photos": 200, "photo": 200, "thumb": 200, "preview": 200, "original": 200}
OK |= {"upload": 201, "complete": 200}
PASSWORD = "sesame street"
NO_UPLOAD = {"upload": (403, "not_allowed"), "complete": (403, "not_allowed")}


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


def every(status: int, code: str, *, but: dict[str, Any] | None = None) -> dict[str, tuple[int, str | None]]:
    found: dict[str, tuple[int, str | None]] = {route: (status, code) for route in ROUTES}
    found.update(but or {})
    return found


def ok(*routes: str) -> dict[str, tuple[int, None]]:
    return {route: (OK[route], None) for route in routes}


#: relation -> route -> (status, code); None: a success.
EXPECTED: dict[str, dict[str, tuple[int, str | None]]] = {
    "open": ok(*ROUTES),
    "locked": every(401, "link_locked", but={**ok("info"), "unlock": (401, "invalid_password")}),
    "unlocked": every(200, None, but={**ok(*ROUTES[:7]), **NO_UPLOAD}),
    "wrong_token": every(401, "link_locked", but={**ok("info"), "unlock": (401, "invalid_password")}),
    "expired": every(410, "link_expired"),
    "revoked": every(404, "link_not_found"),
    "other_album": every(404, "photo_not_found", but={**ok("info", "unlock", "photos"), **NO_UPLOAD}),
    "outside": every(404, "photo_not_found", but=ok("info", "unlock", "photos", "upload", "complete")),
}  # fmt: skip


async def call(
    client: AppClient, route: str, key: str, token: str | None, photo_id: str, password: str, batch: str, spec: dict
) -> Any:
    headers = {"X-Link-Token": token} if token else {}
    base = f"/api/v1/public/{key}"
    if route == "info":
        return await client.get(base, headers=headers)
    if route == "unlock":
        return await client.post(f"{base}/unlock", json={"password": password}, headers=headers)
    if route == "photos":
        return await client.get(f"{base}/photos", headers=headers)
    if route == "photo":
        return await client.get(f"{base}/photos/{photo_id}", headers=headers)
    if route in ("thumb", "preview", "original"):
        return await client.get(f"{base}/photos/{photo_id}/{route}?redirect=false", headers=headers)
    if route == "upload":
        return await client.post(f"{base}/uploads", json={"files": [spec]}, headers=headers)
    return await client.post(f"{base}/uploads/{batch}/complete", json={}, headers=headers)


def shown(resp: Any) -> str:
    """What an answer tells, less ``instance`` (the path the caller asked for, echoed)."""
    body = resp.json()
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "instance"}
    return str(body)


async def test_every_public_route_answers_every_link_relation_exactly_and_leaks_nothing(
    client: AppClient, photos_dir: Path
) -> None:
    token, ids = await library(client, photos_dir)
    p0, p1, p2 = ids
    album_a = await album_of(client, token, [p0, p1], "Beach")
    album_b = await album_of(client, token, [p2], "Hills")
    open_link = await make_link(client, token, album_id=album_a, allow_upload=True)
    pw_link = await make_link(client, token, album_id=album_a, password=PASSWORD)
    pw_other = await make_link(client, token, album_id=album_a, password="another secret")
    expired = await make_link(client, token, album_id=album_a)
    revoked = await make_link(client, token, album_id=album_a)
    other = await make_link(client, token, album_id=album_b)
    meta = client.app.state.services.meta
    assert await meta.update_link(expired["id"], {"expires_at": utcnow() - timedelta(seconds=1)}, utcnow())
    assert (await client.delete(f"/api/v1/links/{revoked['id']}", headers=auth(token))).status_code == 204
    unlock = await client.post(f"/api/v1/public/{pw_link['key']}/unlock", json={"password": PASSWORD})
    valid = unlock.json()["token"]
    foreign = (
        await client.post(f"/api/v1/public/{pw_other['key']}/unlock", json={"password": "another secret"})
    ).json()
    spec = file_spec(photos_dir / "Landscape_3.jpg")
    init = await client.post(f"/api/v1/public/{open_link['key']}/uploads", json={"files": [spec]})
    assert init.status_code == 201, init.text
    batch = init.json()["batch_id"]
    names = [*NAMES, "Landscape_3.jpg"]
    everything = {p0, p1, p2, *names, "url"}
    relations = {
        # relation: (key, token, photo asked, password sent to unlock, what it must never show)
        "open": (open_link["key"], None, p0, "anything", {p2, NAMES[2]}),
        "locked": (pw_link["key"], None, p0, "wrong", everything),
        "unlocked": (pw_link["key"], valid, p0, PASSWORD, {p2, NAMES[2]}),
        "wrong_token": (pw_link["key"], foreign["token"], p0, "wrong", everything),
        "expired": (expired["key"], None, p0, "anything", everything),
        "revoked": (revoked["key"], None, p0, "anything", everything),
        "other_album": (other["key"], None, p0, "anything", {p0, p1, NAMES[0], NAMES[1]}),
        "outside": (open_link["key"], None, p2, "anything", {p2, NAMES[2]}),
    }
    wrong: list[str] = []
    for relation, (key, link_token, photo_id, password, hidden) in relations.items():
        for route in ROUTES:
            resp = await call(client, route, key, link_token, photo_id, password, batch, spec)
            status, code = EXPECTED[relation][route]
            got_code = resp.json().get("code") if resp.status_code >= 400 else None
            if (resp.status_code, got_code) != (status, code):
                wrong.append(f"{relation} x {route}: {resp.status_code} {got_code}, expected {status} {code}")
            told = shown(resp)
            leaks = sorted(h for h in hidden if (f"'{h}'" if h == "url" else h) in told)
            if leaks:
                wrong.append(f"{relation} x {route}: leaked {leaks}")
    assert wrong == []


async def test_a_link_token_never_opens_an_account_route(client: AppClient, photos_dir: Path) -> None:
    token, ids = await library(client, photos_dir)
    link = await make_link(client, token, photo_ids=ids, password=PASSWORD)
    link_token = (await client.post(f"/api/v1/public/{link['key']}/unlock", json={"password": PASSWORD})).json()[
        "token"
    ]
    for path in ("/api/v1/photos", f"/api/v1/photos/{ids[0]}", "/api/v1/albums", "/api/v1/links", "/api/v1/users/me"):
        for headers in ({"Authorization": f"Bearer {link_token}"}, {"X-Link-Token": link_token}):
            resp = await client.get(path, headers=headers)
            assert resp.status_code == 401, (path, headers)
            assert ids[0] not in shown(resp)
