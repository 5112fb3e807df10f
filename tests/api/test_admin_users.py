"""The admin's user list over HTTP on both meta adapters (issue 14): list with usage, page
by page; set quotas (enforced at the next upload), disable and enable, make admins; the last
admin stays; strangers to the role get 403 and bad input changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from auroravault.app import create_app
from tests.api.helpers import auth, file_spec, register, upload_files
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client

ADMIN_USER_FIELDS = {
    "id", "email", "display_name", "is_admin", "disabled", "quota_bytes", "used_bytes", "photo_count", "created_at",
}  # fmt: skip


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def users(client: AppClient, token: str, query: str = "") -> dict:
    resp = await client.get(f"/api/v1/admin/users{query}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    body: dict = resp.json()
    return body


async def test_an_admin_lists_every_user_with_usage_page_by_page(client: AppClient, photos_dir: Path) -> None:
    root = (await register(client, email="root@example.com", name="Root"))["token"]
    ada = (await register(client))["token"]
    for i in range(3):
        await register(client, email=f"kid{i}@example.com", name=f"Kid {i}")
    await upload_files(client, ada, [photos_dir / "flower.jpg"])
    await client.app.state.services.runner.drain(within=120)

    body = await users(client, root)
    assert body["next_cursor"] is None and len(body["items"]) == 5
    assert all(set(item) == ADMIN_USER_FIELDS for item in body["items"])
    assert "password_hash" not in str(body)
    by_email = {item["email"]: item for item in body["items"]}
    assert by_email["root@example.com"]["is_admin"] is True and by_email["ada@example.com"]["is_admin"] is False
    size = (photos_dir / "flower.jpg").stat().st_size
    assert by_email["ada@example.com"]["used_bytes"] == size and by_email["ada@example.com"]["photo_count"] == 1
    assert by_email["kid0@example.com"]["used_bytes"] == 0 and by_email["kid0@example.com"]["disabled"] is False

    seen: list[str] = []
    query = "?limit=2"
    while True:
        page = await users(client, root, query)
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        query = f"?limit=2&cursor={page['next_cursor']}"
    assert seen == [item["id"] for item in body["items"]] and len(set(seen)) == 5


async def test_only_admins_reach_the_user_list(client: AppClient) -> None:
    await register(client, email="root@example.com", name="Root")
    ada = await register(client)
    token, ada_id = ada["token"], ada["user"]["id"]
    listed = await client.get("/api/v1/admin/users", headers=auth(token))
    assert listed.status_code == 403 and listed.json()["code"] == "admin_only"
    changed = await client.patch(f"/api/v1/admin/users/{ada_id}", json={"is_admin": True}, headers=auth(token))
    assert changed.status_code == 403 and changed.json()["code"] == "admin_only"
    assert (await client.get("/api/v1/users/me", headers=auth(token))).json()["is_admin"] is False
    assert (await client.get("/api/v1/admin/users")).status_code == 401


async def test_a_quota_set_by_the_admin_holds_at_the_next_upload(client: AppClient, photos_dir: Path) -> None:
    root = (await register(client, email="root@example.com", name="Root"))["token"]
    ada = await register(client)
    resp = await client.patch(f"/api/v1/admin/users/{ada['user']['id']}", json={"quota_bytes": 100}, headers=auth(root))
    assert resp.status_code == 200, resp.text
    assert set(resp.json()) == ADMIN_USER_FIELDS and resp.json()["quota_bytes"] == 100
    me = (await client.get("/api/v1/users/me", headers=auth(ada["token"]))).json()
    assert me["quota_bytes"] == 100
    spec = file_spec(photos_dir / "flower.jpg")
    refused = await client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(ada["token"]))
    assert refused.status_code == 413 and refused.json()["code"] == "quota_exceeded"


async def test_making_an_admin_and_the_last_admin_rule(client: AppClient) -> None:
    root = await register(client, email="root@example.com", name="Root")
    ada = await register(client)
    root_id, ada_id = root["user"]["id"], ada["user"]["id"]
    headers = auth(root["token"])
    for body in ({"is_admin": False}, {"disabled": True}):
        resp = await client.patch(f"/api/v1/admin/users/{root_id}", json=body, headers=headers)
        assert resp.status_code == 409 and resp.json()["code"] == "last_admin"
    listed = {item["id"]: item for item in (await users(client, root["token"]))["items"]}
    assert listed[root_id]["is_admin"] is True and listed[root_id]["disabled"] is False  # nothing changed

    made = await client.patch(f"/api/v1/admin/users/{ada_id}", json={"is_admin": True}, headers=headers)
    assert made.status_code == 200 and made.json()["is_admin"] is True
    assert (await client.get("/api/v1/admin/users", headers=auth(ada["token"]))).status_code == 200
    # Now root may step down; then Ada is the last one.
    down = await client.patch(f"/api/v1/admin/users/{root_id}", json={"is_admin": False}, headers=headers)
    assert down.status_code == 200 and down.json()["is_admin"] is False
    assert (await client.get("/api/v1/admin/users", headers=headers)).status_code == 403
    last = await client.patch(f"/api/v1/admin/users/{ada_id}", json={"disabled": True}, headers=auth(ada["token"]))
    assert last.status_code == 409 and last.json()["code"] == "last_admin"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"quota_bytes": -1}, 400, "invalid_request"),
        ({"quota_bytes": "lots"}, 400, "invalid_request"),
        ({"disabled": "yes"}, 400, "invalid_request"),
        ({"disabled": None}, 400, "invalid_request"),
        ({"display_name": "Eve"}, 400, "invalid_request"),
    ],
)
async def test_bad_admin_changes_are_refused_and_change_nothing(
    client: AppClient, body: dict, status: int, code: str
) -> None:
    root = (await register(client, email="root@example.com", name="Root"))["token"]
    ada_id = (await register(client))["user"]["id"]
    before = await users(client, root)
    resp = await client.patch(f"/api/v1/admin/users/{ada_id}", json=body, headers=auth(root))
    assert resp.status_code == status and resp.json()["code"] == code
    assert await users(client, root) == before


async def test_an_unknown_user_or_cursor(client: AppClient) -> None:
    root = (await register(client, email="root@example.com", name="Root"))["token"]
    resp = await client.patch("/api/v1/admin/users/u_nobody", json={"disabled": True}, headers=auth(root))
    assert resp.status_code == 404 and resp.json()["code"] == "user_not_found"
    bad = await client.get("/api/v1/admin/users?cursor=not-a-cursor", headers=auth(root))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
    for limit in (0, 201):
        assert (await client.get(f"/api/v1/admin/users?limit={limit}", headers=auth(root))).status_code == 400
