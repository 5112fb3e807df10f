"""Seeking a video: a presigned GET answers ``Range`` with 206 on every storage (local ``/blobs``,
S3 and MinIO adapters on SeaweedFS), so the browser's player works the same everywhere."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from auroravault.storage.base import BlobStore
from auroravault.storage.local import LocalBlobStore
from tests.servers.fixtures import make_minio_store, make_s3_store, unique_bucket
from tests.storage.conftest import blob_app

DATA = os.urandom(300_000)


@pytest.fixture(params=["local", "s3", "minio"])
async def store_and_http(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[BlobStore, httpx.AsyncClient]]:
    if request.param == "local":
        local = LocalBlobStore(tmp_path / "blobs", base_url="http://blobs.test", secret=b"s" * 32)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=blob_app(local))) as client:
            yield local, client
        return
    seaweedfs = request.getfixturevalue("seaweedfs")
    maker = make_s3_store if request.param == "s3" else make_minio_store
    remote = maker(seaweedfs, unique_bucket())
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            yield remote, client
    finally:
        await remote.close()


async def test_a_presigned_get_answers_one_range_with_206(
    store_and_http: tuple[BlobStore, httpx.AsyncClient], tmp_path: Path
) -> None:
    store, http = store_and_http
    source = tmp_path / "clip.mp4"
    source.write_bytes(DATA)
    await store.put_file("u1/p1/original", source, content_type="video/mp4")
    url = await store.presign_get("u1/p1/original", expires_in=60, filename="clip.mp4", content_type="video/mp4")
    part = await http.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == DATA[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(DATA)}"
    tail = await http.get(url, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == DATA[-100:]
    beyond = await http.get(url, headers={"Range": f"bytes={len(DATA)}-"})
    assert beyond.status_code == 416
    whole = await http.get(url)
    assert whole.status_code == 200 and whole.content == DATA
