"""Search, suggestions, places and map clusters on DynamoDB: Queries of the owner's partition.

Nothing here scans the table. Every method reads the owner's timeline copies
(``PK=USER#<owner>``, ``SK=PHOTO#<sort_at>#<id>``: each listed photo, whole, once; trashed
and pending photos have none) with a key condition, so its cost is bounded by that one
user's library, never by the table:

- ``search_photos``: the date range (``from``/``to``) is the key condition (``SK BETWEEN``),
  newest first, keyset by the same key; every other filter is applied to each page here
  (DynamoDB's FilterExpression would not lower the read cost, and could not fold case and
  accents). A query reads pages of ``PAGE`` items until ``limit`` matches are found:
  cheap for common matches, up to the whole range for a rare one. ``favorite`` first reads
  the viewer's ``FLAG#`` items (one Query of their flags). ``photo_ids`` (a person's photos,
  resolved by the service) of at most ``IDS_DRIVE`` are read by BatchGetItem instead, matched
  and sorted here; ``word_photos`` (people's names in ``q``) count as a word's matches, as
  the photos of albums whose name a word starts do (``_album_words``).
- ``suggest`` ``year``: the ``MONTH#`` counters (one small Query). ``camera``/``city``/
  ``country`` and ``places``: one projected Query of the whole timeline.
- ``map_clusters``: one projected Query of the whole timeline (``lat``, ``lon``); the grid is
  built here.

``docs/dynamodb.md`` gives the costs in read units.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from auroravault.meta.base import BBox, Cluster, Photo, PlaceCount, SearchQuery, SuggestField, Suggestion
from auroravault.meta.dynamodb.albums import AlbumOps
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _py, _record
from auroravault.meta.dynamodb.keys import _timeline_sk
from auroravault.meta.dynamodb.library import LibraryOps
from auroravault.meta.dynamodb.photos import PhotoOps
from auroravault.meta.search_text import camera_label, matches, words

PAGE = 200
#: A ``photo_ids`` set (a person's photos) of at most this many is read item by item
#: (BatchGetItem) instead of walking the timeline: its cost is the person's photos.
IDS_DRIVE = 500


def _grid(bbox: BBox, cell: float, points: list[tuple[float, float, str]]) -> list[Cluster]:
    """Points (newest first) inside ``bbox`` grouped per grid cell."""
    cells: dict[tuple[int, int], list[Any]] = {}
    for lat, lon, photo_id in points:
        if not (bbox.min_lat <= lat <= bbox.max_lat and bbox.min_lon <= lon <= bbox.max_lon):
            continue
        key = (int((lon + 180) / cell), int((lat + 90) / cell))  # as SQLite's CAST does
        found = cells.get(key)
        if found is None:
            cells[key] = [lat, lon, 1, photo_id]
        else:
            found[0] += lat
            found[1] += lon
            found[2] += 1
    return [Cluster(lat=s_lat / n, lon=s_lon / n, count=n, photo_id=pid) for s_lat, s_lon, n, pid in cells.values()]


class SearchOps(AlbumOps, LibraryOps):
    async def _timeline(
        self, owner_id: str, low: str = "PHOTO#", high: str = "PHOTO$", projection: list[str] | None = None
    ) -> AsyncIterator[AttrMap]:
        """The owner's timeline copies between two sort keys, newest first."""
        e = _Expr()
        extra: dict[str, Any] = {}
        if projection:
            extra["ProjectionExpression"] = ", ".join(e.n(a) for a in projection)
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND SK BETWEEN {e.v(low)} AND {e.v(high)}",
            ScanIndexForward=False,
            ConsistentRead=True,
            Limit=PAGE,
            **extra,
        )
        async for item in self._query(**query):
            yield item

    async def _favorites(self, viewer_id: str) -> set[str]:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{viewer_id}')} AND begins_with(SK, {e.v('FLAG#')})",
            ConsistentRead=True,
        )
        return {
            i["SK"]["S"].removeprefix("FLAG#") async for i in self._query(**query) if i.get("favorite", {}).get("BOOL")
        }

    async def _album_words(self, query: SearchQuery) -> dict[str, set[str]]:
        """For each query word, the photos in an album of the owner whose name it matches
        (the owner's albums: one Query; each matching album's members: one Query each)."""
        found: dict[str, set[str]] = {}
        for album in await self.list_albums(query.owner_id, limit=10_000, after=None):
            names = words(album.name)
            hits = [q for q in query.words if any(n.startswith(q) for n in names)]
            if hits:
                members = await self.album_photos(album.id, limit=1_000_000, after=None, descending=True)
                for q in hits:
                    found.setdefault(q, set()).update(p.id for p in members)
        return found

    async def search_photos(self, query: SearchQuery, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        if limit <= 0:
            return []
        if query.photo_ids is not None and not query.photo_ids:
            return []  # a person with no photos here
        favorites = await self._favorites(query.viewer_id) if query.favorite else None
        album_words = await self._album_words(query) if query.words else None
        if query.album_id is None and query.photo_ids is not None and len(query.photo_ids) <= IDS_DRIVE:
            # A few given photos (a person's): read them whole (BatchGetItem), match, sort
            # (with an album, the album's memberships below are read instead).
            got = await self.get_photos(sorted(query.photo_ids))
            hits = [p for p in got.values() if matches(p, query, favorites, album_words)]
            hits = [p for p in hits if after is None or (p.sort_at, p.id) < after]
            hits.sort(key=lambda p: (p.sort_at, p.id), reverse=True)
            return hits[:limit]
        if query.album_id is not None:  # the album's own ordered memberships, page by page
            found: list[Photo] = []
            cursor = after
            while len(found) < limit:
                page = await self.album_photos(query.album_id, limit=PAGE, after=cursor, descending=True)
                found += [p for p in page if matches(p, query, favorites, album_words)]
                if len(page) < PAGE:
                    break
                cursor = (page[-1].sort_at, page[-1].id)
            return found[:limit]
        low = f"PHOTO#{query.start}" if query.start else "PHOTO#"
        high = f"PHOTO#{query.end}$" if query.end else "PHOTO$"  # '$' sorts after '#': the end is inclusive
        sk_after = _timeline_sk(*after) if after is not None else None
        if sk_after is not None:
            high = min(high, sk_after)
        if low > high:
            return []
        found = []
        async for item in self._timeline(query.owner_id, low, high):
            if item["SK"]["S"] == sk_after:
                continue
            photo = _record(Photo, item)
            if matches(photo, query, favorites, album_words):
                found.append(photo)
                if len(found) >= limit:
                    break
        return found

    async def _projected(self, owner_id: str, attrs: list[str]) -> list[dict[str, Any]]:
        return [{k: _py(v) for k, v in item.items()} async for item in self._timeline(owner_id, projection=attrs)]

    async def suggest(self, owner_id: str, field: SuggestField, prefix: str, limit: int) -> list[Suggestion]:
        counts: dict[str, int] = {}
        if field == "year":
            for month in await PhotoOps.month_counts(self, owner_id):  # the counters: archived photos too
                counts[month.month[:4]] = counts.get(month.month[:4], 0) + month.count
        else:
            attrs = ["camera_make", "camera_model"] if field == "camera" else ["place"]
            for row in await self._projected(owner_id, attrs):
                if field == "camera":
                    value = camera_label(row.get("camera_make"), row.get("camera_model"))
                else:
                    value = (row.get("place") or {}).get(field)
                if value:
                    counts[value] = counts.get(value, 0) + 1
        wanted = prefix.lower()
        hits = [Suggestion(v, n) for v, n in counts.items() if v.lower().startswith(wanted)]
        hits.sort(key=lambda s: (-s.count, s.value))
        return hits[:limit]

    async def places(self, owner_id: str) -> list[PlaceCount]:
        found: dict[tuple[str | None, ...], list[Any]] = {}
        for row in await self._projected(owner_id, ["id", "place"]):
            place = row.get("place") or {}
            key = (place.get("country_code"), place.get("region"), place.get("city"), place.get("country"))
            if not any(key):
                continue
            entry = found.setdefault(key, [0, row["id"]])  # newest first: the first seen is the cover
            entry[0] += 1
        out = [
            PlaceCount(country=k[3], country_code=k[0], region=k[1], city=k[2], count=n, cover_photo_id=cover)
            for k, (n, cover) in found.items()
        ]
        out.sort(key=lambda p: (-p.count, p.country or "", p.city or ""))
        return out

    async def map_clusters(self, owner_id: str, bbox: BBox, cell: float) -> list[Cluster]:
        points = [
            (float(r["lat"]), float(r["lon"]), str(r["id"]))
            for r in await self._projected(owner_id, ["id", "lat", "lon"])
            if r.get("lat") is not None and r.get("lon") is not None
        ]
        return _grid(bbox, cell, points)
