"""The library on SQLite: listings by view, per-viewer flags, trash, corrections, permanent
deletion with tombstones, and the change feed.

Tables: ``photo_flags`` (one row per viewer and photo, real columns; it carries a copy of the
photo's ``sort_at``, kept in step by ``codec.write_photo``, so a viewer's favorites come in
timeline order straight from the ``photo_flags_favorites`` index), ``tombstones``, ``changes``
(an AUTOINCREMENT sequence per change). Every change is noted in ``changes`` inside the
transaction that makes it, so a feed position (the last ``seq`` read) is exact: a later read
never finds an older, uncommitted change behind it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite
import msgspec

from auroravault.errors import Invalid
from auroravault.meta.base import EDITABLE_FIELDS, ChangeBatch, Flags, MonthCount, Photo, PhotoView, Usage
from auroravault.meta.sqlite.codec import PHOTO_SELECT, photo_from_row, read_photo, write_photo
from auroravault.meta.sqlite.connection import chunks, marks
from auroravault.meta.sqlite.photos import PhotoOps, note, note_photo_change
from auroravault.timeutil import to_iso


def _view_sql(owner_id: str, view: PhotoView | None) -> tuple[str, list[Any], tuple[str, str]]:
    """FROM and WHERE of a listing as ``view`` shows it, and the columns that order it.

    Favorites start from the viewer's flags (the ``photo_flags_favorites`` index, in timeline
    order) and join each photo; every other view walks the owner's timeline and joins flags."""
    view = view or PhotoView(viewer_id=owner_id)
    if view.favorite:
        sql = (
            " FROM photo_flags f CROSS JOIN photos p ON p.id = f.photo_id"
            " WHERE f.user_id = ? AND f.favorite = 1 AND p.owner_id = ?"
        )
        key = ("f.sort_at", "f.photo_id")
    else:
        sql = " FROM photos p LEFT JOIN photo_flags f ON f.photo_id = p.id AND f.user_id = ? WHERE p.owner_id = ?"
        key = ("p.sort_at", "p.id")
    sql += " AND p.status != 'pending' AND p.trashed_at IS NULL"
    sql += " AND json_extract(p.data, '$.motion_of') IS NULL"  # a Live Photo's video: its still stands for it
    params: list[Any] = [view.viewer_id, owner_id]
    if view.archived == "exclude":
        sql += " AND COALESCE(f.archived, 0) = 0"
    elif view.archived == "only":
        sql += " AND f.archived = 1"
    if view.media_type is not None:
        sql += " AND p.media_type = ?"
        params.append(view.media_type)
    return sql, params, key


def listing_sql(
    owner_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool, view: PhotoView | None
) -> tuple[str, list[Any]]:
    """The query of ``list_photos`` and its parameters (a test reads its plan)."""
    op, order = ("<", "DESC") if descending else (">", "ASC")
    where, params, (sort_at, photo_id) = _view_sql(owner_id, view)
    sql = f"SELECT {PHOTO_SELECT}" + where
    if after is not None:
        sql += f" AND ({sort_at}, {photo_id}) {op} (?, ?)"
        params += list(after)
    sql += f" ORDER BY {sort_at} {order}, {photo_id} {order} LIMIT ?"
    params.append(limit)
    return sql, params


