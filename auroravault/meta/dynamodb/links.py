"""Share links on DynamoDB: the ``LinkStore`` methods of ``DynamoMetaStore``.

Items (see ``docs/dynamodb.md``):

- ``LINK#<id>`` / ``LINK``: the ShareLink record.
- ``LINKKEY#<key>`` / ``LINKKEY``: the key's claim (``link_id``); written with
  ``attribute_not_exists`` in the same transaction as the link, so a key names one link.
- ``USER#<owner>`` / ``LINKREF#<created_at>#<id>``: the owner's links by creation time (``link_id``).

All three are written and deleted together in one transaction; a revoked link's key is gone
for the very next (consistent) read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auroravault.errors import Conflict
from auroravault.meta.dynamodb.client import TableClient, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record
from auroravault.meta.dynamodb.keys import _key
from auroravault.meta.family_records import ShareLink
from auroravault.timeutil import to_iso

LINK_FIELDS = frozenset({"expires_at", "password_hash", "allow_download", "allow_upload", "show_metadata"})


def _link_key(link_id: str) -> AttrMap:
    return _key(f"LINK#{link_id}", "LINK")


def _claim_key(key: str) -> AttrMap:
    return _key(f"LINKKEY#{key}", "LINKKEY")


def _ref_key(link: ShareLink) -> AttrMap:
    return _key(f"USER#{link.owner_id}", f"LINKREF#{to_iso(link.created_at)}#{link.id}")


class LinkOps(TableClient):
    """The link methods of ``DynamoMetaStore`` (see ``auroravault.meta.protocols.LinkStore``)."""

    async def create_link(self, link: ShareLink) -> None:
        home = {**_item(link), **_link_key(link.id)}
        claim = {**_claim_key(link.key), "link_id": {"S": link.id}}
        ref = {**_ref_key(link), "link_id": {"S": link.id}}
        try:
            await self._transact(
                [
                    {"Put": self._put(home, "attribute_not_exists(PK)")},
                    {"Put": self._put(claim, "attribute_not_exists(PK)")},
                    {"Put": self._put(ref)},
                ]
            )
        except _Canceled:
            raise Conflict("link_key_taken", "a link with this id or key exists") from None

    async def get_link(self, link_id: str) -> ShareLink | None:
        return await self._get_record(ShareLink, _link_key(link_id))

    async def get_link_by_key(self, key: str) -> ShareLink | None:
        claim = await self._get(_claim_key(key))
        if claim is None:
            return None
        link = await self.get_link(claim["link_id"]["S"])
        return link if link is not None and link.key == key else None

    async def list_links(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[ShareLink]:
        if limit <= 0:
            return []
        high = f"LINKREF#{after[0]}#{after[1]}" if after is not None else "LINKREF$"
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND SK BETWEEN {e.v('LINKREF#')} AND {e.v(high)}",
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        ids: list[str] = []
        async for item in self._query(**query):
            if item["SK"]["S"] == high:
                continue
            ids.append(item["link_id"]["S"])
            if len(ids) == limit:
                break
        items = await self._batch_get([_link_key(i) for i in ids]) if ids else []
        found = {link.id: link for link in (_record(ShareLink, i) for i in items)}
        return [found[i] for i in ids if i in found]

    async def update_link(self, link_id: str, changes: dict[str, Any], now: datetime) -> ShareLink | None:
        unknown = set(changes) - LINK_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        e = _Expr()
        expr = e.update({**changes, "updated_at": to_iso(now)})
        op = self._update(_link_key(link_id), expr, e, "attribute_exists(PK)")
        try:
            out = await self._call("update_item", **op, ReturnValues="ALL_NEW")
        except _ConditionFailed:
            return None
        return _record(ShareLink, out["Attributes"])

    async def delete_link(self, link_id: str) -> bool:
        link = await self.get_link(link_id)
        if link is None:
            return False
        ops: list[dict[str, Any]] = [
            {"Delete": self._delete(_link_key(link_id), "attribute_exists(PK)")},
            {"Delete": self._delete(_claim_key(link.key))},
            {"Delete": self._delete(_ref_key(link))},
        ]
        try:
            await self._transact(ops)
        except _Canceled:
            return False
        return True
