"""SQLite MetaStore: one file, WAL, one writer connection, numbered migrations.

Writes go through a single connection guarded by an asyncio lock, each in a
``BEGIN IMMEDIATE`` transaction, so a transition's read-check-write is atomic even
with several processes on one file (SQLite's own write lock covers those). Reads use a
second connection, which WAL lets run beside the writer; each read runs whole (execute and
fetch in one call on that connection's thread), so every read sees the latest commit.

Each row keeps the whole record as JSON in ``data`` plus the columns that are indexed
or used in conditions; both are written together by this module and ``sqlite_library``
(the library's methods: flags, trash, deletion, the change feed) only.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import aiosqlite
import msgspec

from auroravault.errors import Conflict, QuotaExceeded, Unavailable
from auroravault.meta.base import (
    Batch,
    Job,
    JobState,
    Photo,
    PhotoStatus,
    Session,
    Upload,
    User,
    keep_library_fields,
)
from auroravault.meta.sqlite_library import SqliteLibraryOps, note_photo_change, write_photo
from auroravault.meta.sqlite_search import SqliteSearchOps
from auroravault.timeutil import from_iso, to_iso, utcnow

T = TypeVar("T", bound=msgspec.Struct)

log = logging.getLogger("auroravault.meta.sqlite")

_encoder = msgspec.json.Encoder()
# The upload states each end may start from (see MetaStore.end_upload).
_ENDS_FROM: dict[str, tuple[str, ...]] = {"rejected": ("pending", "processing"), "expired": ("pending",)}


def _dump(record: msgspec.Struct) -> str:
    return _encoder.encode(record).decode()


def _load(kind: type[T], data: str | bytes) -> T:
    return msgspec.json.decode(data, type=kind)


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped with the package: (version, name, sql)."""
    found = []
    for entry in resources.files("auroravault.meta").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text()))
    return sorted(found)


