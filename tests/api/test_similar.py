"""Near-duplicates through the HTTP contract: real photos, a copy re-saved smaller at another
quality and a burst of shifted crops come back as groups, best first; different photos stay
apart; trashing the extras through the trash endpoint empties the review. Both meta adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from PIL import Image

from auroravault.app import create_app
from auroravault.storage.base import thumb_key
from tests.api.helpers import auth, register, upload_files
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client


def _save(image: Image.Image, path: Path, quality: int, scale: float = 1.0) -> Path:
    size = (int(image.width * scale), int(image.height * scale))
    image.convert("RGB").resize(size).save(path, "JPEG", quality=quality)
    return path


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def test_similar_groups_and_trashing_the_extras(client, photos_dir: Path, tmp_path: Path) -> None:
    token = (await register(client))["token"]
    flower = Image.open(photos_dir / "flower.jpg")
    starfish = Image.open(photos_dir / "starfish.jpg")
    w, h = starfish.size
    step = w // 100
    paths = [
        photos_dir / "flower.jpg",
        _save(flower, tmp_path / "flower_small.jpg", 45, 0.5),
        photos_dir / "starfish.jpg",
        _save(starfish.crop((step, step, w - step, h - step)), tmp_path / "burst_1.jpg", 85),
        _save(starfish.crop((2 * step, step, w, h - step)), tmp_path / "burst_2.jpg", 85),
        photos_dir / "canon_hdr_NO.jpg",
        photos_dir / "iphone_hdr_NO.jpg",
    ]
    _, items = await upload_files(client, token, paths)
    await client.app.state.services.runner.drain(within=180)
    ids = {p.name: item["photo_id"] for p, item in zip(paths, items, strict=True)}

    groups = (await client.get("/api/v1/similar", headers=auth(token))).json()
    computed = client.app.state.services.similar.cache.computed
    assert (await client.get("/api/v1/similar", headers=auth(token))).json() == groups  # unchanged: kept
    assert client.app.state.services.similar.cache.computed == computed
    assert [g["photo_ids"][0] for g in groups] == [ids["starfish.jpg"], ids["flower.jpg"]]  # the original first
    assert set(groups[0]["photo_ids"][1:]) == {ids["burst_1.jpg"], ids["burst_2.jpg"]}
    assert groups[1]["photo_ids"] == [ids["flower.jpg"], ids["flower_small.jpg"]]
    assert groups[1]["photos"][0]["filename"] == "flower.jpg"  # the larger original first

    extras = [i for g in groups for i in g["photo_ids"][1:]]
    resp = await client.post("/api/v1/photos/trash", json={"ids": extras}, headers=auth(token))
    assert resp.json()["trashed"] == extras
    assert (await client.get("/api/v1/similar", headers=auth(token))).json() == []
    other = (await register(client, email="other@example.com"))["token"]
    assert (await client.get("/api/v1/similar", headers=auth(other))).json() == []
    assert (await client.get("/api/v1/similar")).status_code == 401


async def test_no_photos_means_no_groups(client) -> None:
    token = (await register(client))["token"]
    assert (await client.get("/api/v1/similar", headers=auth(token))).json() == []


async def test_the_hashes_are_stored_while_processing_and_old_photos_are_hashed_on_first_look(
    client, photos_dir: Path, tmp_path: Path
) -> None:
    token = (await register(client))["token"]
    flower = Image.open(photos_dir / "flower.jpg")
    paths = [photos_dir / "flower.jpg", _save(flower, tmp_path / "flower_small.jpg", 45, 0.5)]
    paths.append(photos_dir / "starfish.jpg")
    _, items = await upload_files(client, token, paths)
    services = client.app.state.services
    await services.runner.drain(within=180)
    ids = [item["photo_id"] for item in items]
    photos = [await services.meta.get_photo(i) for i in ids]
    assert all(p is not None and p.dhash is not None and len(p.dhash) == 16 for p in photos), photos
    int(photos[0].dhash, 16)  # hex digits

    # With the thumbnails gone the groups are the same: the stored hashes are all it reads.
    for photo in photos:
        await services.blobs.delete(thumb_key(photo.owner_id, photo.id))
    groups = (await client.get("/api/v1/similar", headers=auth(token))).json()
    assert [g["photo_ids"] for g in groups] == [ids[:2]]

    # A photo processed before hashes were stored (none on its record) is hashed from its
    # thumbnail when the page is first asked for, and still found.
    other = (await register(client, email="old@example.com"))["token"]
    _, items = await upload_files(client, other, paths[:2])
    await services.runner.drain(within=180)
    old_ids = [item["photo_id"] for item in items]
    for photo_id in old_ids:
        stored = await services.meta.get_photo(photo_id)
        assert await services.meta.save_processed_photo(msgspec.structs.replace(stored, dhash=None), "ready")
        assert (await services.meta.get_photo(photo_id)).dhash is None
    groups = (await client.get("/api/v1/similar", headers=auth(other))).json()
    assert [g["photo_ids"] for g in groups] == [old_ids]
