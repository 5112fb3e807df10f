"""Memories: "on this day", photos taken on this calendar day in earlier years.

``GET /memories?date=YYYY-MM-DD`` (default: today, UTC) -> one entry per earlier year with
photos of that day, newest year first: ``{kind: "on_this_day", year, title, photo_ids}``
(at most ``MAX_PER_YEAR`` ids, newest first). The day is the photo's own local day (the date
in ``taken_at``), so a photo taken at 23:30 in Lisbon belongs to its evening, not to UTC's
next day. What the timeline hides hides here too: trashed and (the viewer's) archived photos.
Memories cover the viewer's library and those of the partners they keep in their timeline
(``access.timeline_owners``), minus what each partner archived.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

import msgspec

from auroravault.errors import Invalid
from auroravault.meta.base import Photo, PhotoView, SearchQuery, User
from auroravault.meta.protocols import LibraryStore, PhotoStore, SearchStore, SharingStore
from auroravault.services import access
from auroravault.timeutil import sort_key, utcnow

MAX_PER_YEAR = 50
_SCAN = 500  # photos read per year and day at most (a day of a family's library holds fewer)


class MemoryMeta(PhotoStore, LibraryStore, SearchStore, SharingStore, Protocol):
    """What this service reads and writes."""


class Memory(msgspec.Struct, kw_only=True):
    kind: str
    year: int
    title: str
    photo_ids: list[str]


def parse_day(value: str | None) -> date:
    if value is None:
        return utcnow().date()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("invalid_date", f"date must be a real day as YYYY-MM-DD, not {value!r}") from None


def day_window(day: date) -> tuple[str, str]:
    """The ``sort_at`` range that holds every local time of ``day`` anywhere (UTC-14..+14)."""
    start = datetime.combine(day, time.min, tzinfo=UTC) - timedelta(hours=14)
    end = datetime.combine(day, time.max, tzinfo=UTC) + timedelta(hours=14)
    return sort_key(start), sort_key(end)


def local_day(photo: Photo) -> str:
    return (photo.taken_at or photo.sort_at)[:10]


def _same_day(year: int, day: date) -> date | None:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return None


class MemoryService:
    def __init__(self, meta: MemoryMeta) -> None:
        self.meta = meta

    async def on_this_day(self, user: User, value: str | None) -> list[Memory]:
        day = parse_day(value)
        memories: list[Memory] = []
        for owner in await access.timeline_owners(self.meta, user):
            months = await self.meta.month_counts(owner, PhotoView(viewer_id=user.id))
            years = sorted({int(m.month[:4]) for m in months if int(m.month[:4]) < day.year}, reverse=True)
            for year in years:
                then = _same_day(year, day)
                if then is None:
                    continue
                start, end = day_window(then)
                query = SearchQuery(viewer_id=user.id, owner_id=owner, start=start, end=end)
                photos = await self.meta.search_photos(query, limit=_SCAN, after=None)
                photos = [p for p in photos if local_day(p) == then.isoformat()]
                if owner != user.id:
                    photos = await access.unarchived(self.meta, owner, photos)
                flags = await self.meta.get_flags(user.id, [p.id for p in photos]) if photos else {}
                ids = [p.id for p in photos if not (p.id in flags and flags[p.id].archived)][:MAX_PER_YEAR]
                if ids:
                    ago = day.year - year
                    title = f"{ago} year{'s' if ago > 1 else ''} ago"
                    memories.append(Memory(kind="on_this_day", year=year, title=title, photo_ids=ids))
        memories.sort(key=lambda m: m.year, reverse=True)
        return memories