class LibraryOps(PhotoOps):
    """The library methods of ``SqliteMetaStore`` (see ``auroravault.meta.base``)."""

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
        sql, params = listing_sql(owner_id, limit=limit, after=after, descending=descending, view=view)
        return [photo_from_row(row) for row in await self._fetch(sql, params)]

    async def month_counts(self, owner_id: str, view: PhotoView | None = None) -> list[MonthCount]:
        where, params, _ = _view_sql(owner_id, view)
        rows = await self._fetch(
            "SELECT substr(p.sort_at, 1, 7) AS month, count(*)" + where + " GROUP BY month ORDER BY month DESC",
            params,
        )
        return [MonthCount(month=row[0], count=row[1]) for row in rows]

    # -- flags -------------------------------------------------------------------------------
    async def get_flags(self, viewer_id: str, photo_ids: list[str]) -> dict[str, Flags]:
        found: dict[str, Flags] = {}
        for chunk in chunks(list(dict.fromkeys(photo_ids))):
            rows = await self._fetch(
                "SELECT photo_id, favorite, archived FROM photo_flags"
                f" WHERE user_id = ? AND photo_id IN ({marks(chunk)})",
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
                # The photo's sort_at comes along (the favorites index orders by it); no row, no flags.
                cur = await conn.execute(
                    "INSERT INTO photo_flags (user_id, photo_id, favorite, archived, updated_at, sort_at)"
                    " SELECT ?, id, COALESCE(?, 0), COALESCE(?, 0), ?, sort_at FROM photos"
                    " WHERE id = ? AND status != 'pending'"
                    " ON CONFLICT (user_id, photo_id) DO UPDATE SET favorite = COALESCE(?, favorite),"
                    " archived = COALESCE(?, archived), updated_at = excluded.updated_at",
                    (viewer_id, favorite, archived, to_iso(now), photo_id, favorite, archived),
                )
                if cur.rowcount != 1:
                    continue
                await note(conn, viewer_id, photo_id, "flags", now)
                done.append(photo_id)
        return done

    # -- corrections and trash ---------------------------------------------------------------
    async def edit_photo(self, photo_id: str, edit: dict[str, Any], now: datetime) -> Photo | None:
        unknown = set(edit) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._tx() as conn:
            photo = await read_photo(conn, photo_id)
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
                photo = await read_photo(conn, photo_id)
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
                photo = await read_photo(conn, photo_id)
                if photo is None or photo.owner_id != owner_id or photo.trashed_at is None or photo.deleting_at:
                    continue
                photo = msgspec.structs.replace(photo, trashed_at=None, updated_at=now)
                await write_photo(conn, photo)
                await note_photo_change(conn, photo, "restored", now)
                done.append(photo_id)
        return done

    async def list_trash(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        sql = (
            f"SELECT {PHOTO_SELECT} FROM photos p"
            " WHERE p.owner_id = ? AND p.trashed_at IS NOT NULL AND p.deleting_at IS NULL"
        )
        params: list[Any] = [owner_id]
        if after is not None:
            sql += " AND (p.trashed_at, p.id) < (?, ?)"
            params += list(after)
        sql += " ORDER BY p.trashed_at DESC, p.id DESC LIMIT ?"
        params.append(limit)
        return [photo_from_row(row) for row in await self._fetch(sql, params)]

    # -- permanent deletion ------------------------------------------------------------------
    async def mark_deleting(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[Photo]:
        marked: list[Photo] = []
        async with self._tx() as conn:
            for photo_id in await self._trashed_ids(conn, owner_id, photo_ids):
                photo = await read_photo(conn, photo_id)
                if photo is None or photo.owner_id != owner_id or photo.trashed_at is None:
                    continue
                if photo.deleting_at is None:
                    photo = msgspec.structs.replace(photo, deleting_at=now, updated_at=now)
                    await write_photo(conn, photo)
                marked.append(photo)
        return marked

    async def deletion_due(self, trashed_before: datetime, limit: int) -> list[Photo]:
        rows = await self._fetch(
            f"SELECT {PHOTO_SELECT} FROM photos p"
            " WHERE p.deleting_at IS NOT NULL OR (p.trashed_at IS NOT NULL AND p.trashed_at < ?)"
            " ORDER BY p.trashed_at LIMIT ?",
            (to_iso(trashed_before), limit),
        )
        return [photo_from_row(row) for row in rows]

    async def finish_deletion(self, photo_id: str, now: datetime) -> bool:
        async with self._tx() as conn:
            photo = await read_photo(conn, photo_id)
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
        for chunk in chunks(list(dict.fromkeys(hashes))):
            rows = await self._fetch(
                f"SELECT DISTINCT t.sha256 FROM tombstones t WHERE t.owner_id = ? AND t.sha256 IN ({marks(chunk)})"
                " AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.owner_id = t.owner_id AND p.sha256 = t.sha256)",
                (owner_id, *chunk),
            )
            found += [row[0] for row in rows]
        return found

    async def usage(self, user_id: str) -> Usage:
        rows = await self._fetch(
            "SELECT count(*), COALESCE(sum(variants_bytes), 0) FROM photos WHERE owner_id = ? AND status != 'pending'",
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
