"""The ``blobs`` fixture: one case per BlobStore adapter, each on a real backend.

- ``local``: a real folder, presigned requests sent over HTTP to the server's own
  ``/blobs`` endpoint (the app in-process through httpx's ASGI transport).
- ``s3`` and ``minio``: a real SeaweedFS S3 server on 127.0.0.1 that enforces SigV4.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from litestar import Litestar

from auroravault.api.blob_parts import BlobPartController
from auroravault.api.blobs import BlobController
from auroravault.api.problems import EXCEPTION_HANDLERS
from auroravault.storage.base import BlobStore
from auroravault.storage.local import LocalBlobStore
from tests.servers.fixtures import make_minio_store, make_s3_store, unique_bucket

Send = Callable[[str, str, dict[str, str], bytes], Awaitable[int]]
Fetch = Callable[[str], Awaitable[tuple[int, bytes, dict[str, str]]]]


@dataclass
class BlobCase:
    store: BlobStore
    send: Send
    fetch: Fetch
    enforces_content_type: bool = True
    enforces_size: bool = True
    #: The HTTP client ``send`` and ``fetch`` use, for tests that need the whole answer.
    client: httpx.AsyncClient | None = None

    @staticmethod
    def tamper(url: str) -> str:
        """Flip one character of whichever query value carries the signature."""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        out = []
        for name, value in query:
            if name.lower() in ("signature", "x-amz-signature"):
                value = ("0" if value[0] != "0" else "1") + value[1:]
            out.append((name, value))
        return urlunsplit(parts._replace(query=urlencode(out)))


def _http(client: httpx.AsyncClient) -> tuple[Send, Fetch]:
    async def send(method: str, url: str, headers: dict[str, str], body: bytes) -> int:
        resp = await client.request(method, url, headers=headers, content=body)
        return resp.status_code

    async def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
        resp = await client.get(url)
        return resp.status_code, resp.content, dict(resp.headers)

    return send, fetch


def blob_app(store: LocalBlobStore) -> Litestar:
    app = Litestar(route_handlers=[BlobController, BlobPartController], exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    app.state.services = SimpleNamespace(blobs=store)
    return app


@pytest.fixture(params=["local", "s3", "minio"])
async def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobCase]:
    if request.param == "local":
        store = LocalBlobStore(tmp_path / "blobs", base_url="http://blobs.test", secret=b"s" * 32)
        transport = httpx.ASGITransport(app=blob_app(store))
        async with httpx.AsyncClient(transport=transport) as client:
            yield BlobCase(store, *_http(client), client=client)
        return
    seaweedfs = request.getfixturevalue("seaweedfs")
    remote: BlobStore
    if request.param == "s3":
        remote = make_s3_store(seaweedfs, unique_bucket())
        flags = {"enforces_content_type": True, "enforces_size": True}
    else:
        remote = make_minio_store(seaweedfs, unique_bucket())
        flags = {"enforces_content_type": False, "enforces_size": False}
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            yield BlobCase(remote, *_http(client), client=client, **flags)
    finally:
        await remote.close()
