"""Families on SQLite: the ``FamilyStore`` methods of ``SqliteMetaStore``.

Tables of migration 0008: ``families`` (the record as JSON), ``family_members`` (one row per
member, keyed by the user: the primary key is the "one family per user" rule) and
``family_invites`` (the record as JSON, with its email, token hash and times as columns;
unique per family and email). Everything goes with its family by ``ON DELETE CASCADE``.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite
import msgspec

from auroravault.errors import Conflict
from auroravault.meta.family_records import Family, FamilyMember, Invite
from auroravault.meta.protocols.families import JoinRefusal
from auroravault.meta.sqlite.connection import Connections
from auroravault.timeutil import to_iso

_encoder = msgspec.json.Encoder()
_FAMILY_FIELDS = frozenset({"name", "quota_bytes"})
_MEMBER_FIELDS = frozenset({"role", "quota_bytes"})
_MEMBER_COLS = "family_id, user_id, role, quota_bytes, joined_at"
_MEMBER_KEYS = tuple(_MEMBER_COLS.split(", "))


def _member(row: Any) -> FamilyMember:
    return msgspec.convert(dict(zip(_MEMBER_KEYS, row, strict=True)), FamilyMember, strict=False)


def _in_family() -> Conflict:
    return Conflict("already_in_family", "this account is already in a family")


async def _insert_member(conn: aiosqlite.Connection, member: FamilyMember) -> None:
    try:
        await conn.execute(
            f"INSERT INTO family_members ({_MEMBER_COLS}) VALUES (?, ?, ?, ?, ?)",
            (member.family_id, member.user_id, member.role, member.quota_bytes, to_iso(member.joined_at)),
        )
    except sqlite3.IntegrityError:
        raise _in_family() from None


class FamilyOps(Connections):
    """The family methods of ``SqliteMetaStore`` (see ``auroravault.meta.protocols.FamilyStore``)."""

    async def create_family(self, family: Family, owner: FamilyMember) -> None:
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO families (id, owner_id, data) VALUES (?, ?, ?)",
                (family.id, family.owner_id, _encoder.encode(family).decode()),
            )
            await _insert_member(conn, owner)

    async def get_family(self, family_id: str) -> Family | None:
        rows = await self._fetch("SELECT data FROM families WHERE id = ?", (family_id,))
        return msgspec.json.decode(rows[0][0], type=Family) if rows else None

    async def family_of(self, user_id: str) -> Family | None:
        rows = await self._fetch(
            "SELECT f.data FROM families f JOIN family_members m ON m.family_id = f.id WHERE m.user_id = ?", (user_id,)
        )
        return msgspec.json.decode(rows[0][0], type=Family) if rows else None

    async def update_family(self, family_id: str, changes: dict[str, Any], now: datetime) -> Family | None:
        unknown = set(changes) - _FAMILY_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._tx() as conn:
            async with conn.execute("SELECT data FROM families WHERE id = ?", (family_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            family = msgspec.structs.replace(msgspec.json.decode(row[0], type=Family), **changes, updated_at=now)
            await conn.execute(
                "UPDATE families SET data = ? WHERE id = ?", (_encoder.encode(family).decode(), family_id)
            )
            return family

    async def delete_family(self, family_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute("DELETE FROM families WHERE id = ?", (family_id,))
            return cur.rowcount == 1

    async def family_member(self, user_id: str) -> FamilyMember | None:
        rows = await self._fetch(f"SELECT {_MEMBER_COLS} FROM family_members WHERE user_id = ?", (user_id,))
        return _member(rows[0]) if rows else None

    async def family_members(self, family_id: str) -> list[FamilyMember]:
        rows = await self._fetch(
            f"SELECT {_MEMBER_COLS} FROM family_members WHERE family_id = ? ORDER BY joined_at, user_id", (family_id,)
        )
        return [_member(r) for r in rows]

    async def update_member(self, family_id: str, user_id: str, changes: dict[str, Any]) -> FamilyMember | None:
        unknown = set(changes) - _MEMBER_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._tx() as conn:
            for name, value in changes.items():  # names from the fixed set above
                await conn.execute(
                    f"UPDATE family_members SET {name} = ? WHERE family_id = ? AND user_id = ?",
                    (value, family_id, user_id),
                )
            async with conn.execute(
                f"SELECT {_MEMBER_COLS} FROM family_members WHERE family_id = ? AND user_id = ?", (family_id, user_id)
            ) as cur:
                row = await cur.fetchone()
            return _member(row) if row else None

    async def remove_member(self, family_id: str, user_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute(
                "DELETE FROM family_members WHERE family_id = ? AND user_id = ?", (family_id, user_id)
            )
            return cur.rowcount == 1

    # -- invitations ----------------------------------------------------------------------
    async def create_invite(self, invite: Invite, now: datetime) -> None:
        invite = msgspec.structs.replace(invite, email=invite.email.lower())
        async with self._tx() as conn:
            await conn.execute(
                "DELETE FROM family_invites WHERE family_id = ? AND email = ? AND expires_at <= ?",
                (invite.family_id, invite.email, to_iso(now)),
            )
            try:
                await conn.execute(
                    "INSERT INTO family_invites (id, family_id, email, token_hash, created_at, expires_at, data) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        invite.id,
                        invite.family_id,
                        invite.email,
                        invite.token_hash,
                        to_iso(invite.created_at),
                        to_iso(invite.expires_at),
                        _encoder.encode(invite).decode(),
                    ),
                )
            except sqlite3.IntegrityError:
                raise Conflict("already_invited", "this email already has a pending invitation") from None

    async def get_invite(self, invite_id: str) -> Invite | None:
        rows = await self._fetch("SELECT data FROM family_invites WHERE id = ?", (invite_id,))
        return msgspec.json.decode(rows[0][0], type=Invite) if rows else None

    async def find_invite(self, token_hash: str) -> Invite | None:
        rows = await self._fetch("SELECT data FROM family_invites WHERE token_hash = ?", (token_hash,))
        return msgspec.json.decode(rows[0][0], type=Invite) if rows else None

    async def family_invites(self, family_id: str) -> list[Invite]:
        rows = await self._fetch(
            "SELECT data FROM family_invites WHERE family_id = ? ORDER BY created_at, id", (family_id,)
        )
        return [msgspec.json.decode(r[0], type=Invite) for r in rows]

    async def delete_invite(self, family_id: str, invite_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute(
                "DELETE FROM family_invites WHERE id = ? AND family_id = ?", (invite_id, family_id)
            )
            return cur.rowcount == 1

    async def set_invite_token(self, invite_id: str, token_hash: str) -> bool:
        async with self._tx() as conn:
            async with conn.execute("SELECT data FROM family_invites WHERE id = ?", (invite_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return False
            invite = msgspec.structs.replace(msgspec.json.decode(row[0], type=Invite), token_hash=token_hash)
            await conn.execute(
                "UPDATE family_invites SET token_hash = ?, data = ? WHERE id = ?",
                (token_hash, _encoder.encode(invite).decode(), invite_id),
            )
            return True

    async def join_family(self, token_hash: str, user_id: str, now: datetime) -> FamilyMember | JoinRefusal:
        async with self._tx() as conn:
            async with conn.execute(
                "SELECT i.data FROM family_invites i JOIN families f ON f.id = i.family_id WHERE i.token_hash = ?",
                (token_hash,),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return "invite_not_found"
            invite = msgspec.json.decode(row[0], type=Invite)
            if invite.expires_at <= now:
                return "invite_expired"
            member = FamilyMember(family_id=invite.family_id, user_id=user_id, role=invite.role, joined_at=now)
            await _insert_member(conn, member)  # raises (and rolls back) for a member of any family
            await conn.execute("DELETE FROM family_invites WHERE id = ?", (invite.id,))
            return member
