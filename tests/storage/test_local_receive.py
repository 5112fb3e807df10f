"""The local store's receive loop over bodies of several batches, on a real folder.

A body arrives in network-sized pieces; batches are written by a worker thread while the next
one is gathered (``storage/local_receive.py``). Whatever goes wrong part way, nothing is stored
and no temp file stays behind.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from auroravault.errors import Invalid
from auroravault.storage.local import LocalBlobStore
from auroravault.storage.local_receive import BATCH

PIECE = 64 * 1024
SIZE = 2 * BATCH + 3 * PIECE + 17  # two full batches and a short tail


class ClientGone(Exception):
    """What the server raises when the sender disconnects mid-body."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalBlobStore]:
    store = LocalBlobStore(tmp_path / "root", base_url="http://127.0.0.1", secret=b"s" * 32)
    yield store
    store._executor.shutdown(wait=True)


async def pieces(data: bytes, *, fail_at: int | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), PIECE):
        if fail_at is not None and start >= fail_at:
            raise ClientGone
        yield data[start : start + PIECE]


def leftovers(store: LocalBlobStore) -> list[str]:
    return sorted(os.listdir(store.root / ".tmp")) if (store.root / ".tmp").exists() else []


async def test_a_body_of_several_batches_lands_whole(store: LocalBlobStore) -> None:
    data = os.urandom(SIZE)
    await store.receive("u/big.jpg", pieces(data), size=SIZE, sha256=hashlib.sha256(data).hexdigest())
    assert store.path_of("u/big.jpg").read_bytes() == data
    assert leftovers(store) == []


@pytest.mark.parametrize(
    ("extra", "declared", "code"),
    [
        (b"x", None, "body_too_large"),  # one byte past the signed size, after two batches
        (b"", "0" * 64, "checksum_mismatch"),
    ],
)
async def test_a_wrong_body_is_refused_and_nothing_kept(
    store: LocalBlobStore, extra: bytes, declared: str | None, code: str
) -> None:
    data = os.urandom(SIZE)
    with pytest.raises(Invalid) as refused:
        await store.receive(
            "u/big.jpg", pieces(data + extra), size=SIZE, sha256=declared or hashlib.sha256(data).hexdigest()
        )
    assert refused.value.code == code
    assert not store.path_of("u/big.jpg").exists()
    assert leftovers(store) == []


async def test_a_sender_gone_while_a_batch_is_written_leaves_nothing(store: LocalBlobStore) -> None:
    data = os.urandom(SIZE)
    with pytest.raises(ClientGone):
        await store.receive(
            "u/big.jpg", pieces(data, fail_at=BATCH + PIECE), size=SIZE, sha256=hashlib.sha256(data).hexdigest()
        )
    assert not store.path_of("u/big.jpg").exists()
    assert leftovers(store) == []


async def test_a_part_of_several_batches_gets_the_md5_of_all_of_it(store: LocalBlobStore) -> None:
    data = os.urandom(SIZE)
    upload = await store.create_multipart("u/video.mp4", content_type="video/mp4")
    etag = await store.receive_part("u/video.mp4", upload, 1, pieces(data), size=SIZE)
    assert etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
    [part] = await store.list_parts("u/video.mp4", upload)
    assert (part.number, part.size) == (1, SIZE)
    with pytest.raises(Invalid) as refused:
        await store.receive_part("u/video.mp4", upload, 2, pieces(data + b"!"), size=SIZE)
    assert refused.value.code == "body_too_large"
    assert [p.number for p in await store.list_parts("u/video.mp4", upload)] == [1]
