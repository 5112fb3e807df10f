"""Map markers: the viewer's located photos in a bounding box, clustered on a grid.

``GET /map/markers?bbox=minLon,minLat,maxLon,maxLat&zoom=Z`` -> ``{clusters: [{lat, lon,
count, photo_id}]}``. The grid is square cells of ``cell_size(bbox, zoom)`` degrees anchored at
(-180, -90), so a cluster stays put while the map pans. The cell is at least a quarter of a
web-map tile at ``zoom`` (360 / 2**zoom / 4 degrees) and at least 1/20 of the box's longer
side, so a box is at most 21 x 21 cells: never more than 441 clusters, whatever the library.
A cluster sits at the mean position of its photos; ``photo_id`` is its newest (its cover).

A bbox that is not four numbers, lies outside -180..180 / -90..90, or has a minimum above its
maximum (a box across the antimeridian is two requests) -> 422 ``invalid_bbox``; a zoom
outside 0..22 -> 422 ``invalid_zoom``. Trashed photos never show; archived ones do, as in search.
"""

from __future__ import annotations

import math

from auroravault.errors import Invalid
from auroravault.meta.base import BBox, Cluster, User
from auroravault.meta.protocols import SearchStore
from auroravault.services import access

MAX_ZOOM = 22
GRID = 20  # cells across the longer side of the box, at least
MAX_CLUSTERS = (GRID + 1) ** 2


def parse_bbox(value: str) -> BBox:
    parts = value.split(",")
    try:
        if len(parts) != 4:
            raise ValueError(value)
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        raise Invalid("invalid_bbox", "bbox is minLon,minLat,maxLon,maxLat: four numbers") from None
    if not all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
        raise Invalid("invalid_bbox", "bbox numbers must be finite")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise Invalid("invalid_bbox", "longitudes lie within -180..180 and latitudes within -90..90")
    if min_lon > max_lon or min_lat > max_lat:
        raise Invalid("invalid_bbox", "each minimum must not exceed its maximum (split a box across the antimeridian)")
    return BBox(min_lon, min_lat, max_lon, max_lat)


def cell_size(bbox: BBox, zoom: int) -> float:
    if not 0 <= zoom <= MAX_ZOOM:
        raise Invalid("invalid_zoom", f"zoom is a whole number within 0..{MAX_ZOOM}")
    tile = 360 / 2**zoom / 4
    side = max(bbox.max_lon - bbox.min_lon, bbox.max_lat - bbox.min_lat) / GRID
    return max(tile, side)


class MapService:
    def __init__(self, meta: SearchStore) -> None:
        self.meta = meta

    async def markers(self, user: User, bbox: str, zoom: int) -> list[Cluster]:
        box = parse_bbox(bbox)
        cell = cell_size(box, zoom)
        clusters: list[Cluster] = []
        for owner in access.search_owners(user):
            clusters += await self.meta.map_clusters(owner, box, cell)
        # One owner's grid is bounded; several owners' cells may coincide: keep the largest.
        clusters.sort(key=lambda c: (-c.count, c.photo_id))
        return clusters[:MAX_CLUSTERS]
