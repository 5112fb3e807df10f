"""End to end: a real uvicorn process, a plain HTTP client, 50 real photos through the contract."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.api.helpers import content_type_of
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def fifty_photos(photos_dir: Path, out: Path) -> list[Path]:
    """Every distinct non-empty sample, topped up to 50 with real photos re-encoded at other qualities."""
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


def test_fifty_photos_up_listed_and_down_byte_identical(server: Server, photos_dir: Path, tmp_path: Path) -> None:
    paths = fifty_photos(photos_dir, tmp_path)
    with httpx.Client(base_url=server.url, timeout=60) as http:
        reg = http.post(
            "/api/v1/auth/register",
            json={"email": "family@example.com", "password": "a long family password", "display_name": "Family"},
        )
        assert reg.status_code == 201, reg.text
        headers = {"Authorization": f"Bearer {reg.json()['token']}"}
        files = []
        for path in paths:
            data = path.read_bytes()
            files.append(
                {
                    "filename": path.name,
                    "size": len(data),
                    "content_type": content_type_of(path),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "client_ref": str(path),
                }
            )
        init = http.post("/api/v1/uploads", json={"files": files}, headers=headers)
        assert init.status_code == 201, init.text
        body = init.json()
        assert [i["status"] for i in body["items"]] == ["upload"] * 50
        # the bytes go straight to the presigned URL with a plain client, no auth header
        with httpx.Client(timeout=60) as plain:
            for item, path in zip(body["items"], paths, strict=True):
                up = item["upload"]
                resp = plain.request(up["method"], up["url"], headers=up["headers"], content=path.read_bytes())
                assert resp.status_code == 200, resp.text
        done = http.post(f"/api/v1/uploads/{body['batch_id']}/complete", json={}, headers=headers)
        assert [i["status"] for i in done.json()["items"]] == ["processing"] * 50

        listed, cursor = [], None
        while True:
            params = {"limit": 7} | ({"cursor": cursor} if cursor else {})
            page = http.get("/api/v1/photos", params=params, headers=headers).json()
            listed += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(listed) == 50 and len({p["id"] for p in listed}) == 50

        by_id = {item["photo_id"]: path for item, path in zip(body["items"], paths, strict=True)}
        for photo in listed:
            resp = http.get(f"/api/v1/photos/{photo['id']}/original", headers=headers, follow_redirects=True)
            assert resp.status_code == 200
            expected = by_id[photo["id"]].read_bytes()
            assert hashlib.sha256(resp.content).hexdigest() == hashlib.sha256(expected).hexdigest()
            assert photo["sha256"] == hashlib.sha256(expected).hexdigest()
