"""Near-duplicates to review (DESIGN.md "People, places and events, offline"): groups of your
photos that look alike (bursts, re-saved copies), each best first; trash the extras through
``POST /photos/trash``."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from auroravault.api.deps import SIMILAR_SERVICE, USER
from auroravault.api.problems import AUTH, UNAVAILABLE, documented
from auroravault.api.schemas import PhotoOut
from auroravault.meta.base import User
from auroravault.services.similar import SimilarService


class SimilarGroupOut(msgspec.Struct, kw_only=True):
    photo_ids: list[str]
    photos: list[PhotoOut]


class SimilarController(Controller):
    path = "/similar"
    tags = ["events"]
    dependencies = {**USER, **SIMILAR_SERVICE}

    @get(
        "/",
        summary="Groups of your photos that look alike (bursts, re-saved copies), the best of each first",
        responses=documented(**AUTH, **UNAVAILABLE),
    )
    async def list_similar(
        self, user: NamedDependency[User], similar: NamedDependency[SimilarService]
    ) -> list[SimilarGroupOut]:
        found = await similar.groups(user)
        return [
            SimilarGroupOut(photo_ids=[p.id for p in g.photos], photos=[PhotoOut.of(p) for p in g.photos])
            for g in found
        ]
