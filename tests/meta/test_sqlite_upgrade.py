"""An existing vault upgrades in place: photos get their columns and nothing is lost.

The old vaults are built here the way the app of their time left them: the schema of
migrations 0001..0003 (a library vault) or 0001..0002 (from before the library), rows written
with SQL, every record as JSON in ``data``. Then the adapter opens the file (and migrates), and
every photo, upload, job, flag and tombstone is found through the adapter's own methods.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auroravault.errors import Conflict
from auroravault.meta.base import Flags, Job, Photo, PhotoView, Upload, Usage
from auroravault.meta.sqlite import SqliteMetaStore, migrations
from auroravault.meta.sqlite.codec import PHOTO_COLUMNS
from auroravault.timeutil import from_iso, to_iso
from tests.meta.test_contract import a_batch, photo_and_upload

T0 = "2024-05-01T10:00:00.123456Z"
LATER = "2024-05-02T08:30:00.654321Z"
FUTURE = "2099-01-01T00:00:00.000000Z"
ADA, BOB = "u_ada", "u_bob"


_EXIF_AND_ERRORS = (
    *("taken_at", "width", "height", "format", "camera_make", "camera_model", "lens", "f_number"),
    *("exposure_time", "iso", "focal_length", "lat", "lon", "alt", "thumbhash", "upload_id"),
    *("error_code", "error_detail", "damage_code", "damage_detail"),
)


def photo_record(pid: str, status: str, sha: str, *, library: bool, **fields: Any) -> dict[str, Any]:
    """A photo's JSON as the app wrote it: the whole record (library fields only since 0003)."""
    record: dict[str, Any] = {
        "id": pid,
        "owner_id": fields.pop("owner_id", ADA),
        "status": status,
        "filename": f"{pid}.jpg",
        "content_type": "image/jpeg",
        "size": 1000,
        "sha256": sha,
        "created_at": T0,
        "updated_at": T0,
        "sort_at": T0,
        "taken_at_source": "upload",
        "variants_bytes": 0,
        **dict.fromkeys(_EXIF_AND_ERRORS),
        "preview_pending": False,
    }
    if library:
        record.update(
            media_type="image",
            description=None,
            trashed_at=None,
            deleting_at=None,
            exif_taken_at=None,
            exif_lat=None,
            exif_lon=None,
            exif_alt=None,
            location_source="exif",
        )
    record.update(fields)
    return record


def old_photos(library: bool) -> list[dict[str, Any]]:
    exif = {
        "taken_at": "2023-07-14T18:03:11+02:00",
        "taken_at_source": "exif",
        "sort_at": "2023-07-14T16:03:11.000000Z",
        "width": 6000,
        "height": 4000,
        "format": "JPEG",
        "camera_make": "Canon",
        "camera_model": "EOS R6",
        "lens": "RF24-105mm F4 L IS USM",
        "f_number": 4.0,
        "exposure_time": 0.004,
        "iso": 200,
        "focal_length": 35.0,
        "lat": 52.520008,
        "lon": 13.404954,
        "alt": 34.5,
        "thumbhash": "1QcSHQRnh493V4dIh4eXh1h4kJUI",
        "upload_id": "up_exif",
        "variants_bytes": 180_000,
        "size": 5_400_000,
    }
    photos = [
        photo_record("p_exif", "ready", "1" * 64, library=library, **exif),
        photo_record(
            "p_fuji",
            "ready",
            "2" * 64,
            library=library,
            camera_make="FUJIFILM",
            camera_model="X100V",
            sort_at="2022-03-01T09:00:00.000000Z",
            taken_at="2022-03-01T09:00:00",
            taken_at_source="exif",
        ),
        photo_record("p_processing", "processing", "3" * 64, library=library, upload_id="up_processing"),
        photo_record("p_pending", "pending", "4" * 64, library=library, upload_id="up_pending"),
        photo_record(
            "p_failed", "failed", "5" * 64, library=library, error_code="unsupported", error_detail="not an image"
        ),
        photo_record("p_bob", "ready", "1" * 64, library=library, owner_id=BOB, camera_make="Apple"),
    ]
    if library:
        photos += [
            photo_record(
                "p_fixed",
                "ready",
                "6" * 64,
                library=True,
                taken_at="2019-01-01T12:00:00",
                taken_at_source="owner",
                sort_at="2019-01-01T12:00:00.000000Z",
                exif_taken_at="2099-01-01T00:00:00",
                description="Grandma's 80th",
                lat=48.8566,
                lon=2.3522,
                location_source="owner",
                exif_lat=1.5,
                exif_lon=2.5,
                camera_make="SONY",
                camera_model="ILCE-7M3",
            ),
            photo_record("p_trash", "ready", "7" * 64, library=True, trashed_at=LATER, updated_at=LATER),
            photo_record(
                "p_deleting", "ready", "8" * 64, library=True, trashed_at=T0, deleting_at=LATER, updated_at=LATER
            ),
            photo_record("p_video", "ready", "9" * 64, library=True, media_type="video", content_type="video/mp4"),
        ]
    return photos


