"""Users, sessions, password-reset tokens and rate-limit counters on SQLite (all real columns)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

import msgspec

from auroravault.errors import Conflict
from auroravault.meta.base import Session, User
from auroravault.meta.sqlite.connection import Connections
from auroravault.timeutil import to_iso

_USER_COLS = (
    "id, email, display_name, password_hash, is_admin, quota_bytes, used_bytes, created_at,"
    " disabled, notify_album_shared, notify_album_photos"
)
_USER_KEYS = tuple(_USER_COLS.split(", "))
_SESSION_COLS = "token_hash, user_id, created_at, expires_at, user_agent, ip"
_SESSION_KEYS = tuple(_SESSION_COLS.split(", "))
#: Users who keep the server administered (``auroravault.meta.protocols.accounts``).
_ACTIVE_ADMINS = "SELECT COUNT(*) FROM users WHERE is_admin = 1 AND disabled = 0"


def _user(row: Any) -> User:
    return msgspec.convert(dict(zip(_USER_KEYS, row, strict=True)), User, strict=False)


def _session(row: Any) -> Session:
    return msgspec.convert(dict(zip(_SESSION_KEYS, row, strict=True)), Session, strict=False)


class AccountOps(Connections):
    async def create_user(self, user: User) -> None:
        async with self._tx() as conn:
            try:
                await conn.execute(
                    f"INSERT INTO users ({_USER_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user.id,
                        user.email.lower(),
                        user.display_name,
                        user.password_hash,
                        int(user.is_admin),
                        user.quota_bytes,
                        user.used_bytes,
                        to_iso(user.created_at),
                        int(user.disabled),
                        int(user.notify_album_shared),
                        int(user.notify_album_photos),
                    ),
                )
            except sqlite3.IntegrityError:
                raise Conflict("email_taken", "an account with this email already exists") from None

    async def get_user(self, user_id: str) -> User | None:
        rows = await self._fetch(f"SELECT {_USER_COLS} FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    async def get_user_by_email(self, email: str) -> User | None:
        rows = await self._fetch(f"SELECT {_USER_COLS} FROM users WHERE email = ?", (email.lower(),))
        return _user(rows[0]) if rows else None

    async def list_user_ids(self, after: str | None, limit: int) -> list[str]:
        rows = await self._fetch("SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?", (after or "", limit))
        return [str(row[0]) for row in rows]

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

    async def update_user(
        self,
        user_id: str,
        *,
        display_name: str | None = None,
        notify_album_shared: bool | None = None,
        notify_album_photos: bool | None = None,
    ) -> User | None:
        fields = {
            "display_name": display_name,
            "notify_album_shared": None if notify_album_shared is None else int(notify_album_shared),
            "notify_album_photos": None if notify_album_photos is None else int(notify_album_photos),
        }
        return await self._set_user_columns(user_id, {k: v for k, v in fields.items() if v is not None})

    async def _set_user_columns(self, user_id: str, fields: dict[str, Any]) -> User | None:
        async with self._tx() as conn:
            if fields:
                sets = ", ".join(f"{name} = ?" for name in fields)
                await conn.execute(f"UPDATE users SET {sets} WHERE id = ?", (*fields.values(), user_id))
            async with conn.execute(f"SELECT {_USER_COLS} FROM users WHERE id = ?", (user_id,)) as cur:
                row = await cur.fetchone()
            return _user(row) if row is not None else None

    # -- what admins change (UserAdminStore) ----------------------------------------------------
    async def list_users(self, after: str | None, limit: int) -> list[User]:
        rows = await self._fetch(
            f"SELECT {_USER_COLS} FROM users WHERE id > ? ORDER BY id LIMIT ?", (after or "", limit)
        )
        return [_user(row) for row in rows]

    async def set_user_flags(
        self,
        user_id: str,
        *,
        is_admin: bool | None = None,
        disabled: bool | None = None,
        quota_bytes: int | None = None,
    ) -> User | None:
        # One write transaction (BEGIN IMMEDIATE): the count below cannot change under it.
        async with self._tx() as conn:
            async with conn.execute("SELECT is_admin, disabled FROM users WHERE id = ?", (user_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            was_active = bool(row[0]) and not bool(row[1])
            stays_active = (bool(row[0]) if is_admin is None else is_admin) and not (
                bool(row[1]) if disabled is None else disabled
            )
            if was_active and not stays_active:
                async with conn.execute(_ACTIVE_ADMINS) as cur:
                    count = await cur.fetchone()
                if count is not None and int(count[0]) <= 1:
                    raise Conflict("last_admin", "this is the server's last admin; make another admin first")
            fields = {"is_admin": is_admin, "disabled": disabled, "quota_bytes": quota_bytes}
            changes = {k: int(v) for k, v in fields.items() if v is not None}
            if changes:
                sets = ", ".join(f"{name} = ?" for name in changes)
                await conn.execute(f"UPDATE users SET {sets} WHERE id = ?", (*changes.values(), user_id))
            async with conn.execute(f"SELECT {_USER_COLS} FROM users WHERE id = ?", (user_id,)) as cur:
                got = await cur.fetchone()
            return _user(got) if got is not None else None

    async def claim_first_admin(self, user_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute(
                f"UPDATE users SET is_admin = 1 WHERE id = ? AND disabled = 0 AND ({_ACTIVE_ADMINS}) = 0", (user_id,)
            )
            return cur.rowcount == 1

    # -- sessions and reset tokens -------------------------------------------------------------
    async def create_session(self, session: Session) -> None:
        async with self._tx() as conn:
            await conn.execute(
                f"INSERT INTO sessions ({_SESSION_COLS}) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    session.token_hash,
                    session.user_id,
                    to_iso(session.created_at),
                    to_iso(session.expires_at),
                    session.user_agent,
                    session.ip,
                ),
            )

    async def get_session(self, token_hash: str) -> Session | None:
        rows = await self._fetch(f"SELECT {_SESSION_COLS} FROM sessions WHERE token_hash = ?", (token_hash,))
        return _session(rows[0]) if rows else None

    async def list_user_sessions(self, user_id: str) -> list[Session]:
        rows = await self._fetch(
            f"SELECT {_SESSION_COLS} FROM sessions WHERE user_id = ? ORDER BY created_at, token_hash", (user_id,)
        )
        return [_session(row) for row in rows]

    async def delete_session(self, token_hash: str) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    async def delete_user_sessions(self, user_id: str, keep: str | None = None) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM sessions WHERE user_id = ? AND token_hash != ?", (user_id, keep or ""))

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

    # -- counters ------------------------------------------------------------------------------
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
