"""``LibraryStore``: what a family does with its photos once they are in: per-viewer flags,
the owner's corrections, the trash, permanent deletion and its tombstones, usage, and the
change feed a client's cache catches up with (DESIGN.md "Library")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from auroravault.meta.protocols.albums import AlbumStore
from auroravault.meta.protocols.photos import PhotoStore
from auroravault.meta.protocols.sharing import SharingStore

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.base import ChangeBatch, Flags, Photo, Usage


@runtime_checkable
class LibraryStore(Protocol):
    # -- flags and corrections --------------------------------------------------
    async def get_flags(self, viewer_id: str, photo_ids: list[str]) -> dict[str, Flags]:
        """The viewer's flags on each given photo that has any set (missing: both false)."""
        ...

    async def set_flags(
        self, viewer_id: str, photo_ids: list[str], *, favorite: bool | None, archived: bool | None, now: datetime
    ) -> list[str]:
        """Set the viewer's flags (None: leave as is) on the photos that exist; return those ids.
        Each is a change in the viewer's feed."""
        ...

    async def edit_photo(self, photo_id: str, edit: dict[str, Any], now: datetime) -> Photo | None:
        """Apply the owner's corrections (keys of ``EDITABLE_FIELDS``) to an untrashed,
        non-pending photo; the photo after, or None when there is none such."""
        ...

    # -- the trash ----------------------------------------------------------------
    async def trash_photos(self, owner_id: str, photo_ids: list[str], now: datetime) -> list[str]:
        """Move the owner's non-pending photos to the trash (``trashed_at = now``; an already
        trashed one keeps its time); return the ids that are in the trash now."""
        ...

    async def restore_photos(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[str]:
        """Take the owner's trashed photos (all when None) out of the trash, unless their
        deletion started; return the ids restored."""
        ...

    async def list_trash(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        """Trashed photos not being deleted, newest trashed first by ``(trashed_at iso, id)``."""
        ...

    # -- permanent deletion and tombstones --------------------------------------
    async def mark_deleting(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[Photo]:
        """Start permanent deletion of the owner's trashed photos (all when None): set
        ``deleting_at`` (kept when set). Return every given photo now being deleted."""
        ...

    async def deletion_due(self, trashed_before: datetime, limit: int) -> list[Photo]:
        """Photos of every owner being deleted, or trashed before ``trashed_before``."""
        ...

    async def finish_deletion(self, photo_id: str, now: datetime) -> bool:
        """One atomic step for a photo being deleted: drop its row and flags, release its size
        from the owner's ``used_bytes``, keep a tombstone, note the change. False when the
        photo is gone already or not being deleted."""
        ...

    async def deleted_sha256(self, owner_id: str, hashes: list[str]) -> list[str]:
        """The given hashes with a tombstone of the owner and no photo of the owner now."""
        ...

    # -- usage and the change feed ----------------------------------------------
    async def usage(self, user_id: str) -> Usage: ...

    async def changes_since(self, viewer_id: str, position: str | None, limit: int) -> ChangeBatch:
        """The viewer's change feed after ``position`` (None: from the start). Raises
        ``Invalid('invalid_sync_token', status=400)`` for a position it never gave out."""
        ...

    async def prune_changes(self, before: datetime) -> int:
        """Drop every viewer's feed entries written before ``before``, except the newest entry
        of each photo that still exists (so a sync from the start still names every photo).
        Returns how many entries went; idempotent."""
        ...


@runtime_checkable
class PhotoLibrary(PhotoStore, LibraryStore, Protocol):
    """Photos with what the library keeps on them: what a service that changes a viewer's
    photos sees (the deletion service; ``ShownPhotos`` adds their albums)."""


@runtime_checkable
class ShownPhotos(PhotoStore, LibraryStore, AlbumStore, SharingStore, Protocol):
    """Photos as a viewer is shown them: the photos, the viewer's flags and the albums the
    viewer sees them in, and the album members and partner shares that decide who sees what
    (the photos, library and sync services)."""
