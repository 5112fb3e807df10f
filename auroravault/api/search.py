"""Search, suggestions, places, map markers and memories (DESIGN.md "Search, places, map, memories")."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from auroravault.api.deps import MAP_SERVICE, MEMORIES_SERVICE, SEARCH_SERVICE, USER
from auroravault.api.problems import AUTH, UNAVAILABLE, documented
from auroravault.api.schemas import PhotoOut, PhotoPageOut
from auroravault.meta.base import User
from auroravault.services.map import MapService
from auroravault.services.memories import MemoryService
from auroravault.services.search import MediaType, SearchParams, SearchService


class SuggestionOut(msgspec.Struct, kw_only=True):
    value: str
    count: int


class SuggestionsOut(msgspec.Struct, kw_only=True):
    values: list[SuggestionOut]


class PlaceOut(msgspec.Struct, kw_only=True):
    country: str | None
    country_code: str | None
    region: str | None
    city: str | None
    count: int
    cover_photo_id: str


class ClusterOut(msgspec.Struct, kw_only=True):
    lat: float
    lon: float
    count: int
    photo_id: str


class MarkersOut(msgspec.Struct, kw_only=True):
    clusters: list[ClusterOut]


class MemoryOut(msgspec.Struct, kw_only=True):
    kind: Literal["on_this_day"]
    year: int
    title: str
    photo_ids: list[str]


SEARCH_422 = (
    "invalid_date, invalid_q, invalid_camera, invalid_city, invalid_country, invalid_person,"
    " person_search_unavailable (face recognition off)"
)


SUGGEST_422 = "invalid_prefix, person_search_unavailable (field=person, face recognition off)"


class SearchController(Controller):
    path = "/search"
    tags = ["search"]
    dependencies = {**USER, **SEARCH_SERVICE}

    @get(
        "/",
        summary="Search your photos by words (names of places, albums and people too) and filters, newest first",
        responses=documented(
            s400="invalid_request, invalid_cursor", s404="album_not_found", s422=SEARCH_422, **AUTH, **UNAVAILABLE
        ),
    )
    async def search(
        self,
        user: NamedDependency[User],
        search: NamedDependency[SearchService],
        q: FromQuery[str | None] = None,
        start: Annotated[str | None, QueryParameter(name="from")] = None,
        to: FromQuery[str | None] = None,
        camera: FromQuery[str | None] = None,
        city: FromQuery[str | None] = None,
        country: FromQuery[str | None] = None,
        favorite: FromQuery[bool] = False,
        album: FromQuery[str | None] = None,
        person: Annotated[
            str | None,
            QueryParameter(description="one of your people: their id, or a part of their name (case-insensitive)"),
        ] = None,
        type: FromQuery[MediaType | None] = None,
        has_location: FromQuery[bool | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> PhotoPageOut:
        params = SearchParams(
            q=q,
            start=start,
            end=to,
            camera=camera,
            city=city,
            country=country,
            favorite=favorite,
            album=album,
            person=person,
            media_type=type,
            has_location=has_location,
        )
        page = await search.search(user, params, limit=limit, cursor=cursor)
        return PhotoPageOut(
            items=[PhotoOut.of(p, url, page.flags.get(p.id)) for p, url in page.items], next_cursor=page.next_cursor
        )

    @get(
        "/suggestions",
        summary="Typeahead: the most common cameras, cities, countries, years or people starting with a prefix",
        responses=documented(
            s400="invalid_request",
            s422=SUGGEST_422,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def suggestions(
        self,
        user: NamedDependency[User],
        search: NamedDependency[SearchService],
        field: Annotated[
            Literal["camera", "city", "country", "year", "person"],
            QueryParameter(description="person: your named, not hidden people whose name has words the prefix starts"),
        ],
        prefix: FromQuery[str] = "",
        limit: Annotated[int, QueryParameter(ge=1, le=50)] = 10,
    ) -> SuggestionsOut:
        found = await search.suggestions(user, field, prefix, limit)
        return SuggestionsOut(values=[SuggestionOut(value=s.value, count=s.count) for s in found])


class PlacesController(Controller):
    path = "/places"
    tags = ["search"]
    dependencies = {**USER, **SEARCH_SERVICE}

    @get(
        "/",
        summary="Every place of your photos (country, region, city) with its count and newest photo",
        responses=documented(**AUTH, **UNAVAILABLE),
    )
    async def places(self, user: NamedDependency[User], search: NamedDependency[SearchService]) -> list[PlaceOut]:
        return [
            PlaceOut(
                country=p.country,
                country_code=p.country_code,
                region=p.region,
                city=p.city,
                count=p.count,
                cover_photo_id=p.cover_photo_id,
            )
            for p in await search.places(user)
        ]


class MapController(Controller):
    path = "/map"
    tags = ["search"]
    dependencies = {**USER, **MAP_SERVICE}

    @get(
        "/markers",
        summary="Your located photos in a bounding box, clustered on the server (at most 441 clusters)",
        responses=documented(s400="invalid_request", s422="invalid_bbox, invalid_zoom", **AUTH, **UNAVAILABLE),
    )
    async def markers(
        self,
        user: NamedDependency[User],
        map_service: NamedDependency[MapService],
        bbox: FromQuery[str] = "-180,-90,180,90",
        zoom: FromQuery[int] = 0,
    ) -> MarkersOut:
        clusters = await map_service.markers(user, bbox, zoom)
        return MarkersOut(
            clusters=[ClusterOut(lat=c.lat, lon=c.lon, count=c.count, photo_id=c.photo_id) for c in clusters]
        )


class MemoriesController(Controller):
    path = "/memories"
    tags = ["search"]
    dependencies = {**USER, **MEMORIES_SERVICE}

    @get(
        "/",
        summary='"On this day": your photos from this calendar day in earlier years, newest year first',
        responses=documented(s400="invalid_request", s422="invalid_date", **AUTH, **UNAVAILABLE),
    )
    async def memories(
        self,
        user: NamedDependency[User],
        memories: NamedDependency[MemoryService],
        date: FromQuery[str | None] = None,
    ) -> list[MemoryOut]:
        found = await memories.on_this_day(user, date)
        return [MemoryOut(kind="on_this_day", year=m.year, title=m.title, photo_ids=m.photo_ids) for m in found]
