"""Photos: the keyset-paginated list, one photo, downloads, and the month timeline.

Who sees a photo is ``services/access``'s decision: its owner, the members of an album
holding it, the owner's partners; anyone else gets ``photo_not_found``, the same answer as
for an id that never existed. Pending photos (no bytes yet) are not listed; trashed ones
only in ``/trash``. Listings and the timeline take the viewer's filters: ``favorite``,
``archived`` (``exclude`` by default, ``only``, ``include``) and ``type`` (``image`` | ``video``).

``with_partners``: the list merges the libraries partners share with the viewer (those the
viewer keeps ``in_timeline``), minus what each owner archived, under the same keyset cursor:
each library is read one page past the cursor (never whole), the pages merged by
``(sort_at, id)``. The viewer's own filters apply to every photo (their favorites, their
archive). Presigned URLs are signed only for photos the check let through.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import posixpath
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Conflict, Invalid, NotFound
from auroravault.meta.base import ArchivedView, Flags, MonthCount, Photo, PhotoView, User
from auroravault.meta.protocols import ShownPhotos
from auroravault.services import access
from auroravault.storage.base import BlobStore, original_key, preview_key, thumb_key
from auroravault.timeutil import to_iso, utcnow

if TYPE_CHECKING:
    from auroravault.services.people import FaceView

Variant = Literal["original", "preview", "thumb", "motion"]
Order = Literal["newest", "oldest"]
MediaType = Literal["image", "video"]
MAX_LIMIT = 200


class PhotoPage(msgspec.Struct, kw_only=True):
    items: list[tuple[Photo, str | None]]
    next_cursor: str | None
    flags: dict[str, Flags] = msgspec.field(default_factory=dict)
    albums: dict[str, list[str]] = msgspec.field(default_factory=dict)  # the albums the viewer sees


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    favorite: bool = False
    archived: ArchivedView = "exclude"
    media_type: MediaType | None = None

    def view(self, user: User) -> PhotoView:
        return PhotoView(viewer_id=user.id, favorite=self.favorite, archived=self.archived, media_type=self.media_type)


class Download(msgspec.Struct, kw_only=True):
    url: str
    expires_at: datetime


def encode_pair(first: str, second: str) -> str:
    """An opaque keyset cursor of two strings."""
    raw = msgspec.json.encode([first, second])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_pair(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        first, second = msgspec.json.decode(raw, type=tuple[str, str])
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Invalid("invalid_cursor", "the cursor is not one this server gave out", status=400) from None
    return first, second


def encode_cursor(photo: Photo) -> str:
    return encode_pair(photo.sort_at, photo.id)


def decode_cursor(cursor: str) -> tuple[str, str]:
    return decode_pair(cursor)


async def partner_page(
    meta: ShownPhotos,
    user: User,
    owner_id: str,
    filters: Filters,
    want: int,
    after: tuple[str, str] | None,
    descending: bool,
) -> list[Photo]:
    """Up to ``want`` photos of a partner's shared library after the cursor, in order: what the
    owner did not archive (their own view), then the viewer's filters on their own flags."""
    owner_view = PhotoView(viewer_id=owner_id, archived="exclude", media_type=filters.media_type)
    kept: list[Photo] = []
    while len(kept) < want:
        page = await meta.list_photos(owner_id, limit=want, after=after, descending=descending, view=owner_view)
        if not page:
            break
        flags = await meta.get_flags(user.id, [p.id for p in page])
        for photo in page:
            mine = flags.get(photo.id, Flags())
            if filters.favorite and not mine.favorite:
                continue
            if (filters.archived == "exclude" and mine.archived) or (filters.archived == "only" and not mine.archived):
                continue
            kept.append(photo)
        if len(page) < want:
            break
        after = (page[-1].sort_at, page[-1].id)
    return kept[:want]


class PhotoFaces(Protocol):
    """Who is on a photo (the people service, wired by the container)."""

    @property
    def available(self) -> bool: ...

    async def faces_on(self, photo: Photo) -> list[FaceView]: ...


