"""``AlbumStore``: albums and their photos (DESIGN.md "Albums")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.base import Album, AlbumAdd, AlbumStats, Photo


@runtime_checkable
class AlbumStore(Protocol):
    """Albums and their photos (DESIGN.md "Albums"). A membership names a photo; the photo
    stays its owner's. Listings and stats show *listed* photos only: not pending, not
    trashed, not being deleted (a restored photo is back in its albums at once). Permanent
    deletion of a photo (``finish_deletion``, ``end_upload``) drops its memberships in the
    same step. Who may see an album is not the store's business (``services/access``)."""

    async def create_album(self, album: Album, photo_ids: list[str], now: datetime) -> AlbumAdd:
        """Insert the album with the given (already vetted) photos that exist and are listed."""
        ...

    async def get_album(self, album_id: str) -> Album | None: ...

    async def get_albums(self, album_ids: list[str]) -> dict[str, Album]:
        """The albums that exist among ``album_ids``, by id."""
        ...

    async def list_albums(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Album]:
        """The owner's albums, newest created first by ``(created_at iso, id)``, strictly after the cursor."""
        ...

    async def update_album(self, album_id: str, changes: dict[str, Any], now: datetime) -> Album | None:
        """Set ``name``, ``description``, ``cover_photo_id`` and/or ``order``; None when the album is gone."""
        ...

    async def delete_album(self, album_id: str) -> bool:
        """Delete the album and its memberships (never a photo); False when it was gone."""
        ...

    async def add_to_album(self, album_id: str, photo_ids: list[str], added_by: str, now: datetime) -> AlbumAdd:
        """Add listed photos; ``already``: those in the album before. Photos that do not
        exist or are not listed are in neither list. Nothing when the album is gone."""
        ...

    async def remove_from_album(self, album_id: str, photo_ids: list[str]) -> list[str]:
        """Drop memberships; return the ids that were in the album."""
        ...

    async def album_photos(
        self, album_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool
    ) -> list[Photo]:
        """The album's listed photos by ``(sort_at, id)``, strictly after the cursor."""
        ...

    async def album_stats(self, album_ids: list[str]) -> dict[str, AlbumStats]:
        """Stats of each given album that exists."""
        ...

    async def albums_of_photos(self, photo_ids: list[str]) -> dict[str, list[str]]:
        """For each given photo in any album, the ids of those albums."""
        ...
