"""Multipart uploads on the local store: S3's model, on a folder.

An open upload is a folder ``<root>/.multipart/<id>/`` holding ``upload`` (the key, the
content type and when it was opened) and one file per received part, named
``<number>.<etag>`` (the etag is the part's MD5, as S3 makes it). A part arrives at the
server's own ``PUT /blob-parts/{key}?upload=&part=&expires=&signature=`` endpoint
(``auroravault.api.blob_parts``), signed like the single PUT over the key, the upload
id, the part number and the exact size; it is streamed to a temp file in the upload's
folder and renamed into place, so a part is there whole or not at all, and sending it
again replaces it. ``complete_multipart`` joins the named parts into a temp file under
``.tmp`` (one chunk in memory at a time), fsyncs it and renames it to the object.

The folder is not scratch: a restart keeps it (a client resumes days later); the pending
sweep aborts the uploads that expire.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from auroravault.errors import Invalid, NotFound, Unavailable
from auroravault.storage.base import MAX_PARTS, PartInfo, PresignedRequest, validate_key
from auroravault.storage.local_receive import write_hashed
from auroravault.storage.signing import UrlSigner

T = TypeVar("T")

MULTIPART_DIR = ".multipart"
CHUNK = 1024 * 1024
_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_PART_RE = re.compile(r"^(\d{5})\.([0-9a-f]{32})$")


class LocalMultipart:
    """The multipart half of ``LocalBlobStore`` (a mixin: it uses the store's root, signer and pool)."""

    root: Path
    base_url: str
    signer: UrlSigner
    _tmp: Path
    _run: Callable[..., Any]
    path_of: Callable[[str], Path]

    def _upload_dir(self, multipart_id: str) -> Path:
        if not _ID_RE.match(multipart_id):
            raise NotFound("multipart_not_found", "no such multipart upload")
        return self.root / MULTIPART_DIR / multipart_id

    async def _open_dir(self, key: str, multipart_id: str) -> Path:
        """The folder of an open upload of ``key``; ``NotFound`` otherwise."""
        folder = self._upload_dir(multipart_id)
        found = await self._run(_read_upload, folder)
        if found is None or found[0] != key:
            raise NotFound("multipart_not_found", "no such multipart upload")
        return folder

    async def create_multipart(self, key: str, *, content_type: str) -> str:
        validate_key(key)
        multipart_id = secrets.token_hex(16)
        try:
            await self._run(_create_upload, self._upload_dir(multipart_id), key, content_type)
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot write: {exc.strerror}") from exc
        return multipart_id

    async def open_multiparts(self, key: str) -> list[str]:
        validate_key(key)
        try:
            return list(await self._run(_open_uploads, self.root / MULTIPART_DIR, key))
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot list: {exc.strerror}") from exc

    async def presign_part(
        self, key: str, multipart_id: str, number: int, *, size: int, expires_in: int
    ) -> PresignedRequest:
        validate_key(key)
        check_part_args(number, size)
        expires = int(time.time()) + expires_in
        signature = self.signer.sign("PART", key, expires, multipart_id, number, size)
        query = urlencode({"upload": multipart_id, "part": number, "expires": expires, "signature": signature})
        return PresignedRequest(method="PUT", url=f"{self.base_url}/blob-parts/{quote(key)}?{query}", headers={})

    def verify_part(self, key: str, *, multipart_id: str, number: str, expires: str, signature: str, size: int) -> int:
        """Raise ``Forbidden`` unless the URL was signed for this part of exactly ``size`` bytes."""
        self.signer.verify(signature, expires, "PART", validate_key(key), multipart_id, number, size)
        return int(number)

    async def receive_part(
        self, key: str, multipart_id: str, number: int, body: AsyncIterator[bytes], *, size: int
    ) -> str:
        """Stream one signed part into its upload's folder; return its etag.

        A body longer or shorter than ``size`` is refused (``Invalid``) and nothing kept.
        """
        folder = await self._open_dir(key, multipart_id)
        temp = folder / f".{secrets.token_hex(8)}.tmp"
        digest = hashlib.md5(usedforsecurity=False)
        try:
            fh = await self._run(open, temp, "wb")
            try:
                too_large = Invalid("body_too_large", f"the part is longer than the {size} bytes it was signed for")
                received = await write_hashed(self._run, fh, digest, body, size=size, too_large=too_large)
                await self._run(_flush, fh)
            finally:
                await self._run(fh.close)
            if received != size:
                raise Invalid("size_mismatch", f"received {received} bytes, the part was signed for {size}")
            etag = digest.hexdigest()
            await self._run(_install_part, temp, folder, number, etag)
            return etag
        except FileNotFoundError:
            raise NotFound("multipart_not_found", "the multipart upload was aborted meanwhile") from None
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot write: {exc.strerror}") from exc
        finally:
            await self._run(_unlink, temp)

    async def list_parts(self, key: str, multipart_id: str) -> list[PartInfo]:
        folder = await self._open_dir(key, multipart_id)
        return list(await self._run(_parts, folder))

    async def complete_multipart(self, key: str, multipart_id: str, parts: list[PartInfo]) -> None:
        folder = await self._open_dir(key, multipart_id)
        have = {p.number: p for p in await self._run(_parts, folder)}
        numbers = [p.number for p in parts]
        if not parts or numbers != sorted(set(numbers)):
            raise Invalid("invalid_parts", "name each part once, in ascending order")
        for part in parts:
            got = have.get(part.number)
            if got is None or got.etag != part.etag.strip('"').lower():
                raise Invalid("part_mismatch", f"part {part.number} was not received with that ETag")
        files = [folder / f"{p.number:05d}.{have[p.number].etag}" for p in parts]
        temp = self._tmp / f"{secrets.token_hex(16)}.part"
        try:
            await self._run(_join, files, temp, self.path_of(key))
            await self._run(shutil.rmtree, folder, True)
        except FileNotFoundError:
            raise NotFound("multipart_not_found", "the multipart upload was aborted meanwhile") from None
        except OSError as exc:
            raise Unavailable("storage_unavailable", f"local storage cannot write: {exc.strerror}") from exc
        finally:
            await self._run(_unlink, temp)

    async def abort_multipart(self, key: str, multipart_id: str) -> None:
        validate_key(key)
        try:
            folder = await self._open_dir(key, multipart_id)
        except NotFound:
            return
        await self._run(shutil.rmtree, folder, True)


def check_part_args(number: int, size: int) -> None:
    if not 1 <= number <= MAX_PARTS:
        raise Invalid("invalid_part_number", f"part numbers run from 1 to {MAX_PARTS}")
    if size < 1:
        raise Invalid("invalid_size", "a part has at least one byte")


# -- blocking helpers, run in worker threads ------------------------------------------------
def _create_upload(folder: Path, key: str, content_type: str) -> None:
    folder.mkdir(parents=True)
    (folder / "upload").write_text(f"{key}\n{content_type}\n{time.time_ns()}\n", encoding="utf-8")


def _read_upload(folder: Path) -> tuple[str, str, int] | None:
    try:
        key, content_type, created = (folder / "upload").read_text(encoding="utf-8").split("\n")[:3]
        return key, content_type, int(created)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None


def _open_uploads(base: Path, key: str) -> list[str]:
    try:
        names = os.listdir(base)
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        upload = _read_upload(base / name) if _ID_RE.match(name) else None
        if upload is not None and upload[0] == key:
            found.append((upload[2], name))
    return [name for _, name in sorted(found)]


def _parts(folder: Path) -> list[PartInfo]:
    parts = []
    for entry in os.scandir(folder):
        match = _PART_RE.match(entry.name)
        if match:
            parts.append(PartInfo(number=int(match[1]), size=entry.stat().st_size, etag=match[2]))
    return sorted(parts, key=lambda p: p.number)


def _flush(fh: Any) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _install_part(temp: Path, folder: Path, number: int, etag: str) -> None:
    prefix = f"{number:05d}."
    os.replace(temp, folder / f"{prefix}{etag}")
    for entry in os.scandir(folder):  # the same part sent before, with other bytes
        if entry.name.startswith(prefix) and entry.name != f"{prefix}{etag}":
            os.unlink(entry.path)


def _join(files: list[Path], temp: Path, target: Path) -> None:
    temp.parent.mkdir(parents=True, exist_ok=True)
    with open(temp, "wb") as out:
        for path in files:
            with open(path, "rb") as part:
                _copy_into(part, out)
        out.flush()
        os.fsync(out.fileno())
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_into(part: Any, out: Any) -> None:
    """Append ``part`` to ``out``: in the kernel (``copy_file_range``, no bytes through Python)
    where the system has it, else 1 MiB at a time."""
    out.flush()  # what Python still buffers goes first: the kernel copy writes at the fd's position
    start = out.tell()
    if hasattr(os, "copy_file_range"):
        try:
            while os.copy_file_range(part.fileno(), out.fileno(), 64 * CHUNK):
                pass
            return
        except OSError:  # a file system without it: this part again, the plain way
            out.seek(start)
            out.truncate()
            part.seek(0)
    while chunk := part.read(CHUNK):
        out.write(chunk)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):  # a leftover temp file goes with the next abort or restart
        path.unlink(missing_ok=True)
