"""Album members and partner shares on SQLite: the ``SharingStore`` methods of ``SqliteMetaStore``.

Tables of migration 0009: ``album_members`` (one row per member, their role; the rows go with
their album by ``ON DELETE CASCADE``) and ``partners`` (one row per one-way share). Plain
rows, no JSON: every field is a column.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import msgspec

from auroravault.meta.family_records import AlbumMember, MemberRole, PartnerShare
from auroravault.meta.sqlite.connection import Connections
from auroravault.timeutil import to_iso

_MEMBER = "SELECT album_id, user_id, role, added_by, added_at FROM album_members"
_PARTNER = "SELECT owner_id, partner_id, in_timeline, created_at FROM partners"
_CHUNK = 500


def _member(row: Any) -> AlbumMember:
    keys = ("album_id", "user_id", "role", "added_by", "added_at")
    return msgspec.convert(dict(zip(keys, row, strict=True)), AlbumMember, strict=False)


def _partner(row: Any) -> PartnerShare:
    owner_id, partner_id, in_timeline, created_at = row
    data = {"owner_id": owner_id, "partner_id": partner_id, "in_timeline": bool(in_timeline), "created_at": created_at}
    return msgspec.convert(data, PartnerShare, strict=False)


class SharingOps(Connections):
    """The sharing methods of ``SqliteMetaStore`` (see ``auroravault.meta.protocols.SharingStore``)."""

    # -- album members ---------------------------------------------------------------------
    async def add_album_member(self, member: AlbumMember) -> bool:
        async with self._tx() as conn:
            try:
                await conn.execute(
                    "INSERT INTO album_members (album_id, user_id, role, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
                    (member.album_id, member.user_id, member.role, member.added_by, to_iso(member.added_at)),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    async def update_album_member(self, album_id: str, user_id: str, role: MemberRole) -> AlbumMember | None:
        async with self._tx() as conn:
            cur = await conn.execute(
                "UPDATE album_members SET role = ? WHERE album_id = ? AND user_id = ?", (role, album_id, user_id)
            )
            if cur.rowcount != 1:
                return None
            async with conn.execute(f"{_MEMBER} WHERE album_id = ? AND user_id = ?", (album_id, user_id)) as rows:
                row = await rows.fetchone()
        return _member(row) if row else None

    async def remove_album_member(self, album_id: str, user_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute(
                "DELETE FROM album_members WHERE album_id = ? AND user_id = ?", (album_id, user_id)
            )
            return cur.rowcount == 1

    async def album_members(self, album_id: str) -> list[AlbumMember]:
        rows = await self._fetch(f"{_MEMBER} WHERE album_id = ? ORDER BY added_at, user_id", (album_id,))
        return [_member(r) for r in rows]

    async def member_albums(self, user_id: str, *, limit: int, after: tuple[str, str] | None) -> list[AlbumMember]:
        if limit <= 0:
            return []
        if after is None:
            rows = await self._fetch(
                f"{_MEMBER} WHERE user_id = ? ORDER BY added_at DESC, album_id DESC LIMIT ?", (user_id, limit)
            )
        else:
            rows = await self._fetch(
                f"{_MEMBER} WHERE user_id = ? AND (added_at, album_id) < (?, ?)"
                " ORDER BY added_at DESC, album_id DESC LIMIT ?",
                (user_id, after[0], after[1], limit),
            )
        return [_member(r) for r in rows]

    async def album_roles(self, user_id: str, album_ids: list[str]) -> dict[str, MemberRole]:
        ids = list(dict.fromkeys(album_ids))
        found: dict[str, MemberRole] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = await self._fetch(
                f"SELECT album_id, role FROM album_members WHERE user_id = ? AND album_id IN ({marks})",
                (user_id, *chunk),
            )
            found.update({r[0]: r[1] for r in rows})
        return found

    async def album_adds(self, album_id: str, since: datetime, until: datetime) -> dict[str, str]:
        rows = await self._fetch(
            "SELECT photo_id, added_by FROM album_photos WHERE album_id = ? AND listed = 1"
            " AND added_at >= ? AND added_at < ?",
            (album_id, to_iso(since), to_iso(until)),
        )
        return {r[0]: r[1] for r in rows}

    # -- partners --------------------------------------------------------------------------
    async def add_partner(self, share: PartnerShare) -> bool:
        async with self._tx() as conn:
            try:
                await conn.execute(
                    "INSERT INTO partners (owner_id, partner_id, in_timeline, created_at) VALUES (?, ?, ?, ?)",
                    (share.owner_id, share.partner_id, int(share.in_timeline), to_iso(share.created_at)),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    async def get_partner(self, owner_id: str, partner_id: str) -> PartnerShare | None:
        rows = await self._fetch(f"{_PARTNER} WHERE owner_id = ? AND partner_id = ?", (owner_id, partner_id))
        return _partner(rows[0]) if rows else None

    async def set_partner_timeline(self, owner_id: str, partner_id: str, in_timeline: bool) -> PartnerShare | None:
        async with self._tx() as conn:
            cur = await conn.execute(
                "UPDATE partners SET in_timeline = ? WHERE owner_id = ? AND partner_id = ?",
                (int(in_timeline), owner_id, partner_id),
            )
            if cur.rowcount != 1:
                return None
            async with conn.execute(
                f"{_PARTNER} WHERE owner_id = ? AND partner_id = ?", (owner_id, partner_id)
            ) as rows:
                row = await rows.fetchone()
        return _partner(row) if row else None

    async def remove_partner(self, owner_id: str, partner_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute(
                "DELETE FROM partners WHERE owner_id = ? AND partner_id = ?", (owner_id, partner_id)
            )
            return cur.rowcount == 1

    async def shared_by(self, owner_id: str) -> list[PartnerShare]:
        rows = await self._fetch(f"{_PARTNER} WHERE owner_id = ? ORDER BY created_at, partner_id", (owner_id,))
        return [_partner(r) for r in rows]

    async def shared_with(self, partner_id: str) -> list[PartnerShare]:
        rows = await self._fetch(f"{_PARTNER} WHERE partner_id = ? ORDER BY created_at, owner_id", (partner_id,))
        return [_partner(r) for r in rows]
