"""Control characters (C0, DEL, C1) in names people see are refused whole, and nothing is made."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.helpers import auth, register

# NUL, BEL, ESC (terminal escapes), TAB, LF, CR, DEL, C1 NEL and CSI
CONTROLS = ["\x00", "\x07", "\x1b[31m", "\t", "\n", "\r", "\x7f", "\x85", "\x9b"]


@pytest.mark.parametrize("control", CONTROLS)
async def test_register_refuses_a_display_name_with_a_control_character(client, control: str) -> None:
    body = {"email": "ada@example.com", "password": "correct horse battery", "display_name": f"Ada{control}Admin"}
    resp = await client.post("/api/v1/auth/register", json=body)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "invalid_display_name"
    # nothing was created: the same email registers fine with a clean name
    assert (await register(client, "ada@example.com", name="Ada Admin"))["user"]["display_name"] == "Ada Admin"


def spec(name: str, data: bytes) -> dict:
    sha = hashlib.sha256(data).hexdigest()
    return {"filename": name, "size": len(data), "content_type": "image/jpeg", "sha256": sha}


@pytest.mark.parametrize("control", CONTROLS)
async def test_uploads_refuse_a_filename_with_a_control_character(client, control: str) -> None:
    token = (await register(client))["token"]
    good, bad = spec("beach.jpg", b"one photo"), spec(f"evil{control}.jpg", b"another photo")
    resp = await client.post("/api/v1/uploads", json={"files": [good, bad]}, headers=auth(token))
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert problem["code"] == "invalid_filename"
    assert problem["errors"] == [{"index": 1, "code": "invalid_filename", "detail": problem["errors"][0]["detail"]}]
    pending = await client.get("/api/v1/uploads?state=pending", headers=auth(token))
    assert pending.status_code == 200 and pending.json()["items"] == []  # the batch was refused whole
    me = (await client.get("/api/v1/users/me", headers=auth(token))).json()
    assert me["used_bytes"] == 0


def test_user_create_refuses_a_display_name_with_a_control_character(tmp_path: Path) -> None:
    env = {**os.environ, "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "data")}
    env["AURORAVAULT_PASSWORD"] = "long enough pw"

    def create(name: str) -> subprocess.CompletedProcess[str]:
        args = ["user", "create", "--email", "root@example.com", "--name", name]
        return subprocess.run(
            [sys.executable, "-m", "auroravault", *args], env=env, capture_output=True, text=True, timeout=60
        )

    refused = create("Root\x1b[2J\x9b")
    assert refused.returncode == 1 and "invalid_display_name" in refused.stderr
    assert create("Root").returncode == 0  # the email was still free
