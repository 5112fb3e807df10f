"""BlobStore on S3 and S3-compatible servers, with boto3.

Works with AWS S3 (``endpoint_url`` empty, credentials from the settings or, when
both keys are empty, the standard AWS chain: environment, profile, instance role)
and with any S3-compatible server (MinIO, SeaweedFS, Ceph, R2...) given its
``endpoint_url``; ``path_style`` selects path-style or virtual-host addressing.
When ``endpoint_url`` has no scheme, ``secure`` picks ``https://`` or ``http://``.

Two clients: one talks to ``endpoint_url`` for the server's own calls; the other only
signs URLs for clients, with ``public_endpoint_url`` when set. SigV4 signs the host,
so a URL must be signed for the host the client will actually reach.

What a presigned PUT enforces (checked against SeaweedFS in
``tests/storage/test_remote_adapters.py``):

- expiry and signature: the server refuses an expired or altered URL (403);
- content type: ``Content-Type`` is a signed header, so any other value is refused (403);
- size: ``Content-Length`` is a signed header, so a body of any other size is refused
  (403) before a byte is stored;
- sha256: ``x-amz-checksum-sha256`` (the digest, base64) is a signed header, so the
  client must send it, and the server refuses a body with another digest (400
  ``BadDigest``) without storing it. Servers that predate flexible checksums still
  check the signature of the header but not the body; the pipeline verifies the
  sha256 again after download in every case.

The client must send exactly the returned headers. ``Content-Length`` is signed too
but not returned: every HTTP client (browsers included, which may not set it) derives
it from the body, so the upload must not use chunked transfer encoding.

Errors: connection failures, timeouts, 5xx, throttling, missing or refused
credentials and a missing bucket become ``Unavailable`` (the request path answers 503,
jobs retry); a missing object is ``NotFound`` for ``download_to`` and ``None`` for
``head``; a bad key or argument is ``Invalid``. Every call runs in a worker thread
(boto3 blocks) of the store's bounded pool: the app's ``[workers] storage`` pool, or
``MAX_CONCURRENCY`` threads of its own.

What this adapter shares with ``minio.py`` (the error classification, endpoint parsing,
presign checks, ``MAX_CONCURRENCY`` and ``CHECK_PREFIX``) is in ``storage/s3_shared.py``;
``__all__`` here re-exports the shared names it listed before the split.
"""

from __future__ import annotations

import builtins
import functools
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import boto3
import botocore.loaders
import botocore.session
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from auroravault.config import S3Settings
from auroravault.errors import AuroraError, ConfigError, NotFound, Unavailable
from auroravault.executors import bounded_pool, pool_threads, run_in
from auroravault.storage.base import ObjectInfo, PresignedRequest, validate_key
from auroravault.storage.s3_multipart import S3Multipart
from auroravault.storage.s3_presign import QueryPresigner
from auroravault.storage.s3_shared import (
    CHECK_PREFIX,
    MAX_CONCURRENCY,
    check_presign_args,
    classify_s3_error,
    content_disposition,
    endpoint_parts,
    sha256_hex_to_b64,
)

__all__ = [
    "CHECK_PREFIX",
    "MAX_CONCURRENCY",
    "S3BlobStore",
    "check_presign_args",
    "content_disposition",
    "endpoint_parts",
    "sha256_hex_to_b64",
]

T = TypeVar("T")


@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    # Each botocore session parses the S3 service model again (~0.3 s). The loader only
    # caches read-only JSON models, so every store can share one: a store then costs
    # ~40 ms to build, which matters to tests that build one per case.
    return botocore.loaders.create_loader()


def _etag(value: str | None) -> str | None:
    return value.strip('"') if value else None


# -- the adapter ------------------------------------------------------------------------------


