"""Photos: the home record, its timeline copy, month counters and the owner+sha256 claim."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auroravault.errors import Unavailable
from auroravault.meta.base import MonthCount, Photo, PhotoStatus, keep_library_fields
from auroravault.meta.dynamodb.accounts import AccountOps
from auroravault.meta.dynamodb.client import RETRIES, _backoff, _Canceled
from auroravault.meta.dynamodb.codec import _Expr, _item, _record, _version
from auroravault.meta.dynamodb.keys import (
    GSI1,
    PROCESSING_PK,
    _change_item,
    _claim_key,
    _month_key,
    _photo_index,
    _photo_key,
    _timeline_key,
    _timeline_sk,
)
from auroravault.timeutil import to_iso, utcnow


class PhotoOps(AccountOps):
    """Photo reads, the timeline and month counts, and ``_photo_ops``: the transaction items
    that move a photo's rows together (uploads use it too)."""

    # -- photos ----------------------------------------------------------------------------
    async def get_photo(self, photo_id: str) -> Photo | None:
        return await self._get_record(Photo, _photo_key(photo_id))

    async def get_photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        claim = await self._get(_claim_key(owner_id, sha256))
        return await self.get_photo(claim["photo_id"]["S"]) if claim else None

    async def photos_with_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        keys = [_claim_key(owner_id, h) for h in dict.fromkeys(hashes)]
        claims = await self._batch_get(keys)  # claims are a few short attributes: no projection
        return {c["sha256"]["S"]: c["photo_id"]["S"] for c in claims if "pending" not in c}

    async def list_photos(
        self, owner_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool
    ) -> list[Photo]:
        # Timeline items sort by "PHOTO#<sort_at>#<id>": sort_at is fixed width and has no
        # '#', so text order is (sort_at, id) order. BETWEEN is inclusive: the cursor item
        # itself is dropped below. "PHOTO$" is just past every "PHOTO#..." key.
        if limit <= 0:
            return []
        cursor = _timeline_sk(*after) if after is not None else None
        low, high = "PHOTO#", "PHOTO$"
        if cursor is not None:
            low, high = (low, cursor) if descending else (cursor, high)
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND SK BETWEEN {e.v(low)} AND {e.v(high)}",
            ScanIndexForward=not descending,
            ConsistentRead=True,
            Limit=limit + 1,
        )
        photos: list[Photo] = []
        async for item in self._query(**query):
            if item["SK"]["S"] == cursor:
                continue
            photos.append(_record(Photo, item))
            if len(photos) == limit:
                break
        return photos

    async def month_counts(self, owner_id: str) -> list[MonthCount]:
        # Exact per-month counter items, kept in the same transactions as the timeline.
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND begins_with(SK, {e.v('MONTH#')})",
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        counts = []
        async for item in self._query(**query):
            count = int(item["count"]["N"])
            if count > 0:
                counts.append(MonthCount(month=item["SK"]["S"].removeprefix("MONTH#"), count=count))
        return counts

    async def processing_photos(self, updated_before: datetime, limit: int) -> list[Photo]:
        # GSI1 nominates (it may lag); the home record, read consistently, decides.
        if limit <= 0:
            return []
        e = _Expr()
        query = e.args(
            IndexName=GSI1,
            KeyConditionExpression=f"GSI1PK = {e.v(PROCESSING_PK)} AND GSI1SK < {e.v(to_iso(updated_before))}",
            Limit=limit,
        )
        query["TableName"] = self.table
        out = await self._call("query", **query)
        ids = [item["id"]["S"] for item in out.get("Items", [])]
        items = await self._batch_get([_photo_key(i) for i in ids])
        found = [_record(Photo, i) for i in items]
        kept = [p for p in found if p.status == "processing" and p.updated_at < updated_before]
        return sorted(kept, key=lambda p: (p.updated_at, p.id))

    async def _album_moves(self, before: Photo, after: Photo | None) -> list[dict[str, Any]]:
        """The album membership ops a photo transition carries (``albums.AlbumOps`` has them)."""
        return []

    def _photo_ops(
        self, before: Photo, version: int, after: Photo | None, *, usage: bool = True
    ) -> list[dict[str, Any]]:
        """Transaction items that replace ``before`` (stored as ``version``) by ``after``
        (None: delete), keeping its timeline copy, month counter, claim and, with ``usage``,
        the owner's usage counters in step. A caller that also changes ``used_bytes`` passes
        ``usage=False`` and gives ``_usage_counts`` to ``_used_bytes_op`` (one Update per item
        and transaction: a DynamoDB rule)."""
        ops: list[dict[str, Any]] = []
        if after is None:
            e = _Expr()
            ops.append({"Delete": self._delete(_photo_key(before.id), f"{e.n('v')} = {e.v(version)}", e)})
        else:
            home = {**_item(after), **_photo_key(after.id), **_photo_index(after)}
            ops.append({"Put": self._versioned_put(home, version)})
        # Listed: in the timeline and its month counters (not pending, not trashed).
        was_listed = before.status != "pending" and before.trashed_at is None
        is_listed = after is not None and after.status != "pending" and after.trashed_at is None
        was_pending = before.status == "pending"
        is_pending = after is not None and after.status == "pending"
        old_line = _timeline_key(before) if was_listed else None
        new_line = _timeline_key(after) if after is not None and is_listed else None
        if old_line is not None and old_line != new_line:
            ops.append({"Delete": self._delete(old_line)})
        if after is not None and new_line is not None:
            ops.append({"Put": self._put({**_item(after), **new_line})})
        # A Live Photo's video (``motion_of``) keeps its timeline copy but is counted by its still.
        old_month = before.sort_at[:7] if was_listed and before.motion_of is None else None
        new_month = after.sort_at[:7] if after is not None and is_listed and after.motion_of is None else None
        for month, step in ((old_month, -1), (new_month, 1)):
            if month is not None and old_month != new_month:
                e = _Expr()
                ops.append(
                    {"Update": self._update(_month_key(before.owner_id, month), f"ADD {e.n('count')} {e.v(step)}", e)}
                )
        e = _Expr()
        mine = f"{e.n('photo_id')} = {e.v(before.id)}"
        claim = _claim_key(before.owner_id, before.sha256)
        if after is None:
            ops.append({"Delete": self._delete(claim, mine, e)})
        elif was_pending != is_pending:
            if not is_pending:  # no longer pending: out of the pending and sweep indexes
                expr = e.update({"pending": None, "GSI1PK": None, "GSI1SK": None, "GSI2PK": None, "GSI2SK": None})
            else:
                expr = e.update({"pending": True})
            ops.append({"Update": self._update(claim, expr, e, mine)})
        if not (was_pending and (after is None or is_pending)):  # a photo the owner could see changed
            ops.append({"Put": self._put(_change_item(before.owner_id, before.id, utcnow()))})
        counter = self._usage_op(before.owner_id, _usage_counts(before, after)) if usage else None
        if counter is not None:
            ops.append({"Update": counter})
        return ops

    async def save_processed_photo(self, photo: Photo, expected_status: PhotoStatus) -> bool:
        for attempt in range(RETRIES):
            item = await self._get(_photo_key(photo.id))
            if item is None:
                return False
            before = _record(Photo, item)
            if before.status != expected_status:
                return False
            # The quota counts originals only: variants change no used_bytes.
            after = keep_library_fields(before, photo)
            ops = self._photo_ops(before, _version(item), after) + await self._album_moves(before, after)
            try:
                await self._transact(ops)
                return True
            except _Canceled:
                await _backoff(attempt)  # changed meanwhile: re-read and decide again
        raise Unavailable("meta_unavailable", "photo is too contended; try again")


def _usage_counts(before: Photo, after: Photo | None) -> tuple[int, int]:
    """How a change moves the owner's ``photo_count`` and ``variant_bytes`` (the counters on
    the profile that ``usage`` reads): every non-pending photo counts, trash included."""

    def counted(photo: Photo | None) -> tuple[int, int]:
        if photo is None or photo.status == "pending":
            return 0, 0
        return 1, photo.variants_bytes

    (n0, v0), (n1, v1) = counted(before), counted(after)
    return n1 - n0, v1 - v0
