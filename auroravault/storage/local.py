"""Local-disk BlobStore: a folder, and presigned URLs served by this server.

Objects live at ``<root>/<key>``. Uploads arrive at the server's own
``PUT /blobs/{key}`` endpoint (``auroravault.api.blobs``), which checks the URL with
``verify_put`` and hands the body to ``receive``: the bytes are streamed to a temp file
under ``<root>/.tmp``, hashed on the way, fsynced and renamed into place, so a reader
never sees half an object and a crash leaves no partial object behind.

``head`` reports no content type (a folder keeps none); the server knows it from the
photo record, and downloads carry it in the signed URL.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from auroravault.errors import Invalid, NotFound, Unavailable
from auroravault.executors import bounded_pool, run_in
from auroravault.scratch import remove_stale
from auroravault.storage.base import ObjectInfo, PresignedRequest, validate_key
from auroravault.storage.local_multipart import MULTIPART_DIR, LocalMultipart
from auroravault.storage.local_receive import write_hashed
from auroravault.storage.signing import UrlSigner

log = logging.getLogger("auroravault.storage.local")

T = TypeVar("T")

CHUNK = 1024 * 1024
TMP_DIR = ".tmp"
#: Threads of a store built without an executor of the app's (tests, one-off commands).
OWN_THREADS = 8


class LocalBlobStore(LocalMultipart):
    """BlobStore on a local folder. See ``auroravault.storage.base`` for the contract.

    Multipart uploads come from ``LocalMultipart`` (``storage/local_multipart.py``).
    """

    name = "local"

    def __init__(self, root: Path, *, base_url: str, secret: bytes, executor: Executor | None = None) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")
        self.signer = UrlSigner(secret)
        self._tmp = root / TMP_DIR
        # Every file operation runs in this bounded pool (the app's storage pool, or one of
        # the store's own), never in asyncio's default one.
        self._own = executor is None
        self._executor = executor or bounded_pool(OWN_THREADS, "local")

    async def _run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        return await run_in(self._executor, fn, *args, **kwargs)

    async def _discard(self, temp: Path) -> None:
        """Remove a temp file; a failure here (a read-only disk) never hides the first error."""
        try:
            await self._run(temp.unlink, missing_ok=True)
        except OSError as exc:
            log.warning("local storage: cannot remove the temp file %s: %s", temp, exc.strerror)

    # -- paths ---------------------------------------------------------------------
    def path_of(self, key: str) -> Path:
        """The file of ``key``; refuses any key that could leave the root."""
        return self.root.joinpath(*validate_key(key).split("/"))

    def _temp_path(self) -> Path:
        return self._tmp / f"{secrets.token_hex(16)}.part"

    # -- presigning ------------------------------------------------------------------
    async def presign_put(
        self, key: str, *, content_type: str, size: int, sha256: str, expires_in: int
    ) -> PresignedRequest:
        validate_key(key)
        expires = int(time.time()) + expires_in
        signature = self.signer.sign("PUT", key, expires, content_type, size, sha256)
        query = urlencode({"expires": expires, "sha256": sha256, "signature": signature})
        return PresignedRequest(
            method="PUT",
            url=f"{self.base_url}/blobs/{quote(key)}?{query}",
            headers={"Content-Type": content_type},
        )

    def verify_put(self, key: str, *, expires: str, sha256: str, signature: str, content_type: str, size: int) -> None:
        """Raise ``Forbidden`` unless the URL was signed for exactly this request."""
        self.signer.verify(signature, expires, "PUT", validate_key(key), content_type, size, sha256)

    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        validate_key(key)
        expires = int(time.time()) + expires_in
        name, ctype = filename or "", content_type or ""
        signature = self.signer.sign("GET", key, expires, name, ctype)
        params = {"expires": str(expires), "signature": signature}
        if name:
            params["filename"] = name
        if ctype:
            params["type"] = ctype
        return f"{self.base_url}/blobs/{quote(key)}?{urlencode(params)}"

    def verify_get(self, key: str, *, expires: str, signature: str, filename: str, content_type: str) -> None:
        self.signer.verify(signature, expires, "GET", validate_key(key), filename, content_type)

    # -- receiving a presigned PUT ------------------------------------------------------
    async def receive(self, key: str, body: AsyncIterator[bytes], *, size: int, sha256: str) -> None:
        """Stream a signed upload into place.

        Refuses (``Invalid``) a body longer or shorter than ``size`` or whose sha256
        differs from the signed one; nothing is stored then. Memory stays at two batches
        (``storage/local_receive.py``).
        """
        target = self.path_of(key)
        temp = self._temp_path()
        digest = hashlib.sha256()
        try:
            fh = await self._run(_open_temp, temp)
            try:
                too_large = Invalid(
                    "body_too_large", f"the body is longer than the {size} bytes the URL was signed for"
                )
                received = await write_hashed(self._run, fh, digest, body, size=size, too_large=too_large)
                await self._run(_flush, fh)
            finally:
                await self._run(_close_quietly, fh)
            if received != size:
                raise Invalid("size_mismatch", f"received {received} bytes, the URL was signed for {size}")
            if digest.hexdigest() != sha256:
                raise Invalid("checksum_mismatch", "the body's sha256 differs from the one declared")
            await self._run(_install, temp, target)
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot write: {exc.strerror}") from exc
        finally:
            await self._discard(temp)

    # -- the protocol --------------------------------------------------------------------
    async def head(self, key: str) -> ObjectInfo | None:
        path = self.path_of(key)
        try:
            st = await self._run(path.stat)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot stat: {exc.strerror}") from exc
        return _info(key, st)

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        target = self.path_of(key)
        temp = self._temp_path()
        try:
            await self._run(_copy_into_place, path, temp, target)
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot write: {exc.strerror}") from exc
        finally:
            await self._discard(temp)

    async def download_to(self, key: str, path: Path) -> None:
        source = self.path_of(key)
        try:
            await self._run(_copy, source, path)
        except FileNotFoundError:
            raise NotFound("object_not_found", f"no object at {key}") from None
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot read: {exc.strerror}") from exc

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        try:
            await self._run(_remove, path, self.root)
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot delete: {exc.strerror}") from exc

    async def move(self, source: str, dest: str) -> None:
        """Rename ``source`` to ``dest`` (one rename, same folder tree); ``NotFound`` when absent."""
        src, dst = self.path_of(source), self.path_of(dest)
        try:
            await self._run(_move, src, dst, self.root)
        except FileNotFoundError:
            raise NotFound("object_not_found", f"no object at {source}") from None
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot move: {exc.strerror}") from exc

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        try:
            entries = await self._run(_walk, self.root, prefix)
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot list: {exc.strerror}") from exc
        for entry in entries:
            yield entry

    async def check(self) -> None:
        """Write, read back and delete a marker, as Immich does at start-up."""
        marker = f".check/{secrets.token_hex(8)}"
        payload = secrets.token_bytes(32)
        try:
            await self._run(self.root.mkdir, parents=True, exist_ok=True)
            path = self.path_of(marker)
            await self._run(_write_bytes, path, payload)
            if await self._run(path.read_bytes) != payload:
                raise Unavailable("storage_unavailable", f"{self.root} did not return what was written")
            await self.delete(marker)
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"cannot write to {self.root}: {exc.strerror}") from exc

    async def purge_temp(self, before: datetime) -> int:
        return await self._run(remove_stale, self._tmp, before)

    async def close(self) -> None:
        if self._own:
            self._executor.shutdown(wait=False, cancel_futures=True)


# -- blocking helpers, run in worker threads ------------------------------------------------
def _open_temp(temp: Path) -> Any:
    """Open a new temp file in the temp folder (created on first use): one worker hop."""
    temp.parent.mkdir(parents=True, exist_ok=True)
    return open(temp, "wb")


def _close_quietly(fh: object) -> None:
    """Close after the data was flushed (or an error): a failing close adds nothing."""
    try:
        fh.close()  # type: ignore[attr-defined]
    except OSError as exc:
        log.warning("local storage: closing a temp file failed: %s", exc.strerror)


def _flush(fh: object) -> None:
    fh.flush()  # type: ignore[attr-defined]
    os.fsync(fh.fileno())  # type: ignore[attr-defined]


def _install(temp: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, target)
    _fsync_dir(target.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: Path, dest: Path) -> None:
    with open(source, "rb") as src, open(dest, "wb") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)


def _copy_into_place(source: Path, temp: Path, target: Path) -> None:
    temp.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, temp)
    with open(temp, "rb+") as fh:
        os.fsync(fh.fileno())
    _install(temp, target)


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _move(src: Path, dst: Path, root: Path) -> None:
    if not src.is_file():
        raise FileNotFoundError(src)
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)
    _fsync_dir(dst.parent)
    _prune(src.parent, root)


def _prune(parent: Path, root: Path) -> None:
    """Remove the folders a removal left empty, up to the root."""
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def _remove(path: Path, root: Path) -> None:
    """Delete the file and the folders it leaves empty, up to the root."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    _prune(path.parent, root)


def _walk(root: Path, prefix: str) -> list[ObjectInfo]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        top = rel_dir.split(os.sep, 1)[0]
        if top in (TMP_DIR, MULTIPART_DIR):
            dirnames[:] = []
            continue
        dirnames.sort()
        for name in sorted(filenames):
            key = name if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{name}"
            if key.startswith(prefix):
                try:
                    found.append(_info(key, os.stat(os.path.join(dirpath, name))))
                except FileNotFoundError:
                    continue
    return found


def _info(key: str, st: os.stat_result) -> ObjectInfo:
    return ObjectInfo(
        key=key,
        size=st.st_size,
        etag=f"{st.st_mtime_ns:x}-{st.st_size:x}",
        content_type=None,
        last_modified=datetime.fromtimestamp(st.st_mtime, UTC),
    )
