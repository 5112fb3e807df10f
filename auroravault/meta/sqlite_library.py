"""The library on SQLite: listings by view, per-viewer flags, trash, corrections, permanent
deletion with tombstones, and the change feed.

Tables of migration 0003: ``photo_flags`` (one row per viewer and photo, real columns),
``tombstones``, ``changes`` (an AUTOINCREMENT sequence per change). Every change is noted in
``changes`` inside the transaction that makes it, so a feed position (the last ``seq`` read)
is exact: a later read never finds an older, uncommitted change behind it.

Today a photo's viewer is its owner; a photo change is noted for the owner, a flag change for
the viewer who made it. When albums and partners arrive, ``_note`` fans out to them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import aiosqlite
import msgspec

from auroravault.errors import Invalid
from auroravault.meta.base import EDITABLE_FIELDS, ChangeBatch, Flags, MonthCount, Photo, PhotoView, Usage
from auroravault.timeutil import to_iso

_encoder = msgspec.json.Encoder()
CHUNK = 500  # SQLite's host parameters per statement stay well under its limit


def _load_photo(data: str | bytes) -> Photo:
    return msgspec.json.decode(data, type=Photo)


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _marks(items: list[str]) -> str:
    return ",".join("?" * len(items))


async def _note(conn: aiosqlite.Connection, user_id: str, photo_id: str, kind: str, now: datetime) -> None:
    """One entry in ``user_id``'s change feed, in the caller's transaction."""
    await conn.execute(
        "INSERT INTO changes (user_id, photo_id, kind, at) VALUES (?, ?, ?, ?)", (user_id, photo_id, kind, to_iso(now))
    )


async def write_photo(conn: aiosqlite.Connection, photo: Photo) -> None:
    """Store the whole photo record with every column derived from it."""
    await conn.execute(
        "UPDATE photos SET status = ?, sort_at = ?, updated_at = ?, media_type = ?, trashed_at = ?,"
        " deleting_at = ?, data = ? WHERE id = ?",
        (
            photo.status,
            photo.sort_at,
            to_iso(photo.updated_at),
            photo.media_type,
            to_iso(photo.trashed_at) if photo.trashed_at else None,
            to_iso(photo.deleting_at) if photo.deleting_at else None,
            _encoder.encode(photo).decode(),
            photo.id,
        ),
    )


async def note_photo_change(conn: aiosqlite.Connection, photo: Photo, kind: str, now: datetime) -> None:
    await _note(conn, photo.owner_id, photo.id, kind, now)


def _view_sql(owner_id: str, view: PhotoView | None) -> tuple[str, list[Any]]:
    """FROM and WHERE of a listing as ``view`` shows it."""
    view = view or PhotoView(viewer_id=owner_id)
    sql = (
        " FROM photos p LEFT JOIN photo_flags f ON f.photo_id = p.id AND f.user_id = ?"
        " WHERE p.owner_id = ? AND p.status != 'pending' AND p.trashed_at IS NULL"
    )
    params: list[Any] = [view.viewer_id, owner_id]
    if view.favorite:
        sql += " AND f.favorite = 1"
    if view.archived == "exclude":
        sql += " AND COALESCE(f.archived, 0) = 0"
    elif view.archived == "only":
        sql += " AND f.archived = 1"
    if view.media_type is not None:
        sql += " AND p.media_type = ?"
        params.append(view.media_type)
    return sql, params


class SqliteLibraryOps:
    """The library methods of ``SqliteMetaStore`` (see ``auroravault.meta.base``)."""

    # Provided by SqliteMetaStore.
    _tx: Callable[[], AbstractAsyncContextManager[aiosqlite.Connection]]
    _fetch: Callable[..., Awaitable[list[sqlite3.Row]]]

    # -- listings ----------------------------------------------------------------------------
    async def list_photos(
        self,
        owner_id: str,
        *,
        limit: int,
        after: tuple[str, str] | None,
        descending: bool,
        view: PhotoView | None = None,
    ) -> list[Photo]:
        op, order = ("<", "DESC") if descending else (">", "ASC")
        where, params = _view_sql(owner_id, view)
        sql = "SELECT p.data" + where
        if after is not None:
            sql += f" AND (p.sort_at, p.id) {op} (?, ?)"
            params += list(after)
        sql += f" ORDER BY p.sort_at {order}, p.id {order} LIMIT ?"
        params.append(limit)
        return [_load_photo(row[0]) for row in await self._fetch(sql, params)]

    async def month_counts(self, owner_id: str, view: PhotoView | None = None) -> list[MonthCount]:
        where, params = _view_sql(owner_id, view)
        rows = await self._fetch(
            "SELECT substr(p.sort_at, 1, 7) AS month, count(*)" + where + " GROUP BY month ORDER BY month DESC",
            params,
        )
        return [MonthCount(month=row[0], count=row[1]) for row in rows]

    async def get_photos(self, photo_ids: list[str]) -> dict[str, Photo]:
        found: dict[str, Photo] = {}
        for chunk in _chunks(list(dict.fromkeys(photo_ids))):
            rows = await self._fetch(f"SELECT data FROM photos WHERE id IN ({_marks(chunk)})", chunk)
            found.update({p.id: p for p in (_load_photo(row[0]) for row in rows)})
        return found

    # -- flags -------------------------------------------------------------------------------
    async def get_flags(self, viewer_id: str, photo_ids: list[str]) -> dict[str, Flags]:
        found: dict[str, Flags] = {}
        for chunk in _chunks(list(dict.fromkeys(photo_ids))):
            rows = await self._fetch(
                "SELECT photo_id, favorite, archived FROM photo_flags"
                f" WHERE user_id = ? AND photo_id IN ({_marks(chunk)})",
                (viewer_id, *chunk),
            )
            found.update({r[0]: Flags(favorite=bool(r[1]), archived=bool(r[2])) for r in rows})
        return found

    async def set_flags(
        self, viewer_id: str, photo_ids: list[str], *, favorite: bool | None, archived: bool | None, now: datetime
    ) -> list[str]:
        done: list[str] = []
        async with self._tx() as conn:
            for photo_id in dict.fromkeys(photo_ids):
                async with conn.execute(
                    "SELECT 1 FROM photos WHERE id = ? AND status != 'pending'", (photo_id,)
                ) as cur:
                    if await cur.fetchone() is None:
                        continue
                await conn.execute(
                    "INSERT INTO photo_flags (user_id, photo_id, favorite, archived, updated_at)"
                    " VALUES (?, ?, COALESCE(?, 0), COALESCE(?, 0), ?)"
                    " ON CONFLICT (user_id, photo_id) DO UPDATE SET favorite = COALESCE(?, favorite),"
                    " archived = COALESCE(?, archived), updated_at = excluded.updated_at",
                    (viewer_id, photo_id, favorite, archived, to_iso(now), favorite, archived),
                )
                await _note(conn, viewer_id, photo_id, "flags", now)
                done.append(photo_id)
        return done

    # -- corrections and trash ---------------------------------------------------------------
    async def _read(self, conn: aiosqlite.Connection, photo_id: str) -> Photo | None:
        async with conn.execute("SELECT data FROM photos WHERE id = ?", (photo_id,)) as cur:
            row = await cur.fetchone()
        return _load_photo(row[0]) if row else None

    async def edit_photo(self, photo_id: str, edit: dict[str, Any], now: datetime) -> Photo | None:
        unknown = set(edit) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._tx() as conn:
            photo = await self._read(conn, photo_id)
            if photo is None or photo.status == "pending" or photo.trashed_at is not None:
                return None
            photo = msgspec.structs.replace(photo, **edit, updated_at=now)
            await write_photo(conn, photo)
            await note_photo_change(conn, photo, "changed", now)
            return photo

    async def trash_photos(self, owner_id: str, photo_ids: list[str], now: datetime) -> list[str]:
        done: list[str] = []
        async with self._tx() as conn:
            for photo_id in dict.fromkeys(photo_ids):
                photo = await self._read(conn, photo_id)
                if photo is None or photo.owner_id != owner_id or photo.status == "pending":
                    continue
                if photo.trashed_at is None:
                    photo = msgspec.structs.replace(photo, trashed_at=now, updated_at=now)
                    await write_photo(conn, photo)
                    await note_photo_change(conn, photo, "trashed", now)
                done.append(photo_id)
        return done

    async def _trashed_ids(self, conn: aiosqlite.Connection, owner_id: str, photo_ids: list[str] | None) -> list[str]:
        if photo_ids is not None:
            return list(dict.fromkeys(photo_ids))
        async with conn.execute(
            "SELECT id FROM photos WHERE owner_id = ? AND trashed_at IS NOT NULL", (owner_id,)
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def restore_photos(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[str]:
        done: list[str] = []
        async with self._tx() as conn:
            for photo_id in await self._trashed_ids(conn, owner_id, photo_ids):
                photo = await self._read(conn, photo_id)
                if photo is None or photo.owner_id != owner_id or photo.trashed_at is None or photo.deleting_at:
                    continue
                photo = msgspec.structs.replace(photo, trashed_at=None, updated_at=now)
                await write_photo(conn, photo)
                await note_photo_change(conn, photo, "restored", now)
                done.append(photo_id)
        return done

    async def list_trash(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        sql = "SELECT data FROM photos WHERE owner_id = ? AND trashed_at IS NOT NULL AND deleting_at IS NULL"
        params: list[Any] = [owner_id]
        if after is not None:
            sql += " AND (trashed_at, id) < (?, ?)"
            params += list(after)
        sql += " ORDER BY trashed_at DESC, id DESC LIMIT ?"
        params.append(limit)
        return [_load_photo(row[0]) for row in await self._fetch(sql, params)]

    # -- permanent deletion ------------------------------------------------------------------
    async def mark_deleting(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[Photo]:
        marked: list[Photo] = []
        async with self._tx() as conn:
            for photo_id in await self._trashed_ids(conn, owner_id, photo_ids):
                photo = await self._read(conn, photo_id)
                if photo is None or photo.owner_id != owner_id or photo.trashed_at is None:
                    continue
                if photo.deleting_at is None:
                    photo = msgspec.structs.replace(photo, deleting_at=now, updated_at=now)
                    await write_photo(conn, photo)
                marked.append(photo)
        return marked

    async def deletion_due(self, trashed_before: datetime, limit: int) -> list[Photo]:
        rows = await self._fetch(
            "SELECT data FROM photos WHERE deleting_at IS NOT NULL OR (trashed_at IS NOT NULL AND trashed_at < ?)"
            " ORDER BY trashed_at LIMIT ?",
            (to_iso(trashed_before), limit),
        )
        return [_load_photo(row[0]) for row in rows]

    async def finish_deletion(self, photo_id: str, now: datetime) -> bool:
        async with self._tx() as conn:
            photo = await self._read(conn, photo_id)
            if photo is None or photo.deleting_at is None:
                return False
            await conn.execute(
                "INSERT OR IGNORE INTO tombstones (photo_id, owner_id, sha256, deleted_at) VALUES (?, ?, ?, ?)",
                (photo.id, photo.owner_id, photo.sha256, to_iso(now)),
            )
            await conn.execute("DELETE FROM photo_flags WHERE photo_id = ?", (photo.id,))
            await conn.execute("DELETE FROM photos WHERE id = ?", (photo.id,))
            await conn.execute(
                "UPDATE users SET used_bytes = MAX(0, used_bytes - ?) WHERE id = ?", (photo.size, photo.owner_id)
            )
            await note_photo_change(conn, photo, "deleted", now)
            return True

    async def deleted_sha256(self, owner_id: str, hashes: list[str]) -> list[str]:
        found: list[str] = []
        for chunk in _chunks(list(dict.fromkeys(hashes))):
            rows = await self._fetch(
                f"SELECT DISTINCT t.sha256 FROM tombstones t WHERE t.owner_id = ? AND t.sha256 IN ({_marks(chunk)})"
                " AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.owner_id = t.owner_id AND p.sha256 = t.sha256)",
                (owner_id, *chunk),
            )
            found += [row[0] for row in rows]
        return found

    async def usage(self, user_id: str) -> Usage:
        rows = await self._fetch(
            "SELECT count(*), COALESCE(sum(json_extract(data, '$.variants_bytes')), 0) FROM photos"
            " WHERE owner_id = ? AND status != 'pending'",
            (user_id,),
        )
        return Usage(photo_count=int(rows[0][0]), variant_bytes=int(rows[0][1]))

    # -- the change feed ---------------------------------------------------------------------
    async def changes_since(self, viewer_id: str, position: str | None, limit: int) -> ChangeBatch:
        try:
            after = int(position) if position is not None else 0
        except ValueError:
            raise Invalid("invalid_sync_token", "the sync token is not one this server gave out", status=400) from None
        rows = await self._fetch(
            "SELECT seq, photo_id FROM changes WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (viewer_id, after, limit + 1),
        )
        more = len(rows) > limit
        rows = rows[:limit]
        if not rows:
            return ChangeBatch(photo_ids=[], position=str(after), more=False)
        ids = list(dict.fromkeys(row[1] for row in reversed(rows)))[::-1]
        return ChangeBatch(photo_ids=ids, position=str(rows[-1][0]), more=more)

    async def prune_changes(self, before: datetime) -> int:
        # One statement: the newest entry per (viewer, photo) of photos that exist stays, so a
        # sync from the start still names every photo; the rest written before ``before`` goes.
        async with self._tx() as conn:
            cur = await conn.execute(
                "DELETE FROM changes WHERE at < ? AND seq NOT IN (SELECT max(c.seq) FROM changes c"
                " JOIN photos p ON p.id = c.photo_id GROUP BY c.user_id, c.photo_id)",
                (to_iso(before),),
            )
            return cur.rowcount
