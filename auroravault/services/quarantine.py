"""Originals that lost their database row, kept under ``quarantine/`` and brought back.

Housekeeping (``services/sweep.py``) never deletes an original: one that no row owns
(rows lost to a damaged database, an older backup restored) moves to
``quarantine/{user_id}/{photo_id}/original``. ``restore`` re-imports each as a photo of
its user through the normal pipeline: a batch is opened for its size and sha256, the
object moves to the new photo's key, and ``complete`` confirms it, so the photo gets its
row, quota, processing job (EXIF, thumbnails) and deduplication like any upload.

- bytes the user already has (same sha256): the quarantined copy is dropped, unless that
  photo's own original is missing, in which case the copy becomes it;
- an owner that no longer exists, a quota that is full, a file the pipeline does not take:
  the file stays in quarantine, and the outcome says why.

The original filename was in the lost row; a restored photo is named ``restored-<id>``.
"""

from __future__ import annotations

import contextlib
import mimetypes
import shutil
import tempfile
from concurrent.futures import Executor
from datetime import datetime
from pathlib import Path
from typing import Literal

import msgspec

from auroravault import imaging
from auroravault.checksums import file_sha256
from auroravault.config import Settings
from auroravault.errors import AuroraError
from auroravault.executors import run_in
from auroravault.meta.protocols import AccountStore
from auroravault.services.upload_models import FileSpec
from auroravault.services.uploads import UploadService
from auroravault.storage.base import QUARANTINE_PREFIX, BlobStore, original_key

Outcome = Literal["restored", "duplicate", "left"]


class Quarantined(msgspec.Struct, frozen=True):
    key: str
    user_id: str
    photo_id: str
    size: int
    last_modified: datetime | None


class RestoreResult(msgspec.Struct, frozen=True):
    key: str
    outcome: Outcome
    detail: str
    photo_id: str | None = None


def _parse(key: str) -> tuple[str, str] | None:
    parts = key[len(QUARANTINE_PREFIX) :].split("/")
    if len(parts) == 3 and parts[2] == "original":
        return parts[0], parts[1]
    return None


async def list_quarantined(blobs: BlobStore) -> list[Quarantined]:
    """Every quarantined original in ``blobs``, in key order."""
    found = []
    async for info in blobs.list(QUARANTINE_PREFIX):
        owner = _parse(info.key)
        if owner is not None:
            found.append(Quarantined(info.key, owner[0], owner[1], info.size, info.last_modified))
    return found


class QuarantineService:
    def __init__(
        self,
        meta: AccountStore,
        blobs: BlobStore,
        uploads: UploadService,
        settings: Settings,
        *,
        disk: Executor | None = None,
        hashing: Executor | None = None,
    ) -> None:
        self.meta = meta
        self.blobs = blobs
        self.uploads = uploads
        self.settings = settings
        self._disk = disk
        self._hashing = hashing

    async def quarantined(self) -> list[Quarantined]:
        return await list_quarantined(self.blobs)

    async def restore(self) -> list[RestoreResult]:
        """Re-import every quarantined original; one result per file, in key order."""
        results = []
        for item in await self.quarantined():
            try:
                results.append(await self._restore(item))
            except AuroraError as exc:
                results.append(RestoreResult(item.key, "left", f"{exc.detail} ({exc.code})"))
        return results

    async def _restore(self, item: Quarantined) -> RestoreResult:
        user = await self.meta.get_user(item.user_id)
        if user is None:
            return RestoreResult(item.key, "left", f"its owner {item.user_id} no longer exists")
        workdir = Path(await run_in(self._disk, tempfile.mkdtemp, prefix="auroravault-restore-"))
        try:
            local = workdir / "original"
            await self.blobs.download_to(item.key, local)
            size, sha256 = await run_in(self._hashing, file_sha256, local)
            try:
                found = await run_in(self._hashing, imaging.probe, local, self.settings.images.max_pixels)
            except imaging.ImageRejected as exc:
                return RestoreResult(item.key, "left", f"not a photo the pipeline takes: {exc.detail}")
        finally:
            await run_in(self._disk, shutil.rmtree, workdir, True)
        extension = mimetypes.guess_extension(found.mime) or ""
        spec = FileSpec(
            filename=f"restored-{item.photo_id}{extension}", size=size, content_type=found.mime, sha256=sha256
        )
        init = await self.uploads.init_batch(user, [spec])
        [entry] = init.items
        target = original_key(user.id, entry.photo_id)
        if entry.status == "duplicate":
            if await self.blobs.head(target) is None:
                await self.blobs.move(item.key, target)
                return RestoreResult(item.key, "duplicate", "its photo had lost its original: put back", entry.photo_id)
            await self.blobs.delete(item.key)
            return RestoreResult(item.key, "duplicate", "the user already has these bytes", entry.photo_id)
        await self.blobs.move(item.key, target)
        with contextlib.suppress(AuroraError):  # the pending sweep confirms it later otherwise
            await self.uploads.complete(user, init.batch_id, None)
        return RestoreResult(item.key, "restored", f"photo {entry.photo_id} of {user.email}", entry.photo_id)
