"""Multipart uploads with the minio SDK (the multipart half of ``MinioBlobStore``).

The SDK keeps its multipart calls private (``_create_multipart_upload``, ``_list_parts``, ...;
its public ``put_object`` drives them itself); they are thin wrappers of the S3 API and
are used here as they are. A part's URL is ``get_presigned_url("PUT", ...)`` with the
``uploadId`` and ``partNumber`` query parameters; like this adapter's single PUT it signs
only the host, so the storage server does **not** refuse a part of another size
(``enforces_size`` is false): the service compares every part's size and ETag with
``list_parts`` before it completes, and refuses the upload otherwise.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from minio import Minio
from minio.commonconfig import ENABLED, Filter
from minio.datatypes import Part
from minio.lifecycleconfig import AbortIncompleteMultipartUpload, LifecycleConfig, Rule

from auroravault.errors import NotFound
from auroravault.storage.base import PartInfo, PresignedRequest, validate_key
from auroravault.storage.local_multipart import check_part_args
from auroravault.storage.s3_multipart import LIFECYCLE_RULE_ID, by_number

_PAGE = 1000


class MinioMultipart:
    """Mixin for ``MinioBlobStore``: uses its bucket, clients and ``_run``."""

    bucket: str
    _client: Minio
    _signer: Minio
    _run: Callable[..., Any]

    async def create_multipart(self, key: str, *, content_type: str) -> str:
        validate_key(key)
        headers: dict[str, Any] = {"Content-Type": content_type}
        return str(await self._run(self._client._create_multipart_upload, self.bucket, key, headers))

    async def open_multiparts(self, key: str) -> builtins.list[str]:
        validate_key(key)
        found: builtins.list[tuple[Any, str]] = []
        key_marker: str | None = None
        id_marker: str | None = None
        while True:
            page = await self._run(
                self._client._list_multipart_uploads,
                self.bucket,
                prefix=key,
                key_marker=key_marker,
                upload_id_marker=id_marker,
                max_uploads=_PAGE,
            )
            found += [(u.initiated_time, u.upload_id) for u in page.uploads if u.object_name == key and u.upload_id]
            if not page.is_truncated:
                break
            key_marker, id_marker = page.next_key_marker, page.next_upload_id_marker
        return [upload_id for _, upload_id in sorted(found, key=lambda f: (f[0] is not None, f[0]))]

    async def presign_part(
        self, key: str, multipart_id: str, number: int, *, size: int, expires_in: int
    ) -> PresignedRequest:
        validate_key(key)
        check_part_args(number, size)
        url = await self._run(
            self._signer.get_presigned_url,
            "PUT",
            self.bucket,
            key,
            expires=timedelta(seconds=expires_in),
            extra_query_params={"uploadId": multipart_id, "partNumber": str(number)},
        )
        return PresignedRequest(method="PUT", url=url, headers={})

    async def list_parts(self, key: str, multipart_id: str) -> builtins.list[PartInfo]:
        validate_key(key)
        parts: builtins.list[PartInfo] = []
        marker: str | None = None
        while True:
            page = await self._run(
                self._client._list_parts, self.bucket, key, multipart_id, max_parts=_PAGE, part_number_marker=marker
            )
            parts += [PartInfo(number=p.part_number, size=int(p.size or 0), etag=p.etag) for p in page.parts]
            if not page.is_truncated:
                return by_number(parts)
            marker = page.next_part_number_marker

    async def complete_multipart(self, key: str, multipart_id: str, parts: builtins.list[PartInfo]) -> None:
        validate_key(key)
        named = [Part(part_number=p.number, etag=p.etag.strip('"')) for p in parts]
        await self._run(self._client._complete_multipart_upload, self.bucket, key, multipart_id, named)

    async def abort_multipart(self, key: str, multipart_id: str) -> None:
        validate_key(key)
        try:
            await self._run(self._client._abort_multipart_upload, self.bucket, key, multipart_id)
        except NotFound:
            return

    async def ensure_multipart_expiry(self, days: int) -> None:
        """Make the bucket abort multipart uploads still incomplete ``days`` after they began.

        Other lifecycle rules of the bucket are kept; only the rule with our ID is replaced.
        """
        current = await self._run(self._client.get_bucket_lifecycle, self.bucket)
        rules = [r for r in (current.rules if current else []) if r.rule_id != LIFECYCLE_RULE_ID]
        rules.append(
            Rule(
                ENABLED,
                rule_filter=Filter(prefix=""),
                rule_id=LIFECYCLE_RULE_ID,
                abort_incomplete_multipart_upload=AbortIncompleteMultipartUpload(days_after_initiation=days),
            )
        )
        await self._run(self._client.set_bucket_lifecycle, self.bucket, LifecycleConfig(rules))
