"""``DynamoMetaStore``: the MetaStore on one DynamoDB table, and the table's lifecycle.

The operations live in mixins by concern (``accounts``, ``photos``, ``library``, ``feed``, ``albums``,
``sharing``, ``search``, ``uploads``, ``jobs``, ``expiry``, ``upgrade``, ``families``, ``links``), all
on ``client.TableClient``; the design is summarised in ``auroravault.meta.dynamodb`` and
described in ``docs/dynamodb.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from auroravault.errors import Unavailable
from auroravault.meta.dynamodb.albums import AlbumOps
from auroravault.meta.dynamodb.client import _Expected
from auroravault.meta.dynamodb.expiry import ExpiryOps
from auroravault.meta.dynamodb.families import FamilyOps
from auroravault.meta.dynamodb.feed import FeedOps
from auroravault.meta.dynamodb.jobs import JobOps
from auroravault.meta.dynamodb.keys import GSI1, GSI2, TTL_ATTR
from auroravault.meta.dynamodb.library import LibraryOps
from auroravault.meta.dynamodb.links import LinkOps
from auroravault.meta.dynamodb.people import PeopleOps
from auroravault.meta.dynamodb.search import SearchOps
from auroravault.meta.dynamodb.sharing import SharingOps
from auroravault.meta.dynamodb.upgrade import UpgradeOps
from auroravault.meta.dynamodb.uploads import UploadOps


class DynamoMetaStore(
    PeopleOps,
    LinkOps,
    SearchOps,
    SharingOps,
    AlbumOps,
    LibraryOps,
    FeedOps,
    UploadOps,
    JobOps,
    ExpiryOps,
    UpgradeOps,
    FamilyOps,
):
    """MetaStore on one DynamoDB table. See ``auroravault.meta.base`` for the contract
    and ``docs/dynamodb.md`` for the keys, indexes and access patterns."""

    name = "dynamodb"

    # -- lifecycle -----------------------------------------------------------------------
    def _table_spec(self) -> dict[str, Any]:
        attrs = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
        return {
            "TableName": self.table,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attrs],
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [self._gsi_spec(GSI1), self._gsi_spec(GSI2)],
        }

    @staticmethod
    def _gsi_spec(name: str) -> dict[str, Any]:
        return {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": f"{name}PK", "KeyType": "HASH"},
                {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }

    async def _describe(self) -> dict[str, Any] | None:
        try:
            out = await self._call(
                "describe_table", expect=frozenset({"ResourceNotFoundException"}), TableName=self.table
            )
        except _Expected:
            return None
        table: dict[str, Any] = out["Table"]
        return table

    async def _wait_active(self, patience: float = 300.0) -> dict[str, Any]:
        """Poll until the table and all its indexes are ACTIVE (creation takes seconds on AWS)."""
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            table = await self._describe()
            if table is not None and table.get("TableStatus") == "ACTIVE":
                indexes = table.get("GlobalSecondaryIndexes", [])
                if all(i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in indexes):
                    return table
            if asyncio.get_running_loop().time() > deadline:
                raise Unavailable("meta_unavailable", f"DynamoDB table {self.table!r} did not become ACTIVE")
            await asyncio.sleep(0.5)

    async def migrate(self) -> None:
        """Create the table and its GSIs when missing, add missing GSIs, enable TTL, upgrade
        what an earlier version wrote; idempotent."""
        if await self._describe() is None:
            # ResourceInUse: another instance is creating it; wait below either way.
            with contextlib.suppress(_Expected):
                await self._call("create_table", expect=frozenset({"ResourceInUseException"}), **self._table_spec())
        table = await self._wait_active()
        have = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        for name in (GSI1, GSI2):
            if name not in have:  # one index per UpdateTable call: a DynamoDB rule
                await self._call(
                    "update_table",
                    TableName=self.table,
                    AttributeDefinitions=[
                        {"AttributeName": f"{name}PK", "AttributeType": "S"},
                        {"AttributeName": f"{name}SK", "AttributeType": "S"},
                    ],
                    GlobalSecondaryIndexUpdates=[{"Create": self._gsi_spec(name)}],
                )
                await self._wait_active()
        ttl = await self._call("describe_time_to_live", TableName=self.table)
        if ttl.get("TimeToLiveDescription", {}).get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            await self._call(
                "update_time_to_live",
                TableName=self.table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTR},
            )
        await self._upgrade()  # items an earlier version wrote (``upgrade``)
        await self._admin_count()  # the active-admin count (``admins``), once per table

    async def check(self) -> None:
        table = await self._describe()
        if table is None:
            raise Unavailable("meta_unavailable", f"DynamoDB table {self.table!r} not found (run migrate)")
        if table.get("TableStatus") not in ("ACTIVE", "UPDATING"):
            raise Unavailable("meta_unavailable", f"DynamoDB table {self.table!r} is {table.get('TableStatus')}")

    async def close(self) -> None:
        await asyncio.to_thread(self._client.close)