class SqliteMetaStore(SqliteSearchOps, SqliteLibraryOps):
    """MetaStore on a SQLite file. See ``auroravault.meta.base`` for the contract."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    # -- connections -----------------------------------------------------------
    async def _connect(self) -> aiosqlite.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA busy_timeout=30000")
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
        rows = await self._fetch(sql, params)
        return _load(kind, rows[0][0]) if rows else None

    async def _all(self, kind: type[T], sql: str, params: Iterable[Any] = ()) -> list[T]:
        return [_load(kind, row[0]) for row in await self._fetch(sql, params)]

    # -- lifecycle ---------------------------------------------------------------
    async def migrate(self) -> None:
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
            for version, name, sql in migrations():
                if version in done:
                    continue
                # executescript commits first; the script runs as one explicit transaction.
                now = to_iso(utcnow())
                script = (
                    f"BEGIN IMMEDIATE;\n{sql}\n"
                    f"INSERT INTO schema_migrations VALUES ({version}, '{name}', '{now}');\nCOMMIT;"
                )
                try:
                    await conn.executescript(script)
                except sqlite3.Error:
                    if conn.in_transaction:
                        await conn.execute("ROLLBACK")
                    raise

    async def check(self) -> None:
        await self._fetch("SELECT 1")

    # -- users and sessions -----------------------------------------------------
    async def create_user(self, user: User) -> None:
        async with self._tx() as conn:
            try:
                await conn.execute(
                    "INSERT INTO users (id, email, display_name, password_hash, is_admin, quota_bytes,"
                    " used_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user.id,
                        user.email.lower(),
                        user.display_name,
                        user.password_hash,
                        int(user.is_admin),
                        user.quota_bytes,
                        user.used_bytes,
                        to_iso(user.created_at),
                    ),
                )
            except sqlite3.IntegrityError:
                raise Conflict("email_taken", "an account with this email already exists") from None

    _USER_COLS = "id, email, display_name, password_hash, is_admin, quota_bytes, used_bytes, created_at"

    @staticmethod
    def _user(row: sqlite3.Row) -> User:
        return msgspec.convert(dict(zip(SqliteMetaStore._USER_COLS.split(", "), row, strict=True)), User, strict=False)

    async def get_user(self, user_id: str) -> User | None:
        rows = await self._fetch(f"SELECT {self._USER_COLS} FROM users WHERE id = ?", (user_id,))
        return self._user(rows[0]) if rows else None

    async def get_user_by_email(self, email: str) -> User | None:
        rows = await self._fetch(f"SELECT {self._USER_COLS} FROM users WHERE email = ?", (email.lower(),))
        return self._user(rows[0]) if rows else None

    async def set_password(self, user_id: str, password_hash: str) -> None:
        async with self._tx() as conn:
            await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", (new_hash, user_id, old_hash)
            )
            return cur.rowcount == 1

    async def add_used_bytes(self, user_id: str, delta: int) -> None:
        async with self._tx() as conn:
            await conn.execute("UPDATE users SET used_bytes = MAX(0, used_bytes + ?) WHERE id = ?", (delta, user_id))

    async def create_session(self, session: Session) -> None:
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (
                    session.token_hash,
                    session.user_id,
                    to_iso(session.created_at),
                    to_iso(session.expires_at),
                ),
            )

    async def get_session(self, token_hash: str) -> Session | None:
        rows = await self._fetch(
            "SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = ?",
            (token_hash,),
        )
        if not rows:
            return None
        keys = ("token_hash", "user_id", "created_at", "expires_at")
        return msgspec.convert(dict(zip(keys, rows[0], strict=True)), Session, strict=False)

    async def delete_session(self, token_hash: str) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    async def delete_user_sessions(self, user_id: str) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    async def create_reset_token(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO reset_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
                (token_hash, user_id, to_iso(expires_at)),
            )

    async def consume_reset_token(self, token_hash: str, now: datetime) -> str | None:
        async with self._tx() as conn:
            async with conn.execute(
                "SELECT user_id, expires_at FROM reset_tokens WHERE token_hash = ?", (token_hash,)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            await conn.execute("DELETE FROM reset_tokens WHERE token_hash = ?", (token_hash,))
            return str(row[0]) if row[1] > to_iso(now) else None

    async def delete_user_reset_tokens(self, user_id: str) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM reset_tokens WHERE user_id = ?", (user_id,))

    async def hit_counter(self, key: str, window_seconds: int, now: datetime) -> int:
        async with self._tx() as conn:
            async with conn.execute("SELECT count, window_end FROM counters WHERE key = ?", (key,)) as cur:
                row = await cur.fetchone()
            if row is None or row[1] <= to_iso(now):
                end = to_iso(now + timedelta(seconds=window_seconds))
                await conn.execute(
                    "INSERT OR REPLACE INTO counters (key, count, window_end) VALUES (?, 1, ?)", (key, end)
                )
                return 1
            await conn.execute("UPDATE counters SET count = count + 1 WHERE key = ?", (key,))
            return int(row[0]) + 1

    async def get_counter(self, key: str, now: datetime) -> int:
        rows = await self._fetch("SELECT count FROM counters WHERE key = ? AND window_end > ?", (key, to_iso(now)))
        return int(rows[0][0]) if rows else 0

    async def reset_counter(self, key: str) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM counters WHERE key = ?", (key,))

    # -- photos -------------------------------------------------------------------
    @staticmethod
    def _photo_params(photo: Photo) -> tuple[Any, ...]:
        return (
            photo.id,
            photo.owner_id,
            photo.status,
            photo.sha256,
            photo.sort_at,
            to_iso(photo.created_at),
            to_iso(photo.updated_at),
            _dump(photo),
        )

    async def get_photo(self, photo_id: str) -> Photo | None:
        return await self._one(Photo, "SELECT data FROM photos WHERE id = ?", (photo_id,))

    async def get_photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        return await self._one(Photo, "SELECT data FROM photos WHERE owner_id = ? AND sha256 = ?", (owner_id, sha256))

    async def photos_with_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._fetch(
                f"SELECT sha256, id FROM photos WHERE owner_id = ? AND status != 'pending' AND sha256 IN ({marks})",
                (owner_id, *chunk),
            )
            found.update({row[0]: row[1] for row in rows})
        return found

    async def save_processed_photo(self, photo: Photo, expected_status: PhotoStatus) -> bool:
        async with self._tx() as conn:
            async with conn.execute(
                "SELECT data FROM photos WHERE id = ? AND status = ?", (photo.id, expected_status)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return False
            saved = keep_library_fields(_load(Photo, row[0]), photo)
            await write_photo(conn, saved)
            await note_photo_change(conn, saved, "changed", saved.updated_at)
            return True

    # -- uploads -----------------------------------------------------------------
    @staticmethod
    def _upload_params(upload: Upload) -> tuple[Any, ...]:
        return (
            upload.id,
            upload.batch_id,
            upload.owner_id,
            upload.photo_id,
            upload.index,
            upload.state,
            to_iso(upload.next_check_at),
            to_iso(upload.created_at),
            _dump(upload),
        )

    async def create_uploads(
        self, batch: Batch, photos: list[Photo], uploads: list[Upload], reserve_bytes: int
    ) -> None:
        async with self._tx() as conn:
            if reserve_bytes:
                cur = await conn.execute(
                    "UPDATE users SET used_bytes = used_bytes + ? WHERE id = ? AND used_bytes + ? <= quota_bytes",
                    (reserve_bytes, batch.owner_id, reserve_bytes),
                )
                if cur.rowcount != 1:
                    raise QuotaExceeded("quota_exceeded", "this batch would exceed your storage quota")
            await conn.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?)",
                (batch.id, batch.owner_id, to_iso(batch.created_at), to_iso(batch.expires_at)),
            )
            try:
                await conn.executemany(
                    "INSERT INTO photos (id, owner_id, status, sha256, sort_at, created_at, updated_at, data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [self._photo_params(p) for p in photos],
                )
            except sqlite3.IntegrityError:
                raise Conflict("sha256_taken", "another upload of the same file started meanwhile") from None
            await conn.executemany(
                "INSERT INTO uploads (id, batch_id, owner_id, photo_id, idx, state, next_check_at,"
                " created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [self._upload_params(u) for u in uploads],
            )

    async def move_uploads(self, moves: list[tuple[str, int]], batch_id: str, url_expires_at: datetime) -> None:
        async with self._tx() as conn:
            for upload_id, index in moves:
                upload = await self._read_upload(conn, upload_id)
                if upload is None or upload.state != "pending":
                    continue
                upload.batch_id = batch_id
                upload.index = index
                upload.url_expires_at = url_expires_at
                await self._write_upload(conn, upload)

    async def _read_upload(self, conn: aiosqlite.Connection, upload_id: str) -> Upload | None:
        async with conn.execute("SELECT data FROM uploads WHERE id = ?", (upload_id,)) as cur:
            row = await cur.fetchone()
        return _load(Upload, row[0]) if row else None

    async def _write_upload(self, conn: aiosqlite.Connection, upload: Upload) -> None:
        await conn.execute(
            "UPDATE uploads SET batch_id = ?, idx = ?, state = ?, next_check_at = ?, data = ? WHERE id = ?",
            (
                upload.batch_id,
                upload.index,
                upload.state,
                to_iso(upload.next_check_at),
                _dump(upload),
                upload.id,
            ),
        )

    async def get_batch(self, batch_id: str) -> Batch | None:
        rows = await self._fetch("SELECT id, owner_id, created_at, expires_at FROM batches WHERE id = ?", (batch_id,))
        if not rows:
            return None
        keys = ("id", "owner_id", "created_at", "expires_at")
        return msgspec.convert(dict(zip(keys, rows[0], strict=True)), Batch, strict=False)

    async def get_upload(self, upload_id: str) -> Upload | None:
        return await self._one(Upload, "SELECT data FROM uploads WHERE id = ?", (upload_id,))

    async def batch_uploads(self, batch_id: str) -> list[Upload]:
        return await self._all(Upload, "SELECT data FROM uploads WHERE batch_id = ? ORDER BY idx", (batch_id,))

    async def pending_uploads(self, owner_id: str, limit: int) -> list[Upload]:
        return await self._all(
            Upload,
            "SELECT data FROM uploads WHERE owner_id = ? AND state = 'pending' ORDER BY created_at LIMIT ?",
            (owner_id, limit),
        )

    async def _set_photo_status(
        self, conn: aiosqlite.Connection, photo_id: str, status: PhotoStatus, now: datetime
    ) -> None:
        async with conn.execute("SELECT data FROM photos WHERE id = ?", (photo_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return
        photo = _load(Photo, row[0])
        photo.status = status
        photo.updated_at = now
        await write_photo(conn, photo)
        if status != "pending":
            await note_photo_change(conn, photo, "changed", now)

    async def mark_upload_arrived(self, upload_id: str, now: datetime, job: Job | None = None) -> bool:
        async with self._tx() as conn:
            upload = await self._read_upload(conn, upload_id)
            if upload is None or upload.state != "pending":
                return False
            upload.state = "processing"
            upload.updated_at = now
            await self._write_upload(conn, upload)
            await self._set_photo_status(conn, upload.photo_id, "processing", now)
            if job is not None:
                await self._insert_job(conn, job)
            return True

    async def end_upload(
        self, upload_id: str, state: Literal["rejected", "expired"], reason: str, now: datetime
    ) -> bool:
        async with self._tx() as conn:
            upload = await self._read_upload(conn, upload_id)
            if upload is None or upload.state not in _ENDS_FROM[state]:
                return False
            upload.state = state
            upload.reason = reason
            upload.updated_at = now
            await self._write_upload(conn, upload)
            async with conn.execute("SELECT status FROM photos WHERE id = ?", (upload.photo_id,)) as read:
                found = await read.fetchone()
            cur = await conn.execute(
                "DELETE FROM photos WHERE id = ? AND status IN ('pending', 'processing')", (upload.photo_id,)
            )
            if cur.rowcount:
                if found is not None and found[0] == "processing":  # a listed photo left
                    await conn.execute(
                        "INSERT INTO changes (user_id, photo_id, kind, at) VALUES (?, ?, 'deleted', ?)",
                        (upload.owner_id, upload.photo_id, to_iso(now)),
                    )
                await conn.execute(
                    "UPDATE users SET used_bytes = MAX(0, used_bytes - ?) WHERE id = ?",
                    (upload.size, upload.owner_id),
                )
            return True

    async def due_pending_uploads(self, now: datetime, limit: int) -> list[Upload]:
        return await self._all(
            Upload,
            "SELECT data FROM uploads WHERE state = 'pending' AND next_check_at <= ? ORDER BY next_check_at LIMIT ?",
            (to_iso(now), limit),
        )

    async def schedule_upload_check(self, upload_id: str, checks: int, next_check_at: datetime) -> None:
        async with self._tx() as conn:
            upload = await self._read_upload(conn, upload_id)
            if upload is None or upload.state != "pending":
                return
            upload.checks = checks
            upload.next_check_at = next_check_at
            await self._write_upload(conn, upload)

    # -- jobs ------------------------------------------------------------------------
    async def _write_job(self, conn: aiosqlite.Connection, job: Job) -> None:
        await conn.execute(
            "UPDATE jobs SET state = ?, run_at = ?, lease_until = ?, lease_owner = ?, updated_at = ?,"
            " data = ? WHERE id = ?",
            (
                job.state,
                to_iso(job.run_at),
                to_iso(job.lease_until) if job.lease_until else None,
                job.lease_owner,
                to_iso(job.updated_at),
                _dump(job),
                job.id,
            ),
        )

    async def _read_job(self, conn: aiosqlite.Connection, job_id: str) -> Job | None:
        async with conn.execute("SELECT data FROM jobs WHERE id = ?", (job_id,)) as cur:
            row = await cur.fetchone()
        return _load(Job, row[0]) if row else None

    async def processing_photos(self, updated_before: datetime, limit: int) -> list[Photo]:
        return await self._all(
            Photo,
            "SELECT data FROM photos WHERE status = 'processing' AND updated_at < ? ORDER BY updated_at LIMIT ?",
            (to_iso(updated_before), limit),
        )

    async def enqueue_job(self, job: Job) -> bool:
        async with self._tx() as conn:
            return await self._insert_job(conn, job)

    async def _insert_job(self, conn: aiosqlite.Connection, job: Job) -> bool:
        cur = await conn.execute(
            "INSERT OR IGNORE INTO jobs (id, kind, state, run_at, lease_until, lease_owner, dedupe_key,"
            " updated_at, data) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?)",
            (
                job.id,
                job.kind,
                job.state,
                to_iso(job.run_at),
                job.dedupe_key,
                to_iso(job.updated_at),
                _dump(job),
            ),
        )
        return bool(cur.rowcount == 1)

    async def claim_jobs(self, now: datetime, owner: str, lease_seconds: int, limit: int) -> list[Job]:
        stamp = to_iso(now)
        async with self._tx() as conn:
            async with conn.execute(
                "SELECT data FROM jobs WHERE (state = 'queued' AND run_at <= ?)"
                " OR (state = 'running' AND lease_until < ?) ORDER BY run_at LIMIT ?",
                (stamp, stamp, limit),
            ) as cur:
                rows = await cur.fetchall()
            claimed = []
            for row in rows:
                job = _load(Job, row[0])
                job.state = "running"
                job.attempts += 1
                job.lease_owner = owner
                job.lease_until = now + timedelta(seconds=lease_seconds)
                job.updated_at = now
                await self._write_job(conn, job)
                claimed.append(job)
            return claimed

    async def finish_job(self, job_id: str, owner: str, now: datetime) -> bool:
        async with self._tx() as conn:
            job = await self._read_job(conn, job_id)
            if job is None or job.state != "running" or job.lease_owner != owner:
                return False
            job.state = "done"
            job.lease_until = None
            job.updated_at = now
            await self._write_job(conn, job)
            return True

    async def fail_job(self, job_id: str, owner: str, error: str, retry_at: datetime | None, now: datetime) -> bool:
        async with self._tx() as conn:
            job = await self._read_job(conn, job_id)
            if job is None or job.state != "running" or job.lease_owner != owner:
                return False
            job.last_error = error[:2000]
            job.lease_until = None
            job.updated_at = now
            if retry_at is None:
                job.state = "dead"
            else:
                job.state = "queued"
                job.run_at = retry_at
            await self._write_job(conn, job)
            return True

    async def get_job(self, job_id: str) -> Job | None:
        return await self._one(Job, "SELECT data FROM jobs WHERE id = ?", (job_id,))

    async def get_job_by_dedupe_key(self, dedupe_key: str) -> Job | None:
        return await self._one(Job, "SELECT data FROM jobs WHERE dedupe_key = ?", (dedupe_key,))

    async def list_jobs(self, state: JobState | None, limit: int) -> list[Job]:
        if state is None:
            return await self._all(Job, "SELECT data FROM jobs ORDER BY updated_at DESC LIMIT ?", (limit,))
        return await self._all(
            Job, "SELECT data FROM jobs WHERE state = ? ORDER BY updated_at DESC LIMIT ?", (state, limit)
        )

    async def job_counts(self) -> dict[str, int]:
        rows = await self._fetch("SELECT state, count(*) FROM jobs GROUP BY state")
        counts = {"queued": 0, "running": 0, "done": 0, "dead": 0}
        counts.update({row[0]: row[1] for row in rows})
        return counts

    async def retry_job(self, job_id: str, now: datetime) -> bool:
        async with self._tx() as conn:
            job = await self._read_job(conn, job_id)
            if job is None or job.state != "dead":
                return False
            job.state = "queued"
            job.attempts = 0
            job.run_at = now
            job.updated_at = now
            await self._write_job(conn, job)
            return True

    async def next_job_due(self) -> datetime | None:
        rows = await self._fetch("SELECT min(run_at) FROM jobs WHERE state = 'queued'")
        if not rows or rows[0][0] is None:
            return None
        return from_iso(rows[0][0])

    async def purge_expired(self, now: datetime) -> int:
        stamp = to_iso(now)
        async with self._tx() as conn:
            removed = 0
            for sql in (
                "DELETE FROM sessions WHERE expires_at <= ?",
                "DELETE FROM reset_tokens WHERE expires_at <= ?",
                "DELETE FROM counters WHERE window_end <= ?",
                # the record's expires_at is msgspec's RFC 3339 (no fixed width): compare as times
                "DELETE FROM uploads WHERE state != 'pending'"
                " AND julianday(json_extract(data, '$.expires_at')) <= julianday(?)"
                " AND NOT EXISTS (SELECT 1 FROM photos WHERE photos.id = uploads.photo_id"
                " AND photos.status = 'processing')",
                "DELETE FROM batches WHERE expires_at <= ?"
                " AND NOT EXISTS (SELECT 1 FROM uploads WHERE uploads.batch_id = batches.id)",
            ):
                cur = await conn.execute(sql, (stamp,))
                removed += cur.rowcount
            return removed

    async def purge_jobs(self, before: datetime) -> int:
        async with self._tx() as conn:
            cur = await conn.execute("DELETE FROM jobs WHERE state = 'done' AND updated_at < ?", (to_iso(before),))
            return cur.rowcount
