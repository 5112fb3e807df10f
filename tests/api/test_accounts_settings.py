"""The user's own account over HTTP on both meta adapters (issue 14): name and notification
switches, password change (ends the other sessions), the session list and revoking one,
the first account becoming admin, and disabled accounts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from auroravault.app import create_app
from tests.api.helpers import auth, register
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client

PASSWORD = "correct horse battery"
USER_FIELDS = {
    "id", "email", "display_name", "is_admin", "quota_bytes", "used_bytes", "created_at",
    "variant_bytes", "photo_count", "notify_album_shared", "notify_album_photos",
}  # fmt: skip


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def login(client: AppClient, email: str = "ada@example.com", password: str = PASSWORD, agent: str = "") -> str:
    headers = {"User-Agent": agent} if agent else {}
    resp = await client.post("/api/v1/auth/login", json={"email": email, "password": password}, headers=headers)
    assert resp.status_code == 200, resp.text
    token: str = resp.json()["token"]
    return token


async def me(client: AppClient, token: str) -> dict:
    resp = await client.get("/api/v1/users/me", headers=auth(token))
    assert resp.status_code == 200, resp.text
    body: dict = resp.json()
    return body


async def test_name_and_switches_change_and_stay_changed(client: AppClient) -> None:
    token = (await register(client))["token"]
    before = await me(client, token)
    assert set(before) == USER_FIELDS
    assert before["notify_album_shared"] is True and before["notify_album_photos"] is True
    resp = await client.patch(
        "/api/v1/users/me",
        json={"display_name": "  Ada   Lovelace ", "notify_album_photos": False},
        headers=auth(token),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == USER_FIELDS
    assert body["display_name"] == "Ada Lovelace" and body["notify_album_photos"] is False
    assert body["notify_album_shared"] is True and body["email"] == "ada@example.com"
    after = await me(client, token)
    assert after["display_name"] == "Ada Lovelace" and after["notify_album_photos"] is False
    # Only what is given changes.
    resp = await client.patch("/api/v1/users/me", json={"notify_album_shared": False}, headers=auth(token))
    assert resp.json()["display_name"] == "Ada Lovelace" and resp.json()["notify_album_photos"] is False
    assert (await me(client, await login(client)))["notify_album_shared"] is False


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"display_name": ""}, 422, "invalid_display_name"),
        ({"display_name": "   "}, 422, "invalid_display_name"),
        ({"display_name": "a\u0000b"}, 422, "invalid_display_name"),
        ({"display_name": "x" * 101}, 422, "invalid_display_name"),
        ({"is_admin": True}, 400, "invalid_request"),
        ({"quota_bytes": 10**15}, 400, "invalid_request"),
        ({"notify_album_shared": "yes"}, 400, "invalid_request"),
    ],
)
async def test_bad_profile_changes_are_refused_and_change_nothing(
    client: AppClient, body: dict, status: int, code: str
) -> None:
    token = (await register(client))["token"]
    before = await me(client, token)
    resp = await client.patch("/api/v1/users/me", json=body, headers=auth(token))
    assert resp.status_code == status and resp.json()["code"] == code
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert await me(client, token) == before


async def test_changing_the_password_ends_every_other_session(client: AppClient) -> None:
    this = (await register(client))["token"]
    phone, laptop = await login(client, agent="Phone"), await login(client, agent="Laptop")
    resp = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new secret"},
        headers=auth(this),
    )
    assert resp.status_code == 204, resp.text
    assert (await client.get("/api/v1/users/me", headers=auth(this))).status_code == 200
    for gone in (phone, laptop):
        resp = await client.get("/api/v1/users/me", headers=auth(gone))
        assert resp.status_code == 401 and resp.json()["code"] == "invalid_token"
    wrong = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert wrong.status_code == 401
    assert await login(client, password="a brand new secret")


async def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(client: AppClient) -> None:
    this = (await register(client))["token"]
    other = await login(client)
    weak = await client.post(
        "/api/v1/users/me/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=auth(this)
    )
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    wrong = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": "not my password", "new_password": "a brand new secret"},
        headers=auth(this),
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    missing = await client.post("/api/v1/users/me/password", json={"new_password": "x" * 20}, headers=auth(this))
    assert missing.status_code == 400
    # Nothing changed: the old password works, both sessions still do.
    assert await login(client)
    for token in (this, other):
        assert (await client.get("/api/v1/users/me", headers=auth(token))).status_code == 200


async def test_guessing_the_current_password_is_limited_like_a_login(client: AppClient) -> None:
    token = (await register(client))["token"]
    body = {"current_password": "a wrong guess", "new_password": "a brand new secret"}
    codes = [
        (await client.post("/api/v1/users/me/password", json=body, headers=auth(token))).status_code for _ in range(7)
    ]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    limited = await client.post(
        "/api/v1/users/me/password", json={**body, "current_password": PASSWORD}, headers=auth(token)
    )
    assert limited.status_code == 429 and "retry-after" in limited.headers
    # The same budget as a login from this address: the right password is refused too, for now.
    assert (
        await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    ).status_code == 429


async def test_sessions_are_listed_and_one_is_revoked_at_once(client: AppClient) -> None:
    this = (await register(client))["token"]
    phone = await login(client, agent="AuroraVault Phone/1.0")
    resp = await client.get("/api/v1/users/me/sessions", headers=auth(this))
    assert resp.status_code == 200, resp.text
    items = resp.json()["items"]
    assert len(items) == 2
    assert [s["current"] for s in items] == [True, False]
    assert set(items[0]) >= {"id", "created_at", "expires_at", "current", "user_agent", "ip"}
    assert items[1]["user_agent"] == "AuroraVault Phone/1.0" and items[1]["ip"]
    text = resp.text
    for secret in (this, phone):  # neither a token nor its hash is shown
        assert secret not in text
    from auroravault.ids import token_hash

    assert token_hash(phone) not in text and token_hash(this) not in text
    assert all(len(s["id"]) <= 32 for s in items)

    # Seen from the phone, the phone's session is the current one.
    from_phone = (await client.get("/api/v1/users/me/sessions", headers=auth(phone))).json()["items"]
    assert [s["current"] for s in from_phone] == [False, True]

    gone = await client.delete(f"/api/v1/users/me/sessions/{items[1]['id']}", headers=auth(this))
    assert gone.status_code == 204
    resp = await client.get("/api/v1/users/me", headers=auth(phone))
    assert resp.status_code == 401 and resp.json()["code"] == "invalid_token"
    left = (await client.get("/api/v1/users/me/sessions", headers=auth(this))).json()["items"]
    assert [s["id"] for s in left] == [items[0]["id"]]
    again = await client.delete(f"/api/v1/users/me/sessions/{items[1]['id']}", headers=auth(this))
    assert again.status_code == 404 and again.json()["code"] == "session_not_found"


async def test_nobody_revokes_or_sees_another_users_sessions(client: AppClient) -> None:
    ada = (await register(client))["token"]
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    bobs = (await client.get("/api/v1/users/me/sessions", headers=auth(bob))).json()["items"]
    adas = (await client.get("/api/v1/users/me/sessions", headers=auth(ada))).json()["items"]
    assert {s["id"] for s in bobs}.isdisjoint({s["id"] for s in adas})
    resp = await client.delete(f"/api/v1/users/me/sessions/{bobs[0]['id']}", headers=auth(ada))
    assert resp.status_code == 404 and resp.json()["code"] == "session_not_found"
    assert (await client.get("/api/v1/users/me", headers=auth(bob))).status_code == 200


async def test_the_first_account_becomes_admin_and_only_it(client: AppClient) -> None:
    first = await register(client)
    assert first["user"]["is_admin"] is True
    second = await register(client, email="bob@example.com", name="Bob")
    assert second["user"]["is_admin"] is False
    assert (await me(client, first["token"]))["is_admin"] is True
    assert (await me(client, second["token"]))["is_admin"] is False
    assert (await client.get("/api/v1/admin/users", headers=auth(second["token"]))).status_code == 403


async def test_two_first_registrations_at_once_make_exactly_one_admin(client: AppClient) -> None:
    bodies = [{"email": f"racer{i}@example.com", "password": PASSWORD, "display_name": f"Racer {i}"} for i in range(3)]
    answers = await asyncio.gather(*(client.post("/api/v1/auth/register", json=b) for b in bodies))
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert sum(a.json()["user"]["is_admin"] for a in answers) == 1


async def test_a_disabled_account_cannot_log_in_and_its_sessions_stop(client: AppClient) -> None:
    admin = (await register(client, email="root@example.com", name="Root"))["token"]
    ada = await register(client)
    token = ada["token"]
    resp = await client.patch(f"/api/v1/admin/users/{ada['user']['id']}", json={"disabled": True}, headers=auth(admin))
    assert resp.status_code == 200 and resp.json()["disabled"] is True
    after = await client.get("/api/v1/users/me", headers=auth(token))
    assert after.status_code == 401 and after.json()["code"] == "invalid_token"
    refused = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"
    # A wrong password says nothing about the account's state.
    wrong = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "not it at all"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    # A session that slipped through (opened as the account was disabled) is refused too.
    services = client.app.state.services
    await services.meta.set_user_flags(ada["user"]["id"], disabled=False)
    late = await login(client)
    await services.meta.set_user_flags(ada["user"]["id"], disabled=True)
    resp = await client.get("/api/v1/photos", headers=auth(late))
    assert resp.status_code == 403 and resp.json()["code"] == "account_disabled"
    # Enabled again: logging in works.
    assert (
        await client.patch(f"/api/v1/admin/users/{ada['user']['id']}", json={"disabled": False}, headers=auth(admin))
    ).status_code == 200
    assert (await me(client, await login(client)))["email"] == "ada@example.com"
