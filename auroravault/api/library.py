"""The library: edits and flags, bulk flags, the trash (DESIGN.md "Library")."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect

from auroravault.api.deps import LIBRARY_SERVICE, PHOTOS_SERVICE, USER
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas import (
    BulkFlagsBody,
    DeletedOut,
    DownloadOut,
    IdErrorOut,
    IdsBody,
    OptionalIdsBody,
    PhotoOut,
    PhotoPageOut,
    RestoredOut,
    TrashedOut,
    UpdatedOut,
)
from auroravault.meta.base import User
from auroravault.services.library import IdError, LibraryService, PhotoEdit
from auroravault.services.photos import PhotoService, Variant

BULK = "too_many_ids, ids_required, invalid_id"


def _errors(errors: list[IdError]) -> list[IdErrorOut]:
    return [IdErrorOut(id=e.id, code=e.code) for e in errors]


class LibraryRoutes:
    """The library's handlers under ``/photos``, mixed into ``PhotoController`` (one route
    per path, so a path's ``Allow`` lists every method)."""

    # Litestar's own OPTIONS answer names only the first handler of a path.
    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_list(self) -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, PATCH"})

    @route("/{photo_id:str}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_one(self, photo_id: FromPath[str]) -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, PATCH"})

    @patch(
        "/{photo_id:str}",
        summary="Set the viewer's favorite/archived, or correct date, place and description (owner)",
        responses=documented(
            s404="photo_not_found",
            s422="invalid_taken_at, invalid_location, invalid_description",
            **BODY,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def edit(
        self,
        photo_id: FromPath[str],
        data: JSONBody[PhotoEdit],
        user: NamedDependency[User],
        library: NamedDependency[LibraryService],
    ) -> PhotoOut:
        photo, flags, albums = await library.edit(user, photo_id, data)
        return PhotoOut.of(photo, flags=flags, albums=albums)

    @patch(
        "/",
        summary="Set favorite and/or archived on up to 1000 photos; per-id results",
        responses=documented(s422=f"{BULK}, nothing_to_change", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def bulk_flags(
        self, data: JSONBody[BulkFlagsBody], user: NamedDependency[User], library: NamedDependency[LibraryService]
    ) -> UpdatedOut:
        result = await library.set_flags(user, data.ids, data.favorite, data.archived)
        return UpdatedOut(updated=result.done, errors=_errors(result.errors))

    @post(
        "/trash",
        status_code=200,
        summary="Move up to 1000 of your photos to the trash; per-id results",
        responses=documented(s422=BULK, **BODY, **AUTH, **UNAVAILABLE),
    )
    async def trash(
        self, data: JSONBody[IdsBody], user: NamedDependency[User], library: NamedDependency[LibraryService]
    ) -> TrashedOut:
        result = await library.trash(user, data.ids)
        return TrashedOut(trashed=result.done, errors=_errors(result.errors))


class TrashController(Controller):
    path = "/trash"
    tags = ["library"]
    dependencies = {**USER, **LIBRARY_SERVICE, **PHOTOS_SERVICE}

    @get(
        "/",
        summary="Your trashed photos, most recently trashed first",
        responses=documented(s400="invalid_request, invalid_cursor", **AUTH, **UNAVAILABLE),
    )
    async def list_trash(
        self,
        user: NamedDependency[User],
        photos: NamedDependency[PhotoService],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> PhotoPageOut:
        page = await photos.trash_page(user, limit=limit, cursor=cursor)
        return PhotoPageOut(
            items=[PhotoOut.of(p, url, page.flags.get(p.id)) for p, url in page.items], next_cursor=page.next_cursor
        )

    @get(
        "/{photo_id:str}/{variant:str}",
        summary="A trashed photo's original, preview or thumb, for its owner (302 to a presigned URL; "
        "?redirect=false gives JSON)",
        status_code=302,
        responses={
            200: ResponseSpec(DownloadOut, description="With ?redirect=false: the presigned URL and its expiry"),
            302: ResponseSpec(None, description="Found: the presigned URL is in Location"),
            **documented(s404="photo_not_found", s409="variant_not_ready", **AUTH, **UNAVAILABLE),
        },
    )
    async def download_trashed(
        self,
        photo_id: FromPath[str],
        variant: FromPath[Variant],
        user: NamedDependency[User],
        photos: NamedDependency[PhotoService],
        redirect: FromQuery[bool] = True,
    ) -> Response[DownloadOut] | Redirect:
        found = await photos.download(user, photo_id, variant, trashed=True)
        if not redirect:
            return Response(DownloadOut(url=found.url, expires_at=found.expires_at), status_code=200)
        return Redirect(found.url, status_code=302)

    @post(
        "/restore",
        status_code=200,
        summary="Take photos out of the trash (all of it when ids is omitted)",
        responses=documented(s422="too_many_ids, invalid_id", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def restore(
        self, data: JSONBody[OptionalIdsBody], user: NamedDependency[User], library: NamedDependency[LibraryService]
    ) -> RestoredOut:
        result = await library.restore(user, data.ids)
        return RestoredOut(restored=result.done, errors=_errors(result.errors))

    @post(
        "/delete",
        status_code=200,
        summary="Delete trashed photos for good (all of the trash when ids is omitted)",
        responses=documented(s422="too_many_ids, invalid_id", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def delete(
        self, data: JSONBody[OptionalIdsBody], user: NamedDependency[User], library: NamedDependency[LibraryService]
    ) -> DeletedOut:
        result = await library.delete(user, data.ids)
        return DeletedOut(deleted=result.done, errors=_errors(result.errors))
