"""The change feed on DynamoDB: ``CHANGE#<time>#<photo_id>#<rand>`` items in each viewer's
``USER#id`` partition, written in the transaction of the change by the writer's clock.

A writer whose clock read is older than a commit that became visible first would land
*behind* a reader's position: the reader therefore re-reads ``OVERLAP`` seconds before its
position and skips the entries it already saw (their keys travel in the position). A change
committed more than ``OVERLAP`` seconds after its clock read can be missed; writes are single
transactions of well under a second.

Pruning (``prune_changes``, daily) walks the users by the sparse ``USERS`` partition of GSI1
(on profiles) and reads each user's feed once: entries older than the cutoff go unless one
is the newest entry of a photo that still exists. Its cost is documented in ``docs/dynamodb.md``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from auroravault.errors import Invalid
from auroravault.meta.base import ChangeBatch
from auroravault.meta.dynamodb.client import TableClient
from auroravault.meta.dynamodb.codec import _Expr
from auroravault.meta.dynamodb.keys import GSI1, USERS_PK, _key, _photo_key
from auroravault.timeutil import from_iso, to_iso

OVERLAP = timedelta(seconds=10)


class _Position(msgspec.Struct, array_like=True):
    last: str  # the newest change key read
    seen: list[str]  # change keys read within OVERLAP before ``last``


class FeedOps(TableClient):
    async def changes_since(self, viewer_id: str, position: str | None, limit: int) -> ChangeBatch:
        start = _Position(last="CHANGE#", seen=[])
        position = position or None  # "": the start of the feed
        if position is not None:
            try:
                start = msgspec.json.decode(position, type=_Position)
                lower = _sk_time(start.last) - OVERLAP
            except (msgspec.DecodeError, ValueError):
                raise Invalid(
                    "invalid_sync_token", "the sync token is not one this server gave out", status=400
                ) from None
            low = f"CHANGE#{to_iso(lower)}"
        else:
            low = "CHANGE#"
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{viewer_id}')} AND SK BETWEEN {e.v(low)} AND {e.v('CHANGE$')}",
            ConsistentRead=True,
        )
        seen = set(start.seen) | {start.last}
        keys: list[tuple[str, str]] = []
        more = False
        async for item in self._query(**query):
            sk = item["SK"]["S"]
            if sk in seen:
                continue
            if len(keys) == limit:
                more = True
                break
            keys.append((sk, item["photo_id"]["S"]))
        if not keys:
            return ChangeBatch(photo_ids=[], position=position or "", more=False)
        newest = max([start.last, *(k for k, _ in keys)]) if position is not None else max(k for k, _ in keys)
        window = _sk_time(newest) - OVERLAP
        recent = [k for k in [*seen, *(k for k, _ in keys)] if k.startswith("CHANGE#2") and _sk_time(k) >= window]
        ids = list(dict.fromkeys(pid for _, pid in reversed(keys)))[::-1]
        return ChangeBatch(photo_ids=ids, position=_dump(_Position(last=newest, seen=sorted(set(recent)))), more=more)

    async def prune_changes(self, before: datetime) -> int:
        e = _Expr()
        users = e.args(IndexName=GSI1, KeyConditionExpression=f"GSI1PK = {e.v(USERS_PK)}")
        user_ids = [item["id"]["S"] async for item in self._query(**users)]
        pruned = 0
        for user_id in user_ids:
            pruned += await self._prune_feed(user_id, f"CHANGE#{to_iso(before)}")
        return pruned

    async def _prune_feed(self, user_id: str, cutoff: str) -> int:
        e = _Expr()
        feed = f"PK = {e.v(f'USER#{user_id}')} AND SK BETWEEN {e.v('CHANGE#')} AND {e.v('CHANGE$')}"
        query = e.args(
            KeyConditionExpression=feed,
            ProjectionExpression=f"{e.n('SK')}, {e.n('photo_id')}",
            ConsistentRead=True,
        )
        newest: dict[str, str] = {}  # photo id -> its newest entry (the feed reads oldest first)
        old: list[tuple[str, str]] = []
        async for item in self._query(**query):
            sk, photo_id = item["SK"]["S"], item["photo_id"]["S"]
            newest[photo_id] = sk
            if sk < cutoff:
                old.append((sk, photo_id))
        keep_for = {pid for sk, pid in old if newest[pid] == sk}
        alive = {i["id"]["S"] for i in await self._batch_get([_photo_key(p) for p in keep_for])} if keep_for else set()
        doomed = [sk for sk, pid in old if not (newest[pid] == sk and pid in alive)]
        await self._batch_write(deletes=[_key(f"USER#{user_id}", sk) for sk in doomed])
        return len(doomed)


def _sk_time(sk: str) -> datetime:
    return from_iso(sk.split("#")[1])


def _dump(position: _Position) -> str:
    return msgspec.json.encode(position).decode()
