"""BlobStore on MinIO (or any S3-compatible server), with the minio SDK.

Uses the same ``[s3]`` settings as ``s3.py``. ``endpoint_url`` is ``host:port`` or a
URL (its scheme wins over ``secure``); empty means AWS S3. ``path_style`` selects
path-style or virtual-host addressing. Empty keys mean the usual chain: ``AWS_*`` then
``MINIO_*`` environment variables, the AWS config files, the instance role.

Two clients: one for the server's own calls to ``endpoint_url``; one that only signs
URLs, with ``public_endpoint_url`` when set (SigV4 signs the host, so a URL must be
signed for the host clients reach). Its region is set, so signing never makes a
network call to look the region up.

**Weaker presigned PUT than s3.py.** The SDK's presigner (``get_presigned_url``,
``presigned_put_object``) signs only the ``host`` header; it has no parameter to sign
others (``extra_query_params`` become signed query parameters, which S3 does not
enforce as headers). So, with this adapter, the storage server enforces:

- expiry and signature (key, method, host): yes, 403;
- content type: **no**. The returned ``Content-Type`` header is what honest clients
  send, and the server stores whatever arrives; ``head().content_type`` shows it;
- size: **no**. A body of another size is stored; ``complete`` catches it when it
  HEADs the object and compares ``size`` (then deletes it), and so does the
  pending-upload sweep for clients that never call complete;
- sha256: **no**. An unsigned ``x-amz-checksum-sha256`` header would be refused by AWS
  ("headers present in the request which were not signed"), so none is asked for; the
  pipeline verifies the sha256 after download.

Capability flags ``enforces_content_type``, ``enforces_size`` and ``enforces_sha256``
state this for the contract suite. ``S3BlobStore`` (boto3) enforces all three against
the same servers; prefer it when clients are not trusted.

Errors map as in ``s3.py``: unreachable, timeouts, 5xx, throttling, refused credentials,
missing bucket -> ``Unavailable``; missing object -> ``NotFound`` / ``None``. Every SDK
call runs in the store's bounded thread pool (the app's ``[workers] storage`` pool, or
``MAX_CONCURRENCY`` threads of its own), never in asyncio's default one.
"""

from __future__ import annotations

import builtins
import io
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import CopySource
from minio.credentials import (
    AWSConfigProvider,
    ChainedProvider,
    EnvAWSProvider,
    EnvMinioProvider,
    IamAwsProvider,
    Provider,
)
from minio.datatypes import Object
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError

from auroravault.config import S3Settings
from auroravault.errors import AuroraError, ConfigError, NotFound, Unavailable
from auroravault.executors import bounded_pool, pool_threads, run_in
from auroravault.storage.base import ObjectInfo, PresignedRequest, validate_key
from auroravault.storage.minio_multipart import MinioMultipart
from auroravault.storage.s3_shared import (
    CHECK_PREFIX,
    MAX_CONCURRENCY,
    check_presign_args,
    classify_s3_error,
    content_disposition,
    endpoint_parts,
    sha256_hex_to_b64,
)

