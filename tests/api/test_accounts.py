"""Accounts over HTTP: register, login, logout, me, rate limits, closed registration."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from auroravault.app import create_app
from tests.api.helpers import auth, register
from tests.asgi import app_client
from tests.conftest import make_settings

PROBLEM = "application/problem+json"


async def test_register_returns_user_and_a_working_token(client) -> None:
    body = await register(client, email="Ada@Example.com", name="  Ada   Lovelace ")
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["display_name"] == "Ada Lovelace"
    assert body["token"].startswith("av_")
    me = await client.get("/api/v1/users/me", headers=auth(body["token"]))
    assert me.status_code == 200
    assert set(me.json()) >= {"id", "email", "display_name", "quota_bytes", "used_bytes", "created_at"}
    assert me.json()["used_bytes"] == 0


async def test_password_is_stored_as_argon2id_only(client, settings) -> None:
    await register(client, password="a secret phrase")
    user = await client.app.state.services.meta.get_user_by_email("ada@example.com")
    assert user.password_hash.startswith("$argon2id$")
    assert "a secret phrase" not in user.password_hash


async def test_register_errors(client) -> None:
    await register(client)
    cases = [
        ({"email": "ada@example.com", "password": "long enough pw", "display_name": "A"}, 409, "email_taken"),
        ({"email": "not-an-email", "password": "long enough pw", "display_name": "A"}, 422, "invalid_email"),
        ({"email": "b@example.com", "password": "short", "display_name": "B"}, 422, "weak_password"),
        ({"email": "b@example.com", "password": "long enough pw", "display_name": "   "}, 422, "invalid_display_name"),
        ({"email": "b@example.com", "password": "long enough pw"}, 400, "invalid_request"),
    ]
    for body, status, code in cases:
        resp = await client.post("/api/v1/auth/register", json=body)
        assert resp.status_code == status, (body, resp.text)
        assert resp.headers["content-type"].startswith(PROBLEM)
        problem = resp.json()
        assert problem["code"] == code and problem["status"] == status and problem["detail"]
    me_count = await client.post("/api/v1/auth/login", json={"email": "b@example.com", "password": "long enough pw"})
    assert me_count.status_code == 401  # none of the bad registrations created an account


async def test_login_and_logout(client) -> None:
    await register(client, password="correct horse battery")
    resp = await client.post(
        "/api/v1/auth/login", json={"email": "ADA@example.com", "password": "correct horse battery"}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"token", "expires_at", "user"}
    token = body["token"]
    assert (await client.get("/api/v1/users/me", headers=auth(token))).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=auth(token))).status_code == 204
    after = await client.get("/api/v1/users/me", headers=auth(token))
    assert after.status_code == 401 and after.json()["code"] == "invalid_token"


async def test_wrong_password_and_unknown_account_look_the_same(client) -> None:
    await register(client)
    wrong = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "nope nope nope"})
    missing = await client.post("/api/v1/auth/login", json={"email": "zed@example.com", "password": "nope nope nope"})
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json()["code"] == missing.json()["code"] == "invalid_credentials"


async def test_repeated_failures_get_429_with_retry_after(client) -> None:
    await register(client, password="correct horse battery")
    bad = {"email": "ada@example.com", "password": "wrong password!"}
    for _ in range(5):
        assert (await client.post("/api/v1/auth/login", json=bad)).status_code == 401
    blocked = await client.post("/api/v1/auth/login", json=bad)
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_attempts"
    assert int(blocked.headers["retry-after"]) > 0
    # even the right password waits from this address: the limit is on (account, address), not on the guess
    good = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
    )
    assert good.status_code == 429


async def test_missing_or_malformed_tokens(client) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}, auth("av_not-a-token")):
        resp = await client.get("/api/v1/users/me", headers=headers)
        assert resp.status_code == 401
        assert resp.json()["code"] in ("unauthorized", "invalid_token")


async def test_closed_registration(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, auth={"registration": "closed"})
    async with app_client(create_app(settings)) as client:
        resp = await client.post(
            "/api/v1/auth/register", json={"email": "a@b.co", "password": "long enough pw", "display_name": "A"}
        )
        assert resp.status_code == 403 and resp.json()["code"] == "registration_closed"
        # the admin's way in still works
        user = await client.app.state.services.accounts.create_user("a@b.co", "long enough pw", "A", is_admin=True)
        assert user.is_admin
        login = await client.post("/api/v1/auth/login", json={"email": "a@b.co", "password": "long enough pw"})
        assert login.status_code == 200 and login.json()["user"]["is_admin"] is True


async def test_a_hash_with_old_argon2_parameters_is_replaced_at_login(client) -> None:
    await register(client, password="correct horse battery")
    meta = client.app.state.services.meta
    user = await meta.get_user_by_email("ada@example.com")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("correct horse battery")
    await meta.set_password(user.id, weak)
    body = {"email": "ada@example.com", "password": "correct horse battery"}
    assert (await client.post("/api/v1/auth/login", json=body)).status_code == 200
    stored = (await meta.get_user(user.id)).password_hash
    current = PasswordHasher()
    assert stored != weak and not current.check_needs_rehash(stored)
    assert f"m={current.memory_cost},t={current.time_cost},p={current.parallelism}" in stored
    assert (await client.post("/api/v1/auth/login", json=body)).status_code == 200
    wrong = await client.post("/api/v1/auth/login", json={**body, "password": "not the password"})
    assert wrong.status_code == 401
