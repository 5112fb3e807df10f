"""``purge_expired``: forget what has expired, without waiting for DynamoDB's TTL.

Every item that expires carries GSI2 keys under ``EXPIRES`` (``keys._expiring``): sessions
(both items), reset tokens, counter windows, uploads no longer pending with their batch
memberships (at the upload's ``expires_at``), and batches (at theirs). TTL deletes most of them
too, but up to days late; this walks the index up to ``now`` and deletes each item whose
index key is still the one seen (a counter that started a new window moved on), with two
checks TTL cannot make: a batch goes only once no upload is left in it (so it has no TTL),
and an arrived upload (with its membership) stays while its photo is still processing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from auroravault.meta.dynamodb.client import TableClient, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr
from auroravault.meta.dynamodb.keys import EXPIRES_PK, GSI2, _key, _photo_key, _upload_key
from auroravault.timeutil import to_iso


class ExpiryOps(TableClient):
    async def purge_expired(self, now: datetime) -> int:
        e = _Expr()
        query = e.args(
            IndexName=GSI2,
            KeyConditionExpression=f"GSI2PK = {e.v(EXPIRES_PK)} AND GSI2SK < {e.v(to_iso(now))}",
        )
        seen = [item async for item in self._query(**query)]
        gate = asyncio.Semaphore(8)

        async def forget(item: AttrMap) -> bool:
            async with gate:
                if not await self._may_forget(item):
                    return False
                e = _Expr()
                cond = f"{e.n('GSI2SK')} = {e.v(item['GSI2SK']['S'])}"
                try:
                    await self._call("delete_item", **self._delete(_key(item["PK"]["S"], item["SK"]["S"]), cond, e))
                except _ConditionFailed:  # gone already, or it moved on (a new counter window)
                    return False
                return True

        # Batches last: the memberships forgotten in this round no longer keep them.
        first = [item for item in seen if item["SK"]["S"] != "BATCH"]
        batches = [item for item in seen if item["SK"]["S"] == "BATCH"]
        forgotten = sum(await asyncio.gather(*(forget(item) for item in first)))
        return forgotten + sum(await asyncio.gather(*(forget(item) for item in batches)))

    async def _may_forget(self, item: AttrMap) -> bool:
        sk = item["SK"]["S"]
        if sk == "BATCH":  # only once empty: uploads still in it are read through it
            e = _Expr()
            query = e.args(
                TableName=self.table,
                KeyConditionExpression=f"PK = {e.v(item['PK']['S'])} AND begins_with(SK, {e.v('UPLOAD#')})",
                ConsistentRead=True,
                Limit=1,
            )
            return not (await self._call("query", **query)).get("Items")
        if sk.startswith("UPLOAD#"):  # a membership goes with its upload
            upload = await self._get(_upload_key(item["upload_id"]["S"]))
            return upload is None or await self._upload_may_go(upload)
        if sk == "UPLOAD":
            return await self._upload_may_go(item)
        return True

    async def _upload_may_go(self, upload: AttrMap) -> bool:
        state = upload.get("state", {}).get("S")
        if state == "pending":  # the sweep's to expire (it never carries EXPIRES keys anyway)
            return False
        if state == "processing":
            photo = await self._get(_photo_key(upload["photo_id"]["S"]))
            return photo is None or photo.get("status", {}).get("S") != "processing"
        return True
