"""The local store's presigned endpoint: ``PUT``/``GET /blobs/{key}``, checked like S3 checks SigV4.

Mounted only when ``storage.backend = "local"``. The body is streamed to disk (never held
in memory), so ``request_max_body_size`` is lifted here and the signed size enforced instead.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, put, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery
from litestar.response import File

from auroravault.api.deps import LOCAL_BLOBS
from auroravault.api.problems import documented
from auroravault.errors import Invalid, NotFound
from auroravault.storage.local import LocalBlobStore


class BlobController(Controller):
    path = "/blobs"
    tags = ["storage"]
    dependencies = LOCAL_BLOBS

    @put(
        "/{key:path}",
        status_code=200,
        request_max_body_size=None,
        summary="Receive the bytes of a presigned upload (local storage only)",
        responses=documented(
            s403="signature_invalid, url_expired",
            s411="length_required",
            s413="body_too_large",
            s422="body_too_large, size_mismatch, checksum_mismatch, invalid_key",
        ),
    )
    async def receive(
        self,
        request: Request,
        key: FromPath[str],
        store: NamedDependency[LocalBlobStore],
        expires: FromQuery[str] = "",
        sha256: FromQuery[str] = "",
        signature: FromQuery[str] = "",
    ) -> dict[str, str]:
        key = key.lstrip("/")
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise Invalid(
                "length_required", "send Content-Length with the exact size the URL was signed for", status=411
            )
        size = int(length)
        content_type = request.headers.get("content-type", "")
        store.verify_put(key, expires=expires, sha256=sha256, signature=signature, content_type=content_type, size=size)
        await store.receive(key, request.stream(), size=size, sha256=sha256)
        return {"key": key, "sha256": sha256}

    @get(
        "/{key:path}",
        summary="Download through a presigned URL (local storage only)",
        responses={
            200: ResponseSpec(bytes, media_type="*/*", description="The bytes, with the type the URL was signed for"),
            **documented(s403="signature_invalid, url_expired", s404="object_not_found", s422="invalid_key"),
        },
    )
    async def send(
        self,
        key: FromPath[str],
        store: NamedDependency[LocalBlobStore],
        expires: FromQuery[str] = "",
        signature: FromQuery[str] = "",
        filename: FromQuery[str] = "",
        type: FromQuery[str] = "",
    ) -> File:
        key = key.lstrip("/")
        store.verify_get(key, expires=expires, signature=signature, filename=filename, content_type=type)
        path = store.path_of(key)
        if await store.head(key) is None:
            raise NotFound("object_not_found", "no such object")
        return File(
            path=path,
            filename=filename or path.name,
            media_type=type or "application/octet-stream",
            content_disposition_type="attachment" if filename else "inline",
            headers={"Cache-Control": "private, max-age=300"},
        )

    # Litestar builds the route's OPTIONS answer from the first of the two handlers only
    # (``Allow: OPTIONS, PUT``); this one names both. CORS preflights never reach it.
    @route("/{key:path}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow(self) -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, PUT"})
