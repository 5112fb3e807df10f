"""The public side of share links: no account, only the key (and ``X-Link-Token`` once unlocked).

Every route but ``GET /public/{key}`` and ``unlock`` answers 401 ``link_locked`` for a
password link until it is unlocked; an expired link answers 410 ``link_expired``, a revoked or
unknown one 404 ``link_not_found`` (``services/access`` decides, ``services/public`` asks).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Redirect

from auroravault.api.deps import PUBLIC_SERVICE
from auroravault.api.problems import BODY, UNAVAILABLE, documented
from auroravault.api.schemas import CompleteBody, DownloadOut, InitBody, InitOut, UploadsOut
from auroravault.api.schemas_links import PublicLinkOut, PublicPageOut, PublicPhotoOut, UnlockBody, UnlockOut
from auroravault.services.photos import Variant
from auroravault.services.public import PublicService

LinkToken = Annotated[str | None, HeaderParameter(name="X-Link-Token", required=False)]
OPENS = {"s401": "link_locked", "s404": "link_not_found", "s410": "link_expired"}
PHOTO = {**OPENS, "s404": "link_not_found, photo_not_found"}
UPLOADS = {
    **OPENS,
    "s403": "not_allowed (the link does not allow uploads)",
    "s413": "quota_exceeded (the link owner's), body_too_large",
}


class PublicController(Controller):
    path = "/public"
    tags = ["public"]
    dependencies = PUBLIC_SERVICE

    @get(
        "/{key:str}",
        summary="What a link is (answered while locked too, then without anything about its photos)",
        responses=documented(s404="link_not_found", s410="link_expired", **UNAVAILABLE),
    )
    async def info(self, key: FromPath[str], public: NamedDependency[PublicService], token: LinkToken) -> PublicLinkOut:
        return PublicLinkOut.of(await public.info(key, token))

    @post(
        "/{key:str}/unlock",
        status_code=200,
        summary="Unlock a password link; send the token back as X-Link-Token",
        responses=documented(
            s401="invalid_password",
            s404="link_not_found",
            s410="link_expired",
            s429="too_many_attempts (with Retry-After)",
            **BODY,
            **UNAVAILABLE,
        ),
    )
    async def unlock(
        self, request: Request, key: FromPath[str], data: JSONBody[UnlockBody], public: NamedDependency[PublicService]
    ) -> UnlockOut:
        client = request.client.host if request.client else "unknown"
        token, expires_at = await public.unlock(key, data.password, client)
        return UnlockOut(token=token, expires_at=expires_at)

    @get(
        "/{key:str}/photos",
        summary="The link's photos, keyset-paginated",
        responses=documented(s400="invalid_request, invalid_cursor", **OPENS, **UNAVAILABLE),
    )
    async def photos(
        self,
        key: FromPath[str],
        public: NamedDependency[PublicService],
        token: LinkToken,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> PublicPageOut:
        page = await public.photos(key, token, limit=limit, cursor=cursor)
        return PublicPageOut(items=[PublicPhotoOut.of(p, url) for p, url in page.items], next_cursor=page.next_cursor)

    @get("/{key:str}/photos/{photo_id:str}", summary="One photo of the link", responses=documented(**PHOTO))
    async def photo(
        self, key: FromPath[str], photo_id: FromPath[str], public: NamedDependency[PublicService], token: LinkToken
    ) -> PublicPhotoOut:
        photo, url = await public.photo(key, token, photo_id)
        return PublicPhotoOut.of(photo, url)

    @get(
        "/{key:str}/photos/{photo_id:str}/{variant:str}",
        summary="A thumb, preview or (when allowed) original: 302 to a presigned URL; ?redirect=false gives JSON",
        status_code=302,
        responses={
            200: ResponseSpec(DownloadOut, description="With ?redirect=false: the presigned URL and its expiry"),
            302: ResponseSpec(None, description="Found: the presigned URL is in Location"),
            **documented(
                s403="not_allowed (downloads off, or metadata hidden: no original)",
                s409="variant_not_ready",
                **PHOTO,
                **UNAVAILABLE,
            ),
        },
    )
    async def download(
        self,
        key: FromPath[str],
        photo_id: FromPath[str],
        variant: FromPath[Variant],
        public: NamedDependency[PublicService],
        token: LinkToken,
        redirect: FromQuery[bool] = True,
    ) -> Response[DownloadOut] | Redirect:
        found = await public.download(key, token, photo_id, variant)
        if not redirect:
            return Response(DownloadOut(url=found.url, expires_at=found.expires_at), status_code=200)
        return Redirect(found.url, status_code=302)

    @post(
        "/{key:str}/uploads",
        status_code=201,
        summary="Upload into the link's album (same shapes as POST /uploads), on the link owner's quota",
        responses=documented(
            s422="batch_empty, batch_too_large, file_empty, file_too_large, unsupported_media_type, "
            "invalid_sha256, invalid_filename, invalid_client_ref",
            **{**BODY, **UPLOADS, "s400": BODY["s400"]},
            **UNAVAILABLE,
        ),
    )
    async def upload(
        self, key: FromPath[str], data: JSONBody[InitBody], public: NamedDependency[PublicService], token: LinkToken
    ) -> InitOut:
        result = await public.upload_init(key, token, data.files)
        return InitOut(batch_id=result.batch_id, expires_at=result.expires_at, items=result.items)

    @post(
        "/{key:str}/uploads/{batch_id:str}/complete",
        status_code=200,
        summary="Confirm uploads made through the link; idempotent",
        responses=documented(
            **{**BODY, **UPLOADS, "s404": "link_not_found, batch_not_found, upload_not_found"}, **UNAVAILABLE
        ),
    )
    async def complete(
        self,
        key: FromPath[str],
        batch_id: FromPath[str],
        public: NamedDependency[PublicService],
        token: LinkToken,
        data: JSONBody[CompleteBody | None] = None,
    ) -> UploadsOut:
        ids = data.upload_ids if data is not None else None
        return UploadsOut(items=await public.upload_complete(key, token, batch_id, ids))
