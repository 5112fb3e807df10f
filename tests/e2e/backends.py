"""Helpers for end-to-end runs on each backend combination, spoken to like a real client."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.api.helpers import content_type_of
from tests.servers.fixtures import create_bucket, unique_bucket
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name
from tests.servers.seaweedfs import SeaweedFS

PASSWORD = "a long family password"


def fifty_photos(photos_dir: Path, out: Path) -> list[Path]:
    """Every distinct non-empty sample, topped up to 50 with real photos re-encoded at other qualities."""
    import io

    from PIL import Image

    seen: set[str] = set()
    chosen: list[Path] = []
    for path in sorted(photos_dir.iterdir()):
        if path.suffix.lower() not in (".jpg", ".png", ".webp", ".heic") or path.stat().st_size == 0:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            chosen.append(path)
    quality = 40
    while len(chosen) < 50:
        source = photos_dir / f"Landscape_{len(chosen) % 8 + 1}.jpg"
        buffer = io.BytesIO()
        with Image.open(source) as img:
            img.save(buffer, "JPEG", quality=quality, exif=img.info.get("exif", b""))
        target = out / f"reencoded_{quality}_{source.name}"
        target.write_bytes(buffer.getvalue())
        chosen.append(target)
        quality += 1
    return chosen[:50]


def s3_env(seaweedfs: SeaweedFS, backend: str, bucket: str | None = None) -> dict[str, str]:
    bucket = bucket or unique_bucket()
    create_bucket(seaweedfs, bucket)
    return {
        "AURORAVAULT_STORAGE__BACKEND": backend,
        "AURORAVAULT_S3__ENDPOINT_URL": seaweedfs.endpoint,
        "AURORAVAULT_S3__REGION": seaweedfs.region,
        "AURORAVAULT_S3__BUCKET": bucket,
        "AURORAVAULT_S3__ACCESS_KEY": seaweedfs.access_key,
        "AURORAVAULT_S3__SECRET_KEY": seaweedfs.secret_key,
        "AURORAVAULT_S3__SECURE": "false",
    }


def dynamodb_env(moto_url: str, table: str | None = None) -> dict[str, str]:
    return {
        "AURORAVAULT_META__BACKEND": "dynamodb",
        "AURORAVAULT_DYNAMODB__TABLE": table or unique_name("e2e"),
        "AURORAVAULT_DYNAMODB__REGION": MOTO_REGION,
        "AURORAVAULT_DYNAMODB__ENDPOINT_URL": moto_url,
        "AURORAVAULT_DYNAMODB__ACCESS_KEY": MOTO_CREDENTIALS["access_key"],
        "AURORAVAULT_DYNAMODB__SECRET_KEY": MOTO_CREDENTIALS["secret_key"],
    }


def migrate(env: dict[str, str], data_dir: Path) -> None:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "auroravault", "migrate"],
        env={**os.environ, "AURORAVAULT_SERVER__DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def create_admin(env: dict[str, str], data_dir: Path, email: str = "admin@example.com") -> None:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "auroravault", "user", "create", "--email", email, "--name", "Admin", "--admin"],
        env={**os.environ, "AURORAVAULT_SERVER__DATA_DIR": str(data_dir), "AURORAVAULT_PASSWORD": PASSWORD, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def login(base_url: str, email: str) -> dict[str, str]:
    resp = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def register(base_url: str, email: str = "family@example.com") -> dict[str, str]:
    resp = httpx.post(
        f"{base_url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Family"},
        timeout=30,
    )
    assert resp.status_code == 201, resp.text
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def specs(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        data = path.read_bytes()
        out.append(
            {
                "filename": path.name,
                "size": len(data),
                "content_type": content_type_of(path),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    return out


def put_all(items: list[dict[str, Any]], paths: list[Path]) -> None:
    with httpx.Client(timeout=60) as plain:
        for item, path in zip(items, paths, strict=True):
            if item["status"] != "upload":
                continue
            up = item["upload"]
            resp = plain.request(up["method"], up["url"], headers=up["headers"], content=path.read_bytes())
            assert resp.status_code in (200, 204), resp.text


def all_photos(base_url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 20} | ({"cursor": cursor} if cursor else {})
        page = httpx.get(f"{base_url}/api/v1/photos", params=params, headers=headers, timeout=30).json()
        listed += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return listed


def wait_until_settled(base_url: str, headers: dict[str, str], count: int, timeout: float = 180) -> list[dict]:
    """Poll the list until ``count`` photos are there and none is still processing."""
    deadline = time.monotonic() + timeout
    photos: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        photos = all_photos(base_url, headers)
        if len(photos) >= count and all(p["status"] != "processing" for p in photos):
            return photos
        time.sleep(0.5)
    states = sorted(p["status"] for p in photos)
    raise AssertionError(f"not settled after {timeout}s: {len(photos)} photos, states {states}")


def download(base_url: str, headers: dict[str, str], photo_id: str) -> bytes:
    resp = httpx.get(
        f"{base_url}/api/v1/photos/{photo_id}/original", headers=headers, follow_redirects=True, timeout=60
    )
    assert resp.status_code == 200, resp.text
    return resp.content
