"""Small helpers that speak the HTTP contract the way a client would."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.asgi import AppClient

Client = AppClient


async def register(
    client: Client, email: str = "ada@example.com", password: str = "correct horse battery", name: str = "Ada"
) -> dict[str, Any]:
    resp = await client.post("/api/v1/auth/register", json={"email": email, "password": password, "display_name": name})
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def file_spec(path: Path, content_type: str = "image/jpeg", **extra: Any) -> dict[str, Any]:
    data = path.read_bytes()
    return {
        "filename": path.name,
        "size": len(data),
        "content_type": content_type,
        "sha256": hashlib.sha256(data).hexdigest(),
        **extra,
    }


def local_path(url: str) -> str:
    """The path and query of a presigned URL, for sending it through the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def put_presigned(client: Client, upload: dict[str, Any], data: bytes) -> int:
    resp = await client.request(upload["method"], local_path(upload["url"]), content=data, headers=upload["headers"])
    return resp.status_code


async def upload_files(client: Client, token: str, paths: list[Path]) -> tuple[str, list[dict[str, Any]]]:
    """Init a batch, PUT every file, complete; return the batch id and complete's items."""
    specs = [file_spec(p, content_type_of(p)) for p in paths]
    resp = await client.post("/api/v1/uploads", json={"files": specs}, headers=auth(token))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    for item, path in zip(body["items"], paths, strict=True):
        if item["status"] == "upload":
            assert await put_presigned(client, item["upload"], path.read_bytes()) == 200
    done = await client.post(f"/api/v1/uploads/{body['batch_id']}/complete", json={}, headers=auth(token))
    assert done.status_code == 200, done.text
    return body["batch_id"], done.json()["items"]


def content_type_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return {
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".webp": "image/webp",
        ".heic": "image/heic",
        ".mp4": "video/mp4",
        ".mov": "video/quicktime",
    }.get(suffix, "image/jpeg")
