"""Search, typeahead suggestions and places (DESIGN.md "Search, places, map, memories").

Rules:

- ``GET /search`` matches the viewer's own photos and those of the partners they keep in
  their timeline (``access.timeline_owners``; minus what each partner archived): trashed
  photos never, the viewer's archived ones yes (archive hides from the timeline, not from
  search). ``album``: the photos listed in that album, whoever owns them, when the viewer
  may see it (its owner, its current members' and the viewer's own photos; a removed
  member's photos left in the album are not found by an album search).
- Suggestions and places count the viewer's own library (``access.search_owners``). Every
  given criterion must hold; results are newest first, keyset-paginated by ``(sort_at, id)``.
- ``q``: words (case and accents folded), each the start of a word of the filename,
  description, place names, album names or people's names. At most ``MAX_WORDS`` words
  of at most ``MAX_TEXT`` characters in all.
- ``from``/``to``: a date (``YYYY-MM-DD``) or an ISO 8601 datetime, both inclusive (a date
  ``to`` covers that whole day, UTC). Impossible or inverted dates -> 422 ``invalid_date``.
- ``person``: a person id of the searched library's owner or a part of a name; only photos
  with that person (``services/search_people``; nobody found -> no photos). ``q`` words also
  match people's names. With face recognition off ``person`` is 422
  ``person_search_unavailable``, rather than ignored silently. ``album``: only its photos;
  an album the viewer may not see (or none) -> 404 ``album_not_found``.
- Suggestions: ``field=camera|city|country|year|person``, ``prefix`` (may be empty), the
  ``limit`` most common values (``person``: people's names, ``services/search_people``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from typing import Literal, Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Invalid
from auroravault.meta.base import Flags, Photo, PlaceCount, SearchQuery, SuggestField, Suggestion, User
from auroravault.meta.protocols import AlbumStore, LibraryStore, SearchStore, SharingStore
from auroravault.meta.search_text import words
from auroravault.services import access, search_people
from auroravault.services.people import PeopleService
from auroravault.services.photos import decode_pair, encode_cursor
from auroravault.storage.base import BlobStore, thumb_key
from auroravault.textcheck import has_control_chars
from auroravault.timeutil import sort_key

MAX_LIMIT = 200
MAX_TEXT = 200
MAX_WORDS = 10
MAX_SUGGESTIONS = 50
MediaType = Literal["image", "video"]
SuggestionField = SuggestField | Literal["person"]


class SearchMeta(SearchStore, LibraryStore, AlbumStore, SharingStore, Protocol):
    """What this service reads and writes."""


class SearchParams(msgspec.Struct, kw_only=True):
    """The query string of ``GET /search``, as sent (validated by ``SearchService``)."""

    q: str | None = None
    start: str | None = None  # ``from``
    end: str | None = None  # ``to``
    camera: str | None = None
    city: str | None = None
    country: str | None = None
    favorite: bool = False
    album: str | None = None
    person: str | None = None
    media_type: MediaType | None = None
    has_location: bool | None = None


class SearchPage(msgspec.Struct, kw_only=True):
    items: list[tuple[Photo, str | None]]
    next_cursor: str | None
    flags: dict[str, Flags]


def parse_bound(value: str, *, end: bool) -> str:
    """``from``/``to`` as a ``sort_at`` bound: a date is its first (or, for ``end``, last)
    instant in UTC; a datetime without an offset is taken as UTC."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise Invalid("invalid_date", f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 datetime") from None
    if not 1800 <= moment.year <= 9998:
        raise Invalid("invalid_date", "dates lie between the years 1800 and 9998")
    return sort_key(moment)


def _text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_TEXT or has_control_chars(value):
        raise Invalid(f"invalid_{name}", f"{name} is at most {MAX_TEXT} characters, without control characters")
    return value.strip() or None


def query_of(user: User, owner_id: str, params: SearchParams) -> SearchQuery:
    """The validated query (422 with a code for anything that cannot be asked; ``person`` is
    checked here and resolved per owner by ``search_people.with_people``)."""
    _text("person", params.person)
    q = _text("q", params.q) or ""
    found = tuple(dict.fromkeys(words(q)))
    if len(found) > MAX_WORDS:
        raise Invalid("invalid_q", f"at most {MAX_WORDS} words")
    start = parse_bound(params.start, end=False) if params.start else None
    end = parse_bound(params.end, end=True) if params.end else None
    if start is not None and end is not None and start > end:
        raise Invalid("invalid_date", "from is after to")
    return SearchQuery(
        viewer_id=user.id,
        owner_id=owner_id,
        words=found,
        start=start,
        end=end,
        camera=_text("camera", params.camera),
        city=_text("city", params.city),
        country=_text("country", params.country),
        favorite=params.favorite,
        media_type=params.media_type,
        has_location=params.has_location,
    )


