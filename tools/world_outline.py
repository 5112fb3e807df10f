"""Make ``auroravault/web/js/world.js``: the world's land as one SVG path, for the offline map.

The data is Natural Earth's 1:110m land (public domain), as the TopoJSON file
``land-110m.json`` of the npm package ``world-atlas`` (2.0.2), fetched with the ordinary
client: ``npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz``. Then:

    python tools/world_outline.py package/land-110m.json > auroravault/web/js/world.js

The path is in Web Mercator "world coordinates" on a 256 x 256 box (the square a zoom-0 map
tile covers; latitudes beyond +-85.05 are clipped), rounded to a hundredth (about 0.015 degrees,
finer than the data at this scale), so that map tiles, when a tile server is configured, lie
exactly over it.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from typing import Any


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])  # arcs share their end points
    return points


WORLD = 256
MAX_LAT = 85.05112878


def project(lon: float, lat: float) -> tuple[int, int]:
    """Web Mercator world coordinates, in hundredths."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = (lon + 180) / 360 * WORLD
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * WORLD
    return round(x * 100), round(y * 100)


def unwrap(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the antimeridian, made continuous (longitudes past +-180), and its
    copy a world away, so that each half shows on its side (map.js clips to the world)."""
    out = [points[0]]
    shift = 0.0
    for (lon0, _), (lon, lat) in itertools.pairwise(points):
        if lon - lon0 > 180:
            shift -= 360
        elif lon0 - lon > 180:
            shift += 360
        out.append((lon + shift, lat))
    low = min(lon for lon, _ in out)
    high = max(lon for lon, _ in out)
    if high - low >= 359:
        return [points]  # around a pole (Antarctica): the data draws it along the edges already
    copies = [out]
    if high > 180:
        copies.append([(lon - 360, lat) for lon, lat in out])
    if low < -180:
        copies.append([(lon + 360, lat) for lon, lat in out])
    return copies


def path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for points in (copy for ring in rings for copy in unwrap(ring)):
        cells = []
        last = None
        for lon, lat in points:
            cell = project(lon, lat)
            if cell != last:
                cells.append(cell)
                last = cell
        if len(cells) < 3:
            continue
        head, *rest = cells
        moves = "".join(f"L{x / 100:g} {y / 100:g}" for x, y in rest)
        parts.append(f"M{head[0] / 100:g} {head[1] / 100:g}{moves}Z")
    return "".join(parts)


def main(source: str) -> None:
    with open(source, encoding="utf-8") as f:
        topology = json.load(f)
    arcs = decode_arcs(topology)
    rings = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            rings.extend(ring(r, arcs) for r in polygon)
    print("// The world's land, Natural Earth 1:110m (public domain, naturalearthdata.com), as one SVG")
    print("// path in Web Mercator world coordinates on a 256 x 256 box (map.js projects the same way).")
    print("// Made by tools/world_outline.py from the npm package world-atlas 2.0.2; do not edit.")
    print(f"export const LAND = '{path(rings)}';")


if __name__ == "__main__":
    main(sys.argv[1])
