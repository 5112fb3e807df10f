"""``PeopleStore``: faces found in photos and the people they are clustered into (issue 18).

The records live here, beside the protocol, so that the people feature stays in one place:
``Face`` (one box in one photo, with its embedding) and ``Person`` (a cluster of one owner's
faces, with the names, hides and merges users gave it). Which face belongs to whom is the
service's decision (``services/people``); the store keeps what it is told, atomically per call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import msgspec


class Face(msgspec.Struct, kw_only=True):
    id: str
    owner_id: str
    photo_id: str
    seq: int  # the box's place among the photo's faces
    box: list[float]  # [x, y, w, h], fractions of the displayed (oriented) image
    score: float
    embedding: list[float]
    person_id: str | None = None
    pinned: bool = False  # a user put it there (or took it out): re-clustering leaves it be
    created_at: datetime


class Person(msgspec.Struct, kw_only=True):
    id: str
    owner_id: str
    name: str | None = None
    hidden: bool = False
    cover_face_id: str | None = None
    # The mean embedding of the person's faces and how many it averages, kept by the service
    # so that filing a new face reads the people, not every face ([]: no face; None: not
    # computed yet, for people from before it was kept).
    centroid: list[float] | None = None
    centroid_faces: int = 0
    created_at: datetime
    updated_at: datetime


class FaceRef(msgspec.Struct, kw_only=True):
    """A face without its embedding (128 numbers, nine tenths of the record): what the people
    page, a person's photos and search by person need of every face."""

    id: str
    photo_id: str
    score: float
    person_id: str | None = None


PERSON_FIELDS = frozenset({"name", "hidden", "cover_face_id", "centroid", "centroid_faces"})


@runtime_checkable
class PeopleStore(Protocol):
    """Faces and people, always within one owner's library."""

    async def replace_photo_faces(self, owner_id: str, photo_id: str, faces: list[Face]) -> None:
        """The photo's faces become exactly ``faces`` (detection ran again: idempotent)."""
        ...

    async def photo_faces(self, owner_id: str, photo_id: str) -> list[Face]:
        """The photo's faces, by ``seq``."""
        ...

    async def owner_faces(self, owner_id: str) -> list[Face]:
        """Every face of the owner's photos (clustering reads them all)."""
        ...

    async def owner_face_refs(self, owner_id: str) -> list[FaceRef]:
        """Every face of the owner's photos without its embedding, in ``owner_faces``' order."""
        ...

    async def update_faces(self, faces: list[Face]) -> None:
        """Write back ``person_id`` and ``pinned`` of faces that still exist; gone ones are skipped."""
        ...

    async def put_person(self, person: Person) -> None:
        """Insert or replace the person."""
        ...

    async def get_person(self, owner_id: str, person_id: str) -> Person | None: ...

    async def list_people(self, owner_id: str) -> list[Person]:
        """The owner's people, oldest first by ``(created_at, id)``."""
        ...

    async def update_person(
        self, owner_id: str, person_id: str, changes: dict[str, Any], now: datetime
    ) -> Person | None:
        """Set any of ``PERSON_FIELDS`` (None clears) and ``updated_at``;
        None when the person is gone. Other fields: ``ValueError``."""
        ...

    async def delete_person(self, owner_id: str, person_id: str) -> bool:
        """Delete the person; False when gone. Its faces are the service's to reassign first."""
        ...
