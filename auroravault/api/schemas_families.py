"""The wire shapes of families (DESIGN.md "Families and sharing")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from auroravault.meta.family_records import Invite
from auroravault.services.families import FamilyEdit, FamilyMemberEdit, FamilyView, InvitePreview, MemberView

__all__ = ["FamilyEdit", "FamilyMemberEdit", "InvitePreview"]  # request bodies decoded with forbid_unknown_fields

Str = Annotated[str, Meta(max_length=1024)]


class FamilyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(max_length=200)]


class InviteCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Str
    role: Annotated[str, Meta(max_length=100)] = "member"


class JoinBody(msgspec.Struct, forbid_unknown_fields=True):
    token: Str


class MemberUserOut(msgspec.Struct, kw_only=True):
    id: str
    display_name: str
    email: str


class FamilyMemberOut(msgspec.Struct, kw_only=True):
    user: MemberUserOut
    role: str
    quota_bytes: int | None  # None: the account's own quota alone
    used_bytes: int
    joined_at: datetime

    @classmethod
    def of(cls, view: MemberView) -> FamilyMemberOut:
        user = view.user
        return cls(
            user=MemberUserOut(id=user.id, display_name=user.display_name, email=user.email),
            role=view.member.role,
            quota_bytes=view.member.quota_bytes,
            used_bytes=user.used_bytes,
            joined_at=view.member.joined_at,
        )


class InviteOut(msgspec.Struct, kw_only=True):
    id: str
    email: str
    role: str
    expires_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, invite: Invite) -> InviteOut:
        return cls(
            id=invite.id,
            email=invite.email,
            role=invite.role,
            expires_at=invite.expires_at,
            created_at=invite.created_at,
        )


class FamilyOut(msgspec.Struct, kw_only=True):
    id: str
    name: str
    owner_id: str
    role: str  # the caller's
    quota_bytes: int | None  # the pooled cap on the sum of used_bytes; None: none
    used_bytes: int
    members: list[FamilyMemberOut]
    invites: list[InviteOut]  # pending ones; the owner alone sees them (empty for members)
    created_at: datetime

    @classmethod
    def of(cls, view: FamilyView, viewer_id: str) -> FamilyOut:
        family = view.family
        return cls(
            id=family.id,
            name=family.name,
            owner_id=family.owner_id,
            role=next((m.member.role for m in view.members if m.user.id == viewer_id), "member"),
            quota_bytes=family.quota_bytes,
            used_bytes=view.used_bytes,
            members=[FamilyMemberOut.of(m) for m in view.members],
            invites=[InviteOut.of(i) for i in view.invites or []],
            created_at=family.created_at,
        )
