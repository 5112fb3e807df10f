"""Multipart uploads: files over ``uploads.multipart_threshold_bytes`` go in parts.

DESIGN.md "Videos and large files". The rules:

- The plan is a function of the file's size and the settings only (``plan_parts``): parts
  of ``uploads.multipart_part_bytes``, grown (whole MiB) for a file that would need more
  than 10,000; the last part holds the rest. Init and every resume sign the same plan.
- ``POST /uploads`` answers ``upload: {method: "MULTIPART", part_size, parts: [{number,
  url, headers}]}``. The store's open multipart upload of the photo's key is found again
  by its key (``BlobStore.open_multiparts``), so a resumed upload (the same file sent
  again while pending) signs the parts of the same multipart upload: nothing to store in
  the database, and parts already sent stay.
- ``GET /uploads/{batch_id}/items/{upload_id}/parts`` lists the parts received with the
  planned size (a part of another size, which the MinIO adapter cannot refuse at PUT
  time, reads as not received: send it again).
- ``complete`` with ``parts: {upload_id: [{number, etag}]}`` joins them once each planned
  part is named once, with an ETag the store holds for it and the planned size; anything
  else is ``422`` (``parts_incomplete``, ``part_missing``, ``part_etag_mismatch``,
  ``part_size_mismatch``) and nothing changes: the upload stays pending, its parts kept.
  Without ``parts`` (and in the pending sweep) the server joins what the store lists once
  every planned part is there with its size, unambiguously.
- The joined object then follows the single-PUT path (HEAD, size, processing job), and the
  pipeline verifies the whole file's sha256 streamed from a temp file, in bounded memory,
  before the photo is accepted.
- An expired upload's multipart uploads are aborted by the pending sweep (``abort_all``),
  and on S3/MinIO a bucket lifecycle rule written by ``migrate`` aborts any left over.
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Literal

import msgspec

from auroravault.config import Settings
from auroravault.errors import Conflict, Invalid, NotFound
from auroravault.meta.base import Upload
from auroravault.storage.base import MAX_PARTS, BlobStore, PartInfo, PresignedRequest, original_key

MIB = 1024 * 1024
#: Parts signed at once (a presign is local CPU on S3, but each runs in the storage pool).
SIGN_CONCURRENCY = 32


class PartRequest(msgspec.Struct, kw_only=True):
    number: int
    url: str
    headers: dict[str, str]


class UploadRequest(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An item's ``upload``: one PUT (``method``, ``url``, ``headers``), or for a large file
    ``method: "MULTIPART"`` with ``part_size`` and ``parts``, each PUT to its URL with its
    headers. One shape for both, so the contract's schema stays a plain object."""

    method: Literal["PUT", "MULTIPART"]
    url: str | None = None
    headers: dict[str, str] | None = None
    part_size: int | None = None
    parts: list[PartRequest] | None = None

    @classmethod
    def single(cls, request: PresignedRequest) -> UploadRequest:
        return cls(method="PUT", url=request.url, headers=dict(request.headers))


class PartRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A part as the client names it in ``complete``: its number and the ETag its PUT answered."""

    number: Annotated[int, msgspec.Meta(ge=1, le=MAX_PARTS)]
    etag: Annotated[str, msgspec.Meta(max_length=200)]


class ReceivedParts(msgspec.Struct, kw_only=True):
    upload_id: str
    status: str
    part_size: int
    part_count: int
    parts: list[PartInfo]


class Join(msgspec.Struct, frozen=True):
    """Checked parts, ready to join: the multipart upload and the parts in order."""

    multipart_id: str
    parts: list[PartInfo]
    others: list[str]  # further open uploads of the same key (a racing init): aborted after


def is_multipart(size: int, settings: Settings) -> bool:
    return size > settings.uploads.multipart_threshold_bytes


def plan_parts(size: int, settings: Settings) -> list[int]:
    """The size of each part of a file of ``size`` bytes (at most 10,000 parts)."""
    part = settings.uploads.multipart_part_bytes
    if math.ceil(size / part) > MAX_PARTS:
        part = math.ceil(size / MAX_PARTS / MIB) * MIB
    count = math.ceil(size / part)
    return [part] * (count - 1) + [size - part * (count - 1)]


async def sign_parts(blobs: BlobStore, upload: Upload, settings: Settings, *, expires_in: int) -> UploadRequest:
    """Open (or find again) the store's multipart upload of ``upload`` and sign every part."""
    key = original_key(upload.owner_id, upload.photo_id)
    open_ids = await blobs.open_multiparts(key)
    multipart_id = open_ids[0] if open_ids else await blobs.create_multipart(key, content_type=upload.content_type)
    sizes = plan_parts(upload.size, settings)
    gate = asyncio.Semaphore(SIGN_CONCURRENCY)

    async def one(number: int, size: int) -> PartRequest:
        async with gate:
            req = await blobs.presign_part(key, multipart_id, number, size=size, expires_in=expires_in)
        return PartRequest(number=number, url=req.url, headers=dict(req.headers))

    parts = await asyncio.gather(*(one(n, s) for n, s in enumerate(sizes, start=1)))
    return UploadRequest(method="MULTIPART", part_size=sizes[0], parts=list(parts))