__all__ = ["MinioBlobStore"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_LIST_BATCH = 1000


class MinioBlobStore(MinioMultipart):
    """A ``BlobStore`` on one bucket, through the minio SDK. See the module docstring.

    Multipart uploads come from ``MinioMultipart`` (``storage/minio_multipart.py``).
    """

    name = "minio"
    #: What the signature of a presigned PUT makes the server enforce (see above).
    enforces_content_type: ClassVar[bool] = False
    enforces_size: ClassVar[bool] = False
    enforces_sha256: ClassVar[bool] = False

    def __init__(self, settings: S3Settings, *, executor: Executor | None = None) -> None:
        if not settings.bucket:
            raise ConfigError("setting 's3.bucket': required for the s3 and minio storage backends")
        self.bucket = settings.bucket
        self._region = settings.region or "us-east-1"
        host, secure = endpoint_parts(settings.endpoint_url or "s3.amazonaws.com", secure=settings.secure)
        if settings.public_endpoint_url:
            public_host, public_secure = endpoint_parts(settings.public_endpoint_url, secure=settings.secure)
        else:
            public_host, public_secure = host, secure
        self._where = ("https://" if secure else "http://") + host
        # The SDK's default pool waits 5 minutes to connect and retries 5 times; an
        # unreachable store must fail in seconds so the request path can answer 503.
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            maxsize=pool_threads(executor, MAX_CONCURRENCY),
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=urllib3.Retry(total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        )
        self._client = self._make_client(settings, host, secure)
        self._signer = (
            self._make_client(settings, public_host, public_secure)
            if (public_host, public_secure) != (host, secure)
            else self._client
        )
        # Every SDK call runs in this bounded pool: the app's storage pool, or one of the
        # store's own (MAX_CONCURRENCY threads) when built without one.
        self._own_executor = executor is None
        self._executor = executor or bounded_pool(MAX_CONCURRENCY, "minio")

    def _make_client(self, settings: S3Settings, host: str, secure: bool) -> Minio:
        credentials: Provider | None = None
        if not (settings.access_key or settings.secret_key):
            credentials = ChainedProvider([EnvAWSProvider(), EnvMinioProvider(), AWSConfigProvider(), IamAwsProvider()])
        client = Minio(
            host,
            access_key=settings.access_key or None,
            secret_key=settings.secret_key or None,
            secure=secure,
            region=self._region,
            http_client=self._http,
            credentials=credentials,
        )
        if settings.path_style:
            client.disable_virtual_style_endpoint()
        else:
            client.enable_virtual_style_endpoint()
        return client

    # -- plumbing ---------------------------------------------------------------------------

    async def _run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run one blocking SDK call in a worker thread, translating its errors."""
        try:
            return await run_in(self._executor, fn, *args, **kwargs)
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> AuroraError:
        where = self._where
        if isinstance(exc, S3Error):
            code = exc.code or ""
            status = exc.response.status if exc.response is not None else 0
            return classify_s3_error(code, status, bucket=self.bucket, where=where)
        if isinstance(exc, ServerError):
            return Unavailable("storage_unavailable", f"storage at {where} is unavailable ({exc.status_code})")
        if isinstance(exc, urllib3.exceptions.HTTPError):
            # MaxRetryError (refused, DNS, TLS), timeouts, connections cut mid-body.
            return Unavailable("storage_unavailable", f"storage at {where} is unreachable")
        if isinstance(exc, InvalidResponseError):
            return Unavailable("storage_error", f"storage at {where} sent a response that is not S3")
        return Unavailable("storage_error", f"storage at {where} failed: {type(exc).__name__}")

    # -- BlobStore --------------------------------------------------------------------------

    async def presign_put(
        self, key: str, *, content_type: str, size: int, sha256: str, expires_in: int
    ) -> PresignedRequest:
        """Sign a PUT of ``key``; only expiry and host/method/key are enforced (see above).

        ``sha256`` is validated for shape but cannot be bound to the URL.
        """
        validate_key(key)
        check_presign_args(size=size, expires_in=expires_in)
        sha256_hex_to_b64(sha256)
        url = await self._run(
            self._signer.presigned_put_object, self.bucket, key, expires=timedelta(seconds=expires_in)
        )
        headers = {"Content-Type": content_type}
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
        response_headers: dict[str, str | builtins.list[str] | tuple[str]] = {}
        if filename:
            response_headers["response-content-disposition"] = content_disposition(filename)
        if content_type:
            response_headers["response-content-type"] = content_type
        return await self._run(
            self._signer.presigned_get_object,
            self.bucket,
            key,
            expires=timedelta(seconds=expires_in),
            response_headers=response_headers or None,
        )

    async def head(self, key: str) -> ObjectInfo | None:
        """``ObjectInfo`` or ``None`` when absent (a missing bucket also reads as ``None``)."""
        validate_key(key)
        try:
            obj = await self._run(self._client.stat_object, self.bucket, key)
        except NotFound:
            return None
        return _info(obj)

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Upload a local file; the SDK streams it in parts, never whole in memory."""
        validate_key(key)
        await self._run(self._client.fput_object, self.bucket, key, str(path), content_type=content_type)

    async def download_to(self, key: str, path: Path) -> None:
        """Stream the object into ``path`` (the SDK writes a ``.part.minio`` file, then renames).

        Raises ``NotFound`` when the object does not exist.
        """
        validate_key(key)
        await self._run(self._client.fget_object, self.bucket, key, str(path))

    async def delete(self, key: str) -> None:
        """Delete ``key``; deleting a missing key succeeds (S3 answers 204)."""
        validate_key(key)
        await self._run(self._client.remove_object, self.bucket, key)

    async def move(self, source: str, dest: str) -> None:
        """Copy ``source`` to ``dest`` on the server, then delete ``source``; ``NotFound`` when absent."""
        validate_key(source)
        validate_key(dest)
        await self._run(self._client.copy_object, self.bucket, dest, CopySource(self.bucket, source))
        await self._run(self._client.remove_object, self.bucket, source)

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, fetched 1000 at a time in a worker."""
        objects: Iterator[Object] = self._client.list_objects(self.bucket, prefix=prefix, recursive=True)

        def batch() -> builtins.list[Object]:
            return builtins.list(islice(objects, _LIST_BATCH))

        while True:
            chunk = await self._run(batch)
            for obj in chunk:
                yield _info(obj)
            if len(chunk) < _LIST_BATCH:
                return

    async def check(self) -> None:
        """Write, read back and delete a marker object; raise ``Unavailable`` on any failure."""
        key = CHECK_PREFIX + secrets.token_hex(8)
        payload = secrets.token_bytes(16)
        try:
            await self._run(self._client.put_object, self.bucket, key, io.BytesIO(payload), len(payload))
            got = await self._run(self._get_bytes, key)
            await self._run(self._client.remove_object, self.bucket, key)
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
        response = self._client.get_object(self.bucket, key)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    async def ensure_bucket(self, cors_origins: builtins.list[str]) -> None:
        """Create the bucket when missing (idempotent).

        The minio SDK has no bucket CORS call (MinIO itself takes CORS from its server
        setting ``MINIO_API_CORS_ALLOW_ORIGIN``), so ``cors_origins`` is only logged.
        """
        if not await self._run(self._client.bucket_exists, self.bucket):
            try:
                await self._run(self._client.make_bucket, self.bucket, location=self._region)
            except Unavailable as exc:
                cause = exc.__cause__
                # Another instance may have won the race; that is success.
                if not (isinstance(cause, S3Error) and cause.code == "BucketAlreadyOwnedByYou"):
                    raise
        if cors_origins:
            log.warning(
                "minio storage: bucket CORS is not set by the minio SDK; allow %s on the server "
                "(MinIO: MINIO_API_CORS_ALLOW_ORIGIN) so browsers can upload",
                ", ".join(cors_origins),
            )

    async def purge_temp(self, before: datetime) -> int:
        return 0  # a PUT to the bucket is atomic: nothing half-written is ever left here

    async def close(self) -> None:
        self._http.clear()
        if self._own_executor:
            self._executor.shutdown(wait=False, cancel_futures=True)


def _info(obj: Object) -> ObjectInfo:
    return ObjectInfo(
        key=obj.object_name or "",
        size=int(obj.size or 0),
        etag=obj.etag.strip('"') if obj.etag else None,
        content_type=obj.content_type,
        last_modified=obj.last_modified,
    )
