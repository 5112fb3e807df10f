"""Photos on SQLite: look-ups, the pipeline's writes, and the change-feed note every photo change makes.

The row layout (real columns plus the JSON rest) is ``codec``'s; listings by view and the
library's writes are in ``library``.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from auroravault.meta.base import Photo, PhotoStatus, keep_library_fields
from auroravault.meta.sqlite.codec import PHOTO_SELECT, photo_from_row, read_photo, write_photo
from auroravault.meta.sqlite.connection import Connections, chunks, marks
from auroravault.timeutil import to_iso


async def note(conn: aiosqlite.Connection, user_id: str, photo_id: str, kind: str, now: datetime) -> None:
    """One entry in ``user_id``'s change feed, in the caller's transaction.

    Today a photo's viewer is its owner; a photo change is noted for the owner, a flag change
    for the viewer who made it. When albums and partners arrive, this fans out to them."""
    await conn.execute(
        "INSERT INTO changes (user_id, photo_id, kind, at) VALUES (?, ?, ?, ?)", (user_id, photo_id, kind, to_iso(now))
    )


async def note_photo_change(conn: aiosqlite.Connection, photo: Photo, kind: str, now: datetime) -> None:
    await note(conn, photo.owner_id, photo.id, kind, now)


async def set_photo_status(conn: aiosqlite.Connection, photo_id: str, status: PhotoStatus, now: datetime) -> None:
    """Move a photo to ``status`` in the caller's transaction (an upload's arrival)."""
    photo = await read_photo(conn, photo_id)
    if photo is None:
        return
    photo.status = status
    photo.updated_at = now
    await write_photo(conn, photo)
    if status != "pending":
        await note_photo_change(conn, photo, "changed", now)


class PhotoOps(Connections):
    async def _photos(self, where: str, params: tuple[object, ...]) -> list[Photo]:
        rows = await self._fetch(f"SELECT {PHOTO_SELECT} FROM photos p {where}", params)
        return [photo_from_row(row) for row in rows]

    async def get_photo(self, photo_id: str) -> Photo | None:
        found = await self._photos("WHERE p.id = ?", (photo_id,))
        return found[0] if found else None

    async def get_photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        found = await self._photos("WHERE p.owner_id = ? AND p.sha256 = ?", (owner_id, sha256))
        return found[0] if found else None

    async def get_photos(self, photo_ids: list[str]) -> dict[str, Photo]:
        found: dict[str, Photo] = {}
        for chunk in chunks(list(dict.fromkeys(photo_ids))):
            found.update({p.id: p for p in await self._photos(f"WHERE p.id IN ({marks(chunk)})", tuple(chunk))})
        return found

    async def photos_with_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(hashes):
            rows = await self._fetch(
                "SELECT sha256, id FROM photos WHERE owner_id = ? AND status != 'pending'"
                f" AND sha256 IN ({marks(chunk)})",
                (owner_id, *chunk),
            )
            found.update({row[0]: row[1] for row in rows})
        return found

    async def processing_photos(self, updated_before: datetime, limit: int) -> list[Photo]:
        return await self._photos(
            "WHERE p.status = 'processing' AND p.updated_at < ? ORDER BY p.updated_at LIMIT ?",
            (to_iso(updated_before), limit),
        )

    async def save_processed_photo(self, photo: Photo, expected_status: PhotoStatus) -> bool:
        async with self._tx() as conn:
            stored = await read_photo(conn, photo.id)
            if stored is None or stored.status != expected_status:
                return False
            saved = keep_library_fields(stored, photo)
            await write_photo(conn, saved)
            await note_photo_change(conn, saved, "changed", saved.updated_at)
            return True
