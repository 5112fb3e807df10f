"""Events and trips: one owner's photos grouped by time and distance (DESIGN.md "People,
places and events, offline").

An *event* is a run of photos (ordered by their real instant, ``sort_at``) with no gap longer
than ``GAP`` between neighbours and no jump farther than ``JUMP_KM`` between located
neighbours. The *home base* is the city seen in the most distinct months (ties: most photos).
A *trip* is a run of consecutive events away from home (their city is known and is not the
home city), with less than ``TRIP_BREAK`` between one and the next; a single day away is an
event, not a trip. Titles come from the place names the offline reverse geocoder gave the
photos and from their local dates: ``"Lisbon, 3-9 June 2024"``.

Events are suggestions computed from the photos (``group`` is a pure function), again only
after the library changed (``services/library_cache``); their ids are stable while their
first photo is: ``ev_<first photo id>`` and ``tr_<first photo id>``.
``POST /events/{id}/album`` makes an album of one through the album service.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

import msgspec

from auroravault.errors import NotFound
from auroravault.meta.base import Photo, SearchQuery, User
from auroravault.meta.protocols import SearchStore
from auroravault.services.albums import MAX_NAME, AlbumCreate, AlbumService, Created
from auroravault.services.library import MAX_IDS
from auroravault.services.library_cache import ChangeFeed, LibraryCache
from auroravault.timeutil import from_iso

GAP = timedelta(hours=6)
JUMP_KM = 30.0
TRIP_BREAK = timedelta(days=3)
MIN_TRIP_DAYS = 2
_PAGE = 1000
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class Moment(msgspec.Struct, kw_only=True):
    """An event or a trip: ``photo_ids`` oldest first; ``trip`` is the id of the trip an event
    belongs to; ``events`` the ids of a trip's events."""

    id: str
    kind: Literal["event", "trip"]
    title: str
    start_at: str
    end_at: str
    place: str | None
    photo_count: int
    cover_photo_id: str
    photo_ids: list[str]
    trip: str | None = None
    events: list[str] = []


class _Point(msgspec.Struct, frozen=True):
    id: str
    at: datetime
    day: date  # the local day of the photo (its ``taken_at`` when known)
    lat: float | None
    lon: float | None
    city: str | None
    month: str


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _point(photo: Photo) -> _Point:
    local = (photo.taken_at or photo.sort_at)[:10]
    city = photo.place.city if photo.place and photo.place.city else None
    return _Point(
        id=photo.id,
        at=from_iso(photo.sort_at),
        day=date.fromisoformat(local),
        lat=photo.lat,
        lon=photo.lon,
        city=city,
        month=local[:7],
    )


def date_range(first: date, last: date) -> str:
    """``3 June 2024``, ``3-9 June 2024``, ``28 May - 2 June 2024``, ``30 December 2023 - 2 January 2024``."""
    if first == last:
        return f"{first.day} {_MONTHS[first.month - 1]} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{last.day} {_MONTHS[first.month - 1]} {first.year}"
    if first.year == last.year:
        return f"{first.day} {_MONTHS[first.month - 1]} - {last.day} {_MONTHS[last.month - 1]} {last.year}"
    return f"{date_range(first, first)} - {date_range(last, last)}"


def home_city(points: Sequence[_Point]) -> str | None:
    months: dict[str, set[str]] = {}
    counts: Counter[str] = Counter()
    for p in points:
        if p.city:
            months.setdefault(p.city, set()).add(p.month)
            counts[p.city] += 1
    if not counts:
        return None
    return max(counts, key=lambda c: (len(months[c]), counts[c], c))


def _city(points: Sequence[_Point]) -> str | None:
    counts = Counter(p.city for p in points if p.city)
    return max(counts, key=lambda c: (counts[c], c)) if counts else None


