"""``AuroraClient``: a typed async client of the AuroraVault HTTP contract (v1).

Usage::

    async with AuroraClient("http://127.0.0.1:8000", token) as client:
        me = await client.me()
        batch = await client.init_batch([FileSpec(filename=..., size=..., content_type=..., sha256=...)])
        for item in batch.items:
            if item.upload is not None:
                await client.put_presigned(item.upload, path, size)
        await client.complete(batch.batch_id)

Every failure is a ``ClientError``: ``ApiError`` for an HTTP error answer (a problem+json of
the server, or the XML error of S3/MinIO on a presigned URL), ``TransportFailure`` when no
answer came (connection refused or reset, timeout). ``ClientError.transient`` says whether
trying again later can help; the client itself never retries (the upload engine decides).
The errors live in ``auroravault.client.errors`` and are importable from here as well.

Presigned requests go through a second httpx client that never carries the bearer token:
storage needs no token, and a token must never leave for a third-party host.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx
import msgspec

# ClientError is re-exported: callers take every client failure from here.
from auroravault.client.errors import ApiError, TransportFailure, error_of
from auroravault.client.errors import ClientError as ClientError
from auroravault.client.file_chunks import CHUNK, Pace, Progress, file_chunks
from auroravault.client.models import (
    BatchStatus,
    CheckResult,
    DownloadLink,
    FileSpec,
    InitResult,
    Month,
    PartList,
    PartRequest,
    Photo,
    PhotoPage,
    PresignedRequest,
    Session,
    UploadItem,
    UploadList,
    User,
)

API = "/api/v1"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
T = TypeVar("T")


class AuroraClient:
    """Async client of one AuroraVault server. Use as an async context manager, or ``aclose()``.

    ``base_url`` is the server's root (``http://host:port``), without ``/api/v1``.
    ``transport`` is handed to httpx (e.g. an ``httpx.ASGITransport`` or a fault injector in tests).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_connections: int = 16,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._api = httpx.AsyncClient(base_url=self.base_url + API, transport=transport, timeout=timeout, limits=limits)
        # No base_url, no auth: presigned URLs are absolute and carry their own authority.
        self._raw = httpx.AsyncClient(transport=transport, timeout=timeout, limits=limits)

    async def __aenter__(self) -> AuroraClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._raw.aclose()

    # -- plumbing -----------------------------------------------------------------------
    async def _call(
        self,
        method: str,
        path: str,
        type_: type[T],
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
    ) -> T:
        headers = {"Accept": "application/json"}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        content = None
        if body is not None:
            content = msgspec.json.encode(body)
            headers["Content-Type"] = "application/json"
        try:
            response = await self._api.request(method, path, content=content, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise TransportFailure(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise error_of(response, response.content)
        if type_ is type(None):
            return None
        try:
            return msgspec.json.decode(response.content, type=type_)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ApiError(response.status_code, "bad_response", f"{method} {path}: {exc}") from exc

    # -- accounts -------------------------------------------------------------------------
    async def register(self, email: str, password: str, display_name: str) -> Session:
        """Create an account and log in; the client keeps the new token."""
        body = {"email": email, "password": password, "display_name": display_name}
        session = await self._call("POST", "/auth/register", Session, body=body, auth=False)
        self.token = session.token
        return session

    async def login(self, email: str, password: str) -> Session:
        """Log in; the client keeps the new token. 429 ``too_many_attempts`` after repeated failures."""
        body = {"email": email, "password": password}
        session = await self._call("POST", "/auth/login", Session, body=body, auth=False)
        self.token = session.token
        return session

    async def logout(self) -> None:
        """Revoke this token on the server (it stops working at once)."""
        await self._call("POST", "/auth/logout", type(None))
        self.token = None

    async def me(self) -> User:
        return await self._call("GET", "/users/me", User)

    # -- uploads -----------------------------------------------------------------------------
    async def check(self, sha256: Sequence[str]) -> CheckResult:
        """Which of these hashes the user already has (pending uploads do not count). Up to 1000."""
        return await self._call("POST", "/uploads/check", CheckResult, body={"sha256": list(sha256)})

    async def init_batch(self, files: Sequence[FileSpec]) -> InitResult:
        """Ask for presigned URLs for 1..50 files; a pending sha256 comes back with the same ids."""
        return await self._call("POST", "/uploads", InitResult, body={"files": list(files)})

    async def complete(
        self,
        batch_id: str,
        upload_ids: Sequence[str] | None = None,
        parts: Mapping[str, Mapping[int, str]] | None = None,
    ) -> list[UploadItem]:
        """Confirm uploads of a batch (all when ``upload_ids`` is None). Idempotent.

        ``parts``: for multipart uploads, ``upload_id -> {part number: ETag}``.
        """
        body: dict[str, Any] = {"upload_ids": list(upload_ids)} if upload_ids is not None else {}
        if parts:
            body["parts"] = {
                upload_id: [{"number": n, "etag": etag} for n, etag in sorted(etags.items())]
                for upload_id, etags in parts.items()
            }
        result = await self._call("POST", f"/uploads/{batch_id}/complete", UploadList, body=body)
        return result.items

    async def list_parts(self, batch_id: str, upload_id: str) -> PartList:
        """The parts of a multipart upload the server has (to resume without sending them again)."""
        return await self._call("GET", f"/uploads/{batch_id}/items/{upload_id}/parts", PartList)

    async def batch(self, batch_id: str) -> BatchStatus:
        return await self._call("GET", f"/uploads/{batch_id}", BatchStatus)

    async def pending(self) -> list[UploadItem]:
        """The user's uploads still waiting for their bytes."""
        result = await self._call("GET", "/uploads", UploadList, params={"state": "pending"})
        return result.items

    async def put_presigned(
        self,
        request: PresignedRequest,
        path: Path,
        size: int,
        *,
        on_progress: Progress | None = None,
        pace: Pace | None = None,
    ) -> None:
        """Send the file at ``path`` to a presigned URL, streamed from disk in chunks.

        Exactly ``request.headers`` plus ``Content-Length: size`` are sent (never the bearer
        token). ``on_progress`` is called with each chunk's length as it is handed to the
        network; ``pace`` is awaited before each chunk (a bandwidth limiter). Raises
        ``ApiError`` (``url_expired`` is true for a 403) or ``TransportFailure``.
        """
        await self._put_range(request.method, request.url, request.headers, path, 0, size, on_progress, pace)

    async def put_part(
        self,
        part: PartRequest,
        path: Path,
        offset: int,
        size: int,
        *,
        on_progress: Progress | None = None,
        pace: Pace | None = None,
    ) -> str:
        """Send ``size`` bytes of ``path`` from ``offset`` as one part; return its ETag (unquoted)."""
        response = await self._put_range("PUT", part.url, part.headers, path, offset, size, on_progress, pace)
        etag = response.headers.get("etag", "").strip().strip('"')
        if not etag:
            raise TransportFailure("storage accepted a part but sent no ETag (is ETag exposed to this client?)")
        return etag

    async def _put_range(
        self,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        path: Path,
        offset: int,
        size: int,
        on_progress: Progress | None,
        pace: Pace | None,
    ) -> httpx.Response:
        headers = dict(request_headers)
        headers["Content-Length"] = str(size)
        try:
            async with self._raw.stream(
                method, url, headers=headers, content=file_chunks(path, size, on_progress, pace, offset)
            ) as response:
                body = await response.aread()
        except httpx.TransportError as exc:
            raise TransportFailure(f"PUT to storage: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise error_of(response, body)
        return response

    # -- photos --------------------------------------------------------------------------------
    async def list_page(
        self, *, limit: int = 200, cursor: str | None = None, order: str = "newest", archived: str | None = None
    ) -> PhotoPage:
        """One page of the timeline; ``archived="include"`` or ``"only"`` for archived photos too / alone."""
        params: dict[str, Any] = {"limit": limit, "order": order}
        if cursor:
            params["cursor"] = cursor
        if archived:
            params["archived"] = archived
        return await self._call("GET", "/photos", PhotoPage, params=params)

    async def list_photos(
        self, *, page_size: int = 200, order: str = "newest", archived: str | None = None
    ) -> AsyncIterator[Photo]:
        """Every photo of the user (not pending uploads, not the trash), page after page."""
        cursor: str | None = None
        while True:
            page = await self.list_page(limit=page_size, cursor=cursor, order=order, archived=archived)
            for photo in page.items:
                yield photo
            cursor = page.next_cursor
            if not cursor:
                return

    async def trash_page(self, *, limit: int = 200, cursor: str | None = None) -> PhotoPage:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        return await self._call("GET", "/trash", PhotoPage, params=params)

    async def list_trash(self, *, page_size: int = 200) -> AsyncIterator[Photo]:
        """Every photo in the user's trash (``GET /trash``), page after page."""
        cursor: str | None = None
        while True:
            page = await self.trash_page(limit=page_size, cursor=cursor)
            for photo in page.items:
                yield photo
            cursor = page.next_cursor
            if not cursor:
                return

    async def get_photo(self, photo_id: str) -> Photo:
        return await self._call("GET", f"/photos/{photo_id}", Photo)

    async def download_url(self, photo_id: str, variant: str = "original", *, trashed: bool = False) -> DownloadLink:
        """A short-lived presigned GET for ``original``, ``preview`` or ``thumb``; ``trashed``: the
        original of a photo in the trash (``GET /trash/{id}/original``)."""
        path = f"/trash/{photo_id}/original" if trashed else f"/photos/{photo_id}/{variant}"
        return await self._call("GET", path, DownloadLink, params={"redirect": "false"})

    async def download_to(self, url: str, path: Path, *, on_progress: Progress | None = None) -> str:
        """Stream a presigned GET into ``path`` (created or truncated); returns the body's sha256."""
        digest = hashlib.sha256()
        try:
            async with self._raw.stream("GET", url) as response:
                if response.status_code >= 300:
                    raise error_of(response, await response.aread())
                with path.open("wb") as fh:
                    async for chunk in response.aiter_bytes(CHUNK):
                        digest.update(chunk)
                        await asyncio.to_thread(fh.write, chunk)
                        if on_progress is not None:
                            on_progress(len(chunk))
                    await asyncio.to_thread(_sync, fh)
        except httpx.TransportError as exc:
            raise TransportFailure(f"GET from storage: {type(exc).__name__}: {exc}") from exc
        return digest.hexdigest()

    async def timeline(self) -> list[Month]:
        return await self._call("GET", "/timeline", list[Month])


def _sync(fh: Any) -> None:
    fh.flush()
    os.fsync(fh.fileno())