def upload_record(uid: str, photo_id: str, state: str, sha: str, **fields: Any) -> dict[str, Any]:
    record = {
        "id": uid,
        "batch_id": "b_old",
        "owner_id": ADA,
        "photo_id": photo_id,
        "index": int(fields.pop("index", 0)),
        "client_ref": f"ref-{uid}",
        "filename": f"{photo_id}.jpg",
        "content_type": "image/jpeg",
        "size": 1000,
        "sha256": sha,
        "state": state,
        "reason": None,
        "created_at": T0,
        "updated_at": T0,
        "url_expires_at": LATER,
        "expires_at": FUTURE,
        "checks": 0,
        "next_check_at": LATER,
    }
    record.update(fields)
    return record


OLD_UPLOADS = [
    upload_record("up_pending", "p_pending", "pending", "4" * 64, index=0, checks=2),
    upload_record("up_processing", "p_processing", "processing", "3" * 64, index=1),
    upload_record("up_rejected", "p_gone1", "rejected", "a" * 64, index=2, reason="size_mismatch"),
    upload_record("up_expired", "p_gone2", "expired", "b" * 64, index=3, reason="never_arrived"),
]


def job_record(jid: str, state: str, **fields: Any) -> dict[str, Any]:
    record = {
        "id": jid,
        "kind": "process_photo",
        "payload": {"photo_id": "p_processing", "nested": {"n": [1, 2]}},
        "state": state,
        "attempts": 0,
        "run_at": T0,
        "lease_until": None,
        "lease_owner": None,
        "last_error": None,
        "dedupe_key": f"dedupe-{jid}",
        "created_at": T0,
        "updated_at": T0,
    }
    record.update(fields)
    return record


OLD_JOBS = [
    job_record("j_queued", "queued", run_at=FUTURE),
    job_record("j_running", "running", attempts=1, lease_until=FUTURE, lease_owner="worker-1"),
    job_record("j_done", "done", attempts=1, kind="purge_trash", dedupe_key=None),
    job_record("j_dead", "dead", attempts=5, last_error="Traceback: boom", updated_at=LATER),
]


def iso(text: str | None) -> str | None:
    """The fixed-width column form of a JSON time (as the app of the time wrote both)."""
    return to_iso(from_iso(text)) if text is not None else None


