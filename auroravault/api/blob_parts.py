"""The local store's part endpoint: ``PUT /blob-parts/{key}?upload=&part=``, one part of a multipart upload.

Mounted only when ``storage.backend = "local"``, beside ``/blobs``. The URL is signed for the
key, the upload, the part number and the exact size (``LocalBlobStore.presign_part``); the
body is streamed to disk, never held in memory, and the answer carries the part's ``ETag``
as S3's ``UploadPart`` does.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from auroravault.api.deps import LOCAL_BLOBS
from auroravault.api.problems import documented
from auroravault.errors import Invalid
from auroravault.storage.local import LocalBlobStore


class BlobPartController(Controller):
    path = "/blob-parts"
    tags = ["storage"]
    dependencies = LOCAL_BLOBS

    @put(
        "/{key:path}",
        status_code=200,
        request_max_body_size=None,
        summary="Receive one part of a presigned multipart upload (local storage only)",
        responses=documented(
            s403="signature_invalid, url_expired",
            s404="multipart_not_found",
            s411="length_required",
            s422="body_too_large, size_mismatch, invalid_key",
        ),
    )
    async def receive_part(
        self,
        request: Request,
        key: FromPath[str],
        store: NamedDependency[LocalBlobStore],
        upload: FromQuery[str] = "",
        part: FromQuery[str] = "",
        expires: FromQuery[str] = "",
        signature: FromQuery[str] = "",
    ) -> Response[dict[str, str | int]]:
        key = key.lstrip("/")
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise Invalid(
                "length_required", "send Content-Length with the exact size the part was signed for", status=411
            )
        size = int(length)
        number = store.verify_part(
            key, multipart_id=upload, number=part, expires=expires, signature=signature, size=size
        )
        etag = await store.receive_part(key, upload, number, request.stream(), size=size)
        return Response({"part": number, "etag": etag}, headers={"ETag": f'"{etag}"'})
