"""Families on DynamoDB: the ``FamilyStore`` methods of ``DynamoMetaStore``.

Items:

- ``FAMILY#<id>`` / ``FAMILY``: the Family.
- ``FAMILY#<id>`` / ``MEMBER#<user_id>``: a FamilyMember (a family's members are one query).
- ``USER#<user_id>`` / ``FAMILYOF``: ``family_id`` of the user's one family. Every write that
  adds a member puts it with ``attribute_not_exists(PK)`` in the same transaction as the
  ``MEMBER#`` item: that condition is the "one family per user" rule.
- ``FAMILY#<id>`` / ``INVITE#<email>``: the Invite. One per (family, email) by its key; a new
  one replaces it only once it expired (a condition on ``expires_at``).
- ``INVITE#<invite_id>`` / ``INVITE``: ``family_id`` and ``email`` of the invitation, to find it by id.
- ``INVITETOKEN#<token_hash>`` / ``INVITETOKEN``: ``invite_id``, ``family_id``, ``email``, once
  the invitation email minted a token; joining reads it, then deletes the invitation (guarded
  by its ``token_hash``) and its pointers in the transaction that adds the member.

Deleting a family is not one transaction (a family may outgrow 100 items): the family item
goes first, so every reader sees it gone, then its members, their ``FAMILYOF`` pointers and
its invitations follow in batch writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from auroravault.errors import Conflict, Unavailable
from auroravault.meta.dynamodb.client import TableClient, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record
from auroravault.meta.dynamodb.keys import _key
from auroravault.meta.family_records import Family, FamilyMember, Invite
from auroravault.meta.protocols.families import JoinRefusal
from auroravault.timeutil import to_iso

_FAMILY_FIELDS = frozenset({"name", "quota_bytes"})
_MEMBER_FIELDS = frozenset({"role", "quota_bytes"})


def _family_key(family_id: str) -> AttrMap:
    return _key(f"FAMILY#{family_id}", "FAMILY")


def _member_key(family_id: str, user_id: str) -> AttrMap:
    return _key(f"FAMILY#{family_id}", f"MEMBER#{user_id}")


def _family_of_key(user_id: str) -> AttrMap:
    return _key(f"USER#{user_id}", "FAMILYOF")


def _invite_key(family_id: str, email: str) -> AttrMap:
    return _key(f"FAMILY#{family_id}", f"INVITE#{email.lower()}")


def _invite_id_key(invite_id: str) -> AttrMap:
    return _key(f"INVITE#{invite_id}", "INVITE")


def _token_key(token_hash: str) -> AttrMap:
    return _key(f"INVITETOKEN#{token_hash}", "INVITETOKEN")


class FamilyOps(TableClient):
    """The family methods of ``DynamoMetaStore`` (see ``auroravault.meta.protocols.FamilyStore``)."""

    def _joins(self, member: FamilyMember) -> list[dict[str, Any]]:
        """The two puts that make ``member`` a member; the first fails for a user in a family."""
        pointer = {**_family_of_key(member.user_id), "family_id": {"S": member.family_id}}
        return [
            {"Put": self._put(pointer, "attribute_not_exists(PK)")},
            {"Put": self._put({**_item(member), **_member_key(member.family_id, member.user_id)})},
        ]

    async def _members_query(self, family_id: str, prefix: str) -> list[AttrMap]:
        e = _Expr()
        condition = f"PK = {e.v(f'FAMILY#{family_id}')}"
        if prefix:
            condition += f" AND begins_with(SK, {e.v(prefix)})"
        query = e.args(KeyConditionExpression=condition, ConsistentRead=True)
        return [item async for item in self._query(**query)]

    # -- families -------------------------------------------------------------------------
    async def create_family(self, family: Family, owner: FamilyMember) -> None:
        ops = [*self._joins(owner), {"Put": self._put({**_item(family), **_family_key(family.id)})}]
        try:
            await self._transact(ops)
        except _Canceled as exc:
            if exc.failed(0):
                raise Conflict("already_in_family", "this account is already in a family") from None
            raise Unavailable("meta_unavailable", f"create_family was cancelled: {exc}") from None

    async def get_family(self, family_id: str) -> Family | None:
        return await self._get_record(Family, _family_key(family_id))

    async def family_of(self, user_id: str) -> Family | None:
        pointer = await self._get(_family_of_key(user_id))
        return await self.get_family(pointer["family_id"]["S"]) if pointer else None

    async def update_family(self, family_id: str, changes: dict[str, Any], now: datetime) -> Family | None:
        unknown = set(changes) - _FAMILY_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        e = _Expr()
        op = self._update(_family_key(family_id), e.update({**changes, "updated_at": to_iso(now)}), e)
        op["ConditionExpression"] = "attribute_exists(PK)"
        try:
            out = await self._call("update_item", **op, ReturnValues="ALL_NEW")
        except _ConditionFailed:
            return None
        return _record(Family, out["Attributes"])

    async def delete_family(self, family_id: str) -> bool:
        try:
            await self._call("delete_item", **self._delete(_family_key(family_id), "attribute_exists(PK)"))
        except _ConditionFailed:
            return False
        items = await self._members_query(family_id, "")
        deletes: list[AttrMap] = []
        for item in items:
            deletes.append({"PK": item["PK"], "SK": item["SK"]})
            sk = item["SK"]["S"]
            if sk.startswith("MEMBER#"):
                deletes.append(_family_of_key(item["user_id"]["S"]))
            elif sk.startswith("INVITE#"):
                deletes += self._invite_pointers(_record(Invite, item))
        await self._batch_write(deletes=deletes)
        return True

    # -- members --------------------------------------------------------------------------
    async def family_member(self, user_id: str) -> FamilyMember | None:
        pointer = await self._get(_family_of_key(user_id))
        if pointer is None:
            return None
        return await self._get_record(FamilyMember, _member_key(pointer["family_id"]["S"], user_id))

    async def family_members(self, family_id: str) -> list[FamilyMember]:
        members = [_record(FamilyMember, i) for i in await self._members_query(family_id, "MEMBER#")]
        return sorted(members, key=lambda m: (to_iso(m.joined_at), m.user_id))

    async def update_member(self, family_id: str, user_id: str, changes: dict[str, Any]) -> FamilyMember | None:
        unknown = set(changes) - _MEMBER_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        if not changes:
            return await self._get_record(FamilyMember, _member_key(family_id, user_id))
        e = _Expr()
        op = self._update(_member_key(family_id, user_id), e.update(changes), e, "attribute_exists(PK)")
        try:
            out = await self._call("update_item", **op, ReturnValues="ALL_NEW")
        except _ConditionFailed:
            return None
        return _record(FamilyMember, out["Attributes"])

    async def remove_member(self, family_id: str, user_id: str) -> bool:
        e = _Expr()
        ops = [
            {"Delete": self._delete(_member_key(family_id, user_id), "attribute_exists(PK)")},
            {"Delete": self._delete(_family_of_key(user_id), f"{e.n('family_id')} = {e.v(family_id)}", e)},
        ]
        try:
            await self._transact(ops)
        except _Canceled:
            return False
        return True

    # -- invitations ----------------------------------------------------------------------
    @staticmethod
    def _invite_pointers(invite: Invite) -> list[AttrMap]:
        keys = [_invite_id_key(invite.id)]
        if invite.token_hash:
            keys.append(_token_key(invite.token_hash))
        return keys

    async def create_invite(self, invite: Invite, now: datetime) -> None:
        invite = msgspec.structs.replace(invite, email=invite.email.lower())
        key = _invite_key(invite.family_id, invite.email)
        old = await self._get(key)
        e = _Expr()
        if old is None:
            cond = "attribute_not_exists(PK)"
        else:  # expired (checked below by the condition): replaced, its pointers deleted
            cond = f"{e.n('id')} = {e.v(old['id']['S'])} AND {e.n('expires_at')} <= {e.v(to_iso(now))}"
        ops: list[dict[str, Any]] = [{"Put": self._put({**_item(invite), **key}, cond, e)}]
        if old is not None:
            ops += [{"Delete": self._delete(k)} for k in self._invite_pointers(_record(Invite, old))]
        pointer = {**_invite_id_key(invite.id), "family_id": {"S": invite.family_id}, "email": {"S": invite.email}}
        ops.append({"Put": self._put(pointer, "attribute_not_exists(PK)")})
        try:
            await self._transact(ops)
        except _Canceled as exc:
            if exc.failed(0):
                raise Conflict("already_invited", "this email already has a pending invitation") from None
            raise Unavailable("meta_unavailable", f"create_invite was cancelled: {exc}") from None

    async def _invite_item(self, invite_id: str) -> AttrMap | None:
        pointer = await self._get(_invite_id_key(invite_id))
        if pointer is None:
            return None
        item = await self._get(_invite_key(pointer["family_id"]["S"], pointer["email"]["S"]))
        return item if item is not None and item["id"]["S"] == invite_id else None

    async def get_invite(self, invite_id: str) -> Invite | None:
        item = await self._invite_item(invite_id)
        return _record(Invite, item) if item is not None else None

    async def find_invite(self, token_hash: str) -> Invite | None:
        pointer = await self._get(_token_key(token_hash))
        if pointer is None:
            return None
        item = await self._get(_invite_key(pointer["family_id"]["S"], pointer["email"]["S"]))
        if item is None or item.get("token_hash", {}).get("S") != token_hash:
            return None
        return _record(Invite, item)

    async def family_invites(self, family_id: str) -> list[Invite]:
        invites = [_record(Invite, i) for i in await self._members_query(family_id, "INVITE#")]
        return sorted(invites, key=lambda i: (to_iso(i.created_at), i.id))

    async def delete_invite(self, family_id: str, invite_id: str) -> bool:
        invite = await self.get_invite(invite_id)
        if invite is None or invite.family_id != family_id:
            return False
        e = _Expr()
        cond = f"{e.n('id')} = {e.v(invite_id)}"
        ops: list[dict[str, Any]] = [{"Delete": self._delete(_invite_key(family_id, invite.email), cond, e)}]
        ops += [{"Delete": self._delete(k)} for k in self._invite_pointers(invite)]
        try:
            await self._transact(ops)
        except _Canceled:
            return False  # used or revoked meanwhile
        return True

    async def set_invite_token(self, invite_id: str, token_hash: str) -> bool:
        invite = await self.get_invite(invite_id)
        if invite is None:
            return False
        e = _Expr()
        key = _invite_key(invite.family_id, invite.email)
        cond = f"{e.n('id')} = {e.v(invite_id)}"
        if invite.token_hash:
            cond += f" AND {e.n('token_hash')} = {e.v(invite.token_hash)}"
        else:
            cond += f" AND attribute_not_exists({e.n('token_hash')})"
        update = self._update(key, f"SET {e.n('token_hash')} = {e.v(token_hash)}", e, cond)
        pointer = {
            **_token_key(token_hash),
            "invite_id": {"S": invite_id},
            "family_id": {"S": invite.family_id},
            "email": {"S": invite.email},
        }
        ops: list[dict[str, Any]] = [{"Update": update}, {"Put": self._put(pointer)}]
        if invite.token_hash:
            ops.append({"Delete": self._delete(_token_key(invite.token_hash))})
        try:
            await self._transact(ops)
        except _Canceled:
            return False  # used, revoked or given another token meanwhile
        return True

    async def join_family(self, token_hash: str, user_id: str, now: datetime) -> FamilyMember | JoinRefusal:
        invite = await self.find_invite(token_hash)
        if invite is None:
            return "invite_not_found"
        if invite.expires_at <= now:
            return "invite_expired"
        member = FamilyMember(family_id=invite.family_id, user_id=user_id, role=invite.role, joined_at=now)
        e = _Expr()
        ops = [
            *self._joins(member),
            {
                "Delete": self._delete(
                    _invite_key(invite.family_id, invite.email), f"{e.n('token_hash')} = {e.v(token_hash)}", e
                )
            },
            {"ConditionCheck": {**self._delete(_family_key(invite.family_id), "attribute_exists(PK)")}},
            *({"Delete": self._delete(k)} for k in self._invite_pointers(invite)),
        ]
        try:
            await self._transact(ops)
        except _Canceled as exc:
            if exc.failed(0):
                raise Conflict("already_in_family", "this account is already in a family") from None
            if exc.failed(2) or exc.failed(3):
                return "invite_not_found"  # used by a racing call, revoked, or its family deleted
            raise Unavailable("meta_unavailable", f"join_family was cancelled: {exc}") from None
        return member
