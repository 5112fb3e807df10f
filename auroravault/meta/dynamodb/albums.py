"""Albums on DynamoDB: the ``AlbumStore`` methods of ``DynamoMetaStore``.

Items (see ``docs/dynamodb.md``):

- ``ALBUM#<id>`` / ``ALBUM``: the Album, with ``photo_count``: its *listed* photos (not
  pending, trashed or being deleted), kept exact by ``ADD`` in every transaction that
  changes a membership or a member photo's listed state.
- ``USER#<owner>`` / ``ALBUMREF#<created_at>#<id>``: the owner's albums by creation time
  (``album_id``, ``role``); album members get their own refs later (issue 14).
- ``ALBUM#<id>`` / ``AP#<sort_at>#<photo_id>``: a membership, in the photo's time order.
- ``PHOTO#<photo_id>`` / ``INALBUM#<album_id>``: the same membership seen from the photo
  (``sort_at`` names its ``AP#`` key), beside the photo's home record.

A membership write bumps the photo home record's version ``v`` in the same transaction, and
every photo transition is guarded by that version: so a trash racing an add never leaves an
album's count counting a trashed photo. A photo transition that changes whether the photo
is listed, or its ``sort_at``, or deletes it, carries its memberships' moves (``_album_moves``).
A membership change is a change of the photo (its ``albums``): a ``CHANGE#`` entry in the album
owner's feed, in the same transaction (after a deletion of the album, in the same batch writes).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from auroravault.errors import Unavailable
from auroravault.meta.base import Album, AlbumAdd, AlbumStats, Photo
from auroravault.meta.dynamodb.client import RETRIES, _backoff, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record, _version
from auroravault.meta.dynamodb.keys import _change_item, _key, _photo_key
from auroravault.meta.dynamodb.photos import PhotoOps
from auroravault.timeutil import to_iso, utcnow

PAGE = 100
PER_COMMIT = 24  # photos per add/remove transaction: 4 items each + the album's counter
_FIELDS = frozenset({"name", "description", "cover_photo_id", "order"})


def _album_key(album_id: str) -> AttrMap:
    return _key(f"ALBUM#{album_id}", "ALBUM")


def _ref_key(album: Album) -> AttrMap:
    return _key(f"USER#{album.owner_id}", f"ALBUMREF#{to_iso(album.created_at)}#{album.id}")


def _member_key(album_id: str, sort_at: str, photo_id: str) -> AttrMap:
    return _key(f"ALBUM#{album_id}", f"AP#{sort_at}#{photo_id}")


def _in_album_key(photo_id: str, album_id: str) -> AttrMap:
    return _key(f"PHOTO#{photo_id}", f"INALBUM#{album_id}")


def listed(photo: Photo | None) -> bool:
    return photo is not None and photo.status != "pending" and photo.trashed_at is None and photo.deleting_at is None


class AlbumOps(PhotoOps):
    # -- membership items ------------------------------------------------------------------
    def _bump(self, photo_id: str, version: int) -> dict[str, Any]:
        """Update the photo's version (guarded): any transition that read it before retries."""
        e = _Expr()
        cond = f"attribute_not_exists({e.n('v')})" if version == 0 else f"{e.n('v')} = {e.v(version)}"
        return {"Update": self._update(_photo_key(photo_id), f"SET {e.n('v')} = {e.v(version + 1)}", e, cond)}

    def _album_count(self, album_id: str, step: int) -> dict[str, Any]:
        e = _Expr()
        expr = f"ADD {e.n('photo_count')} {e.v(step)}"
        return {"Update": self._update(_album_key(album_id), expr, e, "attribute_exists(PK)")}

    def _join(self, album_id: str, photo: Photo, added_by: str, now: datetime) -> list[dict[str, Any]]:
        member = {
            **_member_key(album_id, photo.sort_at, photo.id),
            "photo_id": {"S": photo.id},
            "added_by": {"S": added_by},
            "added_at": {"S": to_iso(now)},
        }
        back = {**_in_album_key(photo.id, album_id), "album_id": {"S": album_id}, "sort_at": {"S": photo.sort_at}}
        return [{"Put": self._put(back, "attribute_not_exists(PK)")}, {"Put": self._put(member)}]

    async def _memberships(self, photo_id: str) -> list[AttrMap]:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'PHOTO#{photo_id}')} AND begins_with(SK, {e.v('INALBUM#')})",
            ConsistentRead=True,
        )
        return [item async for item in self._query(**query)]

    async def _album_moves(self, before: Photo, after: Photo | None) -> list[dict[str, Any]]:
        """The membership and counter ops of a photo transition (``after`` None: deleted)."""
        was, now = listed(before), listed(after)
        moved = after is not None and after.sort_at != before.sort_at
        if after is not None and was == now and not moved:
            return []
        refs = await self._memberships(before.id)
        if not refs:
            return []
        albums = await self.get_albums([r["album_id"]["S"] for r in refs])
        ops: list[dict[str, Any]] = []
        for ref in refs:
            album_id, sort_at = ref["album_id"]["S"], ref["sort_at"]["S"]
            if after is None or album_id not in albums:  # the photo or the album is gone
                ops += [
                    {"Delete": self._delete(_member_key(album_id, sort_at, before.id))},
                    {"Delete": self._delete(_in_album_key(before.id, album_id))},
                ]
                if was and album_id in albums:  # a listed photo left the album with its row
                    ops.append(self._album_count(album_id, -1))
                continue
            if moved:
                old = await self._get(_member_key(album_id, sort_at, before.id))
                kept = {k: v for k, v in (old or {}).items() if k not in ("PK", "SK")}
                kept.setdefault("photo_id", {"S": before.id})
                e = _Expr()
                ops += [
                    {"Delete": self._delete(_member_key(album_id, sort_at, before.id))},
                    {"Put": self._put({**kept, **_member_key(album_id, after.sort_at, before.id)})},
                    {
                        "Update": self._update(
                            _in_album_key(before.id, album_id), f"SET {e.n('sort_at')} = {e.v(after.sort_at)}", e
                        )
                    },
                ]
            if was != now:
                ops.append(self._album_count(album_id, 1 if now else -1))
        return ops

    # -- albums ------------------------------------------------------------------------------
    async def create_album(self, album: Album, photo_ids: list[str], now: datetime) -> AlbumAdd:
        home = {**_item(album), **_album_key(album.id), "photo_count": {"N": "0"}}
        ref = {**_ref_key(album), "album_id": {"S": album.id}, "role": {"S": "owner"}}
        await self._transact([{"Put": self._put(home, "attribute_not_exists(PK)")}, {"Put": self._put(ref)}])
        return await self.add_to_album(album.id, photo_ids, album.owner_id, now)

    async def get_album(self, album_id: str) -> Album | None:
        return await self._get_record(Album, _album_key(album_id))

    async def get_albums(self, album_ids: list[str]) -> dict[str, Album]:
        items = await self._batch_get([_album_key(i) for i in dict.fromkeys(album_ids)])
        return {a.id: a for a in (_record(Album, i) for i in items)}

    async def list_albums(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Album]:
        if limit <= 0:
            return []
        high = f"ALBUMREF#{after[0]}#{after[1]}" if after is not None else "ALBUMREF$"
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND SK BETWEEN {e.v('ALBUMREF#')} AND {e.v(high)}",
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        ids: list[str] = []
        async for item in self._query(**query):
            if item["SK"]["S"] == high:
                continue
            ids.append(item["album_id"]["S"])
            if len(ids) == limit:
                break
        albums = await self.get_albums(ids) if ids else {}
        return [albums[i] for i in ids if i in albums]

    async def update_album(self, album_id: str, changes: dict[str, Any], now: datetime) -> Album | None:
        unknown = set(changes) - _FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        e = _Expr()
        expr = e.update({**changes, "updated_at": to_iso(now)})
        op = self._update(_album_key(album_id), expr, e, "attribute_exists(PK)")
        try:
            out = await self._call("update_item", **op, ReturnValues="ALL_NEW")
        except _ConditionFailed:
            return None
        return _record(Album, out["Attributes"])

    async def delete_album(self, album_id: str) -> bool:
        item = await self._get(_album_key(album_id))
        if item is None:
            return False
        album = _record(Album, item)
        try:
            await self._transact(
                [
                    {"Delete": self._delete(_album_key(album_id), "attribute_exists(PK)")},
                    {"Delete": self._delete(_ref_key(album))},
                ]
            )
        except _Canceled:
            return False
        # The album is gone for every reader; its memberships follow (a photo transition that
        # meets one first drops it too, see ``_album_moves``).
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'ALBUM#{album_id}')} AND begins_with(SK, {e.v('AP#')})",
            ConsistentRead=True,
        )
        members = [item async for item in self._query(**query)]
        keys = [{"PK": m["PK"], "SK": m["SK"]} for m in members]
        keys += [_in_album_key(m["photo_id"]["S"], album_id) for m in members]
        changes = [_change_item(album.owner_id, m["photo_id"]["S"], utcnow()) for m in members]
        await self._batch_write(puts=changes, deletes=keys)
        return True

    # -- memberships -------------------------------------------------------------------------
    async def _photo_items(self, photo_ids: list[str]) -> dict[str, AttrMap]:
        items = await self._batch_get([_photo_key(i) for i in photo_ids])
        return {i["id"]["S"]: i for i in items}

    async def _in_album(self, album_id: str, photo_ids: list[str]) -> dict[str, AttrMap]:
        items = await self._batch_get([_in_album_key(i, album_id) for i in photo_ids])
        return {i["PK"]["S"].removeprefix("PHOTO#"): i for i in items}

    async def add_to_album(self, album_id: str, photo_ids: list[str], added_by: str, now: datetime) -> AlbumAdd:
        ids = list(dict.fromkeys(photo_ids))
        added: list[str] = []
        already: list[str] = []
        for start in range(0, len(ids), PER_COMMIT):
            chunk = ids[start : start + PER_COMMIT]
            for attempt in range(RETRIES):
                album = await self.get_album(album_id)
                if album is None:
                    return AlbumAdd(added=added, already=already)
                there = await self._in_album(album_id, chunk)
                photos = await self._photo_items([i for i in chunk if i not in there])
                new = [i for i in chunk if i in photos and listed(_record(Photo, photos[i]))]
                ops: list[dict[str, Any]] = []
                for photo_id in new:
                    item = photos[photo_id]
                    ops += self._join(album_id, _record(Photo, item), added_by, now)
                    ops.append(self._bump(photo_id, _version(item)))
                    ops.append({"Put": self._put(_change_item(album.owner_id, photo_id, utcnow()))})
                if new:
                    ops.append(self._album_count(album_id, len(new)))
                    try:
                        await self._transact(ops)
                    except _Canceled:
                        await _backoff(attempt)
                        continue
                added += new
                already += [i for i in chunk if i in there]
                break
            else:
                raise Unavailable("meta_unavailable", "album is too contended; try again")
        return AlbumAdd(added=added, already=already)

    async def remove_from_album(self, album_id: str, photo_ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(photo_ids))
        removed: list[str] = []
        for start in range(0, len(ids), PER_COMMIT):
            chunk = ids[start : start + PER_COMMIT]
            for attempt in range(RETRIES):
                there = await self._in_album(album_id, chunk)
                if not there:
                    break
                album = await self.get_album(album_id)
                photos = await self._photo_items(list(there))
                ops: list[dict[str, Any]] = []
                counted = 0
                for photo_id, ref in there.items():
                    ops += [
                        {"Delete": self._delete(_in_album_key(photo_id, album_id), "attribute_exists(PK)")},
                        {"Delete": self._delete(_member_key(album_id, ref["sort_at"]["S"], photo_id))},
                    ]
                    item = photos.get(photo_id)
                    if item is not None:
                        ops.append(self._bump(photo_id, _version(item)))
                        counted += listed(_record(Photo, item))
                    if album is not None:
                        ops.append({"Put": self._put(_change_item(album.owner_id, photo_id, utcnow()))})
                if counted and album is not None:
                    ops.append(self._album_count(album_id, -counted))
                try:
                    await self._transact(ops)
                except _Canceled:
                    await _backoff(attempt)
                    continue
                removed += [i for i in chunk if i in there]
                break
            else:
                raise Unavailable("meta_unavailable", "album is too contended; try again")
        return removed

    # -- reads -------------------------------------------------------------------------------
    async def album_photos(
        self, album_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool
    ) -> list[Photo]:
        found: list[Photo] = []
        cursor = f"AP#{after[0]}#{after[1]}" if after is not None else None
        low, high = "AP#", "AP$"
        if cursor is not None:
            low, high = (low, cursor) if descending else (cursor, high)
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'ALBUM#{album_id}')} AND SK BETWEEN {e.v(low)} AND {e.v(high)}",
            ScanIndexForward=not descending,
            ConsistentRead=True,
            Limit=PAGE,
        )
        page: list[str] = []

        async def flush() -> None:
            photos = {
                p.id: p for p in (_record(Photo, i) for i in await self._batch_get([_photo_key(i) for i in page]))
            }
            found.extend(p for p in (photos.get(i) for i in page) if p is not None and listed(p))
            page.clear()

        async for item in self._query(**query):
            if item["SK"]["S"] == cursor:
                continue
            page.append(item["photo_id"]["S"])
            if len(page) == PAGE:
                await flush()
                if len(found) >= limit:
                    break
        if page and len(found) < limit:
            await flush()
        return found[:limit]

    async def album_stats(self, album_ids: list[str]) -> dict[str, AlbumStats]:
        items = await self._batch_get([_album_key(i) for i in dict.fromkeys(album_ids)])

        async def one(item: AttrMap) -> tuple[str, AlbumStats]:
            album_id = item["id"]["S"]
            count = int(item.get("photo_count", {}).get("N", "0"))
            if count <= 0:
                return album_id, AlbumStats()
            first, last = await asyncio.gather(
                self.album_photos(album_id, limit=1, after=None, descending=False),
                self.album_photos(album_id, limit=1, after=None, descending=True),
            )
            return album_id, AlbumStats(
                photo_count=count,
                start_at=first[0].sort_at if first else None,
                end_at=last[0].sort_at if last else None,
                newest_photo_id=last[0].id if last else None,
            )

        return dict(await asyncio.gather(*(one(i) for i in items)))

    async def albums_of_photos(self, photo_ids: list[str]) -> dict[str, list[str]]:
        ids = list(dict.fromkeys(photo_ids))
        refs = await asyncio.gather(*(self._memberships(i) for i in ids))
        return {
            photo_id: sorted(r["album_id"]["S"] for r in found)
            for photo_id, found in zip(ids, refs, strict=True)
            if found
        }