class S3BlobStore(S3Multipart):
    """A ``BlobStore`` on one bucket of an S3(-compatible) server. See the module docstring.

    Multipart uploads come from ``S3Multipart`` (``storage/s3_multipart.py``).
    """

    name = "s3"
    #: What the signature of a presigned PUT makes the server enforce.
    enforces_content_type: ClassVar[bool] = True
    enforces_size: ClassVar[bool] = True
    enforces_sha256: ClassVar[bool] = True

    def __init__(self, settings: S3Settings, *, executor: Executor | None = None) -> None:
        if not settings.bucket:
            raise ConfigError("setting 's3.bucket': required for the s3 and minio storage backends")
        self.bucket = settings.bucket
        endpoint = self._endpoint_url(settings.endpoint_url, settings.secure)
        public = self._endpoint_url(settings.public_endpoint_url, settings.secure) or endpoint
        self._where = endpoint or f"AWS S3 ({settings.region})"
        config = Config(
            region_name=settings.region or None,
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=pool_threads(executor, MAX_CONCURRENCY),
            s3={"addressing_style": "path" if settings.path_style else "virtual"},
            # boto3 >= 1.36 adds CRC32 checksums (and aws-chunked bodies) to every upload
            # by default, which several S3-compatible servers refuse. Only send them when
            # an operation requires it; the sha256 on presigned PUTs is explicit.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        # A session of its own: boto3's default session is shared global state, and a
        # session is not thread-safe while clients are being made.
        core = botocore.session.Session()
        core.register_component("data_loader", _shared_loader())
        session = boto3.session.Session(
            botocore_session=core,
            aws_access_key_id=settings.access_key or None,
            aws_secret_access_key=settings.secret_key or None,
            region_name=settings.region or None,
        )
        # Typed ``Any``: S3 operations are generated at run time (typed only by the
        # optional mypy-boto3-s3 stubs, which are not a dependency).
        self._client: Any = session.client("s3", endpoint_url=endpoint, config=config)
        self._signer: Any = (
            session.client("s3", endpoint_url=public, config=config) if public != endpoint else self._client
        )
        # Every presigned URL after the first reuses the signer's endpoint resolution.
        self._presigner = QueryPresigner(self._signer, self.bucket, session.get_credentials())
        # No threads inside a transfer: the call already runs in one of our workers,
        # and nested pools would escape the concurrency bound.
        self._transfer = TransferConfig(use_threads=False, multipart_threshold=64 * 1024 * 1024)
        # Every SDK call runs in this bounded pool: the app's storage pool, or one of the
        # store's own (MAX_CONCURRENCY threads) when built without one.
        self._own_executor = executor is None
        self._executor = executor or bounded_pool(MAX_CONCURRENCY, "s3")

    @staticmethod
    def _endpoint_url(url: str, secure: bool) -> str | None:
        if not url:
            return None
        host, is_secure = endpoint_parts(url, secure=secure)
        return ("https://" if is_secure else "http://") + host

    # -- plumbing ---------------------------------------------------------------------------

    async def _run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run one blocking boto3 call in a worker thread, translating its errors."""
        try:
            return await run_in(self._executor, fn, *args, **kwargs)
        except (ClientError, BotoCoreError, S3UploadFailedError) as exc:
            raise self._translate(exc) from exc

    async def _presign(self, method: str, key: str, **kwargs: Any) -> str:
        """One presigned URL: on the event loop when signing cannot block (``QueryPresigner.blocking``)."""
        if self._presigner.blocking:
            return await self._run(self._presigner.sign, method, key, **kwargs)
        try:
            return self._presigner.sign(method, key, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> AuroraError:
        if isinstance(exc, S3UploadFailedError) and isinstance(exc.__context__, ClientError):
            exc = exc.__context__
        where = self._where
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
            return classify_s3_error(code, status, bucket=self.bucket, where=where)
        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return Unavailable("storage_misconfigured", "no storage credentials are configured or found")
        if isinstance(exc, ConnectionError | ReadTimeoutError | ConnectionClosedError):
            return Unavailable("storage_unavailable", f"storage at {where} is unreachable")
        return Unavailable("storage_error", f"storage at {where} failed: {type(exc).__name__}")

    # -- BlobStore --------------------------------------------------------------------------

    async def presign_put(
        self, key: str, *, content_type: str, size: int, sha256: str, expires_in: int
    ) -> PresignedRequest:
        """Sign a PUT of exactly ``size`` bytes of ``content_type`` whose sha256 is ``sha256``.

        Signed headers: ``content-type``, ``content-length``, ``x-amz-checksum-sha256``
        and ``host``. The returned headers are ``Content-Type`` and
        ``x-amz-checksum-sha256``; the HTTP client sets ``Content-Length`` from the body.
        """
        validate_key(key)
        check_presign_args(size=size, expires_in=expires_in)
        checksum = sha256_hex_to_b64(sha256)
        headers = {"Content-Type": content_type, "x-amz-checksum-sha256": checksum}
        signed = {**headers, "Content-Length": str(size)}
        url = await self._presign("PUT", key, expires_in=expires_in, headers=signed)
        return PresignedRequest(method="PUT", url=url, headers=headers)

    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A GET URL; ``filename`` makes it an attachment, ``content_type`` overrides the stored one."""
        validate_key(key)
        check_presign_args(size=0, expires_in=expires_in)
        query: dict[str, str] = {}
        if filename:
            query["response-content-disposition"] = content_disposition(filename)
        if content_type:
            query["response-content-type"] = content_type
        return await self._presign("GET", key, expires_in=expires_in, query=query)

    async def head(self, key: str) -> ObjectInfo | None:
        """``ObjectInfo`` or ``None`` when absent.

        A HEAD answer has no body, so a missing bucket also reads as ``None`` here;
        ``check()`` at start-up is what reports a missing bucket.
        """
        validate_key(key)
        try:
            meta = await self._run(self._client.head_object, Bucket=self.bucket, Key=key)
        except NotFound:
            return None
        return ObjectInfo(
            key=key,
            size=int(meta["ContentLength"]),
            etag=_etag(meta.get("ETag")),
            content_type=meta.get("ContentType"),
            last_modified=meta.get("LastModified"),
        )

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Upload a local file, streamed (multipart above 64 MiB)."""
        validate_key(key)
        await self._run(
            self._client.upload_file,
            str(path),
            self.bucket,
            key,
            ExtraArgs={"ContentType": content_type},
            Config=self._transfer,
        )

    async def download_to(self, key: str, path: Path) -> None:
        """Stream the object into ``path`` (boto3 writes a temp file, then renames).

        Raises ``NotFound`` when the object does not exist.
        """
        validate_key(key)
        await self._run(self._client.download_file, self.bucket, key, str(path), Config=self._transfer)

    async def delete(self, key: str) -> None:
        """Delete ``key``; S3 answers 204 for a missing key too, so this is idempotent."""
        validate_key(key)
        await self._run(self._client.delete_object, Bucket=self.bucket, Key=key)

    async def move(self, source: str, dest: str) -> None:
        """Copy ``source`` to ``dest`` (server-side, multipart when large), then delete ``source``."""
        validate_key(source)
        validate_key(dest)
        if await self.head(source) is None:
            raise NotFound("object_not_found", f"no object at {source}")
        await self._run(
            self._client.copy, {"Bucket": self.bucket, "Key": source}, self.bucket, dest, Config=self._transfer
        )
        await self._run(self._client.delete_object, Bucket=self.bucket, Key=source)

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, one page (1000 keys) fetched at a time."""
        pages: Iterator[dict[str, Any]] = iter(
            self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        )
        while True:
            page = await self._run(next, pages, None)
            if page is None:
                return
            for item in page.get("Contents", []):
                yield ObjectInfo(
                    key=item["Key"],
                    size=int(item["Size"]),
                    etag=_etag(item.get("ETag")),
                    last_modified=item.get("LastModified"),
                )

    async def check(self) -> None:
        """Write, read back and delete a marker object; raise ``Unavailable`` on any failure."""
        key = CHECK_PREFIX + secrets.token_hex(8)
        payload = secrets.token_bytes(16)
        try:
            await self._run(self._client.put_object, Bucket=self.bucket, Key=key, Body=payload)
            got = await self._run(self._get_bytes, key)
            await self._run(self._client.delete_object, Bucket=self.bucket, Key=key)
        except AuroraError as exc:
            detail = exc.detail if isinstance(exc, Unavailable) else "the marker object vanished"
            raise Unavailable(
                "storage_unavailable", f"storage check of bucket {self.bucket!r} failed: {detail}"
            ) from exc
        if got != payload:
            raise Unavailable(
                "storage_unavailable",
                f"storage check of bucket {self.bucket!r} failed: read back other bytes than written",
            )

    def _get_bytes(self, key: str) -> bytes:
        body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    async def ensure_bucket(self, cors_origins: builtins.list[str]) -> None:
        """Create the bucket when missing (idempotent) and, given origins, set its CORS rules.

        Browsers upload straight to storage, so the bucket must allow ``PUT``/``GET``/
        ``HEAD`` from the web origins with the headers ``presign_put`` returns, and expose
        ``ETag``. With no origins the CORS configuration is left untouched.
        """
        try:
            await self._run(self._client.head_bucket, Bucket=self.bucket)
        except NotFound:
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            region = self._client.meta.region_name
            if region and region != "us-east-1":  # us-east-1 refuses an explicit constraint
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                await self._run(self._client.create_bucket, **kwargs)
            except Unavailable as exc:
                # Another instance may have won the race; that is success.
                cause = exc.__cause__
                if not (
                    isinstance(cause, ClientError)
                    and cause.response.get("Error", {}).get("Code") == "BucketAlreadyOwnedByYou"
                ):
                    raise
        if cors_origins:
            rules = {
                "CORSRules": [
                    {
                        "AllowedOrigins": list(cors_origins),
                        "AllowedMethods": ["PUT", "GET", "HEAD"],
                        "AllowedHeaders": ["Content-Type", "x-amz-checksum-sha256"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            }
            await self._run(self._client.put_bucket_cors, Bucket=self.bucket, CORSConfiguration=rules)

    async def purge_temp(self, before: datetime) -> int:
        return 0  # a PUT to the bucket is atomic: nothing half-written is ever left here

    async def close(self) -> None:
        self._client.close()
        if self._signer is not self._client:
            self._signer.close()
        if self._own_executor:
            self._executor.shutdown(wait=False, cancel_futures=True)
