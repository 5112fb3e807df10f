"""Presigned batch uploads: init, complete, the pending list, and hash checks.

The rules of DESIGN.md "The HTTP contract", steps 1-4:

- A batch of 1..``uploads.max_batch`` files is validated whole; any bad file refuses the
  whole batch and nothing is created.
- A file whose sha256 the owner already has (not pending) is a ``duplicate``; when that
  photo is in the trash it is restored (the owner sent it again), and when its permanent
  deletion has started the batch is refused with ``photo_being_deleted`` (409): send it
  again once it is gone, and it becomes a new photo.
- ``file_modified_at`` (the file's mtime: the CLI sends it, the web app ``File.lastModified``)
  becomes the photo's time when the file holds no capture date, instead of the upload time.
- A file whose sha256 is still pending is *resumed*: same photo and upload, a fresh URL,
  and the upload moves into the new batch.
- New files reserve their size against the quota in the same atomic step that creates
  them; rejection or expiry releases it.
- ``complete`` HEADs each object: missing -> still ``pending``; wrong size -> ``rejected``
  and the object deleted; right size -> ``processing``, in one atomic step with the photo's
  processing job (``arrival_job``, the pipeline's seam), so a failed write never leaves an
  arrived photo without its job.
- Into an album (issue 14, ``album_id``): ``init_batch`` first asks ``services/access`` that
  the uploader may ``add`` to it (owner, admin, contributor; else ``album_not_found`` /
  ``not_allowed`` and nothing is created) and keeps the album on the batch. Each photo joins
  the album (``join_album``) once it is listed: a duplicate at once, a new photo when its
  bytes arrive (``confirm``, from ``complete`` or the pending sweep); every ``complete``
  joins the batch's arrived photos again (idempotent), so a crash between the arrival and
  the join heals on the client's next ``complete``. The photos stay the uploader's, on their
  quota. Share-link uploads (issue 14, links) make the batch as the link's owner with the
  link's ``album_id`` and go through the same path.

The request and answer Structs and the batch checks are in ``services/upload_models``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Conflict, Forbidden, Invalid, NotFound, QuotaExceeded
from auroravault.ids import new_id
from auroravault.meta.base import Batch, Job, Photo, Upload, User
from auroravault.meta.protocols import AlbumStore, LibraryStore, PhotoStore, SharingStore, UploadStore
from auroravault.services import access, multipart
from auroravault.services.multipart import Join, PartRef, ReceivedParts, UploadRequest
from auroravault.services.upload_models import (
    SHA256_RE,
    FileSpec,
    HashCheck,
    InitItem,
    InitResult,
    UploadItem,
    duplicate_item,
    upload_item,
    validate_batch,
)
from auroravault.storage.base import BlobStore, original_key
from auroravault.timeutil import sort_key, utcnow

HEAD_CONCURRENCY = 8

ArrivalJob = Callable[[Upload], Job]
#: Bytes a user may still add under limits beyond their own quota (their family's); None: none.
Room = Callable[[User], Awaitable[int | None]]


class UploadMeta(PhotoStore, UploadStore, LibraryStore, AlbumStore, SharingStore, Protocol):
    """The store as uploads see it: photos by hash, batches and uploads, and the trash and
    tombstones (a trashed photo's bytes restore it; a deleted one is reported); albums, for
    uploads straight into one."""


class UploadService:
    def __init__(
        self,
        meta: UploadMeta,
        blobs: BlobStore,
        settings: Settings,
        arrival_job: ArrivalJob | None = None,
        on_queued: Callable[[], None] | None = None,
        room: Room | None = None,
    ) -> None:
        self.meta = meta
        self.blobs = blobs
        self.settings = settings
        self.arrival_job = arrival_job  # the job an arrived upload's photo needs
        self.on_queued = on_queued  # wakes the job pump once that job is stored
        self.room = room  # the family's quotas (``services.families``); the store checks the account's
        # Photos joined an album (issue 14): queues the album's hourly "new photos" digest.
        self.on_album_photos: Callable[[str, list[str]], Awaitable[None]] | None = None

    # -- step 1: init ----------------------------------------------------------------------
    async def init_batch(self, user: User, files: list[FileSpec], *, album_id: str | None = None) -> InitResult:
        """Step 1. ``album_id``: the album every photo of the batch joins (the caller must be
        allowed to ``add`` to it: ``album_not_found`` / ``not_allowed`` before anything exists)."""
        specs = validate_batch(files, self.settings.uploads)
        if album_id is not None:
            await access.album(self.meta, user, album_id, "add")
        try:
            return await self._init(user, specs, album_id)
        except Conflict as exc:
            if exc.code != "sha256_taken":
                raise
            # Another batch claimed one of these hashes between our read and our write:
            # read again, and that file is now a resume or a duplicate.
            return await self._init(user, specs, album_id)

    async def _init(self, user: User, specs: list[FileSpec], album_id: str | None) -> InitResult:
        now = utcnow()
        # A URL never outlives its upload: once the upload expired (its bytes deleted, its
        # quota released), a late PUT must be refused by storage itself.
        ttl = min(self.settings.storage.presign_ttl_seconds, self.settings.uploads.pending_ttl_seconds)
        url_expires = now + timedelta(seconds=ttl)
        batch = Batch(id=new_id("b_"), owner_id=user.id, created_at=now, expires_at=url_expires, album_id=album_id)
        pending_ttl = timedelta(seconds=self.settings.uploads.pending_ttl_seconds)

        items: list[InitItem] = []
        new_photos: list[Photo] = []
        new_uploads: list[Upload] = []
        resumed: list[tuple[str, int]] = []
        seen: dict[str, str] = {}  # sha256 -> photo id, within this batch
        to_sign: list[tuple[InitItem, Upload]] = []
        restore: list[str] = []  # trashed photos sent again: restored once the batch is stored

        # One lookup per distinct hash, all at once: 50 sequential round trips to DynamoDB
        # would dominate the request.
        hashes = list(dict.fromkeys(spec.sha256 for spec in specs))
        found = await asyncio.gather(*(self.meta.get_photo_by_sha256(user.id, h) for h in hashes))
        known = dict(zip(hashes, found, strict=True))

        for index, spec in enumerate(specs):
            if spec.sha256 in seen:
                items.append(duplicate_item(index, spec, seen[spec.sha256]))
                continue
            existing = known[spec.sha256]
            if existing is not None and existing.status != "pending":
                if existing.deleting_at is not None:
                    raise Conflict("photo_being_deleted", f"file {index}: this photo is being deleted; send it later")
                if existing.trashed_at is not None:
                    restore.append(existing.id)
                seen[spec.sha256] = existing.id
                items.append(duplicate_item(index, spec, existing.id))
                continue
            upload = None
            if existing is not None and existing.upload_id:
                upload = await self.meta.get_upload(existing.upload_id)
            if upload is not None and upload.state == "pending":
                resumed.append((upload.id, index))
            else:
                photo_id = new_id("p_")
                upload = Upload(
                    id=new_id("up_"),
                    batch_id=batch.id,
                    owner_id=user.id,
                    photo_id=photo_id,
                    index=index,
                    client_ref=spec.client_ref,
                    filename=spec.filename,
                    content_type=spec.content_type,
                    size=spec.size,
                    sha256=spec.sha256,
                    created_at=now,
                    updated_at=now,
                    url_expires_at=url_expires,
                    expires_at=now + pending_ttl,
                    next_check_at=now + timedelta(seconds=self.settings.uploads.first_check_seconds),
                )
                new_uploads.append(upload)
                new_photos.append(
                    Photo(
                        id=photo_id,
                        owner_id=user.id,
                        status="pending",
                        filename=spec.filename,
                        content_type=spec.content_type,
                        size=spec.size,
                        sha256=spec.sha256,
                        created_at=now,
                        updated_at=now,
                        sort_at=sort_key(spec.file_modified_at or now),
                        taken_at=spec.file_modified_at.isoformat() if spec.file_modified_at else None,
                        taken_at_source="file_modified" if spec.file_modified_at else "upload",
                        upload_id=upload.id,
                    )
                )
            seen[spec.sha256] = upload.photo_id
            item = InitItem(
                index=index, client_ref=spec.client_ref, photo_id=upload.photo_id, status="upload", upload_id=upload.id
            )
            items.append(item)
            to_sign.append((item, upload))

        reserve = sum(u.size for u in new_uploads)
        if reserve and self.room is not None:
            room = await self.room(user)
            if room is not None and reserve > room:
                raise QuotaExceeded("quota_exceeded", "this batch would exceed your family's storage quota")
        await self.meta.create_uploads(batch, new_photos, new_uploads, reserve)
        if restore:
            await self.meta.restore_photos(user.id, restore, now)
        if resumed:
            await self.meta.move_uploads(resumed, batch.id, url_expires)
        duplicates = [item.photo_id for item in items if item.status == "duplicate"]
        if duplicates:
            await self.join_album(batch, duplicates)

        async def sign(item: InitItem, upload: Upload) -> None:
            left = int((upload.expires_at - now).total_seconds())  # a resumed upload has less
            if multipart.is_multipart(upload.size, self.settings):
                item.upload = await multipart.sign_parts(
                    self.blobs, upload, self.settings, expires_in=max(1, min(ttl, left))
                )
                return
            request = await self.blobs.presign_put(
                original_key(user.id, upload.photo_id),
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                expires_in=max(1, min(ttl, left)),
            )
            item.upload = UploadRequest.single(request)

        await asyncio.gather(*(sign(item, upload) for item, upload in to_sign))
        return InitResult(batch_id=batch.id, expires_at=url_expires, items=items)

    # -- step 3: complete ------------------------------------------------------------------
    async def _owned_batch(self, user: User, batch_id: str) -> Batch:
        batch = await self.meta.get_batch(batch_id)
        if batch is None or batch.owner_id != user.id:
            raise NotFound("batch_not_found", "no such batch")
        return batch

    async def complete(
        self,
        user: User,
        batch_id: str,
        upload_ids: list[str] | None,
        parts: dict[str, list[PartRef]] | None = None,
    ) -> list[UploadItem]:
        batch = await self._owned_batch(user, batch_id)
        uploads = await self.meta.batch_uploads(batch_id)
        by_id = {u.id: u for u in uploads}
        missing = [i for i in [*(upload_ids or []), *(parts or {})] if i not in by_id]
        if missing:
            raise NotFound("upload_not_found", f"not in this batch: {', '.join(missing[:5])}")
        if upload_ids is not None:  # and those whose parts are named
            uploads = [by_id[i] for i in dict.fromkeys([*upload_ids, *(parts or {})])]
        # Every named part list is checked before anything is confirmed: a bad one refuses
        # the request and changes nothing.
        joins = await multipart.check_all(self.blobs, self.settings, [by_id[i] for i in parts or {}], parts or {})
        gate = asyncio.Semaphore(HEAD_CONCURRENCY)

        async def one(upload: Upload) -> Upload:
            async with gate:
                return await self.confirm(upload, joins.get(upload.id), batch=batch)

        done = await asyncio.gather(*(one(u) for u in uploads))
        if batch.album_id is not None:  # again, all at once: heals a join lost to a crash
            await self.join_album(batch, [u.photo_id for u in done if u.state == "processing"])
        return [upload_item(u) for u in done]

    async def join_album(self, batch: Batch, photo_ids: list[str]) -> list[str]:
        """Add the batch's listed photos to its album; the ids that are in it now.

        Idempotent (a photo already there stays once). The batch's owner must still be
        allowed to ``add`` to the album: a contributor removed since the batch began adds
        nothing. Photos not listed yet (pending) are skipped; they join on arrival.
        """
        if batch.album_id is None or not photo_ids:
            return []
        try:
            album, _ = await access.album_as(self.meta, batch.owner_id, batch.album_id, "add")
        except (NotFound, Forbidden):
            return []
        result = await self.meta.add_to_album(album.id, list(dict.fromkeys(photo_ids)), batch.owner_id, utcnow())
        if result.added and self.on_album_photos is not None:
            await self.on_album_photos(album.id, result.added)
        return result.added + result.already

    async def confirm(self, upload: Upload, plan: Join | None = None, *, batch: Batch | None = None) -> Upload:
        """Check one pending upload's object; move it on if its bytes arrived.

        A multipart upload's parts are joined first: the checked ``plan`` (the parts the
        client named), else what the store holds once every planned part is there.
        Idempotent: an upload that is no longer pending is returned as it is. Used by
        ``complete`` and by the pending sweep. An arrived photo of a batch with an album
        joins it (``batch``: the upload's batch when the caller has it, else read).
        """
        if upload.state != "pending":
            return upload
        key = original_key(upload.owner_id, upload.photo_id)
        info = await self.blobs.head(key)
        if info is None and multipart.is_multipart(upload.size, self.settings):
            plan = plan or await multipart.auto_join(self.blobs, upload, self.settings)
            if plan is not None:
                await multipart.join(self.blobs, upload, plan)
                info = await self.blobs.head(key)
        now = utcnow()
        if info is None:
            return upload
        if info.size != upload.size:
            await self.blobs.delete(key)
            reason = f"size_mismatch: stored {info.size} bytes, declared {upload.size}"
            await self.meta.end_upload(upload.id, "rejected", reason, now)
        else:
            job = self.arrival_job(upload) if self.arrival_job is not None else None
            if await self.meta.mark_upload_arrived(upload.id, now, job):
                if job is not None and self.on_queued is not None:
                    self.on_queued()
                if batch is None or batch.id != upload.batch_id:
                    batch = await self.meta.get_batch(upload.batch_id)
                if batch is not None and batch.album_id is not None:
                    await self.join_album(batch, [upload.photo_id])
                # What we just wrote, not a read back: that is the answer, whatever a read sees.
                return msgspec.structs.replace(upload, state="processing", updated_at=now)
        fresh = await self.meta.get_upload(upload.id)
        return fresh or upload

    # -- step 4: reading ----------------------------------------------------------------------
    async def batch_status(self, user: User, batch_id: str) -> tuple[Batch, list[UploadItem]]:
        batch = await self._owned_batch(user, batch_id)
        return batch, [upload_item(u) for u in await self.meta.batch_uploads(batch_id)]

    async def parts(self, user: User, batch_id: str, upload_id: str) -> ReceivedParts:
        """The parts of one of the batch's multipart uploads that arrived (to resume from)."""
        await self._owned_batch(user, batch_id)
        upload = await self.meta.get_upload(upload_id)
        if upload is None or upload.batch_id != batch_id or upload.owner_id != user.id:
            raise NotFound("upload_not_found", "no such upload in this batch")
        return await multipart.received_parts(self.blobs, upload, self.settings)

    async def pending(self, user: User, limit: int = 1000) -> list[UploadItem]:
        return [upload_item(u) for u in await self.meta.pending_uploads(user.id, limit)]

    async def check_hashes(self, user: User, hashes: list[str]) -> HashCheck:
        """Which hashes the owner has (``existing``), has in the trash (``trashed``), deleted
        for good (``deleted``, with no photo now) or lacks (``missing``, deleted ones too)."""
        limit = self.settings.uploads.check_max_hashes
        if len(hashes) > limit:
            raise Invalid("too_many_hashes", f"check at most {limit} hashes at a time")
        clean = [h.strip().lower() for h in hashes]
        bad = [h for h in clean if not SHA256_RE.match(h)]
        if bad:
            raise Invalid("invalid_sha256", f"not a sha256: {bad[0][:80]!r}")
        unique = list(dict.fromkeys(clean))
        found = await self.meta.photos_with_sha256(user.id, unique)
        photos = await self.meta.get_photos(list(found.values())) if found else {}
        trashed = {h: i for h, i in found.items() if (p := photos.get(i)) is not None and p.trashed_at is not None}
        existing = {h: i for h, i in found.items() if h not in trashed}
        missing = [h for h in unique if h not in found]
        deleted = await self.meta.deleted_sha256(user.id, missing) if missing else []
        return HashCheck(existing=existing, missing=missing, trashed=trashed, deleted=deleted)
