"""``GET /sync/changes``: what a client's local cache must apply since its last sync."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from auroravault.api.deps import SYNC_SERVICE, USER
from auroravault.api.problems import AUTH, UNAVAILABLE, documented
from auroravault.api.schemas import PhotoOut, SyncOut
from auroravault.meta.base import User
from auroravault.services.sync import SyncService


class SyncController(Controller):
    path = "/sync"
    tags = ["library"]
    dependencies = {**USER, **SYNC_SERVICE}

    @get(
        "/changes",
        summary="Photos changed and deleted since a sync token (none: everything); pass `next` back",
        responses=documented(s400="invalid_request, invalid_sync_token", s410="sync_expired", **AUTH, **UNAVAILABLE),
    )
    async def changes(
        self, user: NamedDependency[User], sync: NamedDependency[SyncService], since: FromQuery[str | None] = None
    ) -> SyncOut:
        page = await sync.changes(user, since)
        return SyncOut(
            changed=[PhotoOut.of(p, flags=f, albums=page.albums.get(p.id)) for p, f in page.changed],
            deleted=page.deleted,
            next=page.next,
            more=page.more,
        )