async def received_parts(blobs: BlobStore, upload: Upload, settings: Settings) -> ReceivedParts:
    """The parts of a pending upload that arrived with their planned size, one per number."""
    if not is_multipart(upload.size, settings):
        raise Conflict("not_multipart", "this upload is one PUT; it has no parts")
    sizes = plan_parts(upload.size, settings)
    found: dict[int, PartInfo] = {}
    if upload.state == "pending":
        key = original_key(upload.owner_id, upload.photo_id)
        open_ids = await blobs.open_multiparts(key)
        listed = await _listed(blobs, key, open_ids[0]) if open_ids else []
        for part in listed:
            if 1 <= part.number <= len(sizes) and part.size == sizes[part.number - 1]:
                found.setdefault(part.number, part)
    return ReceivedParts(
        upload_id=upload.id,
        status=upload.state,
        part_size=sizes[0],
        part_count=len(sizes),
        parts=[found[n] for n in sorted(found)],
    )


async def check_named(blobs: BlobStore, upload: Upload, settings: Settings, named: list[PartRef]) -> Join | None:
    """The join of the parts the client named, or ``Invalid`` (422) when they do not fit.

    ``None`` when there is nothing open to join (already joined, or never started).
    """
    sizes = plan_parts(upload.size, settings)
    numbers = [p.number for p in named]
    if numbers != list(range(1, len(sizes) + 1)):
        raise Invalid("parts_incomplete", f"upload {upload.id}: name parts 1 to {len(sizes)} once each, in order")
    key = original_key(upload.owner_id, upload.photo_id)
    open_ids = await blobs.open_multiparts(key)
    if not open_ids:
        return None
    listed = await _listed(blobs, key, open_ids[0])
    chosen = []
    for ref, size in zip(named, sizes, strict=True):
        etag = ref.etag.strip().strip('"').lower()
        held = [p for p in listed if p.number == ref.number]
        match = next((p for p in held if p.etag.lower() == etag), None)
        if not held:
            raise Invalid("part_missing", f"upload {upload.id}: part {ref.number} has not arrived")
        if match is None:
            raise Invalid("part_etag_mismatch", f"upload {upload.id}: part {ref.number} arrived with another ETag")
        if match.size != size:
            raise Invalid(
                "part_size_mismatch",
                f"upload {upload.id}: part {ref.number} has {match.size} bytes, the plan says {size}; send it again",
            )
        chosen.append(match)
    return Join(multipart_id=open_ids[0], parts=chosen, others=open_ids[1:])


async def check_all(
    blobs: BlobStore, settings: Settings, uploads: list[Upload], parts: dict[str, list[PartRef]]
) -> dict[str, Join]:
    """``check_named`` for each upload ``complete`` names parts of: every one, before any join."""
    joins: dict[str, Join] = {}
    for upload in uploads:
        if upload.state != "pending":
            continue  # complete is idempotent: joined (or ended) already
        if not is_multipart(upload.size, settings):
            raise Invalid("not_multipart", f"upload {upload.id} is one PUT; it has no parts")
        plan = await check_named(blobs, upload, settings, parts[upload.id])
        if plan is not None:
            joins[upload.id] = plan
    return joins


async def auto_join(blobs: BlobStore, upload: Upload, settings: Settings) -> Join | None:
    """The join of what the store lists, when every planned part is there once with its size."""
    key = original_key(upload.owner_id, upload.photo_id)
    open_ids = await blobs.open_multiparts(key)
    if not open_ids:
        return None
    sizes = plan_parts(upload.size, settings)
    by_number: dict[int, list[PartInfo]] = {}
    for part in await _listed(blobs, key, open_ids[0]):
        by_number.setdefault(part.number, []).append(part)
    chosen = []
    for number, size in enumerate(sizes, start=1):
        held = by_number.get(number, [])
        if len(held) != 1 or held[0].size != size:  # missing, wrong, or sent twice (SeaweedFS lists both)
            return None
        chosen.append(held[0])
    return Join(multipart_id=open_ids[0], parts=chosen, others=open_ids[1:])


async def join(blobs: BlobStore, upload: Upload, plan: Join) -> None:
    """Join the checked parts into the upload's original; a join that lost a race is no error."""
    key = original_key(upload.owner_id, upload.photo_id)
    try:
        await blobs.complete_multipart(key, plan.multipart_id, plan.parts)
    except NotFound:
        return  # a concurrent complete (or the sweep) joined it first
    for other in plan.others:
        await blobs.abort_multipart(key, other)


async def abort_all(blobs: BlobStore, key: str) -> int:
    """Abort every open multipart upload of ``key``; how many there were."""
    open_ids = await blobs.open_multiparts(key)
    for multipart_id in open_ids:
        await blobs.abort_multipart(key, multipart_id)
    return len(open_ids)


async def _listed(blobs: BlobStore, key: str, multipart_id: str) -> list[PartInfo]:
    try:
        return await blobs.list_parts(key, multipart_id)
    except NotFound:
        return []
