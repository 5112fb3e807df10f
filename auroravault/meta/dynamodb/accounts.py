"""Users, their storage usage, sessions, password-reset tokens and rate-limit counters.

A session lives at ``SESSION#<hash>``/``SESSION`` (what a request looks up) and, whole, at
``USER#<id>``/``SESSION#<hash>`` (what the user's session list reads and a revoke walks);
index items written before the session list carry only ``token_hash`` and are read back
from the home item. Profiles carry every ``User`` field (``disabled`` and the notification
switches included; a profile from before them reads as enabled, notifications on).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

import msgspec

from auroravault.errors import Conflict, Unavailable
from auroravault.meta.base import Session, User
from auroravault.meta.dynamodb.admins import AdminOps
from auroravault.meta.dynamodb.client import RETRIES, _backoff, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record
from auroravault.meta.dynamodb.keys import (
    GSI1,
    USERS_PK,
    _counter_key,
    _email_key,
    _expiring,
    _key,
    _reset_key,
    _session_key,
    _user_key,
    _user_reset_key,
    _user_session_key,
)
from auroravault.timeutil import to_iso


class AccountOps(AdminOps):
    """Users (with ``used_bytes``), sessions, reset tokens and fixed-window counters."""

    # -- users and sessions ----------------------------------------------------------------
    async def create_user(self, user: User) -> None:
        user = msgspec.structs.replace(user, email=user.email.lower())
        profile = _user_key(user.id)
        e = _Expr()
        ops = [
            {"Put": self._put({**_item(user), **profile, **_users_index(user.id)}, "attribute_not_exists(PK)")},
            {
                "Put": self._put(
                    {**_email_key(user.email), "user_id": {"S": user.id}},
                    f"attribute_not_exists(PK) OR {e.n('user_id')} = {e.v(user.id)}",
                    e,
                )
            },
        ]
        if user.is_admin and not user.disabled:
            await self._admin_count()  # a table from before the count gets one first
            ops.append({"Update": self._admin_count_op(1)})
        try:
            await self._transact(ops)
        except _Canceled as exc:
            if exc.failed(1):
                raise Conflict("email_taken", "an account with this email already exists") from None
            if exc.failed(0):
                raise Conflict("user_exists", "a user with this id already exists") from None
            raise Unavailable("meta_unavailable", f"create_user was cancelled: {exc}") from None

    async def get_user(self, user_id: str) -> User | None:
        return await self._get_record(User, _user_key(user_id))

    async def get_user_by_email(self, email: str) -> User | None:
        pointer = await self._get(_email_key(email))
        return await self.get_user(pointer["user_id"]["S"]) if pointer else None

    async def list_user_ids(self, after: str | None, limit: int) -> list[str]:
        # The sparse USERS partition of GSI1 (one item per profile, sorted by id), as the feed
        # pruning walks it; Limit stops the read at the page.
        e = _Expr()
        condition = f"GSI1PK = {e.v(USERS_PK)}" + (f" AND GSI1SK > {e.v(after)}" if after else "")
        args = e.args(IndexName=GSI1, KeyConditionExpression=condition, Limit=limit)
        ids: list[str] = []
        async for item in self._query(**args):
            ids.append(item["GSI1SK"]["S"])
            if len(ids) == limit:
                break
        return ids

    async def set_password(self, user_id: str, password_hash: str) -> None:
        e = _Expr()
        with contextlib.suppress(_ConditionFailed):  # no such user: nothing to change
            await self._call(
                "update_item",
                **self._update(
                    _user_key(user_id), e.update({"password_hash": password_hash}), e, "attribute_exists(PK)"
                ),
            )

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
            "notify_album_shared": notify_album_shared,
            "notify_album_photos": notify_album_photos,
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields:
            return await self.get_user(user_id)
        e = _Expr()
        update = self._update(_user_key(user_id), e.update(fields), e, "attribute_exists(PK)")
        try:
            out = await self._call("update_item", ReturnValues="ALL_NEW", **update)
        except _ConditionFailed:
            return None
        return _record(User, out["Attributes"])

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        e = _Expr()
        cond = f"attribute_exists(PK) AND {e.n('password_hash')} = {e.v(old_hash)}"
        try:
            await self._call(
                "update_item", **self._update(_user_key(user_id), e.update({"password_hash": new_hash}), e, cond)
            )
        except _ConditionFailed:
            return False
        return True

    async def _used_bytes_op(self, user_id: str, delta: int, counts: tuple[int, int] = (0, 0)) -> dict[str, Any] | None:
        """An Update adding ``delta`` to ``used_bytes`` without going below zero, and
        ``counts`` (photos, variant bytes) to the usage counters (see ``_usage_counts``).

        DynamoDB has no MAX(); the op is chosen from a fresh read and guarded by a
        condition that holds only while that choice is still right, so a racing writer
        makes it fail (and the caller retries) instead of making it wrong.
        """
        if delta == 0:
            return self._usage_op(user_id, counts)
        item = await self._get(_user_key(user_id))
        if item is None:
            return None
        used = int(item["used_bytes"]["N"])
        e = _Expr()
        add = _counter_adds(e, counts)
        if delta > 0:
            expr = f"ADD {e.n('used_bytes')} {e.v(delta)}{add}"
            return self._update(_user_key(user_id), expr, e, "attribute_exists(PK)")
        if used >= -delta:
            cond = f"{e.n('used_bytes')} >= {e.v(-delta)}"
            return self._update(_user_key(user_id), f"ADD {e.n('used_bytes')} {e.v(delta)}{add}", e, cond)
        cond = f"{e.n('used_bytes')} < {e.v(-delta)}"
        set_zero = f"SET {e.n('used_bytes')} = {e.v(0)}"
        return self._update(_user_key(user_id), set_zero + (f" ADD {add.removeprefix(', ')}" if add else ""), e, cond)

    def _usage_op(self, user_id: str, counts: tuple[int, int]) -> dict[str, Any] | None:
        """An Update of the owner's usage counters alone (None when nothing changes)."""
        e = _Expr()
        add = _counter_adds(e, counts)
        if not add:
            return None
        return self._update(_user_key(user_id), f"ADD {add.removeprefix(', ')}", e, "attribute_exists(PK)")

    async def add_used_bytes(self, user_id: str, delta: int) -> None:
        for attempt in range(RETRIES):
            op = await self._used_bytes_op(user_id, delta)
            if op is None:
                return
            try:
                await self._call("update_item", **op)
                return
            except _ConditionFailed:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "used_bytes is too contended; try again")

    async def create_session(self, session: Session) -> None:
        home, mine = _session_key(session.token_hash), _user_session_key(session.user_id, session.token_hash)
        index = {**_item(session), **mine, **_expiring(mine, session.expires_at)}
        try:
            await self._transact(
                [
                    {"Put": self._put({**_item(session), **home, **_expiring(home, session.expires_at)})},
                    {"Put": self._put(index)},
                ]
            )
        except _Canceled as exc:  # no conditions: only throttling or a conflict cancels it
            raise Unavailable("meta_unavailable", f"create_session was cancelled: {exc}") from None

    async def get_session(self, token_hash: str) -> Session | None:
        return await self._get_record(Session, _session_key(token_hash))

    async def delete_session(self, token_hash: str) -> None:
        session = await self.get_session(token_hash)
        if session is not None:
            await self._batch_write(deletes=[_session_key(token_hash), _user_session_key(session.user_id, token_hash)])

    def _user_sessions_query(self, user_id: str) -> dict[str, Any]:
        e = _Expr()
        return e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{user_id}')} AND begins_with(SK, {e.v('SESSION#')})",
            ConsistentRead=True,
        )

    async def delete_user_sessions(self, user_id: str, keep: str | None = None) -> None:
        keys: list[AttrMap] = []
        async for item in self._query(**self._user_sessions_query(user_id)):
            if item["token_hash"]["S"] != keep:
                keys += [_key(item["PK"]["S"], item["SK"]["S"]), _session_key(item["token_hash"]["S"])]
        if keys:
            await self._batch_write(deletes=keys)

    async def list_user_sessions(self, user_id: str) -> list[Session]:
        sessions: list[Session] = []
        older: list[AttrMap] = []  # index items from before the session list: read their home items
        async for item in self._query(**self._user_sessions_query(user_id)):
            if "created_at" in item:
                sessions.append(_record(Session, item))
            else:
                older.append(_session_key(item["token_hash"]["S"]))
        sessions += [_record(Session, item) for item in await self._batch_get(older)]
        return sorted(sessions, key=lambda s: (s.created_at, s.token_hash))

    async def create_reset_token(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        item = {
            **_reset_key(token_hash),
            "user_id": {"S": user_id},
            "expires_at": {"S": to_iso(expires_at)},
            **_expiring(_reset_key(token_hash), expires_at),
        }
        # The user's partition lists their tokens, so a reset can revoke the others.
        mine = _user_reset_key(user_id, token_hash)
        index = {**mine, "token_hash": {"S": token_hash}, **_expiring(mine, expires_at)}
        try:
            await self._transact([{"Put": self._put(item, "attribute_not_exists(PK)")}, {"Put": self._put(index)}])
        except _Canceled as exc:
            if exc.failed(0):
                raise Conflict("reset_token_exists", "this reset token already exists") from None
            raise Unavailable("meta_unavailable", f"create_reset_token was cancelled: {exc}") from None

    async def consume_reset_token(self, token_hash: str, now: datetime) -> str | None:
        # One DeleteItem with ALL_OLD: of racing callers only the one that actually
        # deleted the item gets it back. An expired token is deleted too, and worth None.
        out = await self._call("delete_item", ReturnValues="ALL_OLD", **self._delete(_reset_key(token_hash)))
        old = out.get("Attributes")
        if not old:
            return None
        user_id = str(old["user_id"]["S"])
        await self._call("delete_item", **self._delete(_user_reset_key(user_id, token_hash)))
        return user_id if old["expires_at"]["S"] > to_iso(now) else None

    async def delete_user_reset_tokens(self, user_id: str) -> None:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{user_id}')} AND begins_with(SK, {e.v('RESET#')})",
            ConsistentRead=True,
        )
        keys: list[AttrMap] = []
        async for item in self._query(**query):
            keys += [_key(item["PK"]["S"], item["SK"]["S"]), _reset_key(item["token_hash"]["S"])]
        if keys:
            await self._batch_write(deletes=keys)

    async def hit_counter(self, key: str, window_seconds: int, now: datetime) -> int:
        stamp = to_iso(now)
        for attempt in range(RETRIES):
            e = _Expr()
            try:  # the common case: one more hit in the current window
                out = await self._call(
                    "update_item",
                    ReturnValues="UPDATED_NEW",
                    **self._update(
                        _counter_key(key),
                        f"ADD {e.n('count')} {e.v(1)}",
                        e,
                        f"attribute_exists(PK) AND {e.n('window_end')} > {e.v(stamp)}",
                    ),
                )
                return int(out["Attributes"]["count"]["N"])
            except _ConditionFailed:
                pass
            end = now + timedelta(seconds=window_seconds)
            e = _Expr()
            item = {**_counter_key(key), "count": {"N": "1"}, "window_end": {"S": to_iso(end)}}
            item.update(_expiring(_counter_key(key), end))
            try:  # no window, or it ended: start a new one, unless a racer just did
                await self._call(
                    "put_item",
                    **self._put(item, f"attribute_not_exists(PK) OR {e.n('window_end')} <= {e.v(stamp)}", e),
                )
                return 1
            except _ConditionFailed:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "counter is too contended; try again")

    async def get_counter(self, key: str, now: datetime) -> int:
        item = await self._get(_counter_key(key))
        if item is None or item["window_end"]["S"] <= to_iso(now):
            return 0
        return int(item["count"]["N"])

    async def reset_counter(self, key: str) -> None:
        await self._call("delete_item", **self._delete(_counter_key(key)))


def _counter_adds(e: _Expr, counts: tuple[int, int]) -> str:
    """``, photo_count :n, variant_bytes :m`` for the non-zero parts of ``counts``."""
    photos, variants = counts
    steps = (("photo_count", photos), ("variant_bytes", variants))
    parts = [f"{e.n(name)} {e.v(step)}" for name, step in steps if step]
    return "".join(f", {p}" for p in parts)


def _users_index(user_id: str) -> AttrMap:
    """GSI1 attributes of a profile: every user under ``USERS`` (the feed pruning walks them)."""
    return {"GSI1PK": {"S": USERS_PK}, "GSI1SK": {"S": user_id}}
