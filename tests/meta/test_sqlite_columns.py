"""On SQLite a photo is real columns (what people filter and sort on) plus the JSON of the rest.

Anyone opening the vault file with sqlite3, sqlite-utils or Datasette can ask "photos by
camera"; the columns are the truth, the JSON never repeats them, and every field that has no
column (today's and any added later) still round-trips through the JSON rest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auroravault.meta.base import Photo, PhotoView
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.meta.sqlite.codec import PHOTO_COLUMNS
from auroravault.meta.sqlite.library import listing_sql
from auroravault.timeutil import sort_key, utcnow
from tests.meta.test_contract import a_batch, photo_and_upload, with_user


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteMetaStore]:
    meta = SqliteMetaStore(tmp_path / "vault.db")
    await meta.migrate()
    try:
        yield meta
    finally:
        await meta.close()


async def processed(meta: SqliteMetaStore, owner: Any, sha: str, **fields: Any) -> Photo:
    """A photo the way the app makes one: batch, arrival, then the pipeline's result saved."""
    batch = a_batch(owner)
    photo, upload = photo_and_upload(owner, batch, sha)
    await meta.create_uploads(batch, [photo], [upload], 0)
    assert await meta.mark_upload_arrived(upload.id, utcnow())
    done = msgspec.structs.replace(photo, status="ready", updated_at=utcnow(), **fields)
    assert await meta.save_processed_photo(done, "processing")
    stored = await meta.get_photo(photo.id)
    assert stored is not None
    return stored


def db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


async def test_photos_by_camera_with_the_stdlib_sqlite3_module(store: SqliteMetaStore) -> None:
    ada = await with_user(store)
    for n, (make, model, lens) in enumerate(
        [("Canon", "EOS R6", "RF35mm F1.8"), ("Canon", "EOS R6", None), ("FUJIFILM", "X100V", None)]
    ):
        await processed(
            store, ada, f"{n}" * 64, camera_make=make, camera_model=model, lens=lens, lat=52.52, lon=13.405, width=4000
        )
    await processed(store, ada, "9" * 64)  # a scan: no camera at all
    await store.close()

    with db(store.path) as conn:
        by_camera = conn.execute(
            "SELECT camera_make, camera_model, count(*) FROM photos WHERE owner_id = ? AND camera_make IS NOT NULL"
            " GROUP BY camera_make, camera_model ORDER BY count(*) DESC",
            (ada.id,),
        ).fetchall()
        plan = " ".join(
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT camera_model, count(*) FROM photos WHERE owner_id = ?"
                " GROUP BY camera_make, camera_model",
                (ada.id,),
            )
        )
        typed = conn.execute(
            "SELECT typeof(lat), typeof(lon), typeof(width), typeof(size), lens FROM photos"
            " WHERE camera_model = 'EOS R6' ORDER BY lens IS NULL"
        ).fetchall()
    assert by_camera == [("Canon", "EOS R6", 2), ("FUJIFILM", "X100V", 1)]
    assert "photos_camera" in plan
    kinds = ("real", "real", "integer", "integer")
    assert typed == [(*kinds, "RF35mm F1.8"), (*kinds, None)]


async def test_the_columns_are_the_truth_and_the_json_never_repeats_them(store: SqliteMetaStore) -> None:
    ada = await with_user(store)
    photo = await processed(store, ada, "a" * 64, camera_make="NIKON", camera_model="Z 6")
    edited = await store.edit_photo(photo.id, {"description": "Lake at dawn"}, utcnow())
    assert edited is not None and edited.description == "Lake at dawn"
    await store.close()

    with db(store.path) as conn:
        data, description = conn.execute("SELECT data, description FROM photos WHERE id = ?", (photo.id,)).fetchone()
        assert description == "Lake at dawn"
        assert not set(json.loads(data)) & set(PHOTO_COLUMNS)
        # Someone fixes the model with sqlite-utils: the app reads what the column says.
        conn.execute("UPDATE photos SET camera_model = 'Z 6II' WHERE id = ?", (photo.id,))

    got = await store.get_photo(photo.id)
    assert got is not None
    assert (got.camera_make, got.camera_model, got.description) == ("NIKON", "Z 6II", "Lake at dawn")
    listed = await store.list_photos(ada.id, limit=10, after=None, descending=True)
    assert [p.camera_model for p in listed] == ["Z 6II"]


def _a_value(kind: msgspec.inspect.Type, default: Any) -> Any:
    """A value of ``kind`` unlike ``default`` (what a field not in any column may hold)."""
    t = msgspec.inspect
    if isinstance(kind, t.UnionType):
        return _a_value(next(k for k in kind.types if not isinstance(k, t.NoneType)), default)
    if isinstance(kind, t.LiteralType):
        return next(v for v in kind.values if v != default)
    if isinstance(kind, t.BoolType):
        return not default
    if isinstance(kind, t.IntType):
        return 7 if default != 7 else 8
    if isinstance(kind, t.FloatType):
        return 0.1 + 0.2  # no short decimal: a lossy float path would show
    if isinstance(kind, t.StrType):
        return "not the default ✓"
    if isinstance(kind, t.DateTimeType):
        return utcnow() - timedelta(days=3, microseconds=7)
    if isinstance(kind, t.ListType):
        return [_a_value(kind.item_type, None)]
    if isinstance(kind, t.DictType):
        return {"k": _a_value(kind.value_type, None)}
    if isinstance(kind, t.StructType):  # e.g. a place {city, region, ...}: every field set
        return kind.cls(**{f.name: _a_value(f.type, f.default) for f in kind.fields})
    raise AssertionError(f"teach this test a value of {kind!r}")


