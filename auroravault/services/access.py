"""Who may see and act on a photo: the one place that decides (DESIGN.md "Who may see what").

Every service asks ``relation`` (one photo) or ``relations`` (many) before it shows or
changes a photo or signs a URL for it. Today the only relation is ``owner``: a photo's owner
sees it; everyone else is told ``photo_not_found``, exactly as for an id that never existed.
A trashed photo is visible to its owner alone, and only where the trash is asked for
(``trashed=True``: ``/trash``, its thumbnails, previews and original under ``/trash/{id}/``);
everywhere else, and to everyone else, it is ``photo_not_found``. The services ask here
before they sign a URL of a trashed photo too.

Albums: a user may see an album they own (``album_role``); album members and their roles
(``admin``, ``contributor``, ``viewer``) join here with issue 14, and ``may`` says what each
role may do (``not_allowed`` for a role that may see but not do). Everyone else is told
``album_not_found``. The photos in an album are seen per the photo rule above.

Partners and share links join later as further ``Relation`` values (a partner who may not
see what the owner archived or trashed, a link holder); the services then decide per
relation what it may do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from auroravault.errors import Forbidden, Gone, NotFound, Unauthorized
from auroravault.meta.base import Album, Photo, ShareLink, User
from auroravault.meta.protocols import AlbumStore, PhotoStore
from auroravault.meta.protocols.links import LinkedPhotos

Relation = Literal["owner"]
AlbumRole = Literal["owner", "admin", "contributor", "viewer"]
AlbumAction = Literal["view", "edit", "delete", "add", "remove_any", "remove_own"]

#: What each album role may do (DESIGN.md "Families and sharing": album members).
ALBUM_RIGHTS: dict[AlbumRole, frozenset[AlbumAction]] = {
    "owner": frozenset({"view", "edit", "delete", "add", "remove_any", "remove_own"}),
    "admin": frozenset({"view", "edit", "add", "remove_any", "remove_own"}),
    "contributor": frozenset({"view", "add", "remove_own"}),
    "viewer": frozenset({"view"}),
}


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


async def relation(meta: PhotoStore, user: User, photo_id: str, *, trashed: bool = False) -> tuple[Photo, Relation]:
    """The photo and the viewer's relation to it; ``NotFound('photo_not_found')`` otherwise."""
    photo = await meta.get_photo(photo_id)
    found = relation_to(user, photo, trashed=trashed)
    if photo is None or found is None:
        raise _not_found()
    return photo, found


async def relations(
    meta: PhotoStore, user: User, photo_ids: list[str], *, trashed: bool = False
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


# -- albums -----------------------------------------------------------------------------------
def album_role(user: User, album: Album | None) -> AlbumRole | None:
    """The user's role in an album already read, or None when they may not see it."""
    return _album_role(user.id, album)


def _album_role(user_id: str, album: Album | None) -> AlbumRole | None:
    if album is None:
        return None
    if album.owner_id == user_id:
        return "owner"
    return None  # album members: issue 14


def may(role: AlbumRole, action: AlbumAction) -> bool:
    return action in ALBUM_RIGHTS[role]


async def album(meta: AlbumStore, user: User, album_id: str, action: AlbumAction = "view") -> tuple[Album, AlbumRole]:
    """The album and the user's role in it; ``album_not_found`` when they may not see it,
    ``not_allowed`` (403) when they may see it but not do ``action``."""
    return await album_as(meta, user.id, album_id, action)


async def album_as(
    meta: AlbumStore, user_id: str, album_id: str, action: AlbumAction = "view"
) -> tuple[Album, AlbumRole]:
    """``album`` for a user known by id (a batch's owner, a job's subject)."""
    found = await meta.get_album(album_id)
    role = _album_role(user_id, found)
    if found is None or role is None:
        raise NotFound("album_not_found", "no such album")
    if not may(role, action):
        raise Forbidden("not_allowed", f"your role in this album ({role}) may not do this")
    return found, role


async def visible_albums(meta: AlbumStore, user: User, photo_ids: list[str]) -> dict[str, list[str]]:
    """For each given photo, the ids of the albums holding it that the user may see."""
    if not photo_ids:
        return {}
    memberships = await meta.albums_of_photos(photo_ids)
    if not memberships:
        return {}
    albums = await meta.get_albums([a for ids in memberships.values() for a in ids])
    shown = {
        photo_id: [a for a in ids if album_role(user, albums.get(a)) is not None]
        for photo_id, ids in memberships.items()
    }
    return {photo_id: ids for photo_id, ids in shown.items() if ids}


# -- share links ----------------------------------------------------------------------------
# Whoever holds a link's key is a *link visitor*: no account, and nothing but what the link
# covers. A link opens when it exists (revoking deletes it), has not expired and, with a
# password, was unlocked (``link_tokens``); then it covers its album's listed photos (an album
# link) or the listed photos of its selection still its owner's (a selection link). Any other
# photo is ``photo_not_found``, exactly as for an id that never existed; a trashed photo leaves
# the link at once. What a visitor may do beyond looking is the link's options.
LinkAction = Literal["original", "upload"]


def _link_not_found() -> NotFound:
    return NotFound("link_not_found", "no such link")


def open_link(link: ShareLink | None, now: datetime, *, unlocked: bool) -> ShareLink:
    """The link if it may be used now. Unknown or revoked: 404 ``link_not_found``; expired:
    410 ``link_expired``; a password link not unlocked: 401 ``link_locked``."""
    if link is None:
        raise _link_not_found()
    if link.expires_at is not None and link.expires_at <= now:
        raise Gone("link_expired", "this link has expired")
    if link.password_hash is not None and not unlocked:
        raise Unauthorized("link_locked", "this link has a password: unlock it and send X-Link-Token")
    return link


def link_shows(link: ShareLink, photo: Photo | None, albums_of_photo: list[str]) -> bool:
    """Whether an open link covers a photo already read (``albums_of_photo``: the albums holding it)."""
    if photo is None or photo.status == "pending" or photo.trashed_at is not None or photo.deleting_at is not None:
        return False
    if link.album_id is not None:
        return link.album_id in albums_of_photo
    return photo.id in link.photo_ids and photo.owner_id == link.owner_id


async def link_photo(meta: LinkedPhotos, link: ShareLink, photo_id: str) -> Photo:
    """A photo the open link covers; ``photo_not_found`` otherwise."""
    photo = await meta.get_photo(photo_id)
    albums = (await meta.albums_of_photos([photo_id])).get(photo_id, []) if link.album_id is not None else []
    if photo is None or not link_shows(link, photo, albums):
        raise _not_found()
    return photo


def link_may(link: ShareLink, action: LinkAction) -> bool:
    """What an open link lets its visitor do beyond looking at what it covers."""
    if action == "original":
        # The original carries the file's own EXIF/XMP/GPS: only where the link shows metadata.
        return link.allow_download and link.show_metadata
    return link.allow_upload and link.album_id is not None
