"""The client's durable pending queue and hash cache: one SQLite file per server and account.

Two tables:

- ``hashes``: ``(path, size, mtime_ns) -> (sha256, content_type)``. A file whose size and
  mtime are unchanged is not read again, so a re-run over 20,000 files starts at once.
  ``content_type`` is NULL for a file that is not a photo by content.
- ``items``: one row per distinct content (sha256), with its stage::

      hashed -> initiated -> sent -> completed
                    \\-----------\\--> failed   (reported; retried by the next run)

  ``initiated`` records the server's batch, upload and photo ids *before* any byte is sent;
  ``sent`` is written as soon as storage accepted the bytes; ``completed`` once the server
  confirmed the photo (``processing``) or said it already had it (``outcome = existing``).

Every transition is committed before the engine acts on it (WAL, ``synchronous=NORMAL``:
durable across a killed process, which is what this guards against). The process holds an
exclusive lock on ``<state>.lock`` for its lifetime (``filelock``: ``flock`` on Unix,
``msvcrt.locking`` on Windows; released by the OS when the process dies), so two uploads
never share a queue.

stdlib ``sqlite3`` on the event loop's thread: each statement takes microseconds, and the
CLI is a single-user program, not the server.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout

Stage = Literal["hashed", "initiated", "sent", "completed", "failed"]
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hashes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT,
    content_type TEXT
);
CREATE TABLE IF NOT EXISTS items (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    path TEXT NOT NULL,
    stage TEXT NOT NULL,
    outcome TEXT,
    photo_id TEXT,
    upload_id TEXT,
    batch_id TEXT,
    error TEXT,
    puts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS items_stage ON items (stage);
"""


class StateLocked(Exception):
    """Another ``auroravault upload`` is using this state file."""


@dataclass(frozen=True, slots=True)
class CachedHash:
    sha256: str | None
    content_type: str | None


@dataclass(slots=True)
class Item:
    sha256: str
    size: int
    content_type: str
    filename: str
    path: str
    stage: Stage
    outcome: str | None = None
    photo_id: str | None = None
    upload_id: str | None = None
    batch_id: str | None = None
    error: str | None = None
    puts: int = 0


_ITEM_COLUMNS = "sha256, size, content_type, filename, path, stage, outcome, photo_id, upload_id, batch_id, error, puts"


class StateStore:
    """The queue and the cache. Open with ``StateStore.open(path)``; ``close()`` when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: FileLock | None) -> None:
        self.path = path
        self._conn = conn
        self._lock = lock

    @classmethod
    def open(cls, path: Path, *, lock: bool = True) -> StateStore:
        """Open (creating) the state file; with ``lock``, fail fast if another process holds it."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_file: FileLock | None = None
        if lock:
            # Not thread-local and not reentrant: a second holder in this process is refused too.
            lock_file = FileLock(path.with_name(path.name + ".lock"), thread_local=False)
            try:
                lock_file.acquire(blocking=False)
            except Timeout:
                raise StateLocked(f"{path} is in use by another auroravault upload") from None
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.executescript(_SCHEMA)
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
        return cls(path, conn, lock_file)

    def close(self) -> None:
        self._conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- hash cache --------------------------------------------------------------------------
    def cached_hash(self, path: str, size: int, mtime_ns: int) -> CachedHash | None:
        """The cached sniff and hash of ``path`` if its size and mtime are unchanged."""
        row = self._conn.execute(
            "SELECT sha256, content_type FROM hashes WHERE path = ? AND size = ? AND mtime_ns = ?",
            (path, size, mtime_ns),
        ).fetchone()
        return None if row is None else CachedHash(row[0], row[1])

    def cache_hashes(self, rows: Iterable[tuple[str, int, int, str | None, str | None]]) -> None:
        """Store ``(path, size, mtime_ns, sha256, content_type)`` rows in one transaction."""
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO hashes (path, size, mtime_ns, sha256, content_type) VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    # -- the queue -------------------------------------------------------------------------------
    def get(self, sha256: str) -> Item | None:
        row = self._conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else Item(*row)

    def items(self, stages: Iterable[Stage] | None = None) -> list[Item]:
        if stages is None:
            rows = self._conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items ORDER BY path").fetchall()
        else:
            wanted = list(stages)
            marks = ",".join("?" * len(wanted))
            rows = self._conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM items WHERE stage IN ({marks}) ORDER BY path", wanted
            ).fetchall()
        return [Item(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT stage, COUNT(*) FROM items GROUP BY stage").fetchall()
        return {str(stage): int(n) for stage, n in rows}

    def add(self, items: Iterable[Item]) -> None:
        """Queue new contents as ``hashed``; a content already queued keeps its row and stage."""
        now = time.time()
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO items (sha256, size, content_type, filename, path, stage, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'hashed', ?)",
                [(i.sha256, i.size, i.content_type, i.filename, i.path, now) for i in items],
            )

    def save(self, items: Iterable[Item]) -> None:
        """Write the stage and ids of each item, all in one transaction."""
        now = time.time()
        with self._tx() as conn:
            conn.executemany(
                "UPDATE items SET size = ?, content_type = ?, filename = ?, path = ?, stage = ?, outcome = ?,"
                " photo_id = ?, upload_id = ?, batch_id = ?, error = ?, puts = ?, updated_at = ? WHERE sha256 = ?",
                [
                    (
                        i.size,
                        i.content_type,
                        i.filename,
                        i.path,
                        i.stage,
                        i.outcome,
                        i.photo_id,
                        i.upload_id,
                        i.batch_id,
                        i.error,
                        i.puts,
                        now,
                        i.sha256,
                    )
                    for i in items
                ],
            )
