"""``SearchStore``: search, typeahead suggestions, places and map clusters over one owner's
listed photos (DESIGN.md "Search, places, map, memories")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from auroravault.meta.base import BBox, Cluster, Photo, PlaceCount, SearchQuery, SuggestField, Suggestion


@runtime_checkable
class SearchStore(Protocol):
    """Search, suggestions, places and map clusters over one owner's listed photos
    (non-pending, untrashed; archived included). ``tests/meta/test_search_contract.py``."""

    async def search_photos(self, query: SearchQuery, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        """Matching photos newest first by ``(sort_at, id)``, strictly after the cursor."""
        ...

    async def suggest(self, owner_id: str, field: SuggestField, prefix: str, limit: int) -> list[Suggestion]:
        """Values of ``field`` starting with ``prefix`` (case-insensitive) and how many photos
        carry each, most photos first; ``year`` is the year of ``sort_at``."""
        ...

    async def places(self, owner_id: str) -> list[PlaceCount]:
        """Each distinct (country_code, region, city) of the owner's photos, most photos first."""
        ...

    async def map_clusters(self, owner_id: str, bbox: BBox, cell: float) -> list[Cluster]:
        """Located photos inside ``bbox`` (inclusive) grouped by a grid of ``cell`` degrees
        anchored at (-180, -90): one cluster per non-empty cell."""
        ...
