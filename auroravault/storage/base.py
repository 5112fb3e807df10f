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
"""

from __future__ import annotations

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
