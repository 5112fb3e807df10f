"""The library on DynamoDB: listings by view, flags, trash, corrections, deletion, the feed.

Items (all in the owner's or viewer's ``USER#id`` partition, see ``docs/dynamodb.md``):

- ``FLAG#<photo_id>``: the viewer's ``favorite`` and ``archived``.
- ``TRASH#<photo_id>``: a trashed photo (the whole record), in GSI2 under ``TRASHED`` by
  ``trashed_at`` (``0000...`` once its deletion started, so the expiry finds it first).
  A trashed photo leaves the timeline copy and the month counters (``_photo_ops``).
- ``TOMB#<sha256>``: the tombstone of the last photo with that content deleted for good.
- ``CHANGE#<time>#<photo_id>#<rand>``: the change feed, written in the transaction of
  the change by the writer's clock. A writer whose clock read is older than a commit that
  became visible first would land *behind* a reader's position: the reader therefore
  re-reads ``OVERLAP`` seconds before its position and skips the entries it already saw
  (their keys travel in the position). A change committed more than ``OVERLAP`` seconds
  after its clock read can be missed; writes are single transactions of well under a second.

Every transition is a transaction guarded by the photo's version, retried on a race.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from auroravault.errors import Invalid, Unavailable
from auroravault.meta.base import EDITABLE_FIELDS, ChangeBatch, Flags, MonthCount, Photo, PhotoView, Usage
from auroravault.meta.dynamodb.client import RETRIES, _backoff, _Canceled
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record, _version
from auroravault.meta.dynamodb.keys import (
    GSI2,
    TRASH_PK,
    _change_item,
    _claim_key,
    _flag_key,
    _photo_key,
    _tomb_key,
    _trash_key,
)
from auroravault.meta.dynamodb.photos import PhotoOps
from auroravault.timeutil import from_iso, to_iso

OVERLAP = timedelta(seconds=10)
PAGE = 100


class _Position(msgspec.Struct, array_like=True):
    last: str  # the newest change key read
    seen: list[str]  # change keys read within OVERLAP before ``last``


class LibraryOps(PhotoOps):
    # -- reads -------------------------------------------------------------------------------
    async def get_photos(self, photo_ids: list[str]) -> dict[str, Photo]:
        items = await self._batch_get([_photo_key(i) for i in dict.fromkeys(photo_ids)])
        return {p.id: p for p in (_record(Photo, i) for i in items)}

    async def get_flags(self, viewer_id: str, photo_ids: list[str]) -> dict[str, Flags]:
        items = await self._batch_get([_flag_key(viewer_id, i) for i in dict.fromkeys(photo_ids)])
        return {
            i["SK"]["S"].removeprefix("FLAG#"): Flags(
                favorite=i.get("favorite", {}).get("BOOL", False), archived=i.get("archived", {}).get("BOOL", False)
            )
            for i in items
        }

    async def list_photos(
        self,
        owner_id: str,
        *,
        limit: int,
        after: tuple[str, str] | None,
        descending: bool,
        view: PhotoView | None = None,
    ) -> list[Photo]:
        view = view or PhotoView(viewer_id=owner_id)
        found: list[Photo] = []
        cursor = after
        while len(found) < limit:
            page = await super().list_photos(owner_id, limit=PAGE, after=cursor, descending=descending)
            if not page:
                break
            found += await self._shown(view, page)
            cursor = (page[-1].sort_at, page[-1].id)
            if len(page) < PAGE:
                break
        return found[:limit]

    async def _shown(self, view: PhotoView, photos: list[Photo]) -> list[Photo]:
        flags = await self.get_flags(view.viewer_id, [p.id for p in photos])
        shown = []
        for p in photos:
            mark = flags.get(p.id, Flags())
            if view.favorite and not mark.favorite:
                continue
            if (view.archived == "exclude" and mark.archived) or (view.archived == "only" and not mark.archived):
                continue
            if view.media_type is not None and p.media_type != view.media_type:
                continue
            shown.append(p)
        return shown

    async def month_counts(self, owner_id: str, view: PhotoView | None = None) -> list[MonthCount]:
        view = view or PhotoView(viewer_id=owner_id)
        counts: dict[str, int] = {}
        if view.favorite or view.media_type is not None or view.archived == "only":
            for photo in await self.list_photos(owner_id, limit=10**9, after=None, descending=True, view=view):
                counts[photo.sort_at[:7]] = counts.get(photo.sort_at[:7], 0) + 1
        else:
            counts = {m.month: m.count for m in await super().month_counts(owner_id)}
            if view.archived == "exclude":  # the exact counters, less the viewer's archived photos
                for photo in await self._archived(view.viewer_id, owner_id):
                    counts[photo.sort_at[:7]] = counts.get(photo.sort_at[:7], 0) - 1
        return [MonthCount(month=m, count=c) for m, c in sorted(counts.items(), reverse=True) if c > 0]

    async def _archived(self, viewer_id: str, owner_id: str) -> list[Photo]:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{viewer_id}')} AND begins_with(SK, {e.v('FLAG#')})",
            ConsistentRead=True,
        )
        ids = [
            i["SK"]["S"].removeprefix("FLAG#") async for i in self._query(**query) if i.get("archived", {}).get("BOOL")
        ]
        photos = await self.get_photos(ids) if ids else {}
        return [p for p in photos.values() if p.owner_id == owner_id and p.status != "pending" and p.trashed_at is None]

    # -- flags -------------------------------------------------------------------------------
    async def set_flags(
        self, viewer_id: str, photo_ids: list[str], *, favorite: bool | None, archived: bool | None, now: datetime
    ) -> list[str]:
        ids = list(dict.fromkeys(photo_ids))
        photos = await self.get_photos(ids)
        done = []
        for photo_id in ids:
            photo = photos.get(photo_id)
            if photo is None or photo.status == "pending":
                continue
            e = _Expr()
            fields = {"favorite": favorite, "archived": archived, "updated_at": to_iso(now)}
            expr = e.update({k: v for k, v in fields.items() if v is not None})
            ops = [
                {"Update": self._update(_flag_key(viewer_id, photo_id), expr, e)},
                {"Put": self._put(_change_item(viewer_id, photo_id, now))},
            ]
            await self._transact(ops)
            done.append(photo_id)
        return done

    # -- transitions of one photo --------------------------------------------------------------
    async def _change(self, photo_id: str, decide: Any) -> Photo | None:
        """Read the photo, let ``decide(photo)`` give (after, extra ops) or None, commit both
        guarded by the version; retried on a race. Returns the photo after, or None."""
        for attempt in range(RETRIES):
            item = await self._get(_photo_key(photo_id))
            if item is None:
                return None
            before = _record(Photo, item)
            decided = decide(before)
            if decided is None:
                return None
            after, extra = decided
            if after is before:
                return before
            ops = self._photo_ops(before, _version(item), after) + extra + await self._album_moves(before, after)
            try:
                await self._transact(ops)
                return after
            except _Canceled:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "photo is too contended; try again")

    def _trash_put(self, photo: Photo) -> dict[str, Any]:
        assert photo.trashed_at is not None
        sort = "0000" if photo.deleting_at else to_iso(photo.trashed_at)
        item: AttrMap = {
            **_item(photo),
            **_trash_key(photo.owner_id, photo.id),
            "GSI2PK": {"S": TRASH_PK},
            "GSI2SK": {"S": f"{sort}#{photo.id}"},
        }
        return {"Put": self._put(item)}

    async def edit_photo(self, photo_id: str, edit: dict[str, Any], now: datetime) -> Photo | None:
        unknown = set(edit) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")

        def decide(photo: Photo) -> tuple[Photo, list[dict[str, Any]]] | None:
            if photo.status == "pending" or photo.trashed_at is not None:
                return None
            return msgspec.structs.replace(photo, **edit, updated_at=now), []

        return await self._change(photo_id, decide)

    async def trash_photos(self, owner_id: str, photo_ids: list[str], now: datetime) -> list[str]:
        done = []
        for photo_id in dict.fromkeys(photo_ids):

            def decide(photo: Photo) -> tuple[Photo, list[dict[str, Any]]] | None:
                if photo.owner_id != owner_id or photo.status == "pending":
                    return None
                if photo.trashed_at is not None:
                    return photo, []
                after = msgspec.structs.replace(photo, trashed_at=now, updated_at=now)
                return after, [self._trash_put(after)]

            if await self._change(photo_id, decide) is not None:
                done.append(photo_id)
        return done

    async def _trash_ids(self, owner_id: str, photo_ids: list[str] | None) -> list[str]:
        if photo_ids is not None:
            return list(dict.fromkeys(photo_ids))
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND begins_with(SK, {e.v('TRASH#')})",
            ConsistentRead=True,
        )
        return [i["SK"]["S"].removeprefix("TRASH#") async for i in self._query(**query)]

    async def restore_photos(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[str]:
        done = []
        for photo_id in await self._trash_ids(owner_id, photo_ids):

            def decide(photo: Photo) -> tuple[Photo, list[dict[str, Any]]] | None:
                if photo.owner_id != owner_id or photo.trashed_at is None or photo.deleting_at is not None:
                    return None
                after = msgspec.structs.replace(photo, trashed_at=None, updated_at=now)
                return after, [{"Delete": self._delete(_trash_key(owner_id, photo.id))}]

            if await self._change(photo_id, decide) is not None:
                done.append(photo_id)
        return done

    async def list_trash(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND begins_with(SK, {e.v('TRASH#')})",
            ConsistentRead=True,
        )
        photos = [_record(Photo, i) async for i in self._query(**query)]
        kept = [p for p in photos if p.deleting_at is None and p.trashed_at is not None]
        kept.sort(key=lambda p: (to_iso(p.trashed_at or p.created_at), p.id), reverse=True)
        if after is not None:
            kept = [p for p in kept if (to_iso(p.trashed_at or p.created_at), p.id) < after]
        return kept[:limit]

    # -- permanent deletion --------------------------------------------------------------------
    async def mark_deleting(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[Photo]:
        marked = []
        for photo_id in await self._trash_ids(owner_id, photo_ids):

            def decide(photo: Photo) -> tuple[Photo, list[dict[str, Any]]] | None:
                if photo.owner_id != owner_id or photo.trashed_at is None:
                    return None
                if photo.deleting_at is not None:
                    return photo, []
                after = msgspec.structs.replace(photo, deleting_at=now, updated_at=now)
                return after, [self._trash_put(after)]

            photo = await self._change(photo_id, decide)
            if photo is not None:
                marked.append(photo)
        return marked

    async def deletion_due(self, trashed_before: datetime, limit: int) -> list[Photo]:
        e = _Expr()
        query = e.args(
            IndexName=GSI2,
            KeyConditionExpression=f"GSI2PK = {e.v(TRASH_PK)} AND GSI2SK < {e.v(to_iso(trashed_before))}",
            Limit=limit,
        )
        ids = [i["SK"]["S"].removeprefix("TRASH#") async for i in self._query(**query)][:limit]
        photos = await self.get_photos(ids) if ids else {}  # the index nominates, the record decides
        return [
            p for p in photos.values() if p.deleting_at is not None or (p.trashed_at and p.trashed_at < trashed_before)
        ]

    async def finish_deletion(self, photo_id: str, now: datetime) -> bool:
        for attempt in range(RETRIES):
            item = await self._get(_photo_key(photo_id))
            if item is None:
                return False
            photo = _record(Photo, item)
            if photo.deleting_at is None:
                return False
            tomb: AttrMap = {
                **_tomb_key(photo.owner_id, photo.sha256),
                "photo_id": {"S": photo.id},
                "deleted_at": {"S": to_iso(now)},
            }
            ops = self._photo_ops(photo, _version(item), None) + await self._album_moves(photo, None)
            ops += [
                {"Delete": self._delete(_trash_key(photo.owner_id, photo.id))},
                {"Delete": self._delete(_flag_key(photo.owner_id, photo.id))},
                {"Put": self._put(tomb)},
            ]
            used = await self._used_bytes_op(photo.owner_id, -photo.size)
            if used is not None:
                ops.append({"Update": used})
            try:
                await self._transact(ops)
                return True
            except _Canceled:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "photo is too contended; try again")

    async def deleted_sha256(self, owner_id: str, hashes: list[str]) -> list[str]:
        unique = list(dict.fromkeys(hashes))
        tombs = await self._batch_get([_tomb_key(owner_id, h) for h in unique])
        dead = {t["SK"]["S"].removeprefix("TOMB#") for t in tombs}
        claims = await self._batch_get([_claim_key(owner_id, h) for h in dead])
        alive = {c["sha256"]["S"] for c in claims}
        return [h for h in unique if h in dead and h not in alive]

    async def usage(self, user_id: str) -> Usage:
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
        return Usage(photo_count=count, variant_bytes=variants)

    # -- the change feed -----------------------------------------------------------------------
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


def _sk_time(sk: str) -> datetime:
    return from_iso(sk.split("#")[1])


def _dump(position: _Position) -> str:
    return msgspec.json.encode(position).decode()
