"""The multipart half of the BlobStore contract, run on every adapter (local, S3, MinIO).

Parts are sent over real HTTP to the URLs the store signs: the server's own
``/blob-parts`` endpoint for the local store, SeaweedFS for the other two.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

from auroravault.errors import Invalid, NotFound
from auroravault.storage.base import MIN_PART_BYTES, PartInfo
from tests.storage.conftest import BlobCase

PART = MIN_PART_BYTES
DATA = os.urandom(2 * PART + 12345)
CHUNKS = [DATA[:PART], DATA[PART : 2 * PART], DATA[2 * PART :]]


async def send_part(case: BlobCase, key: str, mp: str, number: int, body: bytes, size: int | None = None) -> str:
    """PUT one part; return its ETag (unquoted); fail on any other answer than 200."""
    req = await case.store.presign_part(key, mp, number, size=len(body) if size is None else size, expires_in=600)
    status, etag = await put(case, req.url, req.headers, body)
    assert status == 200, status
    return etag


async def put(case: BlobCase, url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    assert case.client is not None
    resp = await case.client.put(url, headers=headers, content=body)
    return resp.status_code, resp.headers.get("etag", "").strip('"')


async def test_parts_sent_listed_and_joined_make_the_object(blobs: BlobCase, tmp_path: Path) -> None:
    key = "u1/p1/original"
    mp = await blobs.store.create_multipart(key, content_type="video/mp4")
    assert await blobs.store.open_multiparts(key) == [mp]
    assert await blobs.store.head(key) is None
    etags = [await send_part(blobs, key, mp, n, chunk) for n, chunk in enumerate(CHUNKS, start=1)]
    assert etags == [hashlib.md5(c, usedforsecurity=False).hexdigest() for c in CHUNKS]
    listed = await blobs.store.list_parts(key, mp)
    assert listed == [
        PartInfo(number=n, size=len(c), etag=e) for n, (c, e) in enumerate(zip(CHUNKS, etags, strict=True), 1)
    ]
    assert [o.key async for o in blobs.store.list("")] == []  # parts are not objects

    await blobs.store.complete_multipart(key, mp, listed)
    info = await blobs.store.head(key)
    assert info is not None and info.size == len(DATA)
    out = tmp_path / "out"
    await blobs.store.download_to(key, out)
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(DATA).digest()
    assert await blobs.store.open_multiparts(key) == []
    with pytest.raises(NotFound):
        await blobs.store.list_parts(key, mp)


async def test_a_part_sent_again_replaces_the_first(blobs: BlobCase) -> None:
    key = "u1/p2/original"
    mp = await blobs.store.create_multipart(key, content_type="video/mp4")
    first = await send_part(blobs, key, mp, 1, os.urandom(PART))
    second = await send_part(blobs, key, mp, 1, CHUNKS[0])
    assert first != second
    listed = await blobs.store.list_parts(key, mp)
    assert PartInfo(number=1, size=PART, etag=second) in listed
    if blobs.store.name == "local":  # SeaweedFS lists every send of a part (storage/base.py)
        assert listed == [PartInfo(number=1, size=PART, etag=second)]
    await blobs.store.complete_multipart(key, mp, [PartInfo(number=1, size=PART, etag=second)])
    got = await blobs.fetch(await blobs.store.presign_get(key, expires_in=60))
    assert got[1] == CHUNKS[0]


async def test_a_wrong_etag_or_a_missing_part_is_refused_and_nothing_changes(blobs: BlobCase) -> None:
    key = "u1/p3/original"
    mp = await blobs.store.create_multipart(key, content_type="video/mp4")
    etags = [await send_part(blobs, key, mp, n, chunk) for n, chunk in enumerate(CHUNKS[:2], start=1)]
    wrong = [PartInfo(1, PART, etags[0]), PartInfo(2, PART, "0" * 32)]
    with pytest.raises(Invalid):
        await blobs.store.complete_multipart(key, mp, wrong)
    missing = [PartInfo(1, PART, etags[0]), PartInfo(2, PART, etags[1]), PartInfo(3, 9, "1" * 32)]
    with pytest.raises(Invalid):
        await blobs.store.complete_multipart(key, mp, missing)
    assert await blobs.store.head(key) is None
    assert len(await blobs.store.list_parts(key, mp)) == 2  # still open, the parts kept
    await blobs.store.abort_multipart(key, mp)


async def test_a_part_of_another_size_is_refused_where_the_adapter_says_so(blobs: BlobCase) -> None:
    key = "u1/p4/original"
    mp = await blobs.store.create_multipart(key, content_type="video/mp4")
    req = await blobs.store.presign_part(key, mp, 1, size=PART, expires_in=600)
    status, _ = await put(blobs, req.url, req.headers, CHUNKS[0][:-1])
    parts = await blobs.store.list_parts(key, mp)
    if blobs.enforces_size:
        assert status in (400, 403, 422) and parts == []
    else:
        # The minio SDK signs only the host: the part is stored, and its listed size tells
        # the service it is wrong (services/multipart.py refuses the upload then).
        assert status == 200 and parts[0].size == PART - 1
    await blobs.store.abort_multipart(key, mp)


async def test_a_tampered_part_url_is_refused(blobs: BlobCase) -> None:
    key = "u1/p5/original"
    mp = await blobs.store.create_multipart(key, content_type="video/mp4")
    req = await blobs.store.presign_part(key, mp, 1, size=10, expires_in=600)
    status, _ = await put(blobs, blobs.tamper(req.url), req.headers, b"0123456789")
    assert status == 403
    assert await blobs.store.list_parts(key, mp) == []
    await blobs.store.abort_multipart(key, mp)


async def test_abort_drops_the_parts_and_is_idempotent(blobs: BlobCase) -> None:
    key = "u1/p6/original"
    mp = await blobs.store.create_multipart(key, content_type="video/mp4")
    await send_part(blobs, key, mp, 1, b"x" * 100)
    await blobs.store.abort_multipart(key, mp)
    await blobs.store.abort_multipart(key, mp)
    assert await blobs.store.open_multiparts(key) == []
    with pytest.raises(NotFound):
        await blobs.store.list_parts(key, mp)
    assert await blobs.store.head(key) is None


async def test_open_uploads_are_found_per_key_oldest_first(blobs: BlobCase) -> None:
    key, other = "u1/p7/original", "u1/p7/original2"
    first = await blobs.store.create_multipart(key, content_type="video/mp4")
    await asyncio.sleep(1.1)  # S3 lists when an upload began to the second
    second = await blobs.store.create_multipart(key, content_type="video/mp4")
    elsewhere = await blobs.store.create_multipart(other, content_type="video/mp4")
    assert await blobs.store.open_multiparts(key) == [first, second]
    assert await blobs.store.open_multiparts(other) == [elsewhere]
    for k, mp in ((key, first), (key, second), (other, elsewhere)):
        await blobs.store.abort_multipart(k, mp)
