"""Albums: create, list, show, rename and describe, cover and order, add and remove photos
in bulk, the album's own photo page, delete (DESIGN.md "Albums").

Rules:

- Who may see an album, and what their role lets them do, is ``services/access``'s
  decision: the owner, and the album's members (``admin``, ``contributor``, ``viewer``;
  managed by ``services/sharing``). Every answer carries the members and ``shared`` (it has
  any). An album the caller may not see is ``album_not_found`` (404), exactly as one that
  never existed; a role that may not do what is asked is 403 ``not_allowed``.
- ``GET /albums?filter=``: ``owned``, ``shared`` (albums the caller is a member of, newest
  joined first) or ``all`` (both, merged by the time the caller got them: the album's
  creation for their own, the day they were added for a shared one), one keyset cursor.
- Photos added to an album are the adder's own (``not_allowed`` for a photo they may see
  but do not own); a contributor removes their own photos only (``not_allowed`` for others).
- A name has 1 to ``MAX_NAME`` characters after trimming and no control characters; a
  description up to ``MAX_DESCRIPTION`` (newlines and tabs allowed): else 422
  ``invalid_album_name`` / ``invalid_description``.
- Adds and removes take 1 to ``MAX_IDS`` ids (``too_many_ids`` beyond, nothing done) and
  answer per id: a photo the caller may not see is ``photo_not_found`` and left alone; one
  not in the album (remove) is ``not_in_album``.
- An album shows its *listed* photos: trashed ones leave it (and its count and dates) and
  come back when restored; archived ones stay. Deleting an album never deletes a photo.
- The cover is ``cover_photo_id`` while that photo is listed in the album, else the newest
  photo in it; the cover must be a photo in the album (``invalid_cover``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Literal, Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Invalid, NotFound
from auroravault.ids import new_id
from auroravault.meta.base import Album, AlbumOrder, AlbumStats, Photo, User
from auroravault.meta.family_records import AlbumMember
from auroravault.meta.protocols import AccountStore, AlbumStore, LibraryStore, PhotoStore, SharingStore
from auroravault.services import access
from auroravault.services.library import IdError, check_ids, not_found
from auroravault.services.photos import PhotoPage, PhotoService, decode_cursor, decode_pair, encode_pair
from auroravault.storage.base import BlobStore, thumb_key
from auroravault.textcheck import checked_description, has_control_chars
from auroravault.timeutil import from_iso, to_iso, utcnow

MAX_NAME = 200
MAX_PAGE = 200
AlbumFilter = Literal["owned", "shared", "all"]


class AlbumMeta(AccountStore, PhotoStore, LibraryStore, AlbumStore, SharingStore, Protocol):
    """What this service reads and writes."""


class AlbumCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /albums``."""

    name: str
    description: str | None = None
    photo_ids: list[str] | None = None


class AlbumEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``PATCH /albums/{id}``: every field optional; an absent one is left as it is."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType | None = msgspec.UNSET
    cover_photo_id: str | msgspec.UnsetType | None = msgspec.UNSET
    order: AlbumOrder | msgspec.UnsetType = msgspec.UNSET


class AlbumView(msgspec.Struct, kw_only=True):
    """An album as one viewer sees it."""

    album: Album
    owner: User | None
    role: access.AlbumRole
    stats: AlbumStats
    cover_photo_id: str | None
    cover_thumb_url: str | None
    start_at: datetime | None
    end_at: datetime | None
    members: list[tuple[AlbumMember, User]] = msgspec.field(default_factory=list)


class AlbumPage(msgspec.Struct, kw_only=True):
    items: list[AlbumView]
    next_cursor: str | None


class Created(msgspec.Struct, kw_only=True):
    view: AlbumView
    errors: list[IdError]


class AddResult(msgspec.Struct, kw_only=True):
    added: list[str]
    already: list[str]
    errors: list[IdError]


class RemoveResult(msgspec.Struct, kw_only=True):
    removed: list[str]
    errors: list[IdError]


def album_name(value: str) -> str:
    name = value.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise Invalid("invalid_album_name", f"an album name has 1 to {MAX_NAME} characters")
    if has_control_chars(name):
        raise Invalid("invalid_album_name", "an album name may not hold control characters")
    return name


