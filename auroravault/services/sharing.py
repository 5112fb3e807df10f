"""Album members and partner sharing (DESIGN.md "Families and sharing").

Rules:

- Album members: ``POST /albums/{id}/members {user_id | email, role}`` by the album's owner
  or an admin (``services/access``: action ``members``). A member is chosen among the
  caller's family by ``user_id``, or by the email of an existing account; an unknown email,
  or a ``user_id`` that is no account of the caller's family, is 404 ``user_not_found``.
  The owner cannot be a member (422 ``invalid_member``); a member twice is 409
  ``already_member``; a role other than ``admin | contributor | viewer`` is 422
  ``invalid_role``. Adding a member queues "X shared the album <name> with you" (when the
  member wants it: ``notify_album_shared``).
- ``PATCH /albums/{id}/members/{user_id} {role}`` (owner, admin); ``DELETE`` the same path
  (owner, admin; or a member leaving with their own id). Not a member: 404 ``member_not_found``.
- Partners: ``POST /partners {user_id}`` shares the caller's whole library (minus what they
  archived or trashed) with a member of their family, one way. Themselves: 422
  ``invalid_partner``; twice: 409 ``already_partner``; no such account in the family: 404
  ``user_not_found``. ``PATCH /partners/{user_id} {in_timeline}`` is the receiver's switch
  for a library shared with them; ``DELETE /partners/{user_id}`` ends a share, either the one
  the caller made to that user or, failing that, the one that user made to the caller.
  No such share: 404 ``partner_not_found``.
- Nothing here is cached: a removed member or partner loses access on their next request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, get_args

import msgspec

from auroravault.errors import Conflict, Invalid, NotFound
from auroravault.meta.base import Album, User
from auroravault.meta.family_records import AlbumMember, MemberRole, PartnerShare
from auroravault.meta.protocols import AccountStore, AlbumStore, FamilyStore, SharingStore
from auroravault.services import access
from auroravault.timeutil import utcnow

ROLES: tuple[str, ...] = get_args(MemberRole)
MemberAdded = Callable[[Album, User, User], Awaitable[None]]


class SharingMeta(AccountStore, AlbumStore, SharingStore, FamilyStore, Protocol):
    """What this service reads and writes: accounts (to find people), albums, members,
    partners, and families (whom one may choose by id)."""


async def same_family(meta: FamilyStore, a: str, b: str) -> bool:
    """Whether two accounts belong to one family (``FamilyStore.family_of``): partners and
    members chosen by id come from the caller's family; someone of another family, or of
    none, is ``user_not_found`` exactly as an id that does not exist."""
    mine = await meta.family_of(a)
    if mine is None:
        return False
    theirs = await meta.family_of(b)
    return theirs is not None and theirs.id == mine.id


class AlbumMemberAdd(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /albums/{id}/members``: one of ``user_id`` and ``email``, and the role."""

    role: str
    user_id: str | None = None
    email: str | None = None


class AlbumMemberEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    role: str


