"""On SQLite, forgetting means the rows leave the file (DynamoDB's TTL does it there too)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from auroravault.meta.base import Session
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.timeutil import utcnow
from tests.meta.test_contract import a_batch, photo_and_upload, with_user


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_purged_rows_are_gone_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "meta.db"
    meta = SqliteMetaStore(path)
    await meta.migrate()
    try:
        user = await with_user(meta)
        long_ago = utcnow() - timedelta(days=2)
        for n in range(3):
            await meta.create_session(
                Session(token_hash=f"s{n}", user_id=user.id, created_at=long_ago, expires_at=long_ago)
            )
            await meta.create_reset_token(f"r{n}", user.id, long_ago)
            await meta.hit_counter(f"c{n}", 60, long_ago)
        batch = a_batch(user)
        batch.expires_at = long_ago
        photo, upload = photo_and_upload(user, batch, "d" * 64, when=long_ago)
        await meta.create_uploads(batch, [photo], [upload], 0)
        await meta.end_upload(upload.id, "rejected", "size_mismatch", long_ago)
        tables = ("sessions", "reset_tokens", "counters", "uploads", "batches")
        assert [rows(path, t) for t in tables] == [3, 3, 3, 1, 1]
        assert await meta.purge_expired(utcnow()) == 11
        assert [rows(path, t) for t in tables] == [0, 0, 0, 0, 0]
    finally:
        await meta.close()
