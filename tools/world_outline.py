"""Make ``auroravault/web/js/world.js``: the world's land as one SVG path, for the offline map.

The data is Natural Earth's 1:110m land (public domain), as the TopoJSON file
``land-110m.json`` of the npm package ``world-atlas`` (2.0.2), fetched with the ordinary
client: ``npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz``. Then:

    python tools/world_outline.py package/land-110m.json > auroravault/web/js/world.js

The path is in an equirectangular projection on a 360 x 180 box: x = lon + 180,
y = 90 - lat, rounded to a tenth of a degree (finer than the data at this scale).
"""

from __future__ import annotations

import json
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


def path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for points in rings:
        cells = []
        last = None
        for lon, lat in points:
            cell = (round((lon + 180) * 10), round((90 - lat) * 10))
            if cell != last:
                cells.append(cell)
                last = cell
        if len(cells) < 3:
            continue
        head, *rest = cells
        parts.append(f"M{head[0] / 10:g} {head[1] / 10:g}" + "".join(f"L{x / 10:g} {y / 10:g}" for x, y in rest) + "Z")
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
    print("// path on a 360 x 180 equirectangular box (x = lon + 180, y = 90 - lat).")
    print("// Made by tools/world_outline.py from the npm package world-atlas 2.0.2; do not edit.")
    print(f"export const LAND = '{path(rings)}';")


if __name__ == "__main__":
    main(sys.argv[1])
