"""Events and trips, suggested from your photos' times and places (DESIGN.md "People, places
and events, offline"): list them, open one, make an album of one."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from auroravault.api.deps import EVENTS_SERVICE, USER
from auroravault.api.problems import AUTH, UNAVAILABLE, documented
from auroravault.api.schemas_albums import AlbumOut
from auroravault.meta.base import User
from auroravault.services.trips import EventService, Moment


class EventOut(msgspec.Struct, kw_only=True):
    id: str
    kind: Literal["event", "trip"]
    title: str
    start_at: str
    end_at: str
    place: str | None
    photo_count: int
    cover_photo_id: str
    cover_thumb_url: str
    trip: str | None
    events: list[str]


class EventDetailOut(EventOut, kw_only=True):
    photo_ids: list[str]


def _fields(m: Moment) -> dict[str, object]:
    return {
        "id": m.id,
        "kind": m.kind,
        "title": m.title,
        "start_at": m.start_at,
        "end_at": m.end_at,
        "place": m.place,
        "photo_count": m.photo_count,
        "cover_photo_id": m.cover_photo_id,
        "cover_thumb_url": f"/api/v1/photos/{m.cover_photo_id}/thumb",
        "trip": m.trip,
        "events": m.events,
    }


class EventController(Controller):
    path = "/events"
    tags = ["events"]
    dependencies = {**USER, **EVENTS_SERVICE}

    @get(
        "/",
        summary="Your photos grouped into events and trips, newest first",
        responses=documented(**AUTH, **UNAVAILABLE),
    )
    async def list_events(self, user: NamedDependency[User], events: NamedDependency[EventService]) -> list[EventOut]:
        return [EventOut(**_fields(m)) for m in await events.list(user)]  # type: ignore[arg-type]

    @get(
        "/{event_id:str}",
        summary="One event or trip with its photos, oldest first",
        responses=documented(s404="event_not_found", **AUTH, **UNAVAILABLE),
    )
    async def get_event(
        self, event_id: FromPath[str], user: NamedDependency[User], events: NamedDependency[EventService]
    ) -> EventDetailOut:
        m = await events.get(user, event_id)
        return EventDetailOut(**_fields(m), photo_ids=m.photo_ids)  # type: ignore[arg-type]

    @post(
        "/{event_id:str}/album",
        summary="Make an album of an event or trip, named by its title",
        responses=documented(s404="event_not_found", **AUTH, **UNAVAILABLE),
    )
    async def make_album(
        self, event_id: FromPath[str], user: NamedDependency[User], events: NamedDependency[EventService]
    ) -> AlbumOut:
        created = await events.album(user, event_id)
        return AlbumOut.of(created.view)
