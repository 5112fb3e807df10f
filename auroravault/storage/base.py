"""The BlobStore protocol: where photo bytes live.

A BlobStore speaks keys and bytes, never paths. Keys look like
``{user_id}/{photo_id}/original`` and are made by the server, never by users.

Contract (every adapter, checked by ``tests/storage/test_contract.py``):

- ``presign_put`` returns a request a client can replay *exactly* (method, url,
  headers) to store ``size`` bytes of ``content_type`` under ``key`` until
  ``expires_in`` seconds pass. The store refuses the request once expired, when the
  signature is altered, when the content type differs, or when more bytes are sent.
- ``presign_get`` returns a URL that downloads the object until it expires.
- ``head`` returns ``ObjectInfo`` or ``None`` when the object does not exist.
- ``put_file`` stores a server-made file (variants); ``download_to`` streams an object
  into a local file (raises ``NotFound`` when absent). Neither holds the whole object in memory.
- ``delete`` is idempotent; deleting a missing key is not an error.
- ``move`` puts the object of one key under another (a rename on disk, copy then delete
  on S3) and raises ``NotFound`` when the source does not exist. Housekeeping moves
  originals without a database row into ``quarantine/`` with it, instead of deleting them.
- ``list`` yields every ``ObjectInfo`` whose key starts with ``prefix``.
- Library errors become ``auroravault.errors``: an unreachable backend raises
  ``Unavailable``; a missing object ``NotFound``.
- ``purge_temp(before)`` removes the store's own half-written files (a local PUT cut off
  by a killed process) last touched before ``before``, never an object; stores that write
  nothing half-way (S3, MinIO: a PUT is atomic) have none and return 0.
- ``close`` releases connections; the store is not used afterwards.

Multipart uploads (files over ``uploads.multipart_threshold_bytes``; S3's own model, which
the local store copies):

- ``create_multipart`` opens an upload of ``key`` and returns its id; nothing is visible
  under ``key`` until ``complete_multipart``. ``open_multiparts`` lists the ids still open
  for exactly ``key``, oldest first (how a resumed upload finds its parts again: no id
  needs to be kept anywhere else).
- ``presign_part`` returns a PUT of part ``number`` (1..10,000) of exactly ``size`` bytes;
  the answer to that PUT carries the part's ``ETag``. Sending a part again replaces it.
  Where the adapter's ``enforces_size`` says so, a body of another size is refused.
- ``list_parts`` returns the ``PartInfo`` (number, size, etag) of the parts received,
  by number; ``NotFound`` when the upload is not open (completed, aborted, never made).
  A part sent twice is listed once (the last send), except on SeaweedFS, which lists
  each send and completes with the one whose ETag is named.
- ``complete_multipart`` joins the named parts, in order, into the object at ``key``;
  a part missing or with another ETag is ``Invalid`` and nothing changes.
- ``abort_multipart`` drops an open upload and its parts; idempotent.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

import msgspec


class PresignedRequest(msgspec.Struct, frozen=True):
    """What a client must send: ``method`` to ``url`` with exactly ``headers``."""

    method: str
    url: str
    headers: dict[str, str]


class ObjectInfo(msgspec.Struct, frozen=True):
    key: str
    size: int
    etag: str | None = None
    content_type: str | None = None
    last_modified: datetime | None = None


class PartInfo(msgspec.Struct, frozen=True):
    """One received part of a multipart upload (``etag`` without quotes)."""

    number: int
    size: int
    etag: str


#: S3's limits, which every store keeps so a plan made on one works on all.
MAX_PARTS = 10_000
MIN_PART_BYTES = 5 * 1024 * 1024


@runtime_checkable
class BlobStore(Protocol):
    """Pluggable storage of photo bytes. See the module docstring for the contract."""

    name: str

    async def presign_put(
        self, key: str, *, content_type: str, size: int, sha256: str, expires_in: int
    ) -> PresignedRequest: ...

    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str: ...

    async def head(self, key: str) -> ObjectInfo | None: ...

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None: ...

    async def download_to(self, key: str, path: Path) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def move(self, source: str, dest: str) -> None: ...

    def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]: ...

    async def check(self) -> None:
        """Raise ``Unavailable`` unless the store can be written and read now."""
        ...

    async def purge_temp(self, before: datetime) -> int:
        """Remove half-written files older than ``before``; return how many."""
        ...

    async def create_multipart(self, key: str, *, content_type: str) -> str: ...

    async def open_multiparts(self, key: str) -> builtins.list[str]: ...

    async def presign_part(
        self, key: str, multipart_id: str, number: int, *, size: int, expires_in: int
    ) -> PresignedRequest: ...

    async def list_parts(self, key: str, multipart_id: str) -> builtins.list[PartInfo]: ...

    async def complete_multipart(self, key: str, multipart_id: str, parts: builtins.list[PartInfo]) -> None:
        """Join ``parts`` (their number and etag count; size is not looked at) into ``key``."""
        ...

    async def abort_multipart(self, key: str, multipart_id: str) -> None: ...

    async def close(self) -> None: ...


#: Where housekeeping keeps originals that no database row owns (``quarantine/{key}``).
QUARANTINE_PREFIX = "quarantine/"


def original_key(user_id: str, photo_id: str) -> str:
    return f"{user_id}/{photo_id}/original"


def thumb_key(user_id: str, photo_id: str) -> str:
    return f"{user_id}/{photo_id}/thumb.webp"


def preview_key(user_id: str, photo_id: str) -> str:
    return f"{user_id}/{photo_id}/preview.jpg"


_KEY_SEGMENT_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative object key, else raise ``Invalid``.

    Keys are made by the server, but the local blob endpoint receives them from the
    network, so every adapter checks: no empty, ``.`` or ``..`` segment, no leading
    slash, no backslash, NUL or other character outside ``[A-Za-z0-9._-]``.
    """
    from auroravault.errors import Invalid

    if not key or len(key) > 512 or key.startswith("/"):
        raise Invalid("invalid_key", "object key is empty, too long or absolute")
    for segment in key.split("/"):
        if segment in ("", ".", "..") or not set(segment) <= _KEY_SEGMENT_OK:
            raise Invalid("invalid_key", "object key has a forbidden segment or character")
    return key
