"""``FamilyStore``: families, their members and invitations (DESIGN.md "Families and sharing")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.family_records import Family, FamilyMember, Invite

#: Why an invitation token did not let its holder in (nothing changed).
JoinRefusal = Literal["invite_not_found", "invite_expired"]


@runtime_checkable
class FamilyStore(Protocol):
    """A user is in at most one family: every write that adds a member (``create_family``,
    ``join_family``) refuses, atomically, a user who already is in one, with
    ``Conflict('already_in_family')``. A family has at most one pending invitation per
    (lower-cased) email. Who may do what is the service's business, not the store's."""

    # -- families -----------------------------------------------------------------
    async def create_family(self, family: Family, owner: FamilyMember) -> None:
        """Insert the family and its owner's membership in one step."""
        ...

    async def get_family(self, family_id: str) -> Family | None: ...

    async def family_of(self, user_id: str) -> Family | None:
        """The family the user is in, or None."""
        ...

    async def update_family(self, family_id: str, changes: dict[str, Any], now: datetime) -> Family | None:
        """Set ``name`` and/or ``quota_bytes`` (None: no pooled cap); None when the family is gone."""
        ...

    async def delete_family(self, family_id: str) -> bool:
        """Delete the family, its memberships and invitations (never a user or a photo)."""
        ...

    # -- members ------------------------------------------------------------------
    async def family_member(self, user_id: str) -> FamilyMember | None:
        """The user's membership (in the one family they are in), or None."""
        ...

    async def family_members(self, family_id: str) -> list[FamilyMember]:
        """The family's members, by ``(joined_at, user_id)``."""
        ...

    async def update_member(self, family_id: str, user_id: str, changes: dict[str, Any]) -> FamilyMember | None:
        """Set ``role`` and/or ``quota_bytes``; None when the user is not a member of that family."""
        ...

    async def remove_member(self, family_id: str, user_id: str) -> bool:
        """End the user's membership of that family; False when there was none."""
        ...

    # -- invitations --------------------------------------------------------------
    async def create_invite(self, invite: Invite, now: datetime) -> None:
        """Insert; ``Conflict('already_invited')`` when the family has an invitation for the
        same email that has not expired at ``now`` (an expired one is replaced)."""
        ...

    async def get_invite(self, invite_id: str) -> Invite | None: ...

    async def find_invite(self, token_hash: str) -> Invite | None:
        """The invitation whose token has this hash (expired ones too), or None."""
        ...

    async def family_invites(self, family_id: str) -> list[Invite]:
        """Every stored invitation of the family (expired ones too), by ``(created_at, id)``."""
        ...

    async def delete_invite(self, family_id: str, invite_id: str) -> bool:
        """Revoke: its token stops working at once. False when the family has no such invitation."""
        ...

    async def set_invite_token(self, invite_id: str, token_hash: str) -> bool:
        """Give the invitation a (new) token hash; an earlier token stops working. False when
        the invitation is gone (revoked or used)."""
        ...

    async def join_family(self, token_hash: str, user_id: str, now: datetime) -> FamilyMember | JoinRefusal:
        """Use an invitation once: the user joins its family with its role and the invitation is
        deleted, in one step. ``invite_not_found`` for an unknown, used or revoked token (or a
        family that is gone), ``invite_expired`` past its ``expires_at``; of two racing calls
        with one token only one wins."""
        ...