async def test_every_field_without_a_column_round_trips_through_the_json_rest(store: SqliteMetaStore) -> None:
    info = msgspec.inspect.type_info(Photo)
    assert isinstance(info, msgspec.inspect.StructType)
    rest = {f.name: _a_value(f.type, f.default) for f in info.fields if f.name not in PHOTO_COLUMNS}
    # The library's own fields keep what the library wrote (keep_library_fields); the rest is the pipeline's.
    assert {"thumbhash", "f_number", "exif_lat", "damage_code", "preview_pending"} <= set(rest)
    rest["motion_of"] = None  # a Live Photo's motion video is not listed (tests/meta/test_contract_videos.py)
    ada = await with_user(store)
    photo = await processed(store, ada, "c" * 64, **rest)

    for got in (
        await store.get_photo(photo.id),
        (await store.get_photos([photo.id]))[photo.id],
        (await store.list_photos(ada.id, limit=1, after=None, descending=True))[0],
        await store.get_photo_by_sha256(ada.id, "c" * 64),
    ):
        assert got is not None
        assert {name: getattr(got, name) for name in rest} == rest
    await store.close()
    with db(store.path) as conn:
        (data,) = conn.execute("SELECT data FROM photos WHERE id = ?", (photo.id,)).fetchone()
    assert set(json.loads(data)) == set(rest)


async def test_favorites_follow_a_corrected_date_page_by_page(store: SqliteMetaStore) -> None:
    ada = await with_user(store)
    days = [datetime(2020, 1, d, tzinfo=utcnow().tzinfo) for d in (1, 2, 3, 4)]
    photos = []
    for n, day in enumerate(days):
        photo = await processed(store, ada, f"{n}" * 64, sort_at=sort_key(day), taken_at=day.isoformat())
        photos.append(photo)
    assert await store.set_flags(ada.id, [p.id for p in photos[:3]], favorite=True, archived=None, now=utcnow())
    # The oldest favorite was really taken last: the owner corrects its date.
    later = datetime(2020, 2, 1, tzinfo=days[0].tzinfo)
    fix = {"taken_at": later.isoformat(), "taken_at_source": "owner", "sort_at": sort_key(later)}
    assert await store.edit_photo(photos[0].id, fix, utcnow()) is not None

    view = PhotoView(viewer_id=ada.id, favorite=True)
    first = await store.list_photos(ada.id, limit=2, after=None, descending=True, view=view)
    assert [p.id for p in first] == [photos[0].id, photos[2].id]
    rest = await store.list_photos(ada.id, limit=2, after=(first[-1].sort_at, first[-1].id), descending=True, view=view)
    assert [p.id for p in rest] == [photos[1].id]
    oldest_first = await store.list_photos(ada.id, limit=5, after=None, descending=False, view=view)
    assert [p.id for p in oldest_first] == [photos[1].id, photos[2].id, photos[0].id]
    assert [(m.month, m.count) for m in await store.month_counts(ada.id, view)] == [("2020-02", 1), ("2020-01", 2)]


@pytest.mark.parametrize("descending", [True, False])
async def test_a_viewers_favorites_come_from_an_index_in_timeline_order(
    store: SqliteMetaStore, descending: bool
) -> None:
    sql, params = listing_sql(
        "u_owner",
        limit=100,
        after=("2020-01-01T00:00:00.000000Z", "p_x"),
        descending=descending,
        view=PhotoView(viewer_id="u_owner", favorite=True),
    )
    await store.close()
    with db(store.path) as conn:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0].startswith("SEARCH f USING INDEX photo_flags_favorites (user_id=? AND (sort_at,photo_id)")
    assert not any("TEMP B-TREE" in step for step in plan), plan


def doc_queries() -> list[str]:
    """The example queries of docs/sqlite.md, one statement each."""
    text = (Path(__file__).parents[2] / "docs" / "sqlite.md").read_text()
    block = text.split("```sql\n", 1)[1].split("```", 1)[0]
    queries, current = [], ""
    for line in block.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            queries.append(current.strip())
            current = ""
    return queries


async def test_the_documented_queries_answer_on_a_real_vault(store: SqliteMetaStore) -> None:
    ada = await with_user(store)
    await processed(store, ada, "1" * 64, camera_make="Canon", camera_model="EOS R6", lens="RF35mm", iso=400)
    await processed(store, ada, "2" * 64, camera_make="Canon", camera_model="EOS R6", lat=52.5, lon=13.4)
    await processed(store, ada, "3" * 64, camera_make="Apple", camera_model="iPhone 15")
    await store.close()
    queries = doc_queries()
    assert len(queries) >= 8
    with sqlite3.connect(f"file:{store.path}?mode=ro", uri=True) as conn:
        answers = [conn.execute(query).fetchall() for query in queries]
    assert answers[0] == [("Canon", "EOS R6", 2), ("Apple", "iPhone 15", 1)]  # photos by camera
    assert set(answers[6]) == {("0.jpg", 400), ("0.jpg", None)}  # a field from the JSON rest
