"""People (issue 18, ``docs/people.md``): list, rename/hide, merge, a person's photos and face,
a photo's faces, unassign a face, backfill and re-cluster. When the faces extra is not
installed (or ``[faces] enabled = false``) every route answers 409 ``faces_unavailable``."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from auroravault.api.deps import USER
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas import PhotoOut, PhotoPageOut
from auroravault.api.schemas_people import MAX_MERGE, MergeIn, MovedOut, PersonEdit, PersonOut, QueuedOut
from auroravault.errors import Invalid
from auroravault.faces.jobs import FaceJobs
from auroravault.meta.base import User
from auroravault.services.people import FaceView, PeopleService

OFF = {"s409": "faces_unavailable"}


def provide_people(request: Request) -> PeopleService:
    return request.app.state.services.people


def provide_face_jobs(request: Request) -> FaceJobs:
    return request.app.state.services.face_jobs


PEOPLE = {
    "people": Provide(provide_people, sync_to_thread=False),
    "face_jobs": Provide(provide_face_jobs, sync_to_thread=False),
}


class PeopleController(Controller):
    path = "/people"
    tags = ["people"]
    dependencies = {**USER, **PEOPLE}

    @get("/", summary="Your people, most faces first", responses=documented(**OFF, **AUTH, **UNAVAILABLE))
    async def list_people(self, user: NamedDependency[User], people: NamedDependency[PeopleService]) -> list[PersonOut]:
        people.require()
        return [PersonOut.of(v) for v in await people.people(user.id)]

    @patch(
        "/{person_id:str}",
        summary="Rename (null or empty clears the name) or hide a person",
        responses=documented(s404="person_not_found", s422="person_name_invalid", **OFF, **BODY, **AUTH),
    )
    async def edit(
        self,
        person_id: FromPath[str],
        data: JSONBody[PersonEdit],
        user: NamedDependency[User],
        people: NamedDependency[PeopleService],
    ) -> PersonOut:
        people.require()
        changes: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        await people.update(user.id, person_id, changes)
        return await self._view(people, user, person_id)

    @post(
        "/{person_id:str}/merge",
        status_code=200,
        summary="Merge other people into this one (their faces become this person's)",
        responses=documented(s404="person_not_found", s422="ids_required, too_many_ids", **OFF, **BODY, **AUTH),
    )
    async def merge(
        self,
        person_id: FromPath[str],
        data: JSONBody[MergeIn],
        user: NamedDependency[User],
        people: NamedDependency[PeopleService],
    ) -> PersonOut:
        people.require()
        if not data.ids:
            raise Invalid("ids_required", "name the people to merge in ids")
        if len(data.ids) > MAX_MERGE:
            raise Invalid("too_many_ids", f"at most {MAX_MERGE} people at once")
        await people.merge(user.id, person_id, data.ids)
        return await self._view(people, user, person_id)

    @get(
        "/{person_id:str}/photos",
        summary="The photos a person is in, newest first",
        responses=documented(s400="invalid_cursor", s404="person_not_found", **OFF, **AUTH, **UNAVAILABLE),
    )
    async def photos_of(
        self,
        person_id: FromPath[str],
        user: NamedDependency[User],
        people: NamedDependency[PeopleService],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 100,
        cursor: FromQuery[str | None] = None,
    ) -> PhotoPageOut:
        people.require()
        page = await people.photos_page(user, person_id, limit=limit, cursor=cursor)
        return PhotoPageOut(
            items=[PhotoOut.of(p, url, page.flags.get(p.id), page.albums.get(p.id)) for p, url in page.items],
            next_cursor=page.next_cursor,
        )

    @get(
        "/{person_id:str}/face",
        summary="The person's cover face, cropped from its photo's preview (JPEG)",
        responses=documented(s404="person_not_found, face_not_found", **OFF, **AUTH, **UNAVAILABLE),
    )
    async def face(
        self,
        person_id: FromPath[str],
        user: NamedDependency[User],
        people: NamedDependency[PeopleService],
        face_jobs: NamedDependency[FaceJobs],
    ) -> Response[bytes]:
        people.require()
        view = await self._view(people, user, person_id)
        if view.cover_photo_id is None or view.cover_face_url is None:
            raise Invalid("face_not_found", "this person has no face left", status=404)
        face_id = view.cover_face_url.rsplit("=", 1)[1]
        data = await face_jobs.face_crop(user.id, face_id, view.cover_photo_id)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})

    @post(
        "/backfill",
        status_code=202,
        summary="Find faces in every photo of your library not yet looked at (idempotent)",
        responses=documented(**OFF, **AUTH, **UNAVAILABLE),
    )
    async def backfill(self, user: NamedDependency[User], face_jobs: NamedDependency[FaceJobs]) -> QueuedOut:
        return QueuedOut(queued=await face_jobs.backfill(user.id))

    @post(
        "/recluster",
        status_code=200,
        summary="Re-cluster your faces into people (names, hides and merges are kept)",
        responses=documented(**OFF, **AUTH, **UNAVAILABLE),
    )
    async def recluster(self, user: NamedDependency[User], people: NamedDependency[PeopleService]) -> MovedOut:
        return MovedOut(moved=await people.recluster(user.id))

    @staticmethod
    async def _view(people: PeopleService, user: User, person_id: str) -> PersonOut:
        found = next((v for v in await people.people(user.id) if v.id == person_id), None)
        if found is None:
            await people.get(user.id, person_id)  # raises person_not_found when it is gone
            return PersonOut(
                id=person_id, name=None, face_count=0, cover_photo_id=None, cover_face_url=None, hidden=False
            )
        return PersonOut.of(found)


class PhotoFacesController(Controller):
    path = "/photos/{photo_id:str}/faces"
    tags = ["people"]
    dependencies = {**USER, **PEOPLE}

    @get(
        "/",
        summary="The faces in a photo, with the person its owner filed each under",
        responses=documented(s404="photo_not_found", **OFF, **AUTH, **UNAVAILABLE),
    )
    async def faces(
        self, photo_id: FromPath[str], user: NamedDependency[User], people: NamedDependency[PeopleService]
    ) -> list[FaceView]:
        people.require()
        return await people.photo_faces(user, photo_id)

    @delete(
        "/{face_id:str}/person",
        status_code=204,
        summary="Take a face out of its person (it stays out when people are re-clustered)",
        responses=documented(s404="face_not_found", **OFF, **AUTH, **UNAVAILABLE),
    )
    async def unassign(
        self,
        photo_id: FromPath[str],
        face_id: FromPath[str],
        user: NamedDependency[User],
        people: NamedDependency[PeopleService],
    ) -> None:
        people.require()
        await people.unassign(user.id, photo_id, face_id)
