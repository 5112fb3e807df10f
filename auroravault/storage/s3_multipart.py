"""Multipart uploads on S3 and S3-compatible servers, with boto3 (the multipart half of ``S3BlobStore``).

Each part is a presigned ``UploadPart`` whose ``Content-Length`` is a signed header, so the
server refuses a body of another size (403) before storing it, as with the single PUT. No
per-part checksum is signed: the server cannot know a part's digest in advance; the whole
file's sha256 is verified by the pipeline after ``complete`` (streamed), and the service
compares every part's size and ETag with ``list_parts`` before it completes.

``ensure_multipart_expiry`` writes the bucket lifecycle rule that aborts multipart uploads
left incomplete for some days (``auroravault migrate`` calls it), so parts nobody completes
never cost money even when the server that made them is gone.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable
from typing import Any

from auroravault.errors import NotFound
from auroravault.storage.base import PartInfo, PresignedRequest, validate_key
from auroravault.storage.local_multipart import check_part_args
from auroravault.storage.s3_presign import QueryPresigner

#: The ID of the lifecycle rule this project owns in a bucket's configuration.
LIFECYCLE_RULE_ID = "auroravault-abort-incomplete-multipart"


def by_number(parts: builtins.list[PartInfo]) -> builtins.list[PartInfo]:
    """The parts by number, in the server's order within one number.

    AWS and MinIO list a part sent twice once (the last send); SeaweedFS lists every
    send, in no useful order, and its complete takes the one whose ETag is named.
    """
    return sorted(parts, key=lambda p: p.number)


class S3Multipart:
    """Mixin for ``S3BlobStore``: uses its bucket, clients and ``_run``."""

    bucket: str
    _client: Any
    _signer: Any
    _presigner: QueryPresigner
    _run: Callable[..., Any]
    _presign: Callable[..., Awaitable[str]]

    async def create_multipart(self, key: str, *, content_type: str) -> str:
        validate_key(key)
        answer = await self._run(
            self._client.create_multipart_upload, Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return str(answer["UploadId"])

    async def open_multiparts(self, key: str) -> builtins.list[str]:
        validate_key(key)
        found: builtins.list[tuple[Any, str]] = []
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": key}
        while True:
            page = await self._run(self._client.list_multipart_uploads, **kwargs)
            found += [(u.get("Initiated"), u["UploadId"]) for u in page.get("Uploads", []) if u.get("Key") == key]
            if not page.get("IsTruncated"):
                break
            kwargs.update(KeyMarker=page.get("NextKeyMarker", ""), UploadIdMarker=page.get("NextUploadIdMarker", ""))
        return [upload_id for _, upload_id in sorted(found, key=lambda f: (f[0] is not None, f[0]))]

    async def presign_part(
        self, key: str, multipart_id: str, number: int, *, size: int, expires_in: int
    ) -> PresignedRequest:
        validate_key(key)
        check_part_args(number, size)
        query = {"partNumber": str(number), "uploadId": multipart_id}
        headers = {"Content-Length": str(size)}
        url = await self._presign("PUT", key, expires_in=expires_in, headers=headers, query=query)
        return PresignedRequest(method="PUT", url=url, headers={})

    async def list_parts(self, key: str, multipart_id: str) -> builtins.list[PartInfo]:
        validate_key(key)
        parts: builtins.list[PartInfo] = []
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "UploadId": multipart_id}
        while True:
            page = await self._run(self._client.list_parts, **kwargs)
            parts += [
                PartInfo(number=int(p["PartNumber"]), size=int(p["Size"]), etag=str(p["ETag"]).strip('"'))
                for p in page.get("Parts", [])
            ]
            if not page.get("IsTruncated"):
                return by_number(parts)
            kwargs["PartNumberMarker"] = page["NextPartNumberMarker"]

    async def complete_multipart(self, key: str, multipart_id: str, parts: builtins.list[PartInfo]) -> None:
        validate_key(key)
        body = {"Parts": [{"PartNumber": p.number, "ETag": f'"{p.etag.strip(chr(34))}"'} for p in parts]}
        await self._run(
            self._client.complete_multipart_upload,
            Bucket=self.bucket,
            Key=key,
            UploadId=multipart_id,
            MultipartUpload=body,
        )

    async def abort_multipart(self, key: str, multipart_id: str) -> None:
        validate_key(key)
        try:
            await self._run(self._client.abort_multipart_upload, Bucket=self.bucket, Key=key, UploadId=multipart_id)
        except NotFound:
            return

    async def ensure_multipart_expiry(self, days: int) -> None:
        """Make the bucket abort multipart uploads still incomplete ``days`` after they began.

        Other lifecycle rules of the bucket are kept; only the rule with our ID is replaced.
        """
        try:
            current = await self._run(self._client.get_bucket_lifecycle_configuration, Bucket=self.bucket)
            rules = [r for r in current.get("Rules", []) if r.get("ID") != LIFECYCLE_RULE_ID]
        except NotFound:  # NoSuchLifecycleConfiguration: none yet
            rules = []
        rules.append(
            {
                "ID": LIFECYCLE_RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
            }
        )
        await self._run(
            self._client.put_bucket_lifecycle_configuration, Bucket=self.bucket, LifecycleConfiguration={"Rules": rules}
        )