class PartnerAdd(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    user_id: str


class PartnerEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    in_timeline: bool


class Partners(msgspec.Struct, kw_only=True):
    shared_with_me: list[tuple[PartnerShare, User]]
    shared_by_me: list[tuple[PartnerShare, User]]


def _role(value: str) -> MemberRole:
    if value not in ROLES:
        raise Invalid("invalid_role", f"role is one of {', '.join(ROLES)}")
    role: MemberRole = value  # type: ignore[assignment]  # checked against the Literal's values
    return role


def _no_user() -> NotFound:
    return NotFound("user_not_found", "no such account")


class SharingService:
    def __init__(self, meta: SharingMeta, on_member_added: MemberAdded | None = None) -> None:
        self.meta = meta
        self.on_member_added = on_member_added  # queues "an album was shared with you"

    async def _family_member(self, user: User, user_id: str) -> User:
        found = await self.meta.get_user(user_id)
        if found is None or found.disabled or not await same_family(self.meta, user.id, found.id):
            raise _no_user()
        return found

    # -- album members -----------------------------------------------------------------------
    async def members(self, user: User, album_id: str) -> list[tuple[AlbumMember, User]]:
        album, _ = await access.album(self.meta, user, album_id)
        return await self._people(album)

    async def _people(self, album: Album) -> list[tuple[AlbumMember, User]]:
        found = []
        for member in await self.meta.album_members(album.id):
            person = await self.meta.get_user(member.user_id)
            if person is not None:
                found.append((member, person))
        return found

    async def add_member(self, user: User, album_id: str, body: AlbumMemberAdd) -> tuple[AlbumMember, User]:
        role = _role(body.role)
        if (body.user_id is None) == (body.email is None):
            raise Invalid("invalid_member", "give either user_id or email")
        album, _ = await access.album(self.meta, user, album_id, "members")
        if body.user_id is not None and body.user_id == album.owner_id:
            raise Invalid("invalid_member", "the album's owner cannot be one of its members")
        if body.user_id is not None:
            person = await self._family_member(user, body.user_id)
        else:
            email = (body.email or "").strip()
            found = await self.meta.get_user_by_email(email) if 0 < len(email) <= 320 else None
            if found is None or found.disabled:
                raise _no_user()
            person = found
        if person.id == album.owner_id:
            raise Invalid("invalid_member", "the album's owner cannot be one of its members")
        member = AlbumMember(album_id=album.id, user_id=person.id, role=role, added_by=user.id, added_at=utcnow())
        if not await self.meta.add_album_member(member):
            raise Conflict("already_member", "this person is a member of the album already")
        if self.on_member_added is not None:
            await self.on_member_added(album, user, person)
        return member, person

    async def set_role(
        self, user: User, album_id: str, member_id: str, body: AlbumMemberEdit
    ) -> tuple[AlbumMember, User]:
        role = _role(body.role)
        album, _ = await access.album(self.meta, user, album_id, "members")
        changed = await self.meta.update_album_member(album.id, member_id, role)
        person = await self.meta.get_user(member_id)
        if changed is None or person is None:
            raise NotFound("member_not_found", "this person is not a member of the album")
        return changed, person

    async def remove_member(self, user: User, album_id: str, member_id: str) -> None:
        """Owner and admins remove anyone; a member leaves with their own id."""
        album, _ = await access.album(self.meta, user, album_id, "view" if member_id == user.id else "members")
        if not await self.meta.remove_album_member(album.id, member_id):
            raise NotFound("member_not_found", "this person is not a member of the album")

    # -- partners ----------------------------------------------------------------------------
    async def add_partner(self, user: User, body: PartnerAdd) -> tuple[PartnerShare, User]:
        if body.user_id == user.id:
            raise Invalid("invalid_partner", "you cannot share your library with yourself")
        person = await self._family_member(user, body.user_id)
        share = PartnerShare(owner_id=user.id, partner_id=person.id, created_at=utcnow())
        if not await self.meta.add_partner(share):
            raise Conflict("already_partner", "you share your library with this person already")
        return share, person

    async def partners(self, user: User) -> Partners:
        async def people(
            shares: list[PartnerShare], other: Callable[[PartnerShare], str]
        ) -> list[tuple[PartnerShare, User]]:
            found = []
            for share in shares:
                person = await self.meta.get_user(other(share))
                if person is not None:
                    found.append((share, person))
            return found

        return Partners(
            shared_with_me=await people(await self.meta.shared_with(user.id), lambda s: s.owner_id),
            shared_by_me=await people(await self.meta.shared_by(user.id), lambda s: s.partner_id),
        )

    async def set_in_timeline(self, user: User, owner_id: str, body: PartnerEdit) -> tuple[PartnerShare, User]:
        """The receiver's switch: show ``owner_id``'s shared library in my timeline or not."""
        changed = await self.meta.set_partner_timeline(owner_id, user.id, body.in_timeline)
        person = await self.meta.get_user(owner_id)
        if changed is None or person is None:
            raise NotFound("partner_not_found", "this person does not share their library with you")
        return changed, person

    async def remove_partner(self, user: User, other_id: str) -> None:
        if await self.meta.remove_partner(user.id, other_id):
            return
        if not await self.meta.remove_partner(other_id, user.id):
            raise NotFound("partner_not_found", "no partner sharing between you and this person")
