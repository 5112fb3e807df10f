"""JSON nested too deeply is bad input (400 ``invalid_json``) on every JSON endpoint, not a 500."""

from __future__ import annotations

import pytest

from tests.api.helpers import auth, register

DEPTH = 1000  # 2 kB of brackets: past the decoder's recursion limit


def deep_arrays(depth: int = DEPTH) -> str:
    return "[" * depth + "]" * depth


def deep_objects(depth: int = DEPTH) -> str:
    return '{"a":' * depth + "1" + "}" * depth


JSON_ENDPOINTS = [
    ("/api/v1/auth/register", False),
    ("/api/v1/auth/login", False),
    ("/api/v1/auth/password-reset", False),
    ("/api/v1/auth/password-reset/confirm", False),
    ("/api/v1/uploads", True),
    ("/api/v1/uploads/check", True),
    ("/api/v1/uploads/some-batch/complete", True),
]


@pytest.mark.parametrize("body", [deep_arrays(), deep_objects(), '{"files": ' + deep_arrays() + "}"])
@pytest.mark.parametrize(("path", "needs_token"), JSON_ENDPOINTS)
async def test_deeply_nested_json_is_a_400_problem(client, path: str, needs_token: bool, body: str) -> None:
    token = (await register(client))["token"]
    headers = {"Content-Type": "application/json", **(auth(token) if needs_token else {})}
    resp = await client.post(path, content=body, headers=headers)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "invalid_json"


async def test_a_deep_register_body_creates_no_account_and_login_still_works(client) -> None:
    await register(client)
    resp = await client.post(
        "/api/v1/auth/register", content=deep_objects(), headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
    )
    assert login.status_code == 200
    # Shallow but malformed JSON keeps its code.
    bad = await client.post("/api/v1/auth/login", content="{", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_request"
