"""Which nearby GeoNames place a photo is named after: a town or city, not a neighbourhood.

``cities1000`` lists the sections of big cities (GeoNames feature code PPLX: "Baixa",
"Intendente", "Paris 11e Arrondissement", "Times Square") as places of their own, and in a
city they are nearer to most photos than the city's own point. The shipped data has no feature
codes, but it has each place's population and its second-level area (``county``). Two rules,
both documented in docs/places.md:

1. **Sections take their city's name.** A place whose county bears the name of a more
   populous place of the same region, lying within ``section_reach_km`` of it, is a section of
   that place (Lisbon's parishes: county "Lisbon"; Paris' quarters: county "Paris"; Tallinn's
   districts) and is named after it.
2. **Bigger places pull harder.** Among the ``CANDIDATES`` nearest places in the nearest one's
   region, the winner has the smallest ``distance - PULL_KM_PER_ROOT * sqrt(population)``
   (about 2 km for Lisbon, 4.4 km for Paris, 9 km for New York City, 0.1 km for a village of
   1,500): a photo in central Brooklyn is in "New York City", one in a village stays in the
   village, and nothing across a region's (or country's) border pulls at all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

#: km of pull per square root of population (rule 2).
PULL_KM_PER_ROOT = 0.003
#: How many of the nearest places compete (rule 2).
CANDIDATES = 32
#: A section lies within this many km per square root of its city's population, at most
#: ``SECTION_MAX_KM`` (rule 1): 10.8 km for Lisbon, 9.4 km for Tallinn, 12 km for Paris.
SECTION_KM_PER_ROOT = 0.015
SECTION_MAX_KM = 12.0
EARTH_RADIUS_KM = 6371.0088


def section_reach_km(population: float) -> float:
    return min(SECTION_KM_PER_ROOT * math.sqrt(max(population, 0.0)), SECTION_MAX_KM)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def sections(
    cities: list[str], counties: list[str | None], regions: Any, populations: Any, lats: Any, lons: Any
) -> Any:
    """For every place, the index of the place it is named after (rule 1): its own index, or
    that of the city it is a section of (followed to the top: a city's population grows with
    each step, so the chain ends)."""
    import numpy as np

    count = len(cities)
    by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, city in enumerate(cities):
        by_name[(int(regions[index]), city)].append(index)
    parent = np.arange(count, dtype=np.int32)
    for index, county in enumerate(counties):
        if not county or county == cities[index]:
            continue
        best = -1
        for other in by_name.get((int(regions[index]), county), ()):
            if populations[other] <= populations[index] or (best >= 0 and populations[other] <= populations[best]):
                continue
            if _km(lats[index], lons[index], lats[other], lons[other]) <= section_reach_km(populations[other]):
                best = other
        if best >= 0:
            parent[index] = best
    for _ in range(8):  # a section of a section (rare) is named after the top one
        above = parent[parent]
        if (above == parent).all():
            break
        parent = above
    return parent


def choose(chords: Any, indices: Any, regions: Any, pull_km: Any) -> Any:
    """Rule 2 over a k-d tree answer (``chords``/``indices``, one row per point, nearest first,
    missing neighbours as ``inf``/an index past the end): the chosen index of each row."""
    import numpy as np

    present = np.isfinite(chords)
    safe = np.where(present, indices, 0)
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.where(present, chords, 0.0) / 2, 1.0))
    score = km - pull_km[safe]
    same_region = regions[safe] == regions[safe[:, :1]]
    score = np.where(present & same_region, score, np.inf)
    best = np.argmin(score, axis=1)
    return safe[np.arange(len(safe)), best]
