"""SQLite connections: both the reader and the writer keep a large page cache and map the file.

SQLite's default page cache (~2 MB) is much smaller than a 100k-photo vault's indexes, so
searches re-read the same pages from the OS on every request (``docs/sqlite.md``, "Page cache").
"""

from __future__ import annotations

from pathlib import Path

from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.meta.sqlite.connection import CACHE_KIB, MMAP_BYTES


async def test_reader_and_writer_use_the_larger_cache_and_map_the_file(tmp_path: Path) -> None:
    store = SqliteMetaStore(tmp_path / "vault.db")
    await store.migrate()
    await store.open()
    try:
        for conn in (store._reader, store._writer):
            assert conn is not None
            async with conn.execute("PRAGMA cache_size") as cur:
                assert (await cur.fetchone())[0] == -CACHE_KIB
            async with conn.execute("PRAGMA mmap_size") as cur:
                assert (await cur.fetchone())[0] == MMAP_BYTES
        assert CACHE_KIB * 1024 >= 32 * 1024 * 1024  # far above SQLite's ~2 MB default
    finally:
        await store.close()
