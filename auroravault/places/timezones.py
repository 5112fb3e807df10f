"""The local time zone of a place, with no network, and the capture time it makes right.

A camera's EXIF ``DateTimeOriginal`` is its wall clock; without ``OffsetTimeOriginal`` the
server cannot tell 12:00 in Tallinn from 12:00 in Lisbon. The coordinates can: ``tzfpy``
(the tzf polygons of timeanddate's boundary data, compiled into its wheel) names the IANA
zone, and ``zoneinfo`` (the system's tz database, else the pinned ``tzdata`` package) gives
that zone's offset *at that moment*, summer time included.

``tzfpy`` builds its index on first use; we import it on the first lookup, under a lock,
once per process. Lookups take microseconds but still belong in a worker thread with the
rest of the pipeline's CPU work.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime, timezone
from functools import lru_cache
from types import ModuleType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_lock = threading.Lock()
_tzfpy: ModuleType | None = None


def _finder() -> ModuleType:
    global _tzfpy
    if _tzfpy is None:
        with _lock:
            if _tzfpy is None:
                import tzfpy

                _tzfpy = tzfpy
    return _tzfpy


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_at(lat: float, lon: float) -> ZoneInfo | None:
    """The IANA time zone at (``lat``, ``lon``), or None for coordinates out of range."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    name = _finder().get_tz(lon, lat)  # tzfpy takes longitude first
    return _zone(name) if name else None


def localize(wall_clock: datetime, lat: float, lon: float) -> datetime | None:
    """A naive capture time read as the wall clock at (``lat``, ``lon``): the aware time, or
    None when the place has no zone. An aware time is returned as it is (its offset came
    from the camera and wins). In the hour a summer-time change repeats, the first (summer)
    reading is taken."""
    if wall_clock.tzinfo is not None:
        return wall_clock
    zone = zone_at(lat, lon)
    if zone is None:
        return None
    offset = wall_clock.replace(tzinfo=zone).utcoffset()
    # A fixed offset, as a camera that writes OffsetTimeOriginal would have given it.
    return None if offset is None else wall_clock.replace(tzinfo=timezone(offset))
