"""What a family sees of damaged and oversized photos, through the HTTP contract.

Real files uploaded through presigned URLs and processed by the real job runner (SQLite and a
local folder; the meta contract suite covers the damage fields on DynamoDB).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.api.helpers import auth, register, upload_files
from tests.conftest import PHOTOS
from tests.imaging.bombs import write_png_bomb


async def _processed(client, token: str, path: Path) -> dict:
    _, [item] = await upload_files(client, token, [path])
    await client.app.state.services.runner.drain(within=180)
    resp = await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    photo: dict = resp.json()
    return photo


async def _original(client, token: str, photo_id: str) -> bytes:
    resp = await client.get(f"/api/v1/photos/{photo_id}/original", headers=auth(token))
    assert resp.status_code == 200
    return resp.content


async def test_a_truncated_photo_is_ready_marked_damaged_with_its_variants(client, tmp_path: Path) -> None:
    token = (await register(client))["token"]
    photo = await _processed(client, token, PHOTOS / "starfish_truncated.jpg")
    assert photo["status"] == "ready"
    assert photo["damaged"]["code"] == "truncated"
    assert photo["damaged"]["detail"]
    assert "error" not in photo
    assert (photo["width"], photo["height"]) == (1278, 720)
    assert photo["camera"]["model"] == "Lumia 820"  # the EXIF survived the cut
    # The timeline shows it too, with its thumbnail and the same mark.
    listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
    assert [(p["id"], p["damaged"]["code"]) for p in listed] == [(photo["id"], "truncated")]
    assert listed[0]["thumb_url"]
    for variant, size in (("thumb", (444, 250)), ("preview", (1278, 720))):
        resp = await client.get(f"/api/v1/photos/{photo['id']}/{variant}", headers=auth(token))
        assert resp.status_code == 200
        out = tmp_path / variant
        out.write_bytes(resp.content)
        with Image.open(out) as im:
            assert im.size == size
    # The original stays exactly what was uploaded.
    assert await _original(client, token, photo["id"]) == (PHOTOS / "starfish_truncated.jpg").read_bytes()


async def test_a_photo_cut_before_its_pixels_fails_and_keeps_its_original(client, tmp_path: Path) -> None:
    token = (await register(client))["token"]
    header_only = tmp_path / "header_only.jpg"
    header_only.write_bytes((PHOTOS / "starfish.jpg").read_bytes()[:30_880])  # ends where the pixels begin
    photo = await _processed(client, token, header_only)
    assert photo["status"] == "failed"
    assert photo["error"]["code"] == "corrupt_image"
    assert "damaged" not in photo
    assert await _original(client, token, photo["id"]) == header_only.read_bytes()


async def test_a_png_bomb_fails_as_too_large_and_keeps_its_original(client, tmp_path: Path) -> None:
    token = (await register(client))["token"]
    bomb = tmp_path / "bomb.png"
    write_png_bomb(bomb, 15_800)  # 249.6 MP of 16-bit grey in about 500 kB: 2.45 GB to decode
    photo = await _processed(client, token, bomb)
    assert photo["status"] == "failed"
    assert photo["error"]["code"] == "image_too_large"
    assert "MiB" in photo["error"]["detail"]
    assert await _original(client, token, photo["id"]) == bomb.read_bytes()
