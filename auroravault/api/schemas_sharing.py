"""The wire shapes of album members and partner sharing (``api/sharing``).

The request bodies are the service's own structs (``services/sharing``), re-exported here so
the OpenAPI document marks them ``additionalProperties: false`` (``api/openapi``)."""

from __future__ import annotations

from typing import Literal

import msgspec

from auroravault.api.schemas_albums import AlbumOwnerOut
from auroravault.services.sharing import AlbumMemberAdd, AlbumMemberEdit, PartnerAdd, PartnerEdit

__all__ = [
    "AlbumMemberAdd",
    "AlbumMemberEdit",
    "AlbumPersonOut",
    "MembersOut",
    "PartnerAdd",
    "PartnerEdit",
    "PartnerOut",
    "PartnersOut",
    "SharedByMeOut",
]


class AlbumPersonOut(msgspec.Struct, kw_only=True):
    user: AlbumOwnerOut
    role: Literal["admin", "contributor", "viewer"]
    added_by: str


class MembersOut(msgspec.Struct, kw_only=True):
    members: list[AlbumPersonOut]


class PartnerOut(msgspec.Struct, kw_only=True):
    user: AlbumOwnerOut
    in_timeline: bool


class SharedByMeOut(msgspec.Struct, kw_only=True):
    user: AlbumOwnerOut


class PartnersOut(msgspec.Struct, kw_only=True):
    shared_with_me: list[PartnerOut]
    shared_by_me: list[SharedByMeOut]