class AlbumService:
    def __init__(self, meta: AlbumMeta, blobs: BlobStore, settings: Settings, photos: PhotoService) -> None:
        self.meta = meta
        self.blobs = blobs
        self.settings = settings
        self.photos = photos
        # Photos joined an album (issue 14): queues the album's hourly "new photos" digest.
        self.on_album_photos: Callable[[str, list[str]], Awaitable[None]] | None = None

    # -- what a viewer sees ------------------------------------------------------------------
    async def _views(self, user: User, albums: list[tuple[Album, access.AlbumRole]]) -> list[AlbumView]:
        if not albums:
            return []
        stats = await self.meta.album_stats([a.id for a, _ in albums])
        members = await asyncio.gather(*(self.meta.album_members(a.id) for a, _ in albums))
        owners = {user.id: user}
        wanted = {a.owner_id for a, _ in albums} | {m.user_id for found in members for m in found}
        for owner_id in wanted - set(owners):
            found_user = await self.meta.get_user(owner_id)
            if found_user is not None:
                owners[owner_id] = found_user
        # An explicit cover counts while it is listed in the album; else the newest photo.
        explicit = [a.cover_photo_id for a, _ in albums if a.cover_photo_id]
        holding = await self.meta.albums_of_photos(explicit) if explicit else {}
        newest = [s.newest_photo_id for s in stats.values() if s.newest_photo_id]
        covers = await self.meta.get_photos(explicit + newest) if explicit or newest else {}
        covers_by_album: dict[str, str | None] = {}
        for album, _ in albums:
            cover = album.cover_photo_id
            if cover is not None and (album.id not in holding.get(cover, []) or not _listed(covers.get(cover))):
                cover = None
            covers_by_album[album.id] = cover
        ttl = self.settings.storage.download_ttl_seconds
        views = []
        for (album, role), people in zip(albums, members, strict=True):
            shown = stats.get(album.id, AlbumStats())
            cover_id = covers_by_album.get(album.id) or shown.newest_photo_id
            photo = covers.get(cover_id) if cover_id else None
            url = None
            if photo is not None and photo.status == "ready":
                url = await self.blobs.presign_get(
                    thumb_key(photo.owner_id, photo.id), expires_in=ttl, content_type="image/webp"
                )
            views.append(
                AlbumView(
                    album=album,
                    owner=owners.get(album.owner_id),
                    role=role,
                    stats=shown,
                    cover_photo_id=cover_id,
                    cover_thumb_url=url,
                    start_at=from_iso(shown.start_at) if shown.start_at else None,
                    end_at=from_iso(shown.end_at) if shown.end_at else None,
                    members=[(m, owners[m.user_id]) for m in people if m.user_id in owners],
                )
            )
        return views

    async def _view(self, user: User, album: Album, role: access.AlbumRole) -> AlbumView:
        return (await self._views(user, [(album, role)]))[0]

    async def _vet(self, user: User, ids: list[str]) -> tuple[list[str], list[IdError]]:
        """The photos the user may add (their own, listed) and the errors of the ids they may not."""
        seen, hidden = await access.relations(self.meta, user, ids)
        owned = [i for i, (_, rel) in seen.items() if rel == "owner"]
        errors = [IdError(id=i, code="not_allowed") for i, (_, rel) in seen.items() if rel != "owner"]
        return owned, not_found(hidden) + errors

    # -- albums ------------------------------------------------------------------------------
    async def create(self, user: User, body: AlbumCreate) -> Created:
        name = album_name(body.name)
        description = checked_description(body.description)
        ids = check_ids(body.photo_ids, required=False) or []
        now = utcnow()
        album = Album(
            id=new_id("al_"), owner_id=user.id, name=name, description=description, created_at=now, updated_at=now
        )
        allowed, refused = await self._vet(user, ids)
        result = await self.meta.create_album(album, allowed, now)
        gone = [i for i in allowed if i not in set(result.added)]
        return Created(view=await self._view(user, album, "owner"), errors=refused + not_found(gone))

    async def show(self, user: User, album_id: str) -> AlbumView:
        album, role = await access.album(self.meta, user, album_id)
        return await self._view(user, album, role)

    async def list_page(self, user: User, *, which: AlbumFilter, limit: int, cursor: str | None) -> AlbumPage:
        if not 1 <= limit <= MAX_PAGE:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_PAGE}", status=400)
        after = decode_pair(cursor) if cursor else None
        # Each album with the time the caller got it (owned: created; shared: added), newest first.
        found: list[tuple[tuple[str, str], Album, access.AlbumRole]] = []
        if which in ("owned", "all"):
            for a in await self.meta.list_albums(user.id, limit=limit + 1, after=after):
                found.append(((to_iso(a.created_at), a.id), a, "owner"))
        if which in ("shared", "all"):
            joined = await self.meta.member_albums(user.id, limit=limit + 1, after=after)
            shared = await self.meta.get_albums([m.album_id for m in joined]) if joined else {}
            for m in joined:
                if m.album_id in shared:
                    found.append(((to_iso(m.added_at), m.album_id), shared[m.album_id], m.role))
        found.sort(key=lambda f: f[0], reverse=True)
        more = len(found) > limit
        found = found[:limit]
        views = await self._views(user, [(a, role) for _, a, role in found])
        last = found[-1][0] if found else None
        return AlbumPage(items=views, next_cursor=encode_pair(*last) if more and last else None)

    async def edit(self, user: User, album_id: str, body: AlbumEdit) -> AlbumView:
        album, role = await access.album(self.meta, user, album_id, "edit")
        changes: dict[str, object] = {}
        if body.name is not msgspec.UNSET:
            changes["name"] = album_name(body.name)
        if body.description is not msgspec.UNSET:
            changes["description"] = checked_description(body.description)
        if body.order is not msgspec.UNSET:
            changes["order"] = body.order
        if body.cover_photo_id is not msgspec.UNSET:
            cover = body.cover_photo_id
            if cover is not None:
                holding = (await self.meta.albums_of_photos([cover])).get(cover, [])
                photo = await self.meta.get_photo(cover)
                if album.id not in holding or photo is None or not access.listable(user, photo):
                    raise Invalid("invalid_cover", "the cover must be a photo in this album")
            changes["cover_photo_id"] = cover
        if changes:
            edited = await self.meta.update_album(album.id, changes, utcnow())
            if edited is None:  # deleted meanwhile
                raise NotFound("album_not_found", "no such album")
            album = edited
        return await self._view(user, album, role)

    async def delete(self, user: User, album_id: str) -> None:
        album, _ = await access.album(self.meta, user, album_id, "delete")
        await self.meta.delete_album(album.id)

    # -- photos ------------------------------------------------------------------------------
    async def add(self, user: User, album_id: str, ids: list[str]) -> AddResult:
        clean = check_ids(ids) or []
        album, _ = await access.album(self.meta, user, album_id, "add")
        allowed, refused = await self._vet(user, clean)
        result = await self.meta.add_to_album(album.id, allowed, user.id, utcnow())
        if result.added and self.on_album_photos is not None:
            await self.on_album_photos(album.id, result.added)
        done = set(result.added) | set(result.already)
        gone = [i for i in allowed if i not in done]  # trashed or deleted meanwhile
        return AddResult(added=result.added, already=result.already, errors=refused + not_found(gone))

    async def remove(self, user: User, album_id: str, ids: list[str]) -> RemoveResult:
        clean = check_ids(ids) or []
        album, role = await access.album(self.meta, user, album_id, "remove_own")
        removable = clean
        refused: set[str] = set()
        if not access.may(role, "remove_any"):  # a contributor removes their own photos only
            photos = await self.meta.get_photos(clean)
            removable = [i for i in clean if i in photos and photos[i].owner_id == user.id]
            refused = {i for i in clean if i in photos and photos[i].owner_id != user.id}
        removed = await self.meta.remove_from_album(album.id, removable)
        rest = [i for i in clean if i not in set(removed)]
        seen, _ = await access.relations(self.meta, user, rest)
        errors = [
            IdError(id=i, code=("not_allowed" if i in refused else "not_in_album") if i in seen else "photo_not_found")
            for i in rest
        ]
        return RemoveResult(removed=removed, errors=errors)

    async def photos_page(self, user: User, album_id: str, *, limit: int, cursor: str | None) -> PhotoPage:
        if not 1 <= limit <= MAX_PAGE:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_PAGE}", status=400)
        album, _ = await access.album(self.meta, user, album_id)
        after = decode_cursor(cursor) if cursor else None
        photos = await self.meta.album_photos(
            album.id, limit=limit + 1, after=after, descending=album.order == "newest"
        )
        return await self.photos.page(user, photos, limit)


def _listed(photo: Photo | None) -> bool:
    return photo is not None and photo.status != "pending" and photo.trashed_at is None and photo.deleting_at is None