class SearchService:
    def __init__(
        self, meta: SearchMeta, blobs: BlobStore, settings: Settings, people: PeopleService | None = None
    ) -> None:
        self.meta = meta
        self.blobs = blobs
        self.settings = settings
        self.people = people  # person= and people's names in q (None or unavailable: faces off)

    async def search(self, user: User, params: SearchParams, *, limit: int, cursor: str | None) -> SearchPage:
        if not 1 <= limit <= MAX_LIMIT:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_LIMIT}", status=400)
        after = decode_pair(cursor) if cursor else None
        query_of(user, user.id, params)  # bad input is refused before anything is read
        person = _text("person", params.person)
        if person is not None:
            search_people.require(self.people)
        partners: set[str] = set()
        if params.album is not None:  # an album the viewer may not see is album_not_found (404)
            album, _ = await access.album(self.meta, user, params.album)
            members = [m.user_id for m in await self.meta.album_members(album.id)]
            owners = list(dict.fromkeys([user.id, album.owner_id, *members]))
            queries = [msgspec.structs.replace(query_of(user, o, params), album_id=album.id) for o in owners]
        else:
            owners = await access.timeline_owners(self.meta, user)
            partners = set(owners[1:])
            queries = [query_of(user, o, params) for o in owners]
        photos: list[Photo] = []
        for query in queries:
            query = await search_people.with_people(self.people, user, query, person)
            if query.photo_ids is not None and not query.photo_ids:
                continue  # nobody of that name or id in this library
            if query.owner_id in partners:
                photos += await self._partner_hits(query, limit + 1, after)
            else:
                photos += await self.meta.search_photos(query, limit=limit + 1, after=after)
        photos.sort(key=lambda p: (p.sort_at, p.id), reverse=True)
        more = len(photos) > limit
        photos = photos[:limit]
        return SearchPage(
            items=list(zip(photos, await self._thumbs(photos), strict=True)),
            next_cursor=encode_cursor(photos[-1]) if more and photos else None,
            flags=await self.meta.get_flags(user.id, [p.id for p in photos]) if photos else {},
        )

    async def _partner_hits(self, query: SearchQuery, want: int, after: tuple[str, str] | None) -> list[Photo]:
        """Up to ``want`` hits in a partner's library that its owner did not archive."""
        kept: list[Photo] = []
        while len(kept) < want:
            page = await self.meta.search_photos(query, limit=want, after=after)
            kept += await access.unarchived(self.meta, query.owner_id, page)
            if len(page) < want:
                break
            after = (page[-1].sort_at, page[-1].id)
        return kept[:want]

    async def _thumbs(self, photos: list[Photo]) -> list[str | None]:
        ttl = self.settings.storage.download_ttl_seconds

        async def thumb(photo: Photo) -> str | None:
            if photo.status != "ready":
                return None
            return await self.blobs.presign_get(
                thumb_key(photo.owner_id, photo.id), expires_in=ttl, content_type="image/webp"
            )

        return list(await asyncio.gather(*(thumb(p) for p in photos)))

    async def suggestions(self, user: User, field: SuggestionField, prefix: str, limit: int) -> list[Suggestion]:
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_SUGGESTIONS}", status=400)
        clean = _text("prefix", prefix) or ""
        if field == "person":
            return await search_people.suggest_people(search_people.require(self.people), user, clean, limit)
        counts: dict[str, int] = {}
        for owner in access.search_owners(user):
            for hit in await self.meta.suggest(owner, field, clean, limit):
                counts[hit.value] = counts.get(hit.value, 0) + hit.count
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if field == "year":
            ranked.sort(key=lambda kv: kv[0], reverse=True)  # newest year first reads best for years
        return [Suggestion(v, n) for v, n in ranked[:limit]]

    async def places(self, user: User) -> list[PlaceCount]:
        found: list[PlaceCount] = []
        for owner in access.search_owners(user):
            found += await self.meta.places(owner)
        return sorted(found, key=lambda p: (-p.count, p.country or "", p.city or ""))