def build_old_vault(path: Path, upto: int) -> None:
    """A vault as migrations 0001..``upto`` left it, holding data written the old way."""
    library = upto >= 3
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
    )
    for version, name, sql in migrations():
        if version <= upto:
            db.executescript(sql)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, T0))
    with db:
        for uid, email, used in ((ADA, "ada@example.com", 5_404_000), (BOB, "bob@example.com", 1000)):
            db.execute(
                "INSERT INTO users VALUES (?, ?, ?, 'hash', 0, 10000000000, ?, ?)",
                (uid, email, email.split("@")[0].title(), used, iso(T0)),
            )
        db.execute("INSERT INTO sessions VALUES ('tok', ?, ?, ?)", (ADA, iso(T0), iso(FUTURE)))
        db.execute("INSERT INTO reset_tokens VALUES ('reset', ?, ?)", (ADA, iso(FUTURE)))
        db.execute("INSERT INTO counters VALUES ('login:ada', 3, ?)", (iso(FUTURE),))
        for p in old_photos(library):
            columns = [p["id"], p["owner_id"], p["status"], p["sha256"], p["sort_at"], iso(p["created_at"])]
            columns += [iso(p["updated_at"]), json.dumps(p)]
            if library:
                db.execute(
                    "INSERT INTO photos (id, owner_id, status, sha256, sort_at, created_at, updated_at, data,"
                    " media_type, trashed_at, deleting_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*columns, p["media_type"], iso(p["trashed_at"]), iso(p["deleting_at"])),
                )
            else:
                db.execute("INSERT INTO photos VALUES (?, ?, ?, ?, ?, ?, ?, ?)", columns)
        db.execute("INSERT INTO batches VALUES ('b_old', ?, ?, ?)", (ADA, iso(T0), iso(LATER)))
        for u in OLD_UPLOADS:
            db.execute(
                "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *(u[k] for k in ("id", "batch_id", "owner_id", "photo_id", "index", "state")),
                    *(iso(u["next_check_at"]), iso(u["created_at"]), json.dumps(u)),
                ),
            )
        for j in OLD_JOBS:
            db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *(j["id"], j["kind"], j["state"], iso(j["run_at"]), iso(j["lease_until"]), j["lease_owner"]),
                    *(j["dedupe_key"], iso(j["updated_at"]), json.dumps(j)),
                ),
            )
        if library:
            db.executemany(
                "INSERT INTO photo_flags VALUES (?, ?, ?, ?, ?)",
                [
                    (ADA, "p_exif", 1, 0, iso(T0)),
                    (ADA, "p_fixed", 1, 1, iso(T0)),
                    (ADA, "p_fuji", 0, 1, iso(T0)),
                    (BOB, "p_bob", 1, 0, iso(T0)),
                ],
            )
            db.execute("INSERT INTO tombstones VALUES ('p_old', ?, ?, ?)", (ADA, "d" * 64, iso(T0)))
            db.executemany(
                "INSERT INTO changes (user_id, photo_id, kind, at) VALUES (?, ?, ?, ?)",
                [(ADA, "p_exif", "changed", iso(T0)), (ADA, "p_old", "deleted", iso(T0)), (ADA, "p_exif", "flags", T0)],
            )
    db.close()


@pytest.fixture(params=[3, 2], ids=["library-vault", "pre-library-vault"])
async def upgraded(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[SqliteMetaStore, int]]:
    path = tmp_path / "auroravault.db"
    build_old_vault(path, request.param)
    meta = SqliteMetaStore(path)
    await meta.migrate()
    try:
        yield meta, request.param
    finally:
        await meta.close()


