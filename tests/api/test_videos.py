"""Videos and Live Photos through the HTTP contract, on generated clips (tests/videos.py).

Uploaded through presigned URLs like photos, processed by the real pipeline (``runner.drain``),
played through the local ``/blobs`` endpoint with HTTP Range."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from auroravault.app import create_app
from tests.api.helpers import auth, local_path, register, upload_files
from tests.api.test_job_outcomes import settings_for
from tests.asgi import app_client
from tests.videos import huge_claim, iphone_mov, make_video, still_jpeg, undecodable


@pytest.fixture
async def token(client) -> str:
    return str((await register(client))["token"])


async def photo_of(client, token: str, photo_id: str) -> dict:
    resp = await client.get(f"/api/v1/photos/{photo_id}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def uploaded(client, token: str, paths: list[Path]) -> list[dict]:
    _, items = await upload_files(client, token, paths)
    await client.app.state.services.runner.drain(within=120)
    return [await photo_of(client, token, item["photo_id"]) for item in items]


async def original_url(client, token: str, photo_id: str, variant: str = "original") -> str:
    resp = await client.get(f"/api/v1/photos/{photo_id}/{variant}?redirect=false", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return local_path(resp.json()["url"])


async def test_an_mp4_becomes_a_ready_video_with_duration_and_a_poster(client, token, tmp_path: Path) -> None:
    [video] = await uploaded(client, token, [make_video(tmp_path / "beach.mp4", width=640, height=360, seconds=2)])
    assert video["status"] == "ready", video
    assert video["media_type"] == "video" and video["content_type"] == "video/mp4"
    assert video["duration_ms"] == pytest.approx(2000, abs=50)
    assert (video["width"], video["height"]) == (640, 360) and video["thumbhash"]
    for variant, fmt in (("thumb", "WEBP"), ("preview", "JPEG")):
        resp = await client.get(f"/api/v1/photos/{video['id']}/{variant}", headers=auth(token))
        assert resp.status_code == 200
        with Image.open(io.BytesIO(resp.content)) as poster:
            assert poster.format == fmt and poster.width > poster.height
    assert (await client.get(f"/api/v1/photos/{video['id']}/motion", headers=auth(token))).status_code == 404


async def test_a_mov_carries_place_time_and_camera_and_shows_upright(client, token, tmp_path: Path) -> None:
    [video] = await uploaded(client, token, [iphone_mov(tmp_path / "IMG_0042.MOV")])
    assert video["status"] == "ready", video
    assert video["content_type"] == "video/quicktime" and video["media_type"] == "video"
    assert (video["width"], video["height"]) == (240, 320)
    assert video["taken_at"].startswith("2024-05-01T12:20:30") and video["taken_at"].endswith("+02:00")
    assert video["location"]["lat"] == pytest.approx(48.8584) and video["location"]["lon"] == pytest.approx(2.2945)
    assert video["camera"] == {"make": "Apple", "model": "iPhone 15 Pro", "lens": None}
    assert video["place"] is not None and video["place"]["country_code"] == "FR"


async def test_photos_can_be_listed_by_type(client, token, tmp_path: Path, photos_dir: Path) -> None:
    video, photo = await uploaded(client, token, [make_video(tmp_path / "a.mp4"), photos_dir / "Landscape_1.jpg"])
    for kind, expected in (("video", [video["id"]]), ("image", [photo["id"]])):
        resp = await client.get(f"/api/v1/photos?type={kind}", headers=auth(token))
        assert [p["id"] for p in resp.json()["items"]] == expected
    bad = await client.get("/api/v1/photos?type=audio", headers=auth(token))
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")


async def test_a_corrupt_or_hostile_video_fails_with_a_code_and_keeps_its_original(
    client, token, tmp_path: Path
) -> None:
    whole = make_video(tmp_path / "whole.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    huge = huge_claim(tmp_path / "huge.mp4")
    endless = undecodable(tmp_path / "endless.mp4", packets=4000)  # more than videos.max_packets
    failed = await uploaded(client, token, [cut, huge, endless])
    for photo, path in zip(failed, [cut, huge, endless], strict=True):
        assert photo["status"] == "failed", photo
        assert photo["error"]["code"] in ("corrupt_video", "video_too_large")
        assert photo["media_type"] == "video"
        resp = await client.get(f"/api/v1/photos/{photo['id']}/original", headers=auth(token))
        assert resp.status_code == 200 and resp.content == path.read_bytes()
    assert failed[0]["error"]["code"] == failed[2]["error"]["code"] == "corrupt_video"


async def test_a_video_with_a_photo_type_is_judged_by_its_bytes(client, token, tmp_path: Path) -> None:
    clip = make_video(tmp_path / "looks_like.jpg")  # named and declared a JPEG
    [video] = await uploaded(client, token, [clip])
    assert video["status"] == "ready" and video["media_type"] == "video" and video["duration_ms"]


# --------------------------------------------------------------------------- Range


async def test_the_local_blob_answers_ranges_for_seeking(client, token, tmp_path: Path) -> None:
    path = make_video(tmp_path / "seek.mp4", seconds=3)
    data = path.read_bytes()
    [video] = await uploaded(client, token, [path])
    url = await original_url(client, token, video["id"])
    whole = await client.get(url)
    assert whole.status_code == 200 and whole.content == data and whole.headers["accept-ranges"] == "bytes"
    etag = whole.headers["etag"]

    part = await client.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == data[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    assert part.headers["content-length"] == "1000" and part.headers["etag"] == etag
    tail = await client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == data[-500:]
    rest = await client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert rest.status_code == 206 and rest.content == data[-10:]
    over = await client.get(url, headers={"Range": f"bytes=10-{len(data) * 2}"})
    assert over.status_code == 206 and over.content == data[10:]

    for bad in (f"bytes={len(data)}-", f"bytes={len(data) + 5}-{len(data) + 9}", "bytes=-0"):
        refused = await client.get(url, headers={"Range": bad})
        assert refused.status_code == 416, bad
        assert refused.headers["content-range"] == f"bytes */{len(data)}"
        assert refused.json()["code"] == "range_not_satisfiable"
    for ignored in ("bytes=0-1,5-9", "bytes=9-2", "items=0-4", "bytes=x-y"):
        full = await client.get(url, headers={"Range": ignored})
        assert full.status_code == 200 and full.content == data, ignored

    kept = await client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert kept.status_code == 206 and kept.content == data[:10]
    stale = await client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"not-the-etag"'})
    assert stale.status_code == 200 and stale.content == data
    dated = await client.get(url, headers={"Range": "bytes=0-9", "If-Range": whole.headers["last-modified"]})
    assert dated.status_code == 206


async def test_a_tampered_url_is_refused_with_or_without_range(client, token, tmp_path: Path) -> None:
    [video] = await uploaded(client, token, [make_video(tmp_path / "a.mp4")])
    url = await original_url(client, token, video["id"])
    resp = await client.get(url.replace("signature=", "signature=0"), headers={"Range": "bytes=0-9"})
    assert resp.status_code == 403


# --------------------------------------------------------------------------- Live Photos


async def live_pair(
    tmp_path: Path, *, ids: tuple[str | None, str | None] = (None, None), mov_name: str = "IMG_0007.MOV"
) -> list[Path]:
    still = still_jpeg(tmp_path / "IMG_0007.JPG", taken=datetime(2024, 5, 1, 12, 20, 30), identifier=ids[0])
    motion = iphone_mov(tmp_path / mov_name, taken="2024-05-01T12:20:31+0200", identifier=ids[1])
    return [still, motion]


@pytest.mark.parametrize("order", ["still first", "video first"])
async def test_a_live_photo_is_one_item_whose_motion_plays(client, token, tmp_path: Path, order: str) -> None:
    paths = await live_pair(tmp_path)
    if order == "video first":
        paths.reverse()
    photos = await uploaded(client, token, paths)
    still = next(p for p in photos if p["media_type"] == "image")
    motion = next(p for p in photos if p["media_type"] == "video")
    assert (await photo_of(client, token, still["id"]))["motion_photo_id"] == motion["id"]
    listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
    assert [p["id"] for p in listed] == [still["id"]]
    assert listed[0]["motion_photo_id"] == motion["id"]
    months = (await client.get("/api/v1/timeline", headers=auth(token))).json()
    assert months == [{"month": "2024-05", "count": 1}]
    url = await original_url(client, token, still["id"], "motion")
    played = await client.get(url, headers={"Range": "bytes=0-99"})
    assert played.status_code == 206 and played.content == paths[-1 if order == "still first" else 0].read_bytes()[:100]


async def test_a_clip_of_another_name_and_no_shared_identifier_stays_its_own_item(
    client, token, tmp_path: Path
) -> None:
    photos = await uploaded(client, token, await live_pair(tmp_path, mov_name="IMG_0008.MOV"))
    listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
    assert len(listed) == 2 and all(p.get("motion_photo_id") is None for p in listed)
    assert {p["id"] for p in listed} == {p["id"] for p in photos}


async def test_the_apple_content_identifier_pairs_whatever_the_names(client, token, tmp_path: Path) -> None:
    ids = ("2F0C6A4E-LIVE", "2F0C6A4E-LIVE")
    photos = await uploaded(client, token, await live_pair(tmp_path, ids=ids, mov_name="clip_from_share.mov"))
    listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
    assert len(listed) == 1 and listed[0]["motion_photo_id"] == next(
        p["id"] for p in photos if p["media_type"] == "video"
    )


async def test_different_identifiers_never_pair_even_with_one_name(client, token, tmp_path: Path) -> None:
    await uploaded(client, token, await live_pair(tmp_path, ids=("AAAA", "BBBB")))
    listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
    assert len(listed) == 2


async def test_a_strangers_request_for_the_motion_is_not_found(client, token, tmp_path: Path) -> None:
    photos = await uploaded(client, token, await live_pair(tmp_path))
    still = next(p for p in photos if p["media_type"] == "image")
    other = (await register(client, email="eve@example.com"))["token"]
    resp = await client.get(f"/api/v1/photos/{still['id']}/motion", headers=auth(other))
    assert resp.status_code == 404 and resp.json()["code"] == "photo_not_found"


async def test_a_live_photo_goes_to_the_trash_comes_back_and_is_deleted_whole(client, token, tmp_path: Path) -> None:
    photos = await uploaded(client, token, await live_pair(tmp_path))
    still = next(p for p in photos if p["media_type"] == "image")
    motion = next(p for p in photos if p["media_type"] == "video")
    trashed = await client.post("/api/v1/photos/trash", json={"ids": [still["id"]]}, headers=auth(token))
    assert trashed.json() == {"trashed": [still["id"]], "errors": []}
    assert (await client.get("/api/v1/photos", headers=auth(token))).json()["items"] == []
    assert [p["id"] for p in (await client.get("/api/v1/trash", headers=auth(token))).json()["items"]] == [still["id"]]
    # The motion video went too (its still stands for it in the trash listing).
    assert (await client.get(f"/api/v1/photos/{motion['id']}", headers=auth(token))).status_code == 404
    assert (await client.get(f"/api/v1/trash/{motion['id']}/original", headers=auth(token))).status_code == 200
    played = await client.get(f"/api/v1/trash/{still['id']}/motion", headers=auth(token))
    assert played.status_code == 200 and played.content == (tmp_path / "IMG_0007.MOV").read_bytes()

    restored = await client.post("/api/v1/trash/restore", json={"ids": [still["id"]]}, headers=auth(token))
    assert restored.json()["restored"] == [still["id"]] and restored.json()["errors"] == []
    assert (await photo_of(client, token, motion["id"]))["trashed_at"] is None
    listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
    assert [p["id"] for p in listed] == [still["id"]]

    await client.post("/api/v1/photos/trash", json={"ids": [still["id"]]}, headers=auth(token))
    deleted = await client.post("/api/v1/trash/delete", json={"ids": [still["id"]]}, headers=auth(token))
    assert deleted.json() == {"deleted": [still["id"]], "errors": []}
    await client.app.state.services.runner.drain(within=60)
    me = (await client.get("/api/v1/users/me", headers=auth(token))).json()
    assert me["used_bytes"] == 0 and me["photo_count"] == 0
    gone = await client.get(f"/api/v1/photos/{motion['id']}", headers=auth(token))
    assert gone.status_code == 404


async def test_video_types_are_accepted_and_others_refused_at_init(client, token) -> None:
    def spec(content_type: str, n: int) -> dict:
        return {"filename": f"v{n}", "size": 1000, "content_type": content_type, "sha256": f"{n:064x}"}

    ok = await client.post(
        "/api/v1/uploads", json={"files": [spec("video/mp4", 1), spec("video/quicktime", 2)]}, headers=auth(token)
    )
    assert ok.status_code == 201 and [i["status"] for i in ok.json()["items"]] == ["upload", "upload"]
    refused = await client.post("/api/v1/uploads", json={"files": [spec("video/x-msvideo", 3)]}, headers=auth(token))
    assert refused.status_code == 422 and refused.json()["code"] == "unsupported_media_type"


@pytest.fixture(params=["sqlite", "dynamodb"])
async def on_each_meta(request: pytest.FixtureRequest, tmp_path: Path):
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def test_a_live_photo_is_one_item_on_every_meta_backend(on_each_meta, tmp_path: Path) -> None:
    client = on_each_meta
    token = str((await register(client))["token"])
    paths = await live_pair(tmp_path, ids=("LIVE-42", "LIVE-42"))
    photos = await uploaded(client, token, [*paths, make_video(tmp_path / "other.mp4")])
    still = next(p for p in photos if p["filename"] == "IMG_0007.JPG")
    motion = next(p for p in photos if p["filename"] == "IMG_0007.MOV")
    listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
    assert sorted(p["filename"] for p in listed) == ["IMG_0007.JPG", "other.mp4"]
    assert next(p for p in listed if p["id"] == still["id"])["motion_photo_id"] == motion["id"]
    videos = (await client.get("/api/v1/photos?type=video", headers=auth(token))).json()["items"]
    assert [p["filename"] for p in videos] == ["other.mp4"]
    months = (await client.get("/api/v1/timeline", headers=auth(token))).json()
    assert sum(m["count"] for m in months) == 2
