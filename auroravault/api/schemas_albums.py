"""The wire shapes of albums (v1): an album as the caller sees it, pages of albums, and the
answers of adding and removing photos."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from auroravault.api.schemas import IdErrorOut
from auroravault.services.albums import AlbumView


class AlbumOwnerOut(msgspec.Struct, kw_only=True):
    id: str
    display_name: str


class AlbumMemberOut(msgspec.Struct, kw_only=True):
    user: AlbumOwnerOut
    role: Literal["admin", "contributor", "viewer"]


class AlbumOut(msgspec.Struct, kw_only=True):
    id: str
    name: str
    description: str | None
    owner: AlbumOwnerOut
    role: Literal["owner", "admin", "contributor", "viewer"]  # the caller's
    cover_photo_id: str | None  # the explicit cover while it is in the album, else the newest photo
    cover_thumb_url: str | None
    photo_count: int  # trashed photos are not counted (restored ones are again)
    start_at: datetime | None  # the earliest and latest photo time in the album
    end_at: datetime | None
    order: Literal["newest", "oldest"]
    created_at: datetime
    updated_at: datetime
    members: list[AlbumMemberOut]  # the people the album is shared with, oldest first
    shared: bool  # it has members

    @classmethod
    def of(cls, view: AlbumView) -> AlbumOut:
        album = view.album
        name = view.owner.display_name if view.owner else ""
        return cls(
            id=album.id,
            name=album.name,
            description=album.description,
            owner=AlbumOwnerOut(id=album.owner_id, display_name=name),
            role=view.role,
            cover_photo_id=view.cover_photo_id,
            cover_thumb_url=view.cover_thumb_url,
            photo_count=view.stats.photo_count,
            start_at=view.start_at,
            end_at=view.end_at,
            order=album.order,
            created_at=album.created_at,
            updated_at=album.updated_at,
            members=[
                AlbumMemberOut(user=AlbumOwnerOut(id=u.id, display_name=u.display_name), role=m.role)
                for m, u in view.members
            ],
            shared=bool(view.members),
        )


class AlbumCreatedOut(AlbumOut, kw_only=True):
    errors: list[IdErrorOut]  # photo_ids that were not added: photo_not_found


class AlbumPageOut(msgspec.Struct, kw_only=True):
    items: list[AlbumOut]
    next_cursor: str | None


class AlbumAddedOut(msgspec.Struct, kw_only=True):
    added: list[str]
    already: list[str]  # in the album before
    errors: list[IdErrorOut]


class AlbumRemovedOut(msgspec.Struct, kw_only=True):
    removed: list[str]
    errors: list[IdErrorOut]  # photo_not_found, not_in_album
