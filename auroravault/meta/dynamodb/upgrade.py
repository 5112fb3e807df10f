"""One-off upgrades of items an earlier version wrote, run by ``migrate`` (idempotent).

Profiles from before the usage counters have no ``photo_count``/``variant_bytes`` and are not
in GSI1 ``USERS``; trash entries from before the keyed trash are ``TRASH#<photo_id>``. Each
such profile is counted once (the old way, O(its photos)) and its trash entries are re-keyed;
then a marker item says the upgrade is done, so later migrations read one item.

The count is optimistic, like every transition: the profile is read first, the photos are
counted (twice, until two counts agree, so a trash or restore racing the count is seen), and
the counters are set only if the profile's counters did not move meanwhile; else again.
"""

from __future__ import annotations

import contextlib
from typing import Any

from auroravault.errors import Unavailable
from auroravault.meta.base import Photo
from auroravault.meta.dynamodb.client import RETRIES, TableClient, _backoff, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _record
from auroravault.meta.dynamodb.keys import USERS_PK, _key, _trash_key, _user_key

MARKER = _key("UPGRADE#usage-counters", "UPGRADE")


class UpgradeOps(TableClient):
    async def _upgrade(self) -> None:
        if await self._get(MARKER) is not None:
            return
        for user_id in await self._unindexed_users():
            await self._rekey_trash(user_id)
            await self._recount(user_id)
        await self._call("put_item", TableName=self.table, Item={**MARKER, "done": {"BOOL": True}})

    async def _unindexed_users(self) -> list[str]:
        e = _Expr()
        kwargs: dict[str, Any] = e.args(
            TableName=self.table,
            FilterExpression=f"{e.n('SK')} = {e.v('PROFILE')} AND attribute_not_exists({e.n('GSI1PK')})",
            ProjectionExpression=e.n("id"),
        )
        found: list[str] = []
        while True:
            out = await self._call("scan", **kwargs)
            found += [item["id"]["S"] for item in out.get("Items", []) if "id" in item]
            if "LastEvaluatedKey" not in out:
                return found
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]

    async def _rekey_trash(self, user_id: str) -> None:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{user_id}')} AND begins_with(SK, {e.v('TRASH#')})",
            ConsistentRead=True,
        )
        legacy = [item async for item in self._query(**query) if item["SK"]["S"].count("#") == 1]
        for item in legacy:
            photo = _record(Photo, item)
            if photo.trashed_at is None:
                continue
            moved: AttrMap = {**item, **_trash_key(photo)}
            ops = [
                {"Put": self._put(moved)},
                {"Delete": self._delete(_key(item["PK"]["S"], item["SK"]["S"]), "attribute_exists(PK)")},
            ]
            with contextlib.suppress(_Canceled):  # restored or deleted meanwhile: nothing to move
                await self._transact(ops)

    async def _count(self, user_id: str) -> tuple[int, int]:
        # The timeline copies and the trash entries hold every non-pending photo once.
        count = variants = 0
        for prefix in ("PHOTO#", "TRASH#"):
            e = _Expr()
            query = e.args(
                KeyConditionExpression=f"PK = {e.v(f'USER#{user_id}')} AND begins_with(SK, {e.v(prefix)})",
                ProjectionExpression=e.n("variants_bytes"),
                ConsistentRead=True,
            )
            async for item in self._query(**query):
                count += 1
                variants += int(item.get("variants_bytes", {}).get("N", "0"))
        return count, variants

    async def _recount(self, user_id: str) -> None:
        for attempt in range(RETRIES):
            profile = await self._get(_user_key(user_id))
            if profile is None:
                return
            counts = await self._count(user_id)
            again = await self._count(user_id)
            if counts != again:
                await _backoff(attempt)
                continue
            e = _Expr()
            fields = {"photo_count": counts[0], "variant_bytes": counts[1], "GSI1PK": USERS_PK, "GSI1SK": user_id}
            guards = []
            for name in ("photo_count", "variant_bytes"):
                if name in profile:
                    guards.append(f"{e.n(name)} = {e.v(int(profile[name]['N']))}")
                else:
                    guards.append(f"attribute_not_exists({e.n(name)})")
            try:
                await self._call(
                    "update_item", **self._update(_user_key(user_id), e.update(fields), e, " AND ".join(guards))
                )
                return
            except _ConditionFailed:
                await _backoff(attempt)  # a photo changed the counters meanwhile: count again
        raise Unavailable("meta_unavailable", f"could not count the photos of user {user_id}; run migrate again")