def _moment(kind: Literal["event", "trip"], points: Sequence[_Point]) -> Moment:
    place = _city(points)
    dates = date_range(min(p.day for p in points), max(p.day for p in points))
    prefix = "ev_" if kind == "event" else "tr_"
    return Moment(
        id=prefix + points[0].id,
        kind=kind,
        title=f"{place}, {dates}" if place else dates,
        start_at=points[0].at.isoformat().replace("+00:00", "Z"),
        end_at=points[-1].at.isoformat().replace("+00:00", "Z"),
        place=place,
        photo_count=len(points),
        cover_photo_id=points[len(points) // 2].id,
        photo_ids=[p.id for p in points],
    )


def _split(points: Sequence[_Point]) -> list[list[_Point]]:
    runs: list[list[_Point]] = []
    last_located: _Point | None = None
    for p in points:
        new = not runs or p.at - runs[-1][-1].at > GAP
        if not new and p.lat is not None and p.lon is not None and last_located is not None:
            assert last_located.lat is not None and last_located.lon is not None
            new = km(last_located.lat, last_located.lon, p.lat, p.lon) > JUMP_KM
        if new:
            runs.append([])
        runs[-1].append(p)
        if p.lat is not None and p.lon is not None:
            last_located = p
    return runs


def group(photos: Sequence[Photo]) -> list[Moment]:
    """Events and trips of ``photos`` (any order), newest first (a trip before its events)."""
    points = sorted((_point(p) for p in photos), key=lambda p: (p.at, p.id))
    runs = _split(points)
    home = home_city(points)
    events = [(_moment("event", run), run) for run in runs]
    moments: list[Moment] = [e for e, _ in events]
    away: list[tuple[Moment, list[_Point]]] = []

    def close() -> None:
        if away:
            span = {p.day for _, run in away for p in run}
            if max(span) - min(span) >= timedelta(days=MIN_TRIP_DAYS - 1):
                trip = _moment("trip", [p for _, run in away for p in run])
                trip.events = [e.id for e, _ in away]
                for e, _ in away:
                    e.trip = trip.id
                moments.append(trip)
            away.clear()

    for event, run in events:
        city = event.place
        if home is None or city is None or city == home:
            close()
            continue
        if away and run[0].at - away[-1][1][-1].at > TRIP_BREAK:
            close()
        away.append((event, run))
    close()
    moments.sort(key=lambda m: (m.end_at, m.kind == "trip", m.id), reverse=True)
    return moments


class EventMeta(SearchStore, ChangeFeed, Protocol):
    """What events read: the photos, and the change feed that says when to read them again."""


async def owner_photos(meta: SearchStore, user: User) -> list[Photo]:
    """The user's own listed photos (untrashed, processed; archived included), all pages."""
    found: list[Photo] = []
    after: tuple[str, str] | None = None
    query = SearchQuery(viewer_id=user.id, owner_id=user.id)
    while True:
        page = await meta.search_photos(query, limit=_PAGE, after=after)
        found += page
        if len(page) < _PAGE:
            return found
        after = (page[-1].sort_at, page[-1].id)


class EventService:
    def __init__(self, meta: EventMeta, albums: AlbumService) -> None:
        self.meta = meta
        self.albums = albums
        self.cache: LibraryCache[list[Moment]] = LibraryCache(meta)

    async def list(self, user: User) -> list[Moment]:
        """The user's events and trips, computed again only once their library changed
        (``services/library_cache``), off the event loop."""

        async def compute() -> list[Moment]:
            return await asyncio.to_thread(group, await owner_photos(self.meta, user))

        return await self.cache.get(user.id, compute)

    async def get(self, user: User, event_id: str) -> Moment:
        for moment in await self.list(user):
            if moment.id == event_id:
                return moment
        raise NotFound("event_not_found", "no such event")

    async def album(self, user: User, event_id: str) -> Created:
        moment = await self.get(user, event_id)
        ids = moment.photo_ids
        created = await self.albums.create(user, AlbumCreate(name=moment.title[:MAX_NAME], photo_ids=ids[:MAX_IDS]))
        for start in range(MAX_IDS, len(ids), MAX_IDS):  # a long trip: the rest in pages
            await self.albums.add(user, created.view.album.id, ids[start : start + MAX_IDS])
        return created
