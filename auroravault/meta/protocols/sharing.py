"""``SharingStore``: album members and partner shares (DESIGN.md "Families and sharing")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.family_records import AlbumMember, MemberRole, PartnerShare


@runtime_checkable
class SharingStore(Protocol):
    """Who an album is shared with (``AlbumMember``: a role per user) and who shares their
    library with whom (``PartnerShare``, one way). What a member or partner may see and do
    is not the store's business (``services/access``); the store keeps the rows exactly, so
    a removed member or partner is gone for the very next read. Deleting an album drops its
    members (``AlbumStore.delete_album``); an album's owner is never stored as a member."""

    # -- album members ---------------------------------------------------------------------
    async def add_album_member(self, member: AlbumMember) -> bool:
        """Insert the member; False (nothing changed) when the user is a member already."""
        ...

    async def update_album_member(self, album_id: str, user_id: str, role: MemberRole) -> AlbumMember | None:
        """Set the member's role; None when they are not a member."""
        ...

    async def remove_album_member(self, album_id: str, user_id: str) -> bool:
        """Drop the member; False when they were not one."""
        ...

    async def album_members(self, album_id: str) -> list[AlbumMember]:
        """The album's members, by ``(added_at, user_id)``."""
        ...

    async def member_albums(self, user_id: str, *, limit: int, after: tuple[str, str] | None) -> list[AlbumMember]:
        """The user's memberships, newest first by ``(added_at iso, album_id)``, strictly
        after the cursor (in that order)."""
        ...

    async def album_roles(self, user_id: str, album_ids: list[str]) -> dict[str, MemberRole]:
        """The user's role in each of the given albums they are a member of (one call per page)."""
        ...

    async def album_adds(self, album_id: str, since: datetime, until: datetime) -> dict[str, str]:
        """The album's listed photos added in ``[since, until)``: ``{photo_id: added_by}``
        (the hourly "new photos" digest counts them when it runs)."""
        ...

    # -- partners --------------------------------------------------------------------------
    async def add_partner(self, share: PartnerShare) -> bool:
        """Insert the share; False (nothing changed) when ``owner_id`` shares with ``partner_id`` already."""
        ...

    async def get_partner(self, owner_id: str, partner_id: str) -> PartnerShare | None: ...

    async def set_partner_timeline(self, owner_id: str, partner_id: str, in_timeline: bool) -> PartnerShare | None:
        """Set ``in_timeline``; None when there is no such share."""
        ...

    async def remove_partner(self, owner_id: str, partner_id: str) -> bool:
        """Drop the share; False when there was none."""
        ...

    async def shared_by(self, owner_id: str) -> list[PartnerShare]:
        """The shares ``owner_id`` made (``shared_by_me``), by ``(created_at, partner_id)``."""
        ...

    async def shared_with(self, partner_id: str) -> list[PartnerShare]:
        """The shares made to ``partner_id`` (``shared_with_me``), by ``(created_at, owner_id)``."""
        ...
