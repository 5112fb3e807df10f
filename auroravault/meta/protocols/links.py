"""``LinkStore``: share links, found by id, by key and by owner (DESIGN.md "Families and sharing")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from auroravault.meta.protocols.albums import AlbumStore
from auroravault.meta.protocols.photos import PhotoStore

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.family_records import ShareLink


@runtime_checkable
class LinkStore(Protocol):
    """Share links. A link is one record with a unique ``key``; deleting it revokes it for
    every later read (no cache stands between a request and the store). What a link opens,
    and whether it is expired or locked, is ``services/access``'s business, not the store's."""

    async def create_link(self, link: ShareLink) -> None:
        """Insert the link; ``Conflict('link_key_taken')`` if its key exists (never with 128 random bits)."""
        ...

    async def get_link(self, link_id: str) -> ShareLink | None: ...

    async def get_link_by_key(self, key: str) -> ShareLink | None:
        """The link holding exactly this key (case matters), or None."""
        ...

    async def list_links(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[ShareLink]:
        """The owner's links, newest created first by ``(created_at iso, id)``, strictly after the cursor."""
        ...

    async def update_link(self, link_id: str, changes: dict[str, Any], now: datetime) -> ShareLink | None:
        """Set any of ``expires_at``, ``password_hash``, ``allow_download``, ``allow_upload``,
        ``show_metadata`` (None clears ``expires_at``/``password_hash``) and ``updated_at``;
        None when the link is gone. Other fields: ``ValueError``."""
        ...

    async def delete_link(self, link_id: str) -> bool:
        """Revoke (delete) the link; False when it was gone."""
        ...


@runtime_checkable
class LinkedPhotos(PhotoStore, AlbumStore, Protocol):
    """Photos and albums, as a share link sees them (``services/access``: what a link covers)."""
