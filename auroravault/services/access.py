"""Who may see and act on a photo: the one place that decides (DESIGN.md "Who may see what").

Every service asks ``relation`` (one photo) or ``relations`` (many) before it shows or
changes a photo or signs a URL for it. Today the only relation is ``owner``: a photo's owner
sees it; everyone else is told ``photo_not_found``, exactly as for an id that never existed.
A trashed photo is visible to its owner alone, and only where the trash is asked for.

Albums, partners and share links join here later as further ``Relation`` values (an album
viewer, a partner who may not see what the owner archived or trashed, a link holder); the
services then decide per relation what it may do (``not_allowed`` for a viewer who may see
but not change).
"""

from __future__ import annotations

from typing import Literal

from auroravault.errors import NotFound
from auroravault.meta.base import MetaStore, Photo, User

Relation = Literal["owner"]


def _not_found() -> NotFound:
    return NotFound("photo_not_found", "no such photo")


def relation_to(user: User, photo: Photo | None, *, trashed: bool = False) -> Relation | None:
    """The viewer's relation to a photo already read, or None when they may not see it.

    ``trashed``: whether the caller asks about the trash (only there is a trashed photo
    visible, to its owner). A pending photo (no bytes yet) or one being deleted is nobody's.
    """
    if photo is None or photo.status == "pending" or photo.deleting_at is not None:
        return None
    if photo.owner_id != user.id:
        return None
    if (photo.trashed_at is not None) != trashed:
        return None
    return "owner"


async def relation(meta: MetaStore, user: User, photo_id: str, *, trashed: bool = False) -> tuple[Photo, Relation]:
    """The photo and the viewer's relation to it; ``NotFound('photo_not_found')`` otherwise."""
    photo = await meta.get_photo(photo_id)
    found = relation_to(user, photo, trashed=trashed)
    if photo is None or found is None:
        raise _not_found()
    return photo, found


async def relations(
    meta: MetaStore, user: User, photo_ids: list[str], *, trashed: bool = False
) -> tuple[dict[str, tuple[Photo, Relation]], list[str]]:
    """For a bulk call: the photos the viewer may see (by id) and the ids they may not."""
    ids = list(dict.fromkeys(photo_ids))
    photos = await meta.get_photos(ids)
    seen: dict[str, tuple[Photo, Relation]] = {}
    hidden: list[str] = []
    for photo_id in ids:
        photo = photos.get(photo_id)
        found = relation_to(user, photo, trashed=trashed)
        if photo is None or found is None:
            hidden.append(photo_id)
        else:
            seen[photo_id] = (photo, found)
    return seen, hidden


def search_owners(user: User) -> list[str]:
    """Whose whole library (trash excepted) a viewer's search, places, map and memories
    cover: today their own. Partners (what the owner archived or trashed excepted) and
    album members (their albums' photos) join here."""
    return [user.id]
