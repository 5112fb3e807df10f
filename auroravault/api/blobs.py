"""The local store's presigned endpoint: ``PUT``/``GET /blobs/{key}``, checked like S3 checks SigV4.

Mounted only when ``storage.backend = "local"``. The body is streamed to disk (never held
in memory), so ``request_max_body_size`` is lifted here and the signed size enforced instead.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

import anyio
from litestar import Controller, Request, Response, get, put, route
from litestar.datastructures import ETag
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery
from litestar.response import File

from auroravault.api import ranges
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
            206: ResponseSpec(bytes, media_type="*/*", description="The one byte range asked for (Range)"),
            **documented(
                s403="signature_invalid, url_expired",
                s404="object_not_found",
                s416="range_not_satisfiable",
                s422="invalid_key",
            ),
        },
    )
    async def send(
        self,
        request: Request,
        key: FromPath[str],
        store: NamedDependency[LocalBlobStore],
        expires: FromQuery[str] = "",
        signature: FromQuery[str] = "",
        filename: FromQuery[str] = "",
        type: FromQuery[str] = "",
    ) -> File | Response[Any]:
        key = key.lstrip("/")
        store.verify_get(key, expires=expires, signature=signature, filename=filename, content_type=type)
        path = store.path_of(key)
        head = await store.head(key)
        if head is None:
            raise NotFound("object_not_found", "no such object")
        # Range (a video seeking): 206 for one range, 416 past the end (api/ranges.py).
        etag, modified = await anyio.to_thread.run_sync(ranges.validators, path)
        media_type = type or "application/octet-stream"
        headers = {"Cache-Control": "private, max-age=300", "Accept-Ranges": "bytes"}
        disposition: Literal["attachment", "inline"] = "attachment" if filename else "inline"
        answer = ranges.partial(
            request,
            path,
            head.size,
            media_type,
            {
                **headers,
                "ETag": etag,
                "Last-Modified": modified,
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename or path.name)}",
            },
        )
        if answer is not None:
            return answer
        return File(
            path=path,
            filename=filename or path.name,
            media_type=media_type,
            content_disposition_type=disposition,
            headers=headers,
            etag=ETag(value=etag.strip('"')),
        )

    # Litestar builds the route's OPTIONS answer from the first of the two handlers only
    # (``Allow: OPTIONS, PUT``); this one names both. CORS preflights never reach it.
    @route("/{key:path}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow(self) -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, PUT"})
