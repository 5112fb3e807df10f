"""The connections of a SQLite vault: one writer, one reader, and the transaction around each write.

Writes go through a single connection guarded by an asyncio lock, each in a
``BEGIN IMMEDIATE`` transaction, so a transition's read-check-write is atomic even
with several processes on one file (SQLite's own write lock covers those). Reads use a
second connection, which WAL lets run beside the writer; each read runs whole (execute and
fetch in one call on that connection's thread), so every read sees the latest commit.

Every operation mixin of ``SqliteMetaStore`` builds on ``Connections``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import msgspec

from auroravault.errors import Unavailable
from auroravault.meta.sqlite.codec import load

T = TypeVar("T", bound=msgspec.Struct)

log = logging.getLogger("auroravault.meta.sqlite")

CHUNK = 500  # SQLite's host parameters per statement stay well under its limit
#: Per connection. SQLite's default page cache is ~2 MB, far less than a 100k-photo vault's
#: indexes: searches read the same index pages again from the OS on every request. A cache is
#: filled only by pages read (a small vault uses little of it), and the mapped file is the
#: OS's page cache, shared and reclaimable (``docs/sqlite.md``, "Page cache").
CACHE_KIB = 65536
MMAP_BYTES = 256 * 1024 * 1024


def chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def marks(items: list[str]) -> str:
    return ",".join("?" * len(items))


class Connections:
    """The vault file's two connections; ``_tx`` for writes, ``_fetch`` for reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _connect(self) -> aiosqlite.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA busy_timeout=30000")
            await conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            await conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        except BaseException:
            # Not a database, or not writable: close it, or its thread outlives the event loop
            # (the process then hangs at exit, or prints "Event loop is closed").
            await conn.close()
            raise
        return conn

    async def open(self) -> None:
        if self._writer is None:
            try:
                self._writer = await self._connect()
                self._reader = await self._connect()
            except (sqlite3.Error, OSError) as exc:
                raise Unavailable("meta_unavailable", f"cannot open {self.path}: {exc}") from exc

    async def close(self) -> None:
        for conn in (self._writer, self._reader):
            if conn is not None:
                await conn.close()
        self._writer = self._reader = None

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction on the single writer connection."""
        await self.open()
        assert self._writer is not None
        async with self._lock:
            conn = self._writer
            try:
                await conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise Unavailable("meta_unavailable", f"database is busy: {exc}") from exc
            except BaseException:
                # Cancelled while BEGIN ran in aiosqlite's thread: it may have started.
                await asyncio.shield(self._rollback(conn))
                raise
            try:
                yield conn
            except sqlite3.OperationalError as exc:  # disk full, I/O error, locked too long
                await asyncio.shield(self._rollback(conn))
                raise Unavailable("meta_unavailable", f"database write failed: {exc}") from exc
            except BaseException:
                # Shielded: a cancelled request must not leave the writer mid-transaction.
                await asyncio.shield(self._rollback(conn))
                raise
            else:
                try:
                    await conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    # A full disk or an I/O error: SQLite has usually rolled back already.
                    await asyncio.shield(self._rollback(conn))
                    raise Unavailable("meta_unavailable", f"commit failed: {exc}") from exc

    @staticmethod
    async def _rollback(conn: aiosqlite.Connection) -> None:
        """Roll back if a transaction is still open; a failing rollback never hides the first error."""
        if conn.in_transaction:
            try:
                await conn.execute("ROLLBACK")
            except sqlite3.Error as exc:
                log.warning("sqlite: rollback after a failed write failed too: %s", exc)

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        await self.open()
        assert self._reader is not None
        try:
            # Execute and fetch in one call on the reader's thread: no other read can start
            # between them, so no statement stays open while another begins. One that did
            # would share the open statement's read transaction and see its old snapshot,
            # and under steady concurrent reads that snapshot could stay old for a long time
            # (a ``complete`` reading back "pending" for an upload it just marked arrived).
            return list(await self._reader.execute_fetchall(sql, tuple(params)))
        except sqlite3.OperationalError as exc:
            raise Unavailable("meta_unavailable", f"database read failed: {exc}") from exc

    async def _one(self, kind: type[T], sql: str, params: Iterable[Any] = ()) -> T | None:
        """The record of the first row's JSON ``data`` (uploads, jobs), or None."""
        rows = await self._fetch(sql, params)
        return load(kind, rows[0][0]) if rows else None

    async def _all(self, kind: type[T], sql: str, params: Iterable[Any] = ()) -> list[T]:
        return [load(kind, row[0]) for row in await self._fetch(sql, params)]