async def test_every_photo_is_found_intact_with_its_columns_filled(upgraded: tuple[SqliteMetaStore, int]) -> None:
    meta, upto = upgraded
    expected = {p["id"]: msgspec.convert(p, Photo) for p in old_photos(upto >= 3)}
    for photo_id, photo in expected.items():
        assert await meta.get_photo(photo_id) == photo
    assert await meta.get_photos(list(expected)) == expected
    assert await meta.get_photo_by_sha256(ADA, "1" * 64) == expected["p_exif"]
    assert await meta.usage(ADA) == Usage(
        photo_count=len(expected) - 2, variant_bytes=180_000
    )  # not pending, not bob's

    with sqlite3.connect(meta.path) as db:
        exif = db.execute(
            "SELECT camera_make, camera_model, lens, lat, lon, width, height, taken_at, size, filename, variants_bytes"
            " FROM photos WHERE id = 'p_exif'"
        ).fetchone()
        assert exif == (
            "Canon", "EOS R6", "RF24-105mm F4 L IS USM", 52.520008, 13.404954, 6000, 4000,
            "2023-07-14T18:03:11+02:00", 5_400_000, "p_exif.jpg", 180_000,
        )  # fmt: skip
        by_camera = db.execute(
            "SELECT camera_make, count(*) FROM photos WHERE owner_id = ? AND camera_make IS NOT NULL"
            " GROUP BY camera_make ORDER BY camera_make",
            (ADA,),
        ).fetchall()
        rests = [set(json.loads(row[0])) for row in db.execute("SELECT data FROM photos")]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        versions = [row[0] for row in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert by_camera == ([("Canon", 1), ("FUJIFILM", 1), ("SONY", 1)] if upto >= 3 else [("Canon", 1), ("FUJIFILM", 1)])
    assert all(not rest & set(PHOTO_COLUMNS) for rest in rests)
    assert versions == [m[0] for m in migrations()]


async def test_timeline_trash_flags_and_the_feed_read_as_before(upgraded: tuple[SqliteMetaStore, int]) -> None:
    meta, upto = upgraded
    timeline = await meta.list_photos(ADA, limit=50, after=None, descending=True)
    favorites = await meta.list_photos(
        ADA, limit=50, after=None, descending=True, view=PhotoView(viewer_id=ADA, favorite=True, archived="include")
    )
    if upto < 3:  # nothing was ever flagged or trashed
        assert [p.id for p in timeline] == ["p_processing", "p_failed", "p_exif", "p_fuji"]
        assert favorites == [] and await meta.list_trash(ADA, limit=10, after=None) == []
        assert {p.media_type for p in timeline} == {"image"}
        return
    assert [p.id for p in timeline] == ["p_video", "p_processing", "p_failed", "p_exif"]  # fuji and fixed archived
    assert [p.id for p in favorites] == ["p_exif", "p_fixed"]
    assert await meta.get_flags(ADA, ["p_exif", "p_fixed", "p_fuji"]) == {
        "p_exif": Flags(favorite=True),
        "p_fixed": Flags(favorite=True, archived=True),
        "p_fuji": Flags(archived=True),
    }
    assert [p.id for p in await meta.list_trash(ADA, limit=10, after=None)] == ["p_trash"]
    assert {p.id for p in await meta.deletion_due(from_iso(FUTURE), 10)} == {"p_trash", "p_deleting"}
    assert await meta.deleted_sha256(ADA, ["d" * 64, "1" * 64]) == ["d" * 64]
    feed = await meta.changes_since(ADA, None, 10)
    assert feed.photo_ids == ["p_old", "p_exif"] and not feed.more
    bob = await meta.list_photos(
        BOB, limit=5, after=None, descending=True, view=PhotoView(viewer_id=BOB, favorite=True)
    )
    assert [p.id for p in bob] == ["p_bob"]


async def test_every_upload_and_job_is_found_intact(upgraded: tuple[SqliteMetaStore, int]) -> None:
    meta, _ = upgraded
    for record in OLD_UPLOADS:
        assert await meta.get_upload(record["id"]) == msgspec.convert(record, Upload)
    assert [u.id for u in await meta.batch_uploads("b_old")] == [u["id"] for u in OLD_UPLOADS]
    assert [u.id for u in await meta.pending_uploads(ADA, 10)] == ["up_pending"]
    for record in OLD_JOBS:
        assert await meta.get_job(record["id"]) == msgspec.convert(record, Job)
    assert await meta.job_counts() == {"queued": 1, "running": 1, "done": 1, "dead": 1}
    assert [j.id for j in await meta.list_jobs("dead", 10)] == ["j_dead"]
    user = await meta.get_user(ADA)
    assert user is not None and user.used_bytes == 5_404_000
    assert (await meta.get_session("tok")) is not None
    assert await meta.consume_reset_token("reset", from_iso(T0)) == ADA


async def test_the_upgraded_vault_keeps_working(upgraded: tuple[SqliteMetaStore, int]) -> None:
    meta, _ = upgraded
    ada = await meta.get_user(ADA)
    assert ada is not None
    batch = a_batch(ada)
    again, upload = photo_and_upload(ada, batch, "1" * 64)  # the bytes of p_exif: still one photo per content
    with pytest.raises(Conflict):
        await meta.create_uploads(batch, [again], [upload], 0)
    now = from_iso(LATER)
    assert await meta.set_flags(ADA, ["p_exif", "p_fuji"], favorite=True, archived=None, now=now) == [
        "p_exif",
        "p_fuji",
    ]
    assert await meta.trash_photos(ADA, ["p_fuji"], now) == ["p_fuji"]
    edited = await meta.edit_photo("p_exif", {"description": "Berlin"}, now)
    assert edited is not None and edited.camera_model == "EOS R6" and edited.description == "Berlin"
    favorites = await meta.list_photos(
        ADA, limit=5, after=None, descending=True, view=PhotoView(viewer_id=ADA, favorite=True)
    )
    assert [p.id for p in favorites][:1] == ["p_exif"] and "p_fuji" not in [p.id for p in favorites]
    await meta.migrate()  # nothing left to do
    assert await meta.get_photo("p_exif") == edited
