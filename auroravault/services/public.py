"""The public side of share links: what a visitor without an account sees (``docs/links.md``).

Every call starts from the key and asks ``services/access`` whether the link opens
(``open_link``: 404 ``link_not_found``, 410 ``link_expired``, 401 ``link_locked``) and
what it covers (``link_photo``): only ``info`` and ``unlock`` answer a locked link, and
``info`` then says nothing about the photos. A link whose album was deleted, or whose owner is
gone or disabled, is ``link_not_found``.

- Unlock attempts are counted before the password is checked (``CounterStore``), per link and
  client address and per link: beyond the limits 429 ``too_many_attempts`` with Retry-After.
  A right password answers a token (``link_tokens``); a wrong one 401 ``invalid_password``.
- ``show_metadata=false``: the photos answered carry no camera, lens, exposure, location,
  place or EXIF date (``taken_at`` stays: the page sorts by it), and the original (which holds
  the file's own EXIF/XMP/GPS) is not served (403 ``not_allowed``); thumbnails and previews
  are re-encoded without any metadata (``imaging/variants``), so they are served as they are.
- Uploads (album links with ``allow_upload``) go to the link owner's library, on the owner's
  quota, into the album (``UploadService.init_batch(album_id=)``); a batch is bound to the
  link it was started through (a counter marker), and only that link may complete it.
- Presigned URLs live ``links.url_ttl_seconds`` (minutes) and are signed only after the checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthorized
from auroravault.meta.base import Album, Photo, User
from auroravault.meta.family_records import ShareLink
from auroravault.meta.protocols import AccountStore, CounterStore, LinkStore
from auroravault.meta.protocols.links import LinkedPhotos
from auroravault.services import access, link_tokens
from auroravault.services.passwords import verify_password
from auroravault.services.photos import Download, Variant, decode_pair, encode_pair
from auroravault.services.upload_models import FileSpec, InitResult, UploadItem
from auroravault.services.uploads import UploadService
from auroravault.storage.base import BlobStore, original_key, preview_key, thumb_key
from auroravault.timeutil import utcnow

MAX_PAGE = 200
MAX_KEY = 100
#: Photo fields a link with ``show_metadata=false`` blanks (what the camera and GPS wrote).
HIDDEN_FIELDS = (
    "camera_make", "camera_model", "lens", "f_number", "exposure_time", "iso", "focal_length",
    "lat", "lon", "alt", "exif_lat", "exif_lon", "exif_alt", "place", "exif_taken_at",
)  # fmt: skip


class PublicMeta(LinkStore, LinkedPhotos, AccountStore, CounterStore, Protocol):
    """What the public side reads: links, their photos and albums, the owner, the unlock counters."""


class LinkInfo(msgspec.Struct, kw_only=True):
    link: ShareLink
    title: str
    owner_name: str
    locked: bool


class Opened(msgspec.Struct, kw_only=True):
    link: ShareLink
    owner: User
    album: Album | None


class PublicPage(msgspec.Struct, kw_only=True):
    items: list[tuple[Photo, str | None]]
    next_cursor: str | None


def shown(link: ShareLink, photo: Photo) -> Photo:
    """The photo as the link shows it: without camera, exposure, place or EXIF when it hides metadata."""
    if link.show_metadata:
        return photo
    return msgspec.structs.replace(photo, **dict.fromkeys(HIDDEN_FIELDS))


def _too_many(window: int) -> TooManyRequests:
    return TooManyRequests("too_many_attempts", "too many unlock attempts; wait and try again", retry_after=window)


class PublicService:
    def __init__(
        self,
        meta: PublicMeta,
        blobs: BlobStore,
        settings: Settings,
        secret: bytes,
        uploads: UploadService,
        passwords: Executor | None = None,
    ) -> None:
        self.meta = meta
        self.blobs = blobs
        self.settings = settings
        self.secret = secret  # signs unlock tokens (``link_tokens``)
        self.uploads = uploads
        self.passwords = passwords

    # -- opening a link ------------------------------------------------------------------
    async def _found(self, key: str) -> tuple[ShareLink, User, Album | None]:
        link = await self.meta.get_link_by_key(key) if 0 < len(key) <= MAX_KEY else None
        owner = await self.meta.get_user(link.owner_id) if link is not None else None
        album = await self.meta.get_album(link.album_id) if link is not None and link.album_id else None
        if link is None or owner is None or owner.disabled or (link.album_id is not None and album is None):
            raise NotFound("link_not_found", "no such link")
        return link, owner, album

    async def open(self, key: str, token: str | None) -> Opened:
        """The link, its owner and album, if it may be used now (``access.open_link``)."""
        link, owner, album = await self._found(key)
        now = utcnow()
        unlocked = link.password_hash is None or link_tokens.valid(self.secret, link, token, now)
        access.open_link(link, now, unlocked=unlocked)
        return Opened(link=link, owner=owner, album=album)

    async def info(self, key: str, token: str | None) -> LinkInfo:
        """What a link is, even while locked (then nothing about its photos)."""
        link, owner, album = await self._found(key)
        now = utcnow()
        unlocked = link.password_hash is None or link_tokens.valid(self.secret, link, token, now)
        with contextlib.suppress(Unauthorized):  # locked: still answered, without the photos
            access.open_link(link, now, unlocked=unlocked)
        title = album.name if album is not None else f"Photos from {owner.display_name}"
        return LinkInfo(link=link, title=title, owner_name=owner.display_name, locked=not unlocked)

    async def unlock(self, key: str, password: str, client: str) -> tuple[str, datetime]:
        link, _, _ = await self._found(key)
        now = utcnow()
        access.open_link(link, now, unlocked=True)  # expired: 410 before any password
        if link.password_hash is None:
            return link_tokens.issue(self.secret, link, now, self.settings.links.token_ttl_seconds)
        limits = self.settings.links
        window = limits.unlock_window_seconds
        # Counted before the password is checked, as logins are: past a limit the right one is refused too.
        if await self.meta.hit_counter(f"unlock:{link.id}|{client[:64]}", window, now) > limits.unlock_max_attempts:
            raise _too_many(window)
        if await self.meta.hit_counter(f"unlock:{link.id}", window, now) > limits.unlock_link_max_attempts:
            raise _too_many(window)
        verdict = await verify_password(link.password_hash, password[:1024], self.passwords)
        if not verdict.ok:
            raise Unauthorized("invalid_password", "wrong password for this link")
        return link_tokens.issue(self.secret, link, now, limits.token_ttl_seconds)

    # -- photos --------------------------------------------------------------------------
    async def _thumb(self, photo: Photo) -> str | None:
        if photo.status != "ready":
            return None
        ttl = self.settings.links.url_ttl_seconds
        return await self.blobs.presign_get(
            thumb_key(photo.owner_id, photo.id), expires_in=ttl, content_type="image/webp"
        )

    async def photos(self, key: str, token: str | None, *, limit: int, cursor: str | None) -> PublicPage:
        if not 1 <= limit <= MAX_PAGE:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_PAGE}", status=400)
        opened = await self.open(key, token)
        link, album = opened.link, opened.album
        after = decode_pair(cursor) if cursor else None
        if album is not None:
            found = await self.meta.album_photos(
                album.id, limit=limit + 1, after=after, descending=album.order == "newest"
            )
        else:
            photos = await self.meta.get_photos(link.photo_ids)
            listed = [p for p in photos.values() if access.link_shows(link, p, [])]
            listed.sort(key=lambda p: (p.sort_at, p.id), reverse=True)
            found = [p for p in listed if after is None or (p.sort_at, p.id) < after][: limit + 1]
        more = len(found) > limit
        found = found[:limit]
        urls = await asyncio.gather(*(self._thumb(p) for p in found))
        items = [(shown(link, p), url) for p, url in zip(found, urls, strict=True)]
        last = found[-1] if more and found else None
        return PublicPage(items=items, next_cursor=encode_pair(last.sort_at, last.id) if last else None)

    async def photo(self, key: str, token: str | None, photo_id: str) -> tuple[Photo, str | None]:
        link = (await self.open(key, token)).link
        photo = await access.link_photo(self.meta, link, photo_id)
        return shown(link, photo), await self._thumb(photo)

    async def download(self, key: str, token: str | None, photo_id: str, variant: Variant) -> Download:
        link = (await self.open(key, token)).link
        photo = await access.link_photo(self.meta, link, photo_id)
        ttl = self.settings.links.url_ttl_seconds
        stem = posixpath.splitext(photo.filename)[0] or photo.id
        if variant == "original":
            if not link.allow_download:
                raise Forbidden("not_allowed", "this link does not allow downloads")
            if not access.link_may(link, "original"):
                raise Forbidden("not_allowed", "this link hides metadata, which the original holds: take the preview")
            key_, filename, ctype = original_key(photo.owner_id, photo.id), photo.filename, photo.content_type
        else:
            if photo.status != "ready" or (variant == "preview" and photo.preview_pending):
                raise Conflict("variant_not_ready", f"the {variant} is still being made")
            if variant == "preview":
                key_, filename, ctype = preview_key(photo.owner_id, photo.id), f"{stem}.jpg", "image/jpeg"
            else:
                key_, filename, ctype = thumb_key(photo.owner_id, photo.id), f"{stem}.webp", "image/webp"
        url = await self.blobs.presign_get(key_, expires_in=ttl, filename=filename, content_type=ctype)
        return Download(url=url, expires_at=utcnow() + timedelta(seconds=ttl))

    # -- uploads into the album ----------------------------------------------------------
    def _batch_marker(self, link: ShareLink, batch_id: str) -> str:
        return f"linkbatch:{link.id}|{batch_id[:64]}"

    async def _uploading(self, key: str, token: str | None) -> Opened:
        opened = await self.open(key, token)
        if not access.link_may(opened.link, "upload"):
            raise Forbidden("not_allowed", "this link does not allow uploads")
        return opened

    async def upload_init(self, key: str, token: str | None, files: list[FileSpec]) -> InitResult:
        opened = await self._uploading(key, token)
        # As the owner, into the album: the uploads' own path (quota, duplicates, joining the album).
        result = await self.uploads.init_batch(opened.owner, files, album_id=opened.link.album_id)
        await self.meta.hit_counter(
            self._batch_marker(opened.link, result.batch_id), self.settings.uploads.pending_ttl_seconds, utcnow()
        )
        return result

    async def upload_complete(
        self, key: str, token: str | None, batch_id: str, upload_ids: list[str] | None
    ) -> list[UploadItem]:
        opened = await self._uploading(key, token)
        if await self.meta.get_counter(self._batch_marker(opened.link, batch_id), utcnow()) == 0:
            raise NotFound("batch_not_found", "no such batch")
        return await self.uploads.complete(opened.owner, batch_id, upload_ids)
