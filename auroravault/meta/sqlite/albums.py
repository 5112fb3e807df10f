"""Albums on SQLite: the ``AlbumStore`` methods of ``SqliteMetaStore``.

Tables of migration 0005: ``albums`` (the record as JSON, with its owner and creation time as
columns) and ``album_photos`` (one row per membership, carrying the photo's ``sort_at`` and whether it is
listed; triggers keep both in step with the photo). Memberships go with their photo or album by
``ON DELETE CASCADE``: a photo deleted for good leaves every album in the same transaction.
A *listed* photo is one the timeline could show: not pending, not trashed, not being deleted.
A membership change is a change of the photo (its ``albums``): it enters the album owner's
change feed in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite
import msgspec

from auroravault.meta.base import Album, AlbumAdd, AlbumStats, Photo
from auroravault.meta.sqlite.codec import PHOTO_SELECT, photo_from_row
from auroravault.meta.sqlite.connection import Connections
from auroravault.timeutil import to_iso, utcnow

_encoder = msgspec.json.Encoder()
_CHUNK = 500
_LISTED = "p.status != 'pending' AND p.trashed_at IS NULL AND p.deleting_at IS NULL"
_ALBUM_FIELDS = frozenset({"name", "description", "cover_photo_id", "order"})


def _marks(items: list[str]) -> str:
    return ",".join("?" * len(items))


def _chunks(items: list[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(items))
    return [unique[i : i + _CHUNK] for i in range(0, len(unique), _CHUNK)]


def _album(data: str | bytes) -> Album:
    return msgspec.json.decode(data, type=Album)


async def _owner(conn: aiosqlite.Connection, album_id: str) -> str | None:
    async with conn.execute("SELECT owner_id FROM albums WHERE id = ?", (album_id,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def _noted(conn: aiosqlite.Connection, viewer_id: str | None, photo_ids: list[str], now: datetime) -> None:
    """The photos' ``albums`` changed: an entry each in the viewer's change feed."""
    if viewer_id is not None and photo_ids:
        await conn.executemany(
            "INSERT INTO changes (user_id, photo_id, kind, at) VALUES (?, ?, 'albums', ?)",
            [(viewer_id, i, to_iso(now)) for i in photo_ids],
        )


class AlbumOps(Connections):
    """The album methods of ``SqliteMetaStore`` (see ``auroravault.meta.base.AlbumStore``)."""

    async def _add(
        self, conn: aiosqlite.Connection, album_id: str, photo_ids: list[str], added_by: str, now: datetime
    ) -> AlbumAdd:
        owner_id = await _owner(conn, album_id)
        added: list[str] = []
        already: list[str] = []
        for chunk in _chunks(photo_ids):
            marks = _marks(chunk)
            async with conn.execute(
                f"SELECT photo_id FROM album_photos WHERE album_id = ? AND photo_id IN ({marks})", (album_id, *chunk)
            ) as cur:
                there = {row[0] for row in await cur.fetchall()}
            async with conn.execute(
                f"SELECT p.id, p.sort_at FROM photos p WHERE p.id IN ({marks}) AND {_LISTED}", chunk
            ) as cur:
                listed = {row[0]: row[1] for row in await cur.fetchall()}
            new = [i for i in chunk if i in listed and i not in there]
            await conn.executemany(
                "INSERT INTO album_photos (album_id, photo_id, sort_at, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
                [(album_id, i, listed[i], added_by, to_iso(now)) for i in new],
            )
            await _noted(conn, owner_id, new, now)
            added += new
            already += [i for i in chunk if i in there]
        return AlbumAdd(added=added, already=already)

    async def create_album(self, album: Album, photo_ids: list[str], now: datetime) -> AlbumAdd:
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO albums (id, owner_id, created_at, data) VALUES (?, ?, ?, ?)",
                (album.id, album.owner_id, to_iso(album.created_at), _encoder.encode(album).decode()),
            )
            return await self._add(conn, album.id, photo_ids, album.owner_id, now)

    async def get_album(self, album_id: str) -> Album | None:
        rows = await self._fetch("SELECT data FROM albums WHERE id = ?", (album_id,))
        return _album(rows[0][0]) if rows else None

    async def get_albums(self, album_ids: list[str]) -> dict[str, Album]:
        found: dict[str, Album] = {}
        for chunk in _chunks(album_ids):
            rows = await self._fetch(f"SELECT data FROM albums WHERE id IN ({_marks(chunk)})", chunk)
            found.update({a.id: a for a in (_album(r[0]) for r in rows)})
        return found

    async def list_albums(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Album]:
        sql = "SELECT data FROM albums WHERE owner_id = ?"
        params: list[Any] = [owner_id]
        if after is not None:
            sql += " AND (created_at, id) < (?, ?)"
            params += list(after)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        params.append(limit)
        return [_album(row[0]) for row in await self._fetch(sql, params)]

    async def update_album(self, album_id: str, changes: dict[str, Any], now: datetime) -> Album | None:
        unknown = set(changes) - _ALBUM_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._tx() as conn:
            async with conn.execute("SELECT data FROM albums WHERE id = ?", (album_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            album = msgspec.structs.replace(_album(row[0]), **changes, updated_at=now)
            await conn.execute("UPDATE albums SET data = ? WHERE id = ?", (_encoder.encode(album).decode(), album_id))
            return album

    async def delete_album(self, album_id: str) -> bool:
        async with self._tx() as conn:
            owner_id = await _owner(conn, album_id)
            async with conn.execute("SELECT photo_id FROM album_photos WHERE album_id = ?", (album_id,)) as cur:
                members = [row[0] for row in await cur.fetchall()]
            cur = await conn.execute("DELETE FROM albums WHERE id = ?", (album_id,))  # memberships cascade
            await _noted(conn, owner_id, members, utcnow())
            return bool(cur.rowcount)

    async def add_to_album(self, album_id: str, photo_ids: list[str], added_by: str, now: datetime) -> AlbumAdd:
        async with self._tx() as conn:
            async with conn.execute("SELECT 1 FROM albums WHERE id = ?", (album_id,)) as cur:
                if await cur.fetchone() is None:
                    return AlbumAdd(added=[], already=[])
            return await self._add(conn, album_id, photo_ids, added_by, now)

    async def remove_from_album(self, album_id: str, photo_ids: list[str]) -> list[str]:
        removed: list[str] = []
        async with self._tx() as conn:
            owner_id = await _owner(conn, album_id)
            for chunk in _chunks(photo_ids):
                marks = _marks(chunk)
                async with conn.execute(
                    f"DELETE FROM album_photos WHERE album_id = ? AND photo_id IN ({marks}) RETURNING photo_id",
                    (album_id, *chunk),
                ) as cur:
                    gone = {row[0] for row in await cur.fetchall()}
                removed += [i for i in chunk if i in gone]
            await _noted(conn, owner_id, removed, utcnow())
        return removed

    async def album_photos(
        self, album_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool
    ) -> list[Photo]:
        op, order = ("<", "DESC") if descending else (">", "ASC")
        sql = f"SELECT {PHOTO_SELECT} FROM album_photos ap JOIN photos p ON p.id = ap.photo_id"
        sql += f" WHERE ap.album_id = ? AND ap.listed = 1 AND {_LISTED}"
        params: list[Any] = [album_id]
        if after is not None:
            sql += f" AND (ap.sort_at, ap.photo_id) {op} (?, ?)"
            params += list(after)
        sql += f" ORDER BY ap.sort_at {order}, ap.photo_id {order} LIMIT ?"
        params.append(limit)
        return [photo_from_row(row) for row in await self._fetch(sql, params)]

    async def album_stats(self, album_ids: list[str]) -> dict[str, AlbumStats]:
        found: dict[str, AlbumStats] = {}
        for chunk in _chunks(album_ids):
            marks = _marks(chunk)
            exists = await self._fetch(f"SELECT id FROM albums WHERE id IN ({marks})", chunk)
            found.update({row[0]: AlbumStats() for row in exists})
            for album_id in [row[0] for row in exists]:
                rows = await self._fetch(
                    "SELECT count(*), min(sort_at), max(sort_at) FROM album_photos WHERE album_id = ? AND listed = 1",
                    (album_id,),
                )
                count, start_at, end_at = rows[0]
                if not count:
                    continue
                newest = await self._fetch(
                    "SELECT photo_id FROM album_photos WHERE album_id = ? AND listed = 1"
                    " ORDER BY sort_at DESC, photo_id DESC LIMIT 1",
                    (album_id,),
                )
                found[album_id] = AlbumStats(
                    photo_count=int(count), start_at=start_at, end_at=end_at, newest_photo_id=newest[0][0]
                )
        return found

    async def albums_of_photos(self, photo_ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for chunk in _chunks(photo_ids):
            rows = await self._fetch(
                f"SELECT photo_id, album_id FROM album_photos WHERE photo_id IN ({_marks(chunk)})"
                " ORDER BY photo_id, added_at, album_id",
                chunk,
            )
            for photo_id, album_id in rows:
                found.setdefault(photo_id, []).append(album_id)
        return found
