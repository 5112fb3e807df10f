"""Who may see and act on a photo or an album: the one place that decides (DESIGN.md "Who may
see what"). Every service asks here before it shows or changes a photo or an album, or signs a
URL for one; nothing else decides.

Photos. A user may see a photo (not pending, not being deleted) when

- ``owner``: they own it;
- ``album``: it is listed in an album they own or are a member of (any role);
- ``partner``: its owner partner-shares with them, and the owner has not archived it.

A trashed photo is visible to its owner alone, and only where the trash is asked for
(``trashed=True``: ``/trash``, its thumbnails, previews and original under ``/trash/{id}/``);
everywhere else, and to everyone else, it is ``photo_not_found``, exactly as for an id that
never existed. What a relation lets one do: every relation sees and downloads, and keeps its
own ``favorite``/``archived`` flags; only the ``owner`` trashes, restores, deletes, or edits
``taken_at``, ``location`` and ``description`` (others get 403 ``not_allowed``, see
``may_edit``).

Albums. A user's role in an album (``album_role`` / ``album``): ``owner``, or the role of
their ``AlbumMember`` row (``admin``, ``contributor``, ``viewer``); ``ALBUM_RIGHTS`` says
what each may do: viewers see and download; contributors also add and remove their own
photos; admins also remove anyone's, rename and describe, and manage members; the owner also
deletes the album and makes its share links. Everyone else is told ``album_not_found``; a
role that may see but not do is told 403 ``not_allowed``.

Nothing is cached across requests: each check reads the members and partner shares as they
are now, so removing a member or a partner cuts access on their very next request.

Which libraries the merged lists cover (``timeline_owners``): the viewer's own, and the
libraries shared with them by partners who are ``in_timeline`` (their photos, minus what the
owner archived: ``unarchived``). ``search_owners`` (places, the map, suggestions) covers the
viewer's own library only: those are aggregates the store counts per owner and cannot strip
of what a partner archived.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal, Protocol

from auroravault.errors import Forbidden, Gone, NotFound, Unauthorized
from auroravault.meta.base import Album, Photo, User
from auroravault.meta.family_records import ShareLink
from auroravault.meta.protocols import AlbumStore, LibraryStore, PhotoStore, SharingStore
from auroravault.meta.protocols.links import LinkedPhotos

Relation = Literal["owner", "album", "partner"]
AlbumRole = Literal["owner", "admin", "contributor", "viewer"]
AlbumAction = Literal["view", "edit", "delete", "add", "remove_any", "remove_own", "members", "links"]

#: What each album role may do (DESIGN.md "Families and sharing": album members).
ALBUM_RIGHTS: dict[AlbumRole, frozenset[AlbumAction]] = {
    "owner": frozenset({"view", "edit", "delete", "add", "remove_any", "remove_own", "members", "links"}),
    "admin": frozenset({"view", "edit", "add", "remove_any", "remove_own", "members"}),
    "contributor": frozenset({"view", "add", "remove_own"}),
    "viewer": frozenset({"view"}),
}


class AlbumAccess(AlbumStore, SharingStore, Protocol):
    """What the album rule reads: albums and their members."""


class PhotoAccess(PhotoStore, LibraryStore, AlbumStore, SharingStore, Protocol):
    """What the photo rule reads: photos, the owners' archive flags (partners), albums and
    their members, partner shares."""


def _not_found() -> NotFound:
    return NotFound("photo_not_found", "no such photo")


def _alive(photo: Photo | None) -> bool:
    return photo is not None and photo.status != "pending" and photo.deleting_at is None


def relation_to(user: User, photo: Photo | None, *, trashed: bool = False) -> Relation | None:
    """The owner relation to a photo already read (no store read), or None.

    ``trashed``: whether the caller asks about the trash (only there is a trashed photo
    visible, to its owner). A pending photo (no bytes yet) or one being deleted is nobody's.
    For any other relation ask ``relation`` / ``relations``.
    """
    if photo is None or not _alive(photo):
        return None
    if photo.owner_id != user.id:
        return None
    if (photo.trashed_at is not None) != trashed:
        return None
    return "owner"


def listable(user: User, photo: Photo, *, trashed: bool = False) -> bool:
    """Whether a photo of a listing the caller already checked (the viewer's own timeline, an
    album they may view, a partner's library shared with them) may show its URLs: alive, out
    of the trash (or, with ``trashed``, in its owner's trash and the viewer is the owner)."""
    if not _alive(photo):
        return False
    if trashed:
        return photo.trashed_at is not None and photo.owner_id == user.id
    return photo.trashed_at is None


async def relation(meta: PhotoAccess, user: User, photo_id: str, *, trashed: bool = False) -> tuple[Photo, Relation]:
    """The photo and the viewer's relation to it; ``NotFound('photo_not_found')`` otherwise."""
    seen, _ = await relations(meta, user, [photo_id], trashed=trashed)
    if photo_id not in seen:
        raise _not_found()
    return seen[photo_id]


async def relations(
    meta: PhotoAccess, user: User, photo_ids: list[str], *, trashed: bool = False
) -> tuple[dict[str, tuple[Photo, Relation]], list[str]]:
    """For a bulk call: the photos the viewer may see (by id) and the ids they may not."""
    ids = list(dict.fromkeys(photo_ids))
    photos = await meta.get_photos(ids)
    seen: dict[str, tuple[Photo, Relation]] = {}
    others: list[Photo] = []
    for photo_id in ids:
        photo = photos.get(photo_id)
        if photo is None or not _alive(photo):
            continue
        if photo.owner_id == user.id:
            if (photo.trashed_at is not None) == trashed:
                seen[photo_id] = (photo, "owner")
        elif not trashed and photo.trashed_at is None:
            others.append(photo)
    if others:
        granted = await _shared(meta, user, others)
        seen.update({p.id: (p, granted[p.id]) for p in others if p.id in granted})
    return {i: seen[i] for i in ids if i in seen}, [i for i in ids if i not in seen]


async def _shared(meta: PhotoAccess, user: User, photos: list[Photo]) -> dict[str, Relation]:
    """Which of other owners' (alive, untrashed) photos the viewer sees, and how."""
    granted: dict[str, Relation] = {}
    by_owner: dict[str, list[Photo]] = {}
    for photo in photos:
        by_owner.setdefault(photo.owner_id, []).append(photo)
    owners = list(by_owner)
    shares = await asyncio.gather(*(meta.get_partner(owner, user.id) for owner in owners))
    for owner, share in zip(owners, shares, strict=True):
        if share is not None:
            for photo in await unarchived(meta, owner, by_owner[owner]):
                granted[photo.id] = "partner"
    rest = [p.id for p in photos if p.id not in granted]
    if rest:
        shown = await visible_albums(meta, user, rest)
        granted.update({photo_id: "album" for photo_id in shown})
    return granted


async def unarchived(meta: LibraryStore, owner_id: str, photos: list[Photo]) -> list[Photo]:
    """The photos (all ``owner_id``'s) their owner has not archived: what a partner sees."""
    if not photos:
        return []
    flags = await meta.get_flags(owner_id, [p.id for p in photos])
    return [p for p in photos if not (p.id in flags and flags[p.id].archived)]


def may_edit(found: Relation) -> bool:
    """Trash, restore, delete and the corrections (``taken_at``, ``location``, ``description``)
    are the owner's; ``favorite``/``archived`` are every viewer's own."""
    return found == "owner"


async def timeline_owners(meta: SharingStore, user: User) -> list[str]:
    """Whose libraries a viewer's merged lists cover (``with_partners``, search, memories):
    their own, then each partner who shares with them and whom they keep ``in_timeline``."""
    shares = await meta.shared_with(user.id)
    return [user.id] + [s.owner_id for s in shares if s.in_timeline]


def search_owners(user: User) -> list[str]:
    """Whose libraries places, the map and suggestions count: the viewer's own."""
    return [user.id]


# -- albums -----------------------------------------------------------------------------------
def may(role: AlbumRole, action: AlbumAction) -> bool:
    return action in ALBUM_RIGHTS[role]


async def album_roles(meta: SharingStore, user_id: str, albums: list[Album]) -> dict[str, AlbumRole]:
    """The user's role in each of the given albums they may see (one store call for a page)."""
    roles: dict[str, AlbumRole] = {a.id: "owner" for a in albums if a.owner_id == user_id}
    others = [a.id for a in albums if a.owner_id != user_id]
    if others:
        roles.update(await meta.album_roles(user_id, others))
    return roles


async def album_role(meta: SharingStore, user: User, album: Album | None) -> AlbumRole | None:
    """The user's role in an album already read, or None when they may not see it."""
    if album is None:
        return None
    return (await album_roles(meta, user.id, [album])).get(album.id)


async def album(meta: AlbumAccess, user: User, album_id: str, action: AlbumAction = "view") -> tuple[Album, AlbumRole]:
    """The album and the user's role in it; ``album_not_found`` when they may not see it,
    ``not_allowed`` (403) when they may see it but not do ``action``."""
    return await album_as(meta, user.id, album_id, action)


async def album_as(
    meta: AlbumAccess, user_id: str, album_id: str, action: AlbumAction = "view"
) -> tuple[Album, AlbumRole]:
    """``album`` for a user known by id (a batch's owner, a job's subject)."""
    found = await meta.get_album(album_id)
    role = (await album_roles(meta, user_id, [found])).get(found.id) if found is not None else None
    if found is None or role is None:
        raise NotFound("album_not_found", "no such album")
    if not may(role, action):
        raise Forbidden("not_allowed", f"your role in this album ({role}) may not do this")
    return found, role


async def visible_albums(meta: AlbumAccess, user: User, photo_ids: list[str]) -> dict[str, list[str]]:
    """For each given photo, the ids of the albums holding it that the user may see."""
    if not photo_ids:
        return {}
    memberships = await meta.albums_of_photos(photo_ids)
    if not memberships:
        return {}
    albums = await meta.get_albums([a for ids in memberships.values() for a in ids])
    roles = await album_roles(meta, user.id, list(albums.values()))
    shown = {photo_id: [a for a in ids if a in roles] for photo_id, ids in memberships.items()}
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
