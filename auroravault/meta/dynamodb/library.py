"""The library on DynamoDB: listings by view, flags, trash, corrections, deletion, the feed.

Items (all in the owner's or viewer's ``USER#id`` partition, see ``docs/dynamodb.md``):

- ``FLAG#<photo_id>``: the viewer's ``favorite`` and ``archived``.
- ``TRASH#<trashed_at>#<photo_id>``: a trashed photo (the whole record), so the trash pages
  by a keyed query; in GSI2 under ``TRASHED`` by ``trashed_at`` (``0000...`` once its
  deletion started, so the expiry finds it first).
  A trashed photo leaves the timeline copy and the month counters (``_photo_ops``).
- ``TOMB#<sha256>``: the tombstone of the last photo with that content deleted for good.
- ``CHANGE#<time>#<photo_id>#<rand>``: the change feed (``feed``), written in the
  transaction of the change.

Every transition is a transaction guarded by the photo's version, retried on a race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from auroravault.errors import Unavailable
from auroravault.meta.base import EDITABLE_FIELDS, Flags, MonthCount, Photo, PhotoView, Usage
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
    _trash_sk,
    _user_key,
)
from auroravault.meta.dynamodb.photos import PhotoOps, _usage_counts
from auroravault.timeutil import to_iso

PAGE = 100


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
        return [p for p in photos if _passes(view, p, flags.get(p.id, Flags()))]

    async def month_counts(self, owner_id: str, view: PhotoView | None = None) -> list[MonthCount]:
        view = view or PhotoView(viewer_id=owner_id)
        counts: dict[str, int] = {}
        if view.favorite or view.archived == "only":
            # Only photos the viewer flagged can match: O(the viewer's flags), not O(photos).
            for photo, mark in await self._flagged(view.viewer_id, owner_id):
                if _passes(view, photo, mark):
                    counts[photo.sort_at[:7]] = counts.get(photo.sort_at[:7], 0) + 1
        elif view.media_type is not None:  # no index by type: the whole timeline (docs/dynamodb.md)
            for photo in await self.list_photos(owner_id, limit=10**9, after=None, descending=True, view=view):
                counts[photo.sort_at[:7]] = counts.get(photo.sort_at[:7], 0) + 1
        else:
            counts = {m.month: m.count for m in await super().month_counts(owner_id)}
            if view.archived == "exclude":  # the exact counters, less the viewer's archived photos
                for photo, mark in await self._flagged(view.viewer_id, owner_id):
                    if mark.archived:
                        counts[photo.sort_at[:7]] = counts.get(photo.sort_at[:7], 0) - 1
        return [MonthCount(month=m, count=c) for m, c in sorted(counts.items(), reverse=True) if c > 0]

    async def _flagged(self, viewer_id: str, owner_id: str) -> list[tuple[Photo, Flags]]:
        """The owner's listed photos the viewer has a favorite or archived mark on, with the marks."""
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{viewer_id}')} AND begins_with(SK, {e.v('FLAG#')})",
            ConsistentRead=True,
        )
        marks = {
            i["SK"]["S"].removeprefix("FLAG#"): Flags(
                favorite=i.get("favorite", {}).get("BOOL", False), archived=i.get("archived", {}).get("BOOL", False)
            )
            async for i in self._query(**query)
        }
        marks = {pid: m for pid, m in marks.items() if m.favorite or m.archived}
        photos = await self.get_photos(list(marks)) if marks else {}
        return [
            (p, marks[p.id])
            for p in photos.values()
            if p.owner_id == owner_id and p.status != "pending" and p.trashed_at is None
        ]

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
            **_trash_key(photo),
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
        return [i["id"]["S"] async for i in self._query(**query)]

    async def restore_photos(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[str]:
        done = []
        for photo_id in await self._trash_ids(owner_id, photo_ids):

            def decide(photo: Photo) -> tuple[Photo, list[dict[str, Any]]] | None:
                if photo.owner_id != owner_id or photo.trashed_at is None or photo.deleting_at is not None:
                    return None
                after = msgspec.structs.replace(photo, trashed_at=None, updated_at=now)
                return after, [{"Delete": self._delete(_trash_key(photo))}]

            if await self._change(photo_id, decide) is not None:
                done.append(photo_id)
        return done

    async def list_trash(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        # Trash entries sort by (trashed_at, id): newest first from the cursor, ``limit`` at a
        # time; entries being deleted (a moment, until their job ran) are read and skipped.
        high = _trash_sk(*after) if after is not None else "TRASH$"
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND SK BETWEEN {e.v('TRASH#')} AND {e.v(high)}",
            ScanIndexForward=False,
            ConsistentRead=True,
            Limit=limit + 1,
        )
        found: list[Photo] = []
        async for item in self._query(**query):
            if item["SK"]["S"] == high:
                continue
            photo = _record(Photo, item)
            if photo.deleting_at is None and photo.trashed_at is not None:
                found.append(photo)
                if len(found) == limit:
                    break
        return found

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
        ids = [i["id"]["S"] async for i in self._query(**query)][:limit]
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
            ops = self._photo_ops(photo, _version(item), None, usage=False) + await self._album_moves(photo, None)
            ops += [
                {"Delete": self._delete(_trash_key(photo))},
                {"Delete": self._delete(_flag_key(photo.owner_id, photo.id))},
                {"Put": self._put(tomb)},
            ]
            used = await self._used_bytes_op(photo.owner_id, -photo.size, _usage_counts(photo, None))
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
        # Counters on the profile, kept by ``_photo_ops`` in the transactions that change them.
        item = await self._get(_user_key(user_id))
        counters = item or {}
        return Usage(
            photo_count=int(counters.get("photo_count", {}).get("N", "0")),
            variant_bytes=int(counters.get("variant_bytes", {}).get("N", "0")),
        )


def _passes(view: PhotoView, photo: Photo, mark: Flags) -> bool:
    """Whether a listed photo with the viewer's ``mark`` is in ``view``."""
    if photo.motion_of is not None:  # a Live Photo's video: its still stands for it
        return False
    if view.favorite and not mark.favorite:
        return False
    if (view.archived == "exclude" and mark.archived) or (view.archived == "only" and not mark.archived):
        return False
    return view.media_type is None or photo.media_type == view.media_type
