"""Share links, the owner's side: create, list, change, revoke (``docs/links.md``).

Rules:

- A link is for one album (``album_id``: only the album's owner may make one; anyone else is
  told ``album_not_found`` as a stranger is, or ``not_allowed`` if a member) or for a
  selection of 1..1000 photos the caller owns and sees (``photo_ids``; any other id fails the
  whole call with ``photo_not_found`` and nothing is created). Exactly one of the two:
  ``link_target`` (422) otherwise.
- ``allow_upload`` only for an album link (``upload_needs_album``, 422); ``expires_at`` in the
  future (``invalid_expiry``); a password of 1..``MAX_PASSWORD`` characters
  (``invalid_link_password``), stored as an argon2id hash.
- The key is ``secrets.token_urlsafe(24)``: 192 random bits. The URL is
  ``{public_url}/#/s/{key}``.
- A link is its creator's: anyone else's id is ``link_not_found``. Revoking deletes it, for
  the very next request (no cache stands between the store and the public routes).
"""

from __future__ import annotations

import secrets
from concurrent.futures import Executor
from datetime import datetime
from typing import Any, Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Invalid, NotFound
from auroravault.ids import new_id
from auroravault.meta.base import User
from auroravault.meta.family_records import ShareLink
from auroravault.meta.protocols import AlbumStore, LibraryStore, LinkStore, PhotoStore, SharingStore
from auroravault.services import access
from auroravault.services.library import check_ids
from auroravault.services.passwords import hash_password
from auroravault.services.photos import decode_pair, encode_pair
from auroravault.timeutil import to_iso, utcnow

MAX_PASSWORD = 256
MAX_PAGE = 200


class LinkMeta(LinkStore, AlbumStore, PhotoStore, LibraryStore, SharingStore, Protocol):
    """What this service reads and writes (the album and photo rules of ``services/access``
    read members, partner shares and archive flags)."""


class LinkCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /links``."""

    album_id: str | None = None
    photo_ids: list[str] | None = None
    expires_at: datetime | None = None
    password: str | None = None
    allow_download: bool = True
    allow_upload: bool = False
    show_metadata: bool = True


class LinkEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``PATCH /links/{id}``: an absent field is left as it is; ``null`` clears the expiry or the password."""

    expires_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    password: str | msgspec.UnsetType | None = msgspec.UNSET
    allow_download: bool | msgspec.UnsetType = msgspec.UNSET
    allow_upload: bool | msgspec.UnsetType = msgspec.UNSET
    show_metadata: bool | msgspec.UnsetType = msgspec.UNSET


class LinkPage(msgspec.Struct, kw_only=True):
    items: list[ShareLink]
    next_cursor: str | None


def _expiry(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise Invalid("invalid_expiry", "expires_at needs a time zone offset")
    if value <= now:
        raise Invalid("invalid_expiry", "expires_at must be in the future")
    return value


def _password(value: str) -> str:
    if not value or len(value) > MAX_PASSWORD:
        raise Invalid("invalid_link_password", f"a link password has 1 to {MAX_PASSWORD} characters")
    return value


class LinkService:
    def __init__(self, meta: LinkMeta, settings: Settings, passwords: Executor | None = None) -> None:
        self.meta = meta
        self.settings = settings
        self.passwords = passwords  # argon2 runs in the app's bounded pool (``services/passwords``)

    def url(self, link: ShareLink) -> str:
        return f"{self.settings.server.base_url()}/#/s/{link.key}"

    async def create(self, user: User, body: LinkCreate) -> ShareLink:
        now = utcnow()
        if (body.album_id is None) == (body.photo_ids is None):
            raise Invalid("link_target", "give either album_id or photo_ids")
        expires_at = _expiry(body.expires_at, now)
        password = _password(body.password) if body.password is not None else None
        photo_ids: list[str] = []
        if body.album_id is not None:
            await access.album(self.meta, user, body.album_id, "links")  # the owner alone
        else:
            photo_ids = check_ids(body.photo_ids) or []
            seen, hidden = await access.relations(self.meta, user, photo_ids)
            if hidden or any(photo.owner_id != user.id for photo, _ in seen.values()):
                raise NotFound("photo_not_found", "no such photo")
            if body.allow_upload:
                raise Invalid("upload_needs_album", "uploads go into an album: only an album link may allow them")
        link = ShareLink(
            id=new_id("ln_"),
            key=secrets.token_urlsafe(24),
            owner_id=user.id,
            album_id=body.album_id,
            photo_ids=photo_ids,
            expires_at=expires_at,
            password_hash=await hash_password(password, self.passwords) if password is not None else None,
            allow_download=body.allow_download,
            allow_upload=body.allow_upload,
            show_metadata=body.show_metadata,
            created_at=now,
            updated_at=now,
        )
        await self.meta.create_link(link)
        return link

    async def _own(self, user: User, link_id: str) -> ShareLink:
        link = await self.meta.get_link(link_id) if len(link_id) <= 100 else None
        if link is None or link.owner_id != user.id:
            raise NotFound("link_not_found", "no such link")
        return link

    async def list_page(self, user: User, *, limit: int, cursor: str | None) -> LinkPage:
        if not 1 <= limit <= MAX_PAGE:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_PAGE}", status=400)
        after = decode_pair(cursor) if cursor else None
        links = await self.meta.list_links(user.id, limit=limit + 1, after=after)
        more = len(links) > limit
        links = links[:limit]
        last = links[-1] if more and links else None
        return LinkPage(items=links, next_cursor=encode_pair(to_iso(last.created_at), last.id) if last else None)

    async def get(self, user: User, link_id: str) -> ShareLink:
        return await self._own(user, link_id)

    async def edit(self, user: User, link_id: str, body: LinkEdit) -> ShareLink:
        link = await self._own(user, link_id)
        changes: dict[str, Any] = {}
        if body.expires_at is not msgspec.UNSET:
            changes["expires_at"] = _expiry(body.expires_at, utcnow())
        if body.password is not msgspec.UNSET:
            password = body.password
            changes["password_hash"] = (
                await hash_password(_password(password), self.passwords) if password is not None else None
            )
        for name in ("allow_download", "allow_upload", "show_metadata"):
            value = getattr(body, name)
            if value is not msgspec.UNSET:
                changes[name] = value
        if changes.get("allow_upload") and link.album_id is None:
            raise Invalid("upload_needs_album", "uploads go into an album: only an album link may allow them")
        if not changes:
            return link
        changed = await self.meta.update_link(link.id, changes, utcnow())
        if changed is None:
            raise NotFound("link_not_found", "no such link")
        return changed

    async def revoke(self, user: User, link_id: str) -> None:
        link = await self._own(user, link_id)
        await self.meta.delete_link(link.id)
