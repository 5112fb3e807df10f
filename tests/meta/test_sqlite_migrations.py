"""The SQLite migration runner: once per file however many processes start, all or nothing."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from auroravault.meta.sqlite import SqliteMetaStore, migrations
from tests.meta.test_sqlite_upgrade import ADA, build_old_vault, old_photos


def versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT version FROM schema_migrations ORDER BY version")]


async def test_two_processes_upgrading_one_vault_at_once_both_start(tmp_path: Path) -> None:
    path = tmp_path / "auroravault.db"
    build_old_vault(path, 3)
    stores = [SqliteMetaStore(path), SqliteMetaStore(path)]  # two connections each: as two processes
    try:
        await asyncio.gather(*(store.migrate() for store in stores))
        for store in stores:
            got = await store.get_photo("p_exif")
            assert got is not None and got.camera_model == "EOS R6"
    finally:
        for store in stores:
            await store.close()
    assert versions(path) == [m[0] for m in migrations()]


async def test_a_migration_that_fails_leaves_the_vault_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "auroravault.db"
    build_old_vault(path, 3)
    with sqlite3.connect(path) as db:  # a record the new table refuses (no filename: NOT NULL)
        db.execute("UPDATE photos SET data = json_remove(data, '$.filename') WHERE id = 'p_fuji'")
        before = db.execute("SELECT id, data FROM photos ORDER BY id").fetchall()
    store = SqliteMetaStore(path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            await store.migrate()
    finally:
        await store.close()
    assert versions(path) == [1, 2, 3]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT id, data FROM photos ORDER BY id").fetchall() == before
        assert db.execute("SELECT count(*) FROM photo_flags WHERE user_id = ?", (ADA,)).fetchone() == (3,)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "photos_new" not in tables
    assert len(before) == len(old_photos(library=True)) and json.loads(before[0][1])["id"] == before[0][0]
