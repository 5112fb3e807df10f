"""Batches and uploads on SQLite: the ``Upload`` as JSON in ``data`` beside the columns its
queries use; the transitions that move an upload's photo with it; forgetting what expired."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, Literal

import aiosqlite
import msgspec

from auroravault.errors import Conflict, QuotaExceeded
from auroravault.meta.base import Batch, Job, Photo, Upload
from auroravault.meta.sqlite.codec import dump, insert_photos, load
from auroravault.meta.sqlite.connection import Connections
from auroravault.meta.sqlite.jobs import insert_job
from auroravault.meta.sqlite.photos import note, set_photo_status
from auroravault.timeutil import to_iso

# The upload states each end may start from (see MetaStore.end_upload).
_ENDS_FROM: dict[str, tuple[str, ...]] = {"rejected": ("pending", "processing"), "expired": ("pending",)}


def _upload_values(upload: Upload) -> tuple[Any, ...]:
    return (
        upload.id,
        upload.batch_id,
        upload.owner_id,
        upload.photo_id,
        upload.index,
        upload.state,
        to_iso(upload.next_check_at),
        to_iso(upload.created_at),
        dump(upload),
    )


async def _read_upload(conn: aiosqlite.Connection, upload_id: str) -> Upload | None:
    async with conn.execute("SELECT data FROM uploads WHERE id = ?", (upload_id,)) as cur:
        row = await cur.fetchone()
    return load(Upload, row[0]) if row else None


async def _write_upload(conn: aiosqlite.Connection, upload: Upload) -> None:
    await conn.execute(
        "UPDATE uploads SET batch_id = ?, idx = ?, state = ?, next_check_at = ?, data = ? WHERE id = ?",
        (upload.batch_id, upload.index, upload.state, to_iso(upload.next_check_at), dump(upload), upload.id),
    )


class UploadOps(Connections):
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
                "INSERT INTO batches (id, owner_id, created_at, expires_at, album_id) VALUES (?, ?, ?, ?, ?)",
                (batch.id, batch.owner_id, to_iso(batch.created_at), to_iso(batch.expires_at), batch.album_id),
            )
            try:
                await insert_photos(conn, photos)
            except sqlite3.IntegrityError:
                raise Conflict("sha256_taken", "another upload of the same file started meanwhile") from None
            await conn.executemany(
                "INSERT INTO uploads (id, batch_id, owner_id, photo_id, idx, state, next_check_at,"
                " created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_upload_values(u) for u in uploads],
            )

    async def move_uploads(self, moves: list[tuple[str, int]], batch_id: str, url_expires_at: datetime) -> None:
        async with self._tx() as conn:
            for upload_id, index in moves:
                upload = await _read_upload(conn, upload_id)
                if upload is None or upload.state != "pending":
                    continue
                upload.batch_id = batch_id
                upload.index = index
                upload.url_expires_at = url_expires_at
                await _write_upload(conn, upload)

    async def get_batch(self, batch_id: str) -> Batch | None:
        rows = await self._fetch(
            "SELECT id, owner_id, created_at, expires_at, album_id FROM batches WHERE id = ?", (batch_id,)
        )
        if not rows:
            return None
        keys = ("id", "owner_id", "created_at", "expires_at", "album_id")
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

    async def mark_upload_arrived(self, upload_id: str, now: datetime, job: Job | None = None) -> bool:
        async with self._tx() as conn:
            upload = await _read_upload(conn, upload_id)
            if upload is None or upload.state != "pending":
                return False
            upload.state = "processing"
            upload.updated_at = now
            await _write_upload(conn, upload)
            await set_photo_status(conn, upload.photo_id, "processing", now)
            if job is not None:
                await insert_job(conn, job)
            return True

    async def end_upload(
        self, upload_id: str, state: Literal["rejected", "expired"], reason: str, now: datetime
    ) -> bool:
        async with self._tx() as conn:
            upload = await _read_upload(conn, upload_id)
            if upload is None or upload.state not in _ENDS_FROM[state]:
                return False
            upload.state = state
            upload.reason = reason
            upload.updated_at = now
            await _write_upload(conn, upload)
            async with conn.execute("SELECT status FROM photos WHERE id = ?", (upload.photo_id,)) as read:
                found = await read.fetchone()
            cur = await conn.execute(
                "DELETE FROM photos WHERE id = ? AND status IN ('pending', 'processing')", (upload.photo_id,)
            )
            if cur.rowcount:
                if found is not None and found[0] == "processing":  # a listed photo left
                    await note(conn, upload.owner_id, upload.photo_id, "deleted", now)
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
            upload = await _read_upload(conn, upload_id)
            if upload is None or upload.state != "pending":
                return
            upload.checks = checks
            upload.next_check_at = next_check_at
            await _write_upload(conn, upload)

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
