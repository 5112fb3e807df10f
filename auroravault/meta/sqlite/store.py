"""``SqliteMetaStore``: the MetaStore on one SQLite file, and the file's numbered migrations.

The operations live in mixins by aggregate (``accounts``, ``photos``, ``library``, ``albums``,
``search``, ``uploads``, ``jobs``, ``families``, ``sharing``, ``links``), all on
``connection.Connections`` (one writer, one reader, WAL); how records map to rows is ``codec``'s.
The tables are described in ``docs/sqlite.md``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from importlib import resources

import aiosqlite

from auroravault.meta.sqlite.accounts import AccountOps
from auroravault.meta.sqlite.albums import AlbumOps
from auroravault.meta.sqlite.families import FamilyOps
from auroravault.meta.sqlite.jobs import JobOps
from auroravault.meta.sqlite.library import LibraryOps
from auroravault.meta.sqlite.links import LinkOps
from auroravault.meta.sqlite.people import PeopleOps
from auroravault.meta.sqlite.search import SearchOps
from auroravault.meta.sqlite.sharing import SharingOps
from auroravault.meta.sqlite.uploads import UploadOps
from auroravault.timeutil import to_iso, utcnow


def statements(sql: str) -> list[str]:
    """The statements of a migration script, in order (a statement ends a line with ``;``)."""
    found, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if any(line.strip() and not line.strip().startswith("--") for line in current.splitlines()):
        raise ValueError(f"migration ends inside a statement: {current.strip()[:80]!r}")
    return found


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped with the package: (version, name, sql)."""
    found = []
    for entry in resources.files("auroravault.meta").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text()))
    return sorted(found)


class SqliteMetaStore(
    PeopleOps, LinkOps, AlbumOps, SearchOps, LibraryOps, UploadOps, JobOps, AccountOps, FamilyOps, SharingOps
):
    """MetaStore on a SQLite file. See ``auroravault.meta.base`` for the contract."""

    name = "sqlite"

    async def migrate(self) -> None:
        """Apply the migrations not yet recorded in ``schema_migrations``, each in its own transaction.

        Each one re-reads ``schema_migrations`` once it holds the write lock, so two processes
        starting together on one file apply it once. Foreign keys are off while a migration
        runs, as SQLite's table rebuild ("Making Other Kinds Of Table Schema Changes", the 12
        steps) requires: dropping the old table must not cascade to the rows that refer to
        it. ``PRAGMA foreign_key_check`` runs before the commit, and a migration that left a
        dangling reference is rolled back."""
        await self.open()
        assert self._writer is not None
        async with self._lock:
            conn = self._writer
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with conn.execute("SELECT version FROM schema_migrations") as cur:
                done = {row[0] for row in await cur.fetchall()}
            pending = [m for m in migrations() if m[0] not in done]
            if not pending:
                return
            await conn.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set before
            try:
                for version, name, sql in pending:
                    await self._apply(conn, version, name, sql)
            finally:
                await conn.execute("PRAGMA foreign_keys=ON")

    @staticmethod
    async def _apply(conn: aiosqlite.Connection, version: int, name: str, sql: str) -> None:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            async with conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)) as cur:
                if await cur.fetchone() is not None:  # another process was first
                    await conn.execute("ROLLBACK")
                    return
            for statement in statements(sql):
                await conn.execute(statement)
            await conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, to_iso(utcnow())))
            async with conn.execute("PRAGMA foreign_key_check") as cur:
                dangling = list(await cur.fetchall())
            if dangling:
                raise sqlite3.IntegrityError(f"migration {name} leaves dangling references: {dangling[:5]}")
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await asyncio.shield(conn.execute("ROLLBACK"))
            raise

    async def check(self) -> None:
        await self._fetch("SELECT 1")
