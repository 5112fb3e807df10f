"""The photo pipeline end to end through the HTTP contract, driven over the real sample photos.

Each MANIFEST.tsv row is uploaded through presigned URLs, the jobs run (``runner.drain``),
and the photo must reach the state its content deserves with the manifest's metadata.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image

from auroravault.timeutil import utcnow
from tests.api.helpers import auth, file_spec, put_presigned, register, upload_files
from tests.conftest import PHOTOS


@dataclass
class Row:
    file: str
    width: int | None
    height: int | None
    make: str | None
    model: str | None
    taken: str | None
    orientation: int | None
    gps: tuple[float, float] | None
    openable: bool


def manifest() -> list[Row]:
    rows = []
    with open(PHOTOS / "MANIFEST.tsv", newline="") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            wh = rec["width_x_height"]
            width, height = (int(x) for x in wh.split("x")) if wh else (None, None)
            make, _, model = rec["camera_make_model"].partition(" / ")
            gps = None
            if rec["has_GPS"].startswith("yes ("):
                lat, lon = rec["has_GPS"][5:-1].split(",")
                gps = (float(lat), float(lon))
            rows.append(
                Row(
                    file=rec["file"],
                    width=width,
                    height=height,
                    make=make or None,
                    model=model or None,
                    taken=rec["DateTimeOriginal"] or None,
                    orientation=int(rec["Orientation"]) if rec["Orientation"] else None,
                    gps=gps,
                    openable=not rec["format"].startswith("not openable"),
                )
            )
    return rows


ROWS = manifest()
# Cut off, but their headers decode: ready, showing what they hold, and marked damaged.
TRUNCATED = {"starfish_truncated.jpg", "truncated_jpeg.jpg", "truncated.heic"}


def expected_state(row: Row) -> tuple[str, str | None]:
    if not row.openable:
        return "failed", "unsupported_format"
    return "ready", None


@pytest.fixture
async def family(client):
    token = (await register(client))["token"]
    return token


async def photo_of(client, token: str, photo_id: str) -> dict:
    resp = await client.get(f"/api/v1/photos/{photo_id}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return resp.json()


@pytest.mark.parametrize("row", [r for r in ROWS if r.file != "notjpeg.jpg"], ids=lambda r: r.file)
async def test_every_sample_reaches_the_state_its_content_deserves(client, family, row: Row) -> None:
    path = PHOTOS / row.file
    _, [item] = await upload_files(client, family, [path])
    await client.app.state.services.runner.drain(within=180)
    photo = await photo_of(client, family, item["photo_id"])
    status, code = expected_state(row)
    assert photo["status"] == status, photo
    if status == "failed":
        assert photo["error"]["code"] == code
        # the original is kept and downloadable, byte-identical
        download = await client.get(f"/api/v1/photos/{photo['id']}/original")
        resp = await client.get(f"/api/v1/photos/{photo['id']}/original", headers=auth(family))
        assert download.status_code == 401 and resp.status_code == 200
        assert resp.content == path.read_bytes()
        return
    if row.file in TRUNCATED:
        assert photo["damaged"]["code"] == "truncated"
    else:
        assert "damaged" not in photo
    width, height = row.width, row.height
    if row.orientation in (5, 6, 7, 8) and not row.file.lower().endswith(".heic"):
        width, height = height, width  # stored sideways, displayed upright
    assert (photo["width"], photo["height"]) == (width, height)
    assert photo["camera"]["make"] == row.make
    assert photo["camera"]["model"] == row.model
    if row.taken:
        assert photo["taken_at"].startswith(row.taken.replace(":", "-", 2).replace(" ", "T"))
        assert photo["taken_at_source"] == "exif_original"
    else:
        assert photo["taken_at_source"] in ("upload", "exif_datetime")
    if row.gps:
        assert photo["location"]["lat"] == pytest.approx(row.gps[0], abs=1e-5)
        assert photo["location"]["lon"] == pytest.approx(row.gps[1], abs=1e-5)
    else:
        assert photo["location"] is None
    assert photo["thumbhash"]


async def test_variants_are_right_sized_upright_and_carry_no_exif(client, family) -> None:
    names = ["Landscape_1.jpg", "Landscape_6.jpg", "iphone_hdr_NO.jpg", "arrow.heic", "pil_sample_cmyk.jpg"]
    _, items = await upload_files(client, family, [PHOTOS / n for n in names])
    await client.app.state.services.runner.drain(within=180)
    for name, item in zip(names, items, strict=True):
        photo = await photo_of(client, family, item["photo_id"])
        assert photo["status"] == "ready", (name, photo)
        for variant, fmt, short_edge in (("thumb", "WEBP", 250), ("preview", "JPEG", 1440)):
            resp = await client.get(f"/api/v1/photos/{photo['id']}/{variant}", headers=auth(family))
            assert resp.status_code == 200, (name, variant)
            with Image.open(io.BytesIO(resp.content)) as img:
                assert img.format == fmt
                assert img.mode == "RGB" or (fmt == "WEBP" and img.mode == "RGBA")
                expected = min(short_edge, photo["width"], photo["height"])
                assert min(img.size) == expected, (name, variant, img.size)
                # same aspect as the displayed photo: the orientation was applied
                assert (img.width >= img.height) == (photo["width"] >= photo["height"]), (name, variant)
                assert not img.getexif(), (name, variant)
                assert "exif" not in img.info and "xmp" not in img.info
    landscape_6 = await photo_of(client, family, items[1]["photo_id"])
    # Landscape_6 is stored sideways (1200x1800) and displayed as the landscape it is
    assert (landscape_6["width"], landscape_6["height"]) == (1800, 1200)


async def test_orientations_all_come_out_the_same_way_up(client, family) -> None:
    names = [f"Landscape_{i}.jpg" for i in range(1, 9)]
    _, items = await upload_files(client, family, [PHOTOS / n for n in names])
    await client.app.state.services.runner.drain(within=180)
    thumbs = []
    for item in items:
        resp = await client.get(f"/api/v1/photos/{item['photo_id']}/thumb", headers=auth(family))
        with Image.open(io.BytesIO(resp.content)) as img:
            thumbs.append(img.convert("L").resize((60, 40)))
    reference = thumbs[0]
    for name, thumb in zip(names[1:], thumbs[1:], strict=True):
        diff = sum(abs(a - b) for a, b in zip(reference.tobytes(), thumb.tobytes(), strict=True)) / (60 * 40)
        assert diff < 12, f"{name} is not upright like Landscape_1 (mean difference {diff:.1f})"


async def test_used_bytes_count_originals_only_and_variants_are_reported_beside(client, family) -> None:
    paths = [PHOTOS / "flower.jpg", PHOTOS / "not_an_image.jpg"]
    _, items = await upload_files(client, family, paths)
    await client.app.state.services.runner.drain(within=180)
    meta = client.app.state.services.meta
    photos = [await meta.get_photo(i["photo_id"]) for i in items]
    assert [p.status for p in photos] == ["ready", "failed"]
    variants = photos[0].variants_bytes
    assert variants > 0 and photos[1].variants_bytes == 0
    me = (await client.get("/api/v1/users/me", headers=auth(family))).json()
    assert me["used_bytes"] == sum(p.stat().st_size for p in paths)
    assert me["variant_bytes"] == variants
    assert me["photo_count"] == 2


async def test_a_checksum_mismatch_rejects_the_upload_and_frees_everything(client, family) -> None:
    path = PHOTOS / "starfish.jpg"
    data = path.read_bytes()
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(path)]}, headers=auth(family))
    batch = resp.json()
    item = batch["items"][0]
    me = (await client.get("/api/v1/users/me", headers=auth(family))).json()
    # a store without signed checksums (the minio SDK) accepts other bytes of the same size
    store = client.app.state.services.blobs
    target = store.path_of(f"{me['id']}/{item['photo_id']}/original")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bytes(reversed(data)))
    done = await client.post(f"/api/v1/uploads/{batch['batch_id']}/complete", json={}, headers=auth(family))
    assert done.json()["items"][0]["status"] == "processing"
    await client.app.state.services.runner.drain(within=180)
    status = (await client.get(f"/api/v1/uploads/{batch['batch_id']}", headers=auth(family))).json()
    assert status["items"][0]["status"] == "rejected"
    assert status["items"][0]["reason"].startswith("checksum_mismatch")
    assert not target.exists()
    assert (await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(family))).status_code == 404
    assert (await client.get("/api/v1/users/me", headers=auth(family))).json()["used_bytes"] == 0


async def test_processing_twice_does_no_harm(client, family) -> None:
    _, [item] = await upload_files(client, family, [PHOTOS / "flower.jpg"])
    services = client.app.state.services
    # a second delivery of the same job (lease expired, process killed) and a racing run
    await asyncio.gather(services.processing.process(item["photo_id"]), services.processing.process(item["photo_id"]))
    await services.runner.drain(within=180)
    await services.processing.process(item["photo_id"])
    photo = await services.meta.get_photo(item["photo_id"])
    assert photo.status == "ready"
    me = (await client.get("/api/v1/users/me", headers=auth(family))).json()
    assert me["used_bytes"] == (PHOTOS / "flower.jpg").stat().st_size
    assert me["variant_bytes"] == photo.variants_bytes
    keys = sorted([o.key async for o in services.blobs.list(f"{me['id']}/")])
    assert [k.rsplit("/", 1)[1] for k in keys] == ["original", "preview.jpg", "thumb.webp"]


async def test_the_same_bytes_racing_in_two_batches_end_as_one_photo(client, family) -> None:
    path = PHOTOS / "dsc_09827.jpg"
    spec = file_spec(path)
    first, second = await asyncio.gather(
        client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(family)),
        client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(family)),
    )
    items = [first.json()["items"][0], second.json()["items"][0]]
    assert items[0]["photo_id"] == items[1]["photo_id"]
    for item, resp in zip(items, (first, second), strict=True):
        if item["status"] == "upload":
            assert await put_presigned(client, item["upload"], path.read_bytes()) == 200
        await client.post(f"/api/v1/uploads/{resp.json()['batch_id']}/complete", json={}, headers=auth(family))
    await client.app.state.services.runner.drain(within=180)
    listed = (await client.get("/api/v1/photos", headers=auth(family))).json()["items"]
    assert len(listed) == 1 and listed[0]["status"] == "ready"
    again = await client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(family))
    assert again.json()["items"][0]["status"] == "duplicate"


async def test_the_timeline_uses_the_time_the_photo_was_taken(client, family) -> None:
    names = ["flower.jpg", "starfish.jpg", "canon_hdr_NO.jpg"]  # 2003-12, 2013-05, 2015-02
    await upload_files(client, family, [PHOTOS / n for n in names])
    await client.app.state.services.runner.drain(within=180)
    months = (await client.get("/api/v1/timeline", headers=auth(family))).json()
    assert months == [
        {"month": "2015-02", "count": 1},
        {"month": "2013-05", "count": 1},
        {"month": "2003-12", "count": 1},
    ]
    listed = (await client.get("/api/v1/photos?order=oldest", headers=auth(family))).json()["items"]
    assert [p["filename"] for p in listed] == names
    assert all(p["thumb_url"] for p in listed)


# -- the pending sweep ----------------------------------------------------------------------
async def test_a_client_killed_after_put_still_gets_its_photo(client, family) -> None:
    path = PHOTOS / "flower.jpg"
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(path)]}, headers=auth(family))
    item = resp.json()["items"][0]
    assert await put_presigned(client, item["upload"], path.read_bytes()) == 200
    # ... and the client never calls complete. The sweep finds it once its check is due.
    services = client.app.state.services
    nothing = {"confirmed": 0, "expired": 0, "rejected": 0, "waiting": 0, "repaired": 0}
    assert await services.sweep.sweep_pending() == nothing
    counts = await services.sweep.sweep_pending(now=utcnow() + timedelta(minutes=2))
    assert counts["confirmed"] == 1
    await services.runner.drain(within=180)
    photo = await photo_of(client, family, item["photo_id"])
    assert photo["status"] == "ready"


async def test_an_upload_never_sent_backs_off_then_expires_leaving_nothing(client, family) -> None:
    path = PHOTOS / "starfish.jpg"
    resp = await client.post("/api/v1/uploads", json={"files": [file_spec(path)]}, headers=auth(family))
    item = resp.json()["items"][0]
    services = client.app.state.services
    upload = await services.meta.get_upload(item["upload_id"])
    soon = utcnow() + timedelta(minutes=2)
    assert (await services.sweep.sweep_pending(now=soon))["waiting"] == 1
    checked = await services.meta.get_upload(upload.id)
    assert checked.checks == 1
    assert (checked.next_check_at - soon).total_seconds() >= 119  # backed off: 60 s doubled
    assert (await services.sweep.sweep_pending(now=soon))["waiting"] == 0  # not due again yet
    # a late PUT that raced the deadline must not leave bytes behind either
    target = services.blobs.path_of(f"{upload.owner_id}/{upload.photo_id}/original")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"late bytes")
    a_week_later = utcnow() + timedelta(days=7, minutes=1)
    assert (await services.sweep.sweep_pending(now=a_week_later))["expired"] == 1
    status = (await client.get(f"/api/v1/uploads/{resp.json()['batch_id']}", headers=auth(family))).json()
    assert status["items"][0]["status"] == "expired"
    assert not target.exists()
    assert (await client.get("/api/v1/users/me", headers=auth(family))).json()["used_bytes"] == 0
    assert [o.key async for o in services.blobs.list("")] == []


async def test_the_daily_scan_quarantines_old_orphans_only(client, family) -> None:
    _, [item] = await upload_files(client, family, [PHOTOS / "flower.jpg"])
    services = client.app.state.services
    await services.runner.drain(within=180)
    store = services.blobs
    orphan = store.path_of("u_gone/p_gone/original")
    fresh_orphan = store.path_of("u_gone/p_new/original")
    for path in (orphan, fresh_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left behind by a crash")
    two_days_ago = time.time() - 2 * 86400
    os.utime(orphan, (two_days_ago, two_days_ago))
    owned = store.path_of(f"{(await services.meta.get_photo(item['photo_id'])).owner_id}/{item['photo_id']}/original")
    os.utime(owned, (two_days_ago, two_days_ago))
    assert await services.sweep.tidy_orphans() == {"quarantined": 1, "deleted": 0}
    assert not orphan.exists() and fresh_orphan.exists() and owned.exists()
    assert store.path_of("quarantine/u_gone/p_gone/original").read_bytes() == b"left behind by a crash"


async def test_admins_see_dead_jobs_and_retry_them(client, family) -> None:
    services = client.app.state.services
    await services.queue.enqueue("no_such_kind", {"x": 1})
    await services.runner.drain(within=10)
    # The first account (``family``) is the server's admin (issue 14); a second one is not.
    member = await client.post(
        "/api/v1/auth/register",
        json={"email": "member@example.com", "password": "a member password", "display_name": "Member"},
    )
    assert (await client.get("/api/v1/admin/jobs", headers=auth(member.json()["token"]))).status_code == 403
    admin = await services.accounts.create_user("root@example.com", "an admin password", "Root", is_admin=True)
    login = await client.post("/api/v1/auth/login", json={"email": admin.email, "password": "an admin password"})
    token = login.json()["token"]
    body = (await client.get("/api/v1/admin/jobs?state=dead", headers=auth(token))).json()
    assert body["counts"]["dead"] == 1
    [job] = body["items"]
    assert job["kind"] == "no_such_kind" and "no handler" in job["last_error"]
    retried = await client.post(f"/api/v1/admin/jobs/{job['id']}/retry", headers=auth(token))
    assert retried.status_code == 200 and retried.json()["state"] == "queued" and retried.json()["attempts"] == 0
    again = await client.post(f"/api/v1/admin/jobs/{job['id']}/retry", headers=auth(token))
    assert again.status_code == 409 and again.json()["code"] == "job_not_dead"
    missing = await client.post("/api/v1/admin/jobs/j_nope/retry", headers=auth(token))
    assert missing.status_code == 404
