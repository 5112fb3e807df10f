"""Share links on SQLite: the ``LinkStore`` methods of ``SqliteMetaStore``.

Table of migration 0010: ``share_links`` (the record as JSON, with its key, owner and creation
time as columns; ``key`` is UNIQUE). A link goes with its owner by ``ON DELETE CASCADE``.
Revoking deletes the row, so the next read of the key finds nothing.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import msgspec

from auroravault.errors import Conflict
from auroravault.meta.family_records import ShareLink
from auroravault.meta.sqlite.connection import Connections
from auroravault.timeutil import to_iso

_encoder = msgspec.json.Encoder()
LINK_FIELDS = frozenset({"expires_at", "password_hash", "allow_download", "allow_upload", "show_metadata"})


def _link(data: str | bytes) -> ShareLink:
    return msgspec.json.decode(data, type=ShareLink)


class LinkOps(Connections):
    """The link methods of ``SqliteMetaStore`` (see ``auroravault.meta.protocols.LinkStore``)."""

    async def create_link(self, link: ShareLink) -> None:
        async with self._tx() as conn:
            try:
                await conn.execute(
                    "INSERT INTO share_links (id, key, owner_id, created_at, data) VALUES (?, ?, ?, ?, ?)",
                    (link.id, link.key, link.owner_id, to_iso(link.created_at), _encoder.encode(link).decode()),
                )
            except sqlite3.IntegrityError:
                raise Conflict("link_key_taken", "a link with this id or key exists") from None

    async def get_link(self, link_id: str) -> ShareLink | None:
        rows = await self._fetch("SELECT data FROM share_links WHERE id = ?", (link_id,))
        return _link(rows[0][0]) if rows else None

    async def get_link_by_key(self, key: str) -> ShareLink | None:
        rows = await self._fetch("SELECT data FROM share_links WHERE key = ?", (key,))
        return _link(rows[0][0]) if rows else None

    async def list_links(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[ShareLink]:
        if limit <= 0:
            return []
        if after is None:
            rows = await self._fetch(
                "SELECT data FROM share_links WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                (owner_id, limit),
            )
        else:
            rows = await self._fetch(
                "SELECT data FROM share_links WHERE owner_id = ? AND (created_at, id) < (?, ?)"
                " ORDER BY created_at DESC, id DESC LIMIT ?",
                (owner_id, after[0], after[1], limit),
            )
        return [_link(row[0]) for row in rows]

    async def update_link(self, link_id: str, changes: dict[str, Any], now: datetime) -> ShareLink | None:
        unknown = set(changes) - LINK_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._tx() as conn:
            async with conn.execute("SELECT data FROM share_links WHERE id = ?", (link_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            link = msgspec.structs.replace(_link(row[0]), **changes, updated_at=now)
            await conn.execute(
                "UPDATE share_links SET data = ? WHERE id = ?", (_encoder.encode(link).decode(), link_id)
            )
            return link

    async def delete_link(self, link_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute("DELETE FROM share_links WHERE id = ?", (link_id,))
            return (cur.rowcount or 0) > 0
