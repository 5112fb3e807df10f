"""The BlobStore contract, written against the protocol only and run on every adapter.

Each case of the ``blobs`` fixture (``tests/storage/conftest.py``) gives a store and a
``send`` function that replays a presigned request over real HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auroravault.errors import Invalid, NotFound
from tests.storage.conftest import BlobCase

DATA = os.urandom(256 * 1024 + 17)
SHA = hashlib.sha256(DATA).hexdigest()


async def presigned_upload(case: BlobCase, key: str, data: bytes = DATA, **kw: object) -> int:
    req = await case.store.presign_put(
        key,
        content_type=str(kw.get("content_type", "image/jpeg")),
        size=int(kw.get("size", len(data))),  # type: ignore[call-overload]
        sha256=str(kw.get("sha256", hashlib.sha256(data).hexdigest())),
        expires_in=int(kw.get("expires_in", 600)),  # type: ignore[call-overload]
    )
    assert req.method == "PUT"
    return await case.send(req.method, req.url, dict(req.headers), data)


async def test_presigned_put_stores_the_bytes(blobs: BlobCase, tmp_path: Path) -> None:
    key = "u1/p1/original"
    assert await presigned_upload(blobs, key) in (200, 201, 204)
    info = await blobs.store.head(key)
    assert info is not None and info.size == len(DATA) and info.key == key
    out = tmp_path / "out"
    await blobs.store.download_to(key, out)
    assert out.read_bytes() == DATA


async def test_presigned_get_downloads_the_bytes(blobs: BlobCase) -> None:
    key = "u1/p2/original"
    await presigned_upload(blobs, key)
    url = await blobs.store.presign_get(key, expires_in=60, filename="holiday.jpg", content_type="image/jpeg")
    status, body, headers = await blobs.fetch(url)
    assert status == 200 and body == DATA
    assert "holiday.jpg" in headers.get("content-disposition", "")


async def test_a_tampered_signature_is_refused_and_nothing_stored(blobs: BlobCase) -> None:
    key = "u1/p3/original"
    req = await blobs.store.presign_put(key, content_type="image/jpeg", size=len(DATA), sha256=SHA, expires_in=600)
    url = blobs.tamper(req.url)
    assert await blobs.send("PUT", url, dict(req.headers), DATA) == 403
    assert await blobs.store.head(key) is None


async def test_an_expired_url_is_refused_and_nothing_stored(blobs: BlobCase) -> None:
    key = "u1/p4/original"
    req = await blobs.store.presign_put(key, content_type="image/jpeg", size=len(DATA), sha256=SHA, expires_in=1)
    await asyncio.sleep(2.2)
    assert await blobs.send("PUT", req.url, dict(req.headers), DATA) == 403
    assert await blobs.store.head(key) is None


async def test_a_different_content_type_is_refused_where_the_adapter_says_so(blobs: BlobCase) -> None:
    key = "u1/p5/original"
    req = await blobs.store.presign_put(key, content_type="image/jpeg", size=len(DATA), sha256=SHA, expires_in=600)
    headers = {**req.headers, "Content-Type": "text/html"}
    status = await blobs.send("PUT", req.url, headers, DATA)
    if blobs.enforces_content_type:
        assert status == 403
        assert await blobs.store.head(key) is None
    else:
        # The minio SDK signs only the host (documented in storage/minio.py): the bytes
        # land, and the pipeline judges the format from the bytes, never the header.
        assert status == 200
        assert (await blobs.store.head(key)).size == len(DATA)


async def test_a_body_longer_than_signed_is_not_stored_as_declared(blobs: BlobCase) -> None:
    key = "u1/p6/original"
    status = await presigned_upload(blobs, key, DATA + b"extra bytes", size=len(DATA), sha256=SHA)
    info = await blobs.store.head(key)
    # Either the store refuses outright, or (S3 without a signed length) the size differs
    # and `complete` rejects it: never an object that passes as the declared one.
    assert status >= 400 or (info is not None and info.size != len(DATA))
    if blobs.enforces_size:
        assert status >= 400 and info is None


async def test_missing_objects(blobs: BlobCase, tmp_path: Path) -> None:
    assert await blobs.store.head("u1/none/original") is None
    with pytest.raises(NotFound):
        await blobs.store.download_to("u1/none/original", tmp_path / "x")
    await blobs.store.delete("u1/none/original")  # idempotent: no error


async def test_put_file_list_and_delete(blobs: BlobCase, tmp_path: Path) -> None:
    src = tmp_path / "thumb.webp"
    src.write_bytes(b"RIFF-not-really-webp" * 100)
    await blobs.store.put_file("u2/p1/thumb.webp", src, content_type="image/webp")
    await blobs.store.put_file("u2/p1/preview.jpg", src, content_type="image/jpeg")
    await blobs.store.put_file("u3/p9/preview.jpg", src, content_type="image/jpeg")
    keys = sorted([info.key async for info in blobs.store.list("u2/")])
    assert keys == ["u2/p1/preview.jpg", "u2/p1/thumb.webp"]
    await blobs.store.delete("u2/p1/thumb.webp")
    await blobs.store.delete("u2/p1/thumb.webp")
    assert [info.key async for info in blobs.store.list("u2/")] == ["u2/p1/preview.jpg"]
    head = await blobs.store.head("u2/p1/preview.jpg")
    assert head is not None and head.size == src.stat().st_size


@pytest.mark.parametrize("key", ["../escape", "/abs/key", "a\\b", "a\x00b", "a//b", "a/./b", "", "a/../../b"])
async def test_keys_cannot_leave_the_store(blobs: BlobCase, key: str) -> None:
    with pytest.raises(Invalid):
        await blobs.store.presign_put(key, content_type="image/jpeg", size=1, sha256=SHA, expires_in=60)
    with pytest.raises(Invalid):
        await blobs.store.head(key)


async def test_check_round_trips_a_marker(blobs: BlobCase) -> None:
    await blobs.store.check()
    assert [info.key async for info in blobs.store.list(".check/")] == []


async def test_move_puts_the_bytes_under_the_new_key(blobs: BlobCase, tmp_path: Path) -> None:
    await presigned_upload(blobs, "u4/p1/original")
    await blobs.store.move("u4/p1/original", "quarantine/u4/p1/original")
    assert await blobs.store.head("u4/p1/original") is None
    moved = await blobs.store.head("quarantine/u4/p1/original")
    assert moved is not None and moved.size == len(DATA)
    out = tmp_path / "moved"
    await blobs.store.download_to("quarantine/u4/p1/original", out)
    assert out.read_bytes() == DATA
    assert [info.key async for info in blobs.store.list("u4/")] == []
    with pytest.raises(NotFound):
        await blobs.store.move("u4/p1/original", "quarantine/u4/p1/again")
    assert await blobs.store.head("quarantine/u4/p1/again") is None


async def test_purging_scratch_files_never_touches_an_object(blobs: BlobCase, tmp_path: Path) -> None:
    assert await presigned_upload(blobs, "u5/p1/original") == 200
    src = tmp_path / "thumb.webp"
    src.write_bytes(b"variant" * 50)
    await blobs.store.put_file("u5/p1/thumb.webp", src, content_type="image/webp")
    later = datetime.now(UTC) + timedelta(days=1)  # everything there now is "before"
    assert await blobs.store.purge_temp(later) >= 0
    assert sorted([info.key async for info in blobs.store.list("u5/")]) == ["u5/p1/original", "u5/p1/thumb.webp"]
    assert (await blobs.store.head("u5/p1/original")).size == len(DATA)
