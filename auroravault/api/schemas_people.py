"""The wire shapes of people (``auroravault.api.people``, DESIGN.md "People, places and events")."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from auroravault.services.people import FaceView, PersonView

MAX_MERGE = 100


class PersonOut(msgspec.Struct, kw_only=True):
    id: str
    name: str | None
    face_count: int
    cover_photo_id: str | None
    cover_face_url: str | None
    hidden: bool

    @classmethod
    def of(cls, view: PersonView) -> PersonOut:
        url = f"/api/v1/people/{view.id}/face?f={view.cover_face_id}" if view.cover_face_id else None
        return cls(
            id=view.id,
            name=view.name,
            face_count=view.face_count,
            cover_photo_id=view.cover_photo_id,
            cover_face_url=url,
            hidden=view.hidden,
        )


class PersonEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str | msgspec.UnsetType | None = msgspec.UNSET
    hidden: bool | msgspec.UnsetType = msgspec.UNSET


class MergeIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ids: Annotated[list[str], Meta(min_length=1, max_length=MAX_MERGE)]


class QueuedOut(msgspec.Struct, kw_only=True):
    queued: int


class MovedOut(msgspec.Struct, kw_only=True):
    moved: int


__all__ = ["FaceView", "MergeIn", "MovedOut", "PersonEdit", "PersonOut", "QueuedOut"]
