"""``PhotoStore``: photo rows by id and by hash, the keyset timeline, the pipeline's writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.base import MonthCount, Photo, PhotoStatus, PhotoView


@runtime_checkable
class PhotoStore(Protocol):
    async def get_photo(self, photo_id: str) -> Photo | None: ...

    async def get_photos(self, photo_ids: list[str]) -> dict[str, Photo]:
        """The photos that exist among ``photo_ids``, by id (any owner, any status)."""
        ...

    async def get_photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None: ...

    async def photos_with_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        """Map each given hash the owner has a non-pending photo for to that photo's id."""
        ...

    async def list_photos(
        self,
        owner_id: str,
        *,
        limit: int,
        after: tuple[str, str] | None,
        descending: bool,
        view: PhotoView | None = None,
    ) -> list[Photo]:
        """Non-pending, untrashed photos ordered by ``(sort_at, id)``, strictly after the
        cursor, as ``view`` shows them (default: the owner's view, archived excluded)."""
        ...

    async def month_counts(self, owner_id: str, view: PhotoView | None = None) -> list[MonthCount]:
        """What ``list_photos`` with ``view`` lists, per ``YYYY-MM`` of ``sort_at``, newest month first."""
        ...

    async def save_processed_photo(self, photo: Photo, expected_status: PhotoStatus) -> bool:
        """Replace the photo row if its status is still ``expected_status``.

        The quota counts originals only, so ``used_bytes`` does not change; what the library
        owns (``keep_library_fields``) stays as stored. The change enters the owner's feed.
        Returns whether the row changed.
        """
        ...

    async def processing_photos(self, updated_before: datetime, limit: int) -> list[Photo]:
        """Photos still ``processing`` whose last change is before ``updated_before``
        (for the sweep's repair of photos whose job is missing or dead)."""
        ...