class PhotoService:
    def __init__(self, meta: ShownPhotos, blobs: BlobStore, settings: Settings) -> None:
        self.meta = meta
        self.blobs = blobs
        self.settings = settings
        self.people: PhotoFaces | None = None  # the faces shown with one photo, when people are on

    async def get(self, user: User, photo_id: str) -> Photo:
        photo, _ = await access.relation(self.meta, user, photo_id)
        return photo

    async def show(self, user: User, photo_id: str) -> tuple[Photo, Flags, list[str]]:
        """One photo with the viewer's flags and the albums the viewer sees it in."""
        photo = await self.get(user, photo_id)
        flags = (await self.meta.get_flags(user.id, [photo.id])).get(photo.id, Flags())
        return photo, flags, (await access.visible_albums(self.meta, user, [photo.id])).get(photo.id, [])

    async def faces(self, photo: Photo) -> list[FaceView] | None:
        """The faces of a photo the caller was already let see, as its owner named them; None
        when people are off (the answer then carries no ``faces`` at all)."""
        if self.people is None or not self.people.available:
            return None
        return await self.people.faces_on(photo)

    async def list_page(
        self,
        user: User,
        *,
        limit: int,
        cursor: str | None,
        order: Order,
        filters: Filters | None = None,
        with_partners: bool = False,
    ) -> PhotoPage:
        if not 1 <= limit <= MAX_LIMIT:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_LIMIT}", status=400)
        after = decode_cursor(cursor) if cursor else None
        chosen = filters or Filters()
        view = chosen.view(user)
        descending = order == "newest"
        photos = await self.meta.list_photos(user.id, limit=limit + 1, after=after, descending=descending, view=view)
        if with_partners:
            owners = (await access.timeline_owners(self.meta, user))[1:]
            pages = await asyncio.gather(
                *(partner_page(self.meta, user, o, chosen, limit + 1, after, descending) for o in owners)
            )
            for found in pages:
                photos += found
            photos.sort(key=lambda p: (p.sort_at, p.id), reverse=descending)
        return await self.page(user, photos, limit)

    async def page(self, user: User, photos: list[Photo], limit: int) -> PhotoPage:
        """A page of ``photos`` (``limit`` + 1 asked for: one more means there is a next page)
        with their thumbnails, the viewer's flags and the albums the viewer sees them in."""
        more = len(photos) > limit
        photos = photos[:limit]
        urls = await self.thumb_urls(user, photos)
        ids = [p.id for p in photos]
        return PhotoPage(
            items=list(zip(photos, urls, strict=True)),
            next_cursor=encode_cursor(photos[-1]) if more and photos else None,
            flags=await self.meta.get_flags(user.id, ids) if photos else {},
            albums=await access.visible_albums(self.meta, user, ids),
        )

    async def trash_page(self, user: User, *, limit: int, cursor: str | None) -> PhotoPage:
        """The owner's trash, newest trashed first, with thumbs only the owner may fetch."""
        if not 1 <= limit <= MAX_LIMIT:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_LIMIT}", status=400)
        after = decode_pair(cursor) if cursor else None
        photos = await self.meta.list_trash(user.id, limit=limit + 1, after=after)
        more = len(photos) > limit
        photos = photos[:limit]
        last = photos[-1] if more and photos else None
        photos = [p for p in photos if p.motion_of is None]  # a Live Photo's video: its still stands for it
        urls = await self.thumb_urls(user, photos, trashed=True)
        return PhotoPage(
            items=list(zip(photos, urls, strict=True)),
            next_cursor=encode_pair(to_iso(last.trashed_at), last.id) if last and last.trashed_at else None,
            flags=await self.meta.get_flags(user.id, [p.id for p in photos]) if photos else {},
        )

    async def thumb_urls(self, user: User, photos: list[Photo], *, trashed: bool = False) -> list[str | None]:
        """A presigned thumb URL per photo, in order: None for a photo not ready, or one the
        viewer may not see there (``trashed``: in the trash; ``services/access`` decides)."""
        ttl = self.settings.storage.download_ttl_seconds

        async def thumb(photo: Photo) -> str | None:
            if photo.status != "ready" or not access.listable(user, photo, trashed=trashed):
                return None
            return await self.blobs.presign_get(
                thumb_key(photo.owner_id, photo.id), expires_in=ttl, content_type="image/webp"
            )

        return list(await asyncio.gather(*(thumb(p) for p in photos)))

    async def download(self, user: User, photo_id: str, variant: Variant, *, trashed: bool = False) -> Download:
        """A presigned GET of a variant; ``trashed``: of a photo in the owner's trash (the only way to reach it)."""
        photo, _ = await access.relation(self.meta, user, photo_id, trashed=trashed)
        ttl = self.settings.storage.download_ttl_seconds
        stem = posixpath.splitext(photo.filename)[0] or photo.id
        if variant == "motion":  # a Live Photo's video, seen through its still
            motion = await self.meta.get_photo(photo.motion_photo_id) if photo.motion_photo_id else None
            if motion is None or motion.owner_id != photo.owner_id or (motion.trashed_at is not None) != trashed:
                raise NotFound("motion_not_found", "this photo has no motion video")
            photo = motion
        if variant in ("original", "motion"):
            key, filename, ctype = original_key(photo.owner_id, photo.id), photo.filename, photo.content_type
        else:
            if photo.status != "ready":
                raise Conflict("variant_not_ready", f"the {variant} exists once the photo is ready")
            if variant == "preview" and photo.preview_pending:
                raise Conflict("variant_not_ready", "the preview is still being made; the thumb is ready")
            if variant == "preview":
                key, filename, ctype = preview_key(photo.owner_id, photo.id), f"{stem}.jpg", "image/jpeg"
            else:
                key, filename, ctype = thumb_key(photo.owner_id, photo.id), f"{stem}.webp", "image/webp"
        url = await self.blobs.presign_get(key, expires_in=ttl, filename=filename, content_type=ctype)
        return Download(url=url, expires_at=utcnow() + timedelta(seconds=ttl))

    async def timeline(self, user: User, filters: Filters | None = None) -> list[MonthCount]:
        return await self.meta.month_counts(user.id, (filters or Filters()).view(user))
