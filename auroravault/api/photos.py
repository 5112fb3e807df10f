"""Photos: the paginated list, one photo, downloads by presigned redirect, the timeline."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect

from auroravault.api.deps import LIBRARY_SERVICE, PHOTOS_SERVICE, USER
from auroravault.api.library import LibraryRoutes
from auroravault.api.problems import AUTH, UNAVAILABLE, documented
from auroravault.api.schemas import DownloadOut, MonthOut, PhotoFaceOut, PhotoOut, PhotoPageOut
from auroravault.meta.base import User
from auroravault.services.photos import Filters, MediaType, Order, PhotoService, Variant

ArchivedQuery = Literal["only", "include"]


class PhotoController(LibraryRoutes, Controller):
    path = "/photos"
    tags = ["photos"]
    dependencies = {**USER, **PHOTOS_SERVICE, **LIBRARY_SERVICE}  # library: the LibraryRoutes handlers

    @get(
        "/",
        summary="The user's photos by time, keyset-paginated (with_partners: merged with partners' shared libraries)",
        responses=documented(s400="invalid_request, invalid_cursor", **AUTH, **UNAVAILABLE),
    )
    async def list_photos(
        self,
        user: NamedDependency[User],
        photos: NamedDependency[PhotoService],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
        order: FromQuery[Order] = "newest",
        favorite: FromQuery[bool] = False,
        archived: FromQuery[ArchivedQuery | None] = None,
        type: FromQuery[MediaType | None] = None,
        with_partners: FromQuery[bool] = False,
    ) -> PhotoPageOut:
        filters = Filters(favorite=favorite, archived=archived or "exclude", media_type=type)
        page = await photos.list_page(
            user, limit=limit, cursor=cursor, order=order, filters=filters, with_partners=with_partners
        )
        return PhotoPageOut(
            items=[PhotoOut.of(p, url, page.flags.get(p.id), page.albums.get(p.id)) for p, url in page.items],
            next_cursor=page.next_cursor,
        )

    @get("/{photo_id:str}", summary="One photo with its metadata", responses=documented(s404="photo_not_found", **AUTH))
    async def get_photo(
        self,
        photo_id: FromPath[str],
        user: NamedDependency[User],
        photos: NamedDependency[PhotoService],
    ) -> PhotoOut:
        photo, flags, albums = await photos.show(user, photo_id)
        out = PhotoOut.of(photo, flags=flags, albums=albums)
        faces = await photos.faces(photo)  # as its owner named them (access already decided by show)
        if faces is not None:
            out.faces = [PhotoFaceOut(person_id=f.person_id, box=f.box, name=f.name) for f in faces]
        return out

    @get(
        "/{photo_id:str}/{variant:str}",
        summary="Download the original, preview or thumb (302 to a presigned URL; ?redirect=false gives JSON)",
        status_code=302,
        responses={
            200: ResponseSpec(DownloadOut, description="With ?redirect=false: the presigned URL and its expiry"),
            302: ResponseSpec(None, description="Found: the presigned URL is in Location"),
            **documented(s404="photo_not_found, motion_not_found", s409="variant_not_ready", **AUTH, **UNAVAILABLE),
        },
    )
    async def download(
        self,
        photo_id: FromPath[str],
        variant: FromPath[Variant],
        user: NamedDependency[User],
        photos: NamedDependency[PhotoService],
        redirect: FromQuery[bool] = True,
    ) -> Response[DownloadOut] | Redirect:
        found = await photos.download(user, photo_id, variant)
        if not redirect:
            return Response(DownloadOut(url=found.url, expires_at=found.expires_at), status_code=200)
        return Redirect(found.url, status_code=302)


class TimelineController(Controller):
    path = "/timeline"
    tags = ["photos"]
    dependencies = {**USER, **PHOTOS_SERVICE}

    @get("/", summary="Photo counts per month, newest first", responses=documented(**AUTH))
    async def timeline(
        self,
        user: NamedDependency[User],
        photos: NamedDependency[PhotoService],
        favorite: FromQuery[bool] = False,
        archived: FromQuery[ArchivedQuery | None] = None,
        type: FromQuery[MediaType | None] = None,
    ) -> list[MonthOut]:
        filters = Filters(favorite=favorite, archived=archived or "exclude", media_type=type)
        return [MonthOut(month=m.month, count=m.count) for m in await photos.timeline(user, filters)]
