"""Album members and partner shares on DynamoDB: the ``SharingStore`` methods of ``DynamoMetaStore``.

Items (see ``docs/dynamodb.md``):

- ``ALBUM#<album>`` / ``MEMBER#<user>``: the AlbumMember, in its album's partition (the
  album's members are one query; a role is one get).
- ``USER#<user>`` / ``MEMBEROF#<added_at>#<album>``: the same membership from the member's
  side (``album_id``, ``role``), so the albums shared with a user page newest first by one
  keyed query. Both items are written and deleted in one transaction.
- ``USER#<owner>`` / ``PARTNER#<partner>``: a PartnerShare, on the sharer's side
  (``shared_by``; ``get_partner`` is one get).
- ``USER#<partner>`` / ``PARTNEROF#<owner>``: the same share on the partner's side
  (``shared_with``); both items change in one transaction.

Deleting an album (``delete_album``, here extended) drops its members after the album: a
member item whose album is gone names nothing (``get_albums`` skips it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auroravault.meta.base import Photo
from auroravault.meta.dynamodb.albums import AlbumOps, listed
from auroravault.meta.dynamodb.client import _Canceled
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record
from auroravault.meta.dynamodb.keys import _key
from auroravault.meta.family_records import AlbumMember, MemberRole, PartnerShare
from auroravault.timeutil import to_iso


def _album_member_key(album_id: str, user_id: str) -> AttrMap:
    return _key(f"ALBUM#{album_id}", f"MEMBER#{user_id}")


def _member_of_key(member: AlbumMember) -> AttrMap:
    return _key(f"USER#{member.user_id}", f"MEMBEROF#{to_iso(member.added_at)}#{member.album_id}")


def _partner_key(owner_id: str, partner_id: str) -> AttrMap:
    return _key(f"USER#{owner_id}", f"PARTNER#{partner_id}")


def _partner_of_key(owner_id: str, partner_id: str) -> AttrMap:
    return _key(f"USER#{partner_id}", f"PARTNEROF#{owner_id}")


class SharingOps(AlbumOps):
    """The sharing methods of ``DynamoMetaStore`` (see ``auroravault.meta.protocols.SharingStore``)."""

    # -- album members ---------------------------------------------------------------------
    def _member_items(self, member: AlbumMember) -> tuple[AttrMap, AttrMap]:
        home = {**_item(member), **_album_member_key(member.album_id, member.user_id)}
        ref = {**_member_of_key(member), "album_id": {"S": member.album_id}, "role": {"S": member.role}}
        return home, ref

    async def add_album_member(self, member: AlbumMember) -> bool:
        home, ref = self._member_items(member)
        try:
            await self._transact([{"Put": self._put(home, "attribute_not_exists(PK)")}, {"Put": self._put(ref)}])
        except _Canceled:
            return False
        return True

    async def _get_member(self, album_id: str, user_id: str) -> AlbumMember | None:
        return await self._get_record(AlbumMember, _album_member_key(album_id, user_id))

    async def update_album_member(self, album_id: str, user_id: str, role: MemberRole) -> AlbumMember | None:
        for _ in range(3):
            member = await self._get_member(album_id, user_id)
            if member is None:
                return None
            changed = AlbumMember(
                album_id=member.album_id,
                user_id=member.user_id,
                role=role,
                added_by=member.added_by,
                added_at=member.added_at,
            )
            home, ref = self._member_items(changed)
            e = _Expr()
            try:
                await self._transact(
                    [
                        {"Put": self._put(home, f"{e.n('added_at')} = {e.v(to_iso(member.added_at))}", e)},
                        {"Put": self._put(ref)},
                    ]
                )
            except _Canceled:
                continue  # removed (or removed and added again) meanwhile: read again
            return changed
        return None

    async def remove_album_member(self, album_id: str, user_id: str) -> bool:
        member = await self._get_member(album_id, user_id)
        if member is None:
            return False
        try:
            await self._transact(
                [
                    {"Delete": self._delete(_album_member_key(album_id, user_id), "attribute_exists(PK)")},
                    {"Delete": self._delete(_member_of_key(member))},
                ]
            )
        except _Canceled:
            return False
        return True

    async def album_members(self, album_id: str) -> list[AlbumMember]:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'ALBUM#{album_id}')} AND begins_with(SK, {e.v('MEMBER#')})",
            ConsistentRead=True,
        )
        members = [_record(AlbumMember, item) async for item in self._query(**query)]
        return sorted(members, key=lambda m: (to_iso(m.added_at), m.user_id))

    async def member_albums(self, user_id: str, *, limit: int, after: tuple[str, str] | None) -> list[AlbumMember]:
        if limit <= 0:
            return []
        high = f"MEMBEROF#{after[0]}#{after[1]}" if after is not None else "MEMBEROF$"
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{user_id}')} AND SK BETWEEN {e.v('MEMBEROF#')} AND {e.v(high)}",
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        refs: list[str] = []
        async for item in self._query(**query):
            if item["SK"]["S"] == high:
                continue
            refs.append(item["album_id"]["S"])
            if len(refs) == limit:
                break
        if not refs:
            return []
        items = await self._batch_get([_album_member_key(a, user_id) for a in refs])
        found = {m.album_id: m for m in (_record(AlbumMember, i) for i in items)}
        return [found[a] for a in refs if a in found]

    async def album_roles(self, user_id: str, album_ids: list[str]) -> dict[str, MemberRole]:
        ids = list(dict.fromkeys(album_ids))
        if not ids:
            return {}
        items = await self._batch_get([_album_member_key(a, user_id) for a in ids])
        return {m.album_id: m.role for m in (_record(AlbumMember, i) for i in items)}

    async def delete_album(self, album_id: str) -> bool:
        if not await super().delete_album(album_id):
            return False
        members = await self.album_members(album_id)
        keys = [_album_member_key(album_id, m.user_id) for m in members] + [_member_of_key(m) for m in members]
        await self._batch_write(deletes=keys)
        return True

    async def album_adds(self, album_id: str, since: datetime, until: datetime) -> dict[str, str]:
        """One query of the album's memberships (the digest runs once an hour per busy album)."""
        low, high = to_iso(since), to_iso(until)
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'ALBUM#{album_id}')} AND begins_with(SK, {e.v('AP#')})",
            ConsistentRead=True,
        )
        added = {
            item["photo_id"]["S"]: item["added_by"]["S"]
            async for item in self._query(**query)
            if low <= item.get("added_at", {}).get("S", "") < high
        }
        if not added:
            return {}
        photos = await self._photo_items(list(added))
        return {i: by for i, by in added.items() if i in photos and listed(_record(Photo, photos[i]))}

    # -- partners --------------------------------------------------------------------------
    def _partner_ops(self, share: PartnerShare, cond: str | None) -> list[dict[str, Any]]:
        mine = {**_item(share), **_partner_key(share.owner_id, share.partner_id)}
        theirs = {**_item(share), **_partner_of_key(share.owner_id, share.partner_id)}
        return [{"Put": self._put(mine, cond)}, {"Put": self._put(theirs)}]

    async def add_partner(self, share: PartnerShare) -> bool:
        try:
            await self._transact(self._partner_ops(share, "attribute_not_exists(PK)"))
        except _Canceled:
            return False
        return True

    async def get_partner(self, owner_id: str, partner_id: str) -> PartnerShare | None:
        return await self._get_record(PartnerShare, _partner_key(owner_id, partner_id))

    async def set_partner_timeline(self, owner_id: str, partner_id: str, in_timeline: bool) -> PartnerShare | None:
        share = await self.get_partner(owner_id, partner_id)
        if share is None:
            return None
        changed = PartnerShare(
            owner_id=owner_id, partner_id=partner_id, in_timeline=in_timeline, created_at=share.created_at
        )
        try:
            await self._transact(self._partner_ops(changed, "attribute_exists(PK)"))
        except _Canceled:
            return None
        return changed

    async def remove_partner(self, owner_id: str, partner_id: str) -> bool:
        try:
            await self._transact(
                [
                    {"Delete": self._delete(_partner_key(owner_id, partner_id), "attribute_exists(PK)")},
                    {"Delete": self._delete(_partner_of_key(owner_id, partner_id))},
                ]
            )
        except _Canceled:
            return False
        return True

    async def _shares(self, user_id: str, prefix: str) -> list[PartnerShare]:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{user_id}')} AND begins_with(SK, {e.v(prefix)})",
            ConsistentRead=True,
        )
        return [_record(PartnerShare, item) async for item in self._query(**query)]

    async def shared_by(self, owner_id: str) -> list[PartnerShare]:
        shares = await self._shares(owner_id, "PARTNER#")
        return sorted(shares, key=lambda s: (to_iso(s.created_at), s.partner_id))

    async def shared_with(self, partner_id: str) -> list[PartnerShare]:
        shares = await self._shares(partner_id, "PARTNEROF#")
        return sorted(shares, key=lambda s: (to_iso(s.created_at), s.owner_id))
