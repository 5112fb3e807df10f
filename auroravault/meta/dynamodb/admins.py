"""What admins change on accounts (``UserAdminStore``), and the count that keeps a server
administered.

Keys (besides the profiles ``USER#<id>``/``PROFILE`` these write to):

==============  ==========  ==========================================================
PK              SK          what
==============  ==========  ==========================================================
``ADMINS``      ``ADMINS``  ``count``: the active admins (``is_admin`` and not ``disabled``)
==============  ==========  ==========================================================

DynamoDB cannot count rows in a condition, so the count is an item of its own, moved in the
same transaction as the profile that changes it: demoting or disabling an active admin
subtracts one under the condition ``count > 1`` (else ``last_admin``), promoting or enabling
one adds one, and ``claim_first_admin`` sets it from 0 to 1 under the condition ``count = 0``,
so of two racing first registrations exactly one becomes admin. Each profile write is
conditioned on the flags it was computed from, so a racing change makes it retry, never miscount.

A table from before the count has none: the first write that needs it counts the profiles in
GSI1 ``USERS`` and creates it if still missing (``migrate`` does it too). That count reads an
index, so an admin made in the very same instant by another process could be missed; an older
server has its admins made by ``auroravault user create --admin`` alone, so this is theoretical.
"""

from __future__ import annotations

from typing import Any

from auroravault.errors import Conflict, Unavailable
from auroravault.meta.base import User
from auroravault.meta.dynamodb.client import RETRIES, TableClient, _backoff, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _record
from auroravault.meta.dynamodb.keys import GSI1, USERS_PK, _key, _user_key

ADMINS_KEY = _key("ADMINS", "ADMINS")


def _active(item: AttrMap) -> bool:
    """Whether a profile item is an active admin (items from before ``disabled`` lack it)."""
    return bool(item.get("is_admin", {}).get("BOOL")) and not bool(item.get("disabled", {}).get("BOOL"))


def _flag_condition(e: _Expr, item: AttrMap) -> str:
    """True while the profile's ``is_admin`` and ``disabled`` are still those of ``item``."""
    parts = ["attribute_exists(PK)"]
    for name in ("is_admin", "disabled"):
        value = bool(item.get(name, {}).get("BOOL"))
        if value:
            parts.append(f"{e.n(name)} = {e.v(True)}")
        else:
            parts.append(f"(attribute_not_exists({e.n(name)}) OR {e.n(name)} = {e.v(False)})")
    return " AND ".join(parts)


class AdminOps(TableClient):
    async def _admin_count(self) -> int:
        """The active admins, counting the profiles once if the table has no count yet."""
        item = await self._get(ADMINS_KEY)
        if item is not None:
            return int(item["count"]["N"])
        e = _Expr()
        args = e.args(IndexName=GSI1, KeyConditionExpression=f"GSI1PK = {e.v(USERS_PK)}")
        count = sum([1 async for profile in self._query(**args) if _active(profile)])
        with_count = {**ADMINS_KEY, "count": {"N": str(count)}}
        try:
            await self._call("put_item", **self._put(with_count, "attribute_not_exists(PK)"))
        except _ConditionFailed:  # another writer made it meanwhile: theirs is as good
            item = await self._get(ADMINS_KEY)
            return int(item["count"]["N"]) if item else count
        return count

    def _admin_count_op(self, step: int, cond: str | None = None, e: _Expr | None = None) -> dict[str, Any]:
        """An Update adding ``step`` to the active-admin count (under ``cond``, if any)."""
        e = e or _Expr()
        return self._update(ADMINS_KEY, f"ADD {e.n('count')} {e.v(step)}", e, cond)

    async def list_users(self, after: str | None, limit: int) -> list[User]:
        # GSI1 ``USERS`` nominates the ids in order; the profiles are read back consistently.
        e = _Expr()
        condition = f"GSI1PK = {e.v(USERS_PK)}" + (f" AND GSI1SK > {e.v(after)}" if after else "")
        args = e.args(IndexName=GSI1, KeyConditionExpression=condition, Limit=limit)
        ids: list[str] = []
        async for item in self._query(**args):
            ids.append(item["GSI1SK"]["S"])
            if len(ids) == limit:
                break
        found = {item["id"]["S"]: _record(User, item) for item in await self._batch_get([_user_key(i) for i in ids])}
        return [found[i] for i in ids if i in found]

    async def set_user_flags(
        self,
        user_id: str,
        *,
        is_admin: bool | None = None,
        disabled: bool | None = None,
        quota_bytes: int | None = None,
    ) -> User | None:
        changes = {"is_admin": is_admin, "disabled": disabled, "quota_bytes": quota_bytes}
        changes = {k: v for k, v in changes.items() if v is not None}
        for attempt in range(RETRIES):
            item = await self._get(_user_key(user_id))
            if item is None:
                return None
            if not changes:
                return _record(User, item)
            was = _active(item)
            now = (item.get("is_admin", {}).get("BOOL", False) if is_admin is None else is_admin) and not (
                item.get("disabled", {}).get("BOOL", False) if disabled is None else disabled
            )
            e = _Expr()
            profile = self._update(_user_key(user_id), e.update(changes), e, _flag_condition(e, item))
            ops: list[dict[str, Any]] = [{"Update": profile}]
            if was != now:
                await self._admin_count()  # a table from before the count gets one first
                if was:  # one active admin fewer: never the last one
                    c = _Expr()
                    ops.append({"Update": self._admin_count_op(-1, f"{c.n('count')} > {c.v(1)}", c)})
                else:
                    ops.append({"Update": self._admin_count_op(1)})
            try:
                await self._transact(ops)
            except _Canceled as exc:
                if exc.failed(1):
                    raise Conflict("last_admin", "this is the server's last admin; make another admin first") from None
                if exc.failed(0):  # the flags moved under us: compute again
                    await _backoff(attempt)
                    continue
                raise Unavailable("meta_unavailable", f"set_user_flags was cancelled: {exc}") from None
            got = await self._get(_user_key(user_id))
            return _record(User, got) if got else None
        raise Unavailable("meta_unavailable", "this account is too contended; try again")

    async def claim_first_admin(self, user_id: str) -> bool:
        if await self._admin_count() > 0:
            return False
        e, c = _Expr(), _Expr()
        profile = self._update(
            _user_key(user_id),
            f"SET {e.n('is_admin')} = {e.v(True)}",
            e,
            f"attribute_exists(PK) AND (attribute_not_exists({e.n('disabled')}) OR {e.n('disabled')} = {e.v(False)})",
        )
        first = self._update(ADMINS_KEY, f"SET {c.n('count')} = {c.v(1)}", c, f"{c.n('count')} = {c.v(0)}")
        try:
            await self._transact([{"Update": first}, {"Update": profile}])
        except _Canceled as exc:
            if exc.failed(0) or exc.failed(1):
                return False  # someone else is the first admin, or this account is gone or disabled
            raise Unavailable("meta_unavailable", f"claim_first_admin was cancelled: {exc}") from None
        return True
