"""Share links, the owner's side: create, list, show, change, revoke (``docs/links.md``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from auroravault.api.deps import LINKS_SERVICE, USER
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas_links import LinkOut, LinkPageOut
from auroravault.meta.base import User
from auroravault.services.links import LinkCreate, LinkEdit, LinkService
from auroravault.timeutil import utcnow

OPTIONS_422 = "invalid_expiry, invalid_link_password, upload_needs_album"


def _allow(methods: str) -> Response[None]:
    return Response(None, status_code=204, headers={"Allow": methods})


class LinkController(Controller):
    path = "/links"
    tags = ["links"]
    dependencies = {**USER, **LINKS_SERVICE}

    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_list(self) -> Response[None]:
        return _allow("GET, OPTIONS, POST")

    @route("/{link_id:str}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_one(self, link_id: FromPath[str]) -> Response[None]:
        return _allow("DELETE, GET, OPTIONS, PATCH")

    @post(
        "/",
        summary="Make a share link for an album you own or a selection of your photos",
        responses=documented(
            s403="not_allowed (a member of the album, not its owner)",
            s404="album_not_found, photo_not_found",
            s422=f"link_target, too_many_ids, ids_required, invalid_id, {OPTIONS_422}",
            **BODY,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def create(
        self, data: JSONBody[LinkCreate], user: NamedDependency[User], links: NamedDependency[LinkService]
    ) -> LinkOut:
        link = await links.create(user, data)
        return LinkOut.of(link, links.url(link), utcnow())

    @get(
        "/",
        summary="Your share links, newest first",
        responses=documented(s400="invalid_request, invalid_cursor", **AUTH, **UNAVAILABLE),
    )
    async def list_links(
        self,
        user: NamedDependency[User],
        links: NamedDependency[LinkService],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> LinkPageOut:
        page = await links.list_page(user, limit=limit, cursor=cursor)
        now = utcnow()
        return LinkPageOut(items=[LinkOut.of(x, links.url(x), now) for x in page.items], next_cursor=page.next_cursor)

    @get("/{link_id:str}", summary="One of your share links", responses=documented(s404="link_not_found", **AUTH))
    async def get_link(
        self, link_id: FromPath[str], user: NamedDependency[User], links: NamedDependency[LinkService]
    ) -> LinkOut:
        link = await links.get(user, link_id)
        return LinkOut.of(link, links.url(link), utcnow())

    @patch(
        "/{link_id:str}",
        summary="Change a link's options, expiry or password (null clears the expiry or the password)",
        responses=documented(s404="link_not_found", s422=OPTIONS_422, **BODY, **AUTH, **UNAVAILABLE),
    )
    async def edit(
        self,
        link_id: FromPath[str],
        data: JSONBody[LinkEdit],
        user: NamedDependency[User],
        links: NamedDependency[LinkService],
    ) -> LinkOut:
        link = await links.edit(user, link_id, data)
        return LinkOut.of(link, links.url(link), utcnow())

    @delete(
        "/{link_id:str}",
        status_code=204,
        summary="Revoke a link, at once",
        responses=documented(s404="link_not_found", **AUTH, **UNAVAILABLE),
    )
    async def revoke(
        self, link_id: FromPath[str], user: NamedDependency[User], links: NamedDependency[LinkService]
    ) -> None:
        await links.revoke(user, link_id)
