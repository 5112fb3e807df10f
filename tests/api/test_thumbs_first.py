"""Thumbnails first: a JPEG is listed with its thumb before its preview exists, the preview
follows by its own job, and a 200 MP photo in the mix stays within the decode memory budget."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from litestar import Litestar
from PIL import Image

from auroravault.app import create_app
from auroravault.config import Settings
from tests.api.helpers import auth, register, upload_files
from tests.asgi import app_client
from tests.conftest import PHOTOS, make_settings
from tests.imaging.bombs import write_png_bomb

MiB = 1024 * 1024


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Previews wait an hour: drain() then runs the thumbs only, as a busy server would at first.
    return make_settings(tmp_path, images={"preview_delay_seconds": 3600})


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


async def variant(client, token: str, photo_id: str, name: str) -> tuple[int, bytes]:
    resp = await client.get(f"/api/v1/photos/{photo_id}/{name}", headers=auth(token))
    return resp.status_code, resp.content


async def test_a_jpeg_is_browsable_with_its_thumb_before_its_preview_is_made(client) -> None:
    token = (await register(client))["token"]
    names = ["Landscape_6.jpg", "Landscape_1.jpg"]
    _, items = await upload_files(client, token, [PHOTOS / n for n in names])
    services = client.app.state.services
    await services.runner.drain(within=30)  # the thumbs' jobs; the previews' are not due yet

    page = (await client.get("/api/v1/photos?limit=10", headers=auth(token))).json()
    listed = {p["id"]: p for p in page["items"]}
    for item in items:
        photo = listed[item["photo_id"]]
        assert photo["status"] == "ready" and photo["preview_pending"] is True
        assert photo["thumb_url"] and photo["thumbhash"]
        status, body = await variant(client, token, photo["id"], "thumb")
        assert status == 200
        with Image.open(io.BytesIO(body)) as thumb:
            assert thumb.format == "WEBP" and min(thumb.size) == 250
            assert (thumb.width >= thumb.height) == (photo["width"] >= photo["height"])
        status, body = await variant(client, token, photo["id"], "preview")
        assert status == 409 and b"variant_not_ready" in body
    # Landscape_6 is stored sideways: its thumb is upright already.
    assert (listed[items[0]["photo_id"]]["width"], listed[items[0]["photo_id"]]["height"]) == (1800, 1200)
    variants_before = (await client.get("/api/v1/users/me", headers=auth(token))).json()["variant_bytes"]

    for item in items:  # what the make_preview jobs do when they are due
        await services.processing.handle_preview({"photo_id": item["photo_id"]})
    for item in items:
        photo = (await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))).json()
        assert photo["status"] == "ready" and "preview_pending" not in photo
        status, body = await variant(client, token, photo["id"], "preview")
        assert status == 200
        with Image.open(io.BytesIO(body)) as preview:
            assert preview.format == "JPEG" and min(preview.size) == min(1440, photo["width"], photo["height"])
            assert (preview.width >= preview.height) == (photo["width"] >= photo["height"])
    variants_after = (await client.get("/api/v1/users/me", headers=auth(token))).json()["variant_bytes"]
    assert variants_after > variants_before  # the previews are reported once they exist
    # the verified originals kept for the previews are gone from the work folder
    assert not list(services.settings.work_path.glob("kept-*"))


async def test_the_preview_is_made_from_storage_when_the_kept_original_is_gone(client) -> None:
    token = (await register(client))["token"]
    _, [item] = await upload_files(client, token, [PHOTOS / "Landscape_3.jpg"])
    services = client.app.state.services
    await services.runner.drain(within=30)
    assert (await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))).json()["preview_pending"]
    for kept in services.settings.work_path.glob("kept-*"):  # another instance, or a restart
        kept.unlink()
    await services.processing.handle_preview({"photo_id": item["photo_id"]})
    status, body = await variant(client, token, item["photo_id"], "preview")
    assert status == 200 and body[:2] == b"\xff\xd8"


@pytest.mark.parametrize("name", ["arrow.heic", "flower.jpg"])
async def test_a_heic_or_a_small_jpeg_gets_both_variants_at_once(client, name: str) -> None:
    # A HEIC decodes at full size whatever the target, and a JPEG too small to be decoded reduced
    # for its preview gains nothing from two decodes: one decode makes both, nothing pending.
    token = (await register(client))["token"]
    _, [item] = await upload_files(client, token, [PHOTOS / name])
    await client.app.state.services.runner.drain(within=60)
    photo = (await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))).json()
    assert photo["status"] == "ready" and "preview_pending" not in photo
    assert (await variant(client, token, item["photo_id"], "preview"))[0] == 200


async def test_a_200_mp_photo_in_the_mix_stays_within_the_decode_memory_budget(tmp_path: Path) -> None:
    budget_mib = 512
    bomb = tmp_path / "big.png"
    write_png_bomb(bomb, 14_143)  # 200 MP, 16-bit: about 460 MiB to decode
    settings = make_settings(
        tmp_path,
        images={"concurrency": 4, "decode_memory_bytes": budget_mib * MiB, "preview_delay_seconds": 0},
        jobs={"concurrency": 8},
    )
    async with app_client(create_app(settings)) as client:
        token = (await register(client))["token"]
        paths = [bomb] + [PHOTOS / n for n in ("flower.jpg", "Landscape_1.jpg", "Landscape_3.jpg", "starfish.jpg")]
        _, items = await upload_files(client, token, paths)
        services = client.app.state.services
        await services.runner.drain(within=240)
        for item in items:
            photo = (await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))).json()
            assert photo["status"] == "ready", photo
        pool = services.processing.pool
        assert pool.peak_reserved > 400 * MiB  # the 200 MP photo was decoded...
        assert pool.peak_reserved <= budget_mib * MiB  # ...and nothing ran beside it beyond the budget
