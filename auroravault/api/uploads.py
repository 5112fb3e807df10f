"""Presigned batch uploads: init, complete, status, the pending list, hash checks."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath, JSONBody, QueryParameter

from auroravault.api.deps import UPLOADS_SERVICE, USER
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas import BatchOut, CheckBody, CheckOut, CompleteBody, InitBody, InitOut, UploadsOut
from auroravault.meta.base import User
from auroravault.services.multipart import ReceivedParts
from auroravault.services.uploads import UploadService


class UploadController(Controller):
    path = "/uploads"
    tags = ["uploads"]
    dependencies = {**USER, **UPLOADS_SERVICE}

    @post(
        "/",
        status_code=201,
        summary="Ask for presigned URLs for a batch of up to 50 photos",
        responses=documented(
            s400="invalid_json",
            s413="quota_exceeded, body_too_large",
            s422="batch_empty, batch_too_large, file_empty, file_too_large, unsupported_media_type, "
            "invalid_sha256, invalid_filename, invalid_client_ref (all bad files listed in `errors`)",
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def init(
        self, data: JSONBody[InitBody], user: NamedDependency[User], uploads: NamedDependency[UploadService]
    ) -> InitOut:
        result = await uploads.init_batch(user, data.files)
        return InitOut(batch_id=result.batch_id, expires_at=result.expires_at, items=result.items)

    @post(
        "/check",
        status_code=200,
        summary="Which of these sha256 hashes the user already has",
        responses=documented(s422="too_many_hashes, invalid_sha256", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def check(
        self, data: JSONBody[CheckBody], user: NamedDependency[User], uploads: NamedDependency[UploadService]
    ) -> CheckOut:
        found = await uploads.check_hashes(user, data.sha256)
        return CheckOut(existing=found.existing, missing=found.missing, trashed=found.trashed, deleted=found.deleted)

    @post(
        "/{batch_id:str}/complete",
        status_code=200,
        summary="Confirm uploads; idempotent",
        responses=documented(
            s404="batch_not_found, upload_not_found",
            s422="not_multipart, parts_incomplete, part_missing, part_etag_mismatch, part_size_mismatch",
            **BODY,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def complete(
        self,
        batch_id: FromPath[str],
        user: NamedDependency[User],
        uploads: NamedDependency[UploadService],
        data: JSONBody[CompleteBody | None] = None,
    ) -> UploadsOut:
        ids = data.upload_ids if data is not None else None
        parts = data.parts if data is not None else None
        return UploadsOut(items=await uploads.complete(user, batch_id, ids, parts))

    @get(
        "/{batch_id:str}/items/{upload_id:str}/parts",
        summary="The parts of a multipart upload that arrived, to resume from",
        responses=documented(s404="batch_not_found, upload_not_found", s409="not_multipart", **AUTH, **UNAVAILABLE),
    )
    async def parts(
        self,
        batch_id: FromPath[str],
        upload_id: FromPath[str],
        user: NamedDependency[User],
        uploads: NamedDependency[UploadService],
    ) -> ReceivedParts:
        return await uploads.parts(user, batch_id, upload_id)

    @get(
        "/{batch_id:str}",
        summary="A batch and the state of each of its uploads",
        responses=documented(s404="batch_not_found", **AUTH),
    )
    async def batch(
        self, batch_id: FromPath[str], user: NamedDependency[User], uploads: NamedDependency[UploadService]
    ) -> BatchOut:
        batch, items = await uploads.batch_status(user, batch_id)
        return BatchOut(batch_id=batch.id, expires_at=batch.expires_at, items=items)

    @get("/", summary="The user's uploads that still wait for their bytes", responses=documented(**AUTH))
    async def pending(
        self,
        user: NamedDependency[User],
        uploads: NamedDependency[UploadService],
        state_filter: Annotated[Literal["pending"], QueryParameter(name="state")] = "pending",
    ) -> UploadsOut:
        return UploadsOut(items=await uploads.pending(user))

    # Litestar's own OPTIONS answer for "/" names only the first handler (``Allow: OPTIONS, POST``).
    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow(self) -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, POST"})
