"""The meta store's records of families and sharing (issue 14): families, their members and
invitations, album members, partner shares and share links. The rules of the contract are in
``auroravault.meta.base``; ``services/access`` decides what each relation may see.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

# -- families (issue 14)
FamilyRole = Literal["owner", "member"]


class Family(msgspec.Struct, kw_only=True):
    """A group of accounts on one server (DESIGN.md "Families and sharing"): one owner,
    members, and an optional pooled quota on the sum of the members' ``used_bytes``."""

    id: str
    name: str
    owner_id: str
    quota_bytes: int | None = None  # None: no pooled cap
    created_at: datetime
    updated_at: datetime


class FamilyMember(msgspec.Struct, kw_only=True):
    """A user's place in their one family; ``quota_bytes`` None: the account's own quota alone."""

    family_id: str
    user_id: str
    role: FamilyRole
    quota_bytes: int | None = None
    joined_at: datetime


class Invite(msgspec.Struct, kw_only=True):
    """A pending invitation of ``email`` into a family. Its single-use token is minted when the
    invitation email is sent; only the token's hash is stored (None until then)."""

    id: str
    family_id: str
    email: str  # lower-cased
    role: FamilyRole
    invited_by: str
    created_at: datetime
    expires_at: datetime
    token_hash: str | None = None


# -- sharing (issue 14)
MemberRole = Literal["admin", "contributor", "viewer"]


class AlbumMember(msgspec.Struct, kw_only=True):
    """A user an album is shared with, and their role in it (the owner is never a member)."""

    album_id: str
    user_id: str
    role: MemberRole
    added_by: str
    added_at: datetime


class PartnerShare(msgspec.Struct, kw_only=True):
    """``owner_id`` shares their whole library (minus what they archived or trashed) with
    ``partner_id``, one way; ``in_timeline``: the partner's choice to merge it into theirs."""

    owner_id: str
    partner_id: str
    in_timeline: bool = False
    created_at: datetime


# -- links (issue 14)
LinkKind = Literal["album", "selection"]


class ShareLink(msgspec.Struct, kw_only=True):
    """A share link: whoever holds ``key`` sees an album's listed photos, or a selection of
    the owner's photos, without an account (DESIGN.md "Families and sharing"). ``album_id``
    set: an album link; else ``photo_ids`` is the selection. ``password_hash``: argon2id, or
    None for an open link. Deleting the link revokes it. ``services/access`` decides what a
    link opens; the store only keeps it."""

    id: str
    key: str  # >= 128 random bits, URL-safe; looked up by ``get_link_by_key``
    owner_id: str
    album_id: str | None = None
    photo_ids: list[str] = msgspec.field(default_factory=list)
    expires_at: datetime | None = None
    password_hash: str | None = None
    allow_download: bool = True
    allow_upload: bool = False
    show_metadata: bool = True
    created_at: datetime
    updated_at: datetime

    @property
    def kind(self) -> LinkKind:
        return "album" if self.album_id is not None else "selection"
