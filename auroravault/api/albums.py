"""Albums: create, list, show, edit, delete; add, remove and page their photos (DESIGN.md "Albums")."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from auroravault.api.deps import ALBUMS_SERVICE, USER
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas import AlbumCreate, AlbumEdit, IdErrorOut, IdsBody, PhotoOut, PhotoPageOut
from auroravault.api.schemas_albums import AlbumAddedOut, AlbumCreatedOut, AlbumOut, AlbumPageOut, AlbumRemovedOut
from auroravault.meta.base import User
from auroravault.services.albums import AlbumFilter, AlbumService
from auroravault.services.library import IdError

NOT_FOUND = "album_not_found"
BULK = "too_many_ids, ids_required, invalid_id"
NAMES = "invalid_album_name, invalid_description"


def _errors(errors: list[IdError]) -> list[IdErrorOut]:
    return [IdErrorOut(id=e.id, code=e.code) for e in errors]


def _allow(methods: str) -> Response[None]:
    return Response(None, status_code=204, headers={"Allow": methods})


class AlbumController(Controller):
    path = "/albums"
    tags = ["albums"]
    dependencies = {**USER, **ALBUMS_SERVICE}

    # Litestar's own OPTIONS answer names only the first handler of a path. A path's handlers
    # register in name order, and these must come first: hence ``allow_*`` before ``photos_*``.
    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_list(self) -> Response[None]:
        return _allow("GET, OPTIONS, POST")

    @route("/{album_id:str}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_one(self, album_id: FromPath[str]) -> Response[None]:
        return _allow("DELETE, GET, OPTIONS, PATCH")

    @route("/{album_id:str}/photos", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_photos(self, album_id: FromPath[str]) -> Response[None]:
        return _allow("GET, OPTIONS, POST")

    @post(
        "/",
        summary="Create an album, optionally with up to 1000 of your photos",
        responses=documented(s422=f"{NAMES}, too_many_ids, invalid_id", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def create(
        self, data: JSONBody[AlbumCreate], user: NamedDependency[User], albums: NamedDependency[AlbumService]
    ) -> AlbumCreatedOut:
        created = await albums.create(user, data)
        out = AlbumOut.of(created.view)
        fields = {name: getattr(out, name) for name in out.__struct_fields__}
        return AlbumCreatedOut(**fields, errors=_errors(created.errors))

    @get(
        "/",
        summary="Albums you own (owned), that are shared with you (shared), or both (all); newest first",
        responses=documented(s400="invalid_request, invalid_cursor", **AUTH, **UNAVAILABLE),
    )
    async def list_albums(
        self,
        user: NamedDependency[User],
        albums: NamedDependency[AlbumService],
        filter: FromQuery[AlbumFilter] = "all",
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> AlbumPageOut:
        page = await albums.list_page(user, which=filter, limit=limit, cursor=cursor)
        return AlbumPageOut(items=[AlbumOut.of(v) for v in page.items], next_cursor=page.next_cursor)

    @get("/{album_id:str}", summary="One album", responses=documented(s404=NOT_FOUND, **AUTH, **UNAVAILABLE))
    async def get_album(
        self, album_id: FromPath[str], user: NamedDependency[User], albums: NamedDependency[AlbumService]
    ) -> AlbumOut:
        return AlbumOut.of(await albums.show(user, album_id))

    @patch(
        "/{album_id:str}",
        summary="Rename, describe, set the cover (null: the newest photo) or the order",
        responses=documented(
            s403="not_allowed", s404=NOT_FOUND, s422=f"{NAMES}, invalid_cover", **BODY, **AUTH, **UNAVAILABLE
        ),
    )
    async def edit(
        self,
        album_id: FromPath[str],
        data: JSONBody[AlbumEdit],
        user: NamedDependency[User],
        albums: NamedDependency[AlbumService],
    ) -> AlbumOut:
        return AlbumOut.of(await albums.edit(user, album_id, data))

    @delete(
        "/{album_id:str}",
        summary="Delete an album (its photos stay)",
        responses=documented(s403="not_allowed", s404=NOT_FOUND, **AUTH, **UNAVAILABLE),
    )
    async def delete_album(
        self, album_id: FromPath[str], user: NamedDependency[User], albums: NamedDependency[AlbumService]
    ) -> None:
        await albums.delete(user, album_id)

    @get(
        "/{album_id:str}/photos",
        summary="The album's photos in its order, keyset-paginated (the page of GET /photos)",
        responses=documented(s400="invalid_request, invalid_cursor", s404=NOT_FOUND, **AUTH, **UNAVAILABLE),
    )
    async def photos_page(
        self,
        album_id: FromPath[str],
        user: NamedDependency[User],
        albums: NamedDependency[AlbumService],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> PhotoPageOut:
        page = await albums.photos_page(user, album_id, limit=limit, cursor=cursor)
        return PhotoPageOut(
            items=[PhotoOut.of(p, url, page.flags.get(p.id), page.albums.get(p.id)) for p, url in page.items],
            next_cursor=page.next_cursor,
        )

    @post(
        "/{album_id:str}/photos",
        status_code=200,
        summary="Add up to 1000 photos to the album; per-id results",
        responses=documented(s403="not_allowed", s404=NOT_FOUND, s422=BULK, **BODY, **AUTH, **UNAVAILABLE),
    )
    async def photos_add(
        self,
        album_id: FromPath[str],
        data: JSONBody[IdsBody],
        user: NamedDependency[User],
        albums: NamedDependency[AlbumService],
    ) -> AlbumAddedOut:
        result = await albums.add(user, album_id, data.ids)
        return AlbumAddedOut(added=result.added, already=result.already, errors=_errors(result.errors))

    @post(
        "/{album_id:str}/photos/remove",
        status_code=200,
        summary="Remove up to 1000 photos from the album (the photos stay); per-id results",
        responses=documented(s403="not_allowed", s404=NOT_FOUND, s422=BULK, **BODY, **AUTH, **UNAVAILABLE),
    )
    async def photos_remove(
        self,
        album_id: FromPath[str],
        data: JSONBody[IdsBody],
        user: NamedDependency[User],
        albums: NamedDependency[AlbumService],
    ) -> AlbumRemovedOut:
        result = await albums.remove(user, album_id, data.ids)
        return AlbumRemovedOut(removed=result.removed, errors=_errors(result.errors))
