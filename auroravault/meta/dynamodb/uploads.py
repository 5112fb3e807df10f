"""Batches and uploads: the chunked ``create_uploads`` commit, moves, the pending indexes
and the upload state changes (which move the photo's rows in the same transaction)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any, Literal

import msgspec

from auroravault.errors import Conflict, QuotaExceeded, Unavailable
from auroravault.meta.base import Batch, Job, Photo, Upload
from auroravault.meta.dynamodb.client import RETRIES, TRANSACT_MAX, _backoff, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import _Expr, _item, _py, _record, _version
from auroravault.meta.dynamodb.jobs import JobOps
from auroravault.meta.dynamodb.keys import (
    DUE_PK,
    GSI1,
    GSI2,
    _batch_key,
    _claim_item,
    _claim_key,
    _expiring,
    _member_key,
    _photo_key,
    _upload_key,
    _user_key,
)
from auroravault.meta.dynamodb.photos import PhotoOps, _usage_counts
from auroravault.timeutil import to_iso

log = logging.getLogger(__name__)

#: Claims per commit transaction: the rest of the 100 are the user and the batch.
CLAIMS_PER_COMMIT = TRANSACT_MAX - 2


class UploadOps(PhotoOps, JobOps):
    """Batches and uploads; photo rows and quota move with them (``PhotoOps``, ``AccountOps``)."""

    #: Photos per commit transaction; lower only to exercise chunking in tests.
    claims_per_commit = CLAIMS_PER_COMMIT

    # -- uploads -----------------------------------------------------------------------------
    async def create_uploads(
        self, batch: Batch, photos: list[Photo], uploads: list[Upload], reserve_bytes: int
    ) -> None:
        """See the protocol. Steps, and what a failure leaves behind:

        1. prepare: BatchWriteItem the photo, upload and membership items. Nothing reaches
           them yet: photos and uploads are found by id (not yet handed out) or through a
           claim, memberships through a batch, and neither exists.
        2. commit: TransactWriteItems of the quota reservation (a condition on the user),
           the batch and one claim per photo, ``attribute_not_exists`` each. This is the
           atomic step: with <= 98 photos (the default ``max_batch`` is 50) everything
           becomes visible at once or not at all.
        3. a refused commit (QuotaExceeded / Conflict) deletes the prepared items; if that
           cleanup fails they stay as unreachable garbage, never as visible rows.

        More than 98 photos commit in chunks; each chunk reserves its own photos' bytes,
        so a partial commit is self-consistent (its uploads are pending, resumable, and
        the sweep releases exactly their bytes); a refused later chunk compensates the
        earlier ones. ``Unavailable`` mid-commit leaves an unknown outcome that is safe
        either way: committed pending uploads are resumable by sha256.
        """
        shas = [p.sha256 for p in photos]
        if len(set(shas)) != len(shas):
            raise Conflict("sha256_taken", "the same file appears twice in one batch")
        by_photo = {u.photo_id: u for u in uploads}
        puts = [{**_item(p), **_photo_key(p.id), "v": {"N": "1"}} for p in photos]
        puts += [{**_item(u), **_upload_key(u.id), "v": {"N": "1"}} for u in uploads]
        puts += [{**_member_key(u.batch_id, u.index, u.id), "upload_id": {"S": u.id}} for u in uploads]
        prepared = [{"PK": i["PK"], "SK": i["SK"]} for i in puts]
        if puts:
            await self._batch_write(puts=puts)

        size = self.claims_per_commit
        chunks = [photos[i : i + size] for i in range(0, len(photos), size)] or [[]]
        shares = [sum(p.size for p in chunk) for chunk in chunks]
        if sum(shares) != reserve_bytes:  # not the sum of the sizes: reserve it all up front
            shares = [reserve_bytes] + [0] * (len(chunks) - 1)
        done = 0
        try:
            for number, chunk in enumerate(chunks):
                await self._commit_chunk(
                    batch if number == 0 else None, chunk, by_photo, shares[number], sum(shares[number:])
                )
                done += 1
        except (QuotaExceeded, Conflict):
            try:
                await self._compensate(batch, chunks[:done], sum(shares[:done]))
                await self._batch_write(deletes=prepared)
            except Unavailable:
                log.warning("create_uploads: cleanup of batch %s failed; unreachable items remain", batch.id)
            raise

    async def _commit_chunk(
        self, batch: Batch | None, chunk: list[Photo], by_photo: dict[str, Upload], share: int, remaining: int
    ) -> None:
        """One commit transaction: [user reservation] + [batch] + claims."""
        owner_id = batch.owner_id if batch is not None else chunk[0].owner_id
        for attempt in range(RETRIES):
            ops: list[dict[str, Any]] = []
            batch_at = -1
            if remaining > 0:
                user = await self._get(_user_key(owner_id))
                if user is None:
                    raise QuotaExceeded("quota_exceeded", "this batch would exceed your storage quota")
                quota, used = int(user["quota_bytes"]["N"]), int(user["used_bytes"]["N"])
                if used + remaining > quota:
                    raise QuotaExceeded("quota_exceeded", "this batch would exceed your storage quota")
                # No arithmetic in conditions: pin the quota we read and bound used_bytes.
                e = _Expr()
                cond = f"{e.n('quota_bytes')} = {e.v(quota)} AND {e.n('used_bytes')} <= {e.v(quota - remaining)}"
                ops.append(
                    {"Update": self._update(_user_key(owner_id), f"ADD {e.n('used_bytes')} {e.v(share)}", e, cond)}
                )
            if batch is not None:
                batch_at = len(ops)
                # Forgotten once expired and empty: purge_expired checks it is empty (so no TTL).
                key = _batch_key(batch.id)
                item = {**_item(batch), **key, **_expiring(key, batch.expires_at, ttl=False)}
                ops.append({"Put": self._put(item, "attribute_not_exists(PK)")})
            claims_at = len(ops)
            ops += [{"Put": self._put(_claim_item(p, by_photo.get(p.id)), "attribute_not_exists(PK)")} for p in chunk]
            if not ops:
                return
            try:
                await self._transact(ops)
                return
            except _Canceled as exc:
                if any(exc.failed(i) for i in range(claims_at, len(ops))):
                    raise Conflict("sha256_taken", "another upload of the same file started meanwhile") from None
                if batch_at >= 0 and exc.failed(batch_at):
                    raise Conflict("batch_exists", "a batch with this id already exists") from None
                # The user changed (quota or usage) or a transaction conflict: re-read, retry.
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "quota reservation is too contended; try again")

    async def _compensate(self, batch: Batch, chunks: list[list[Photo]], reserved: int) -> None:
        """Undo committed chunks of a refused multi-chunk create (claims, batch, bytes)."""
        if not chunks:
            return
        for chunk in chunks:
            ops = []
            for p in chunk:
                e = _Expr()
                ops.append(self._delete(_claim_key(p.owner_id, p.sha256), f"{e.n('photo_id')} = {e.v(p.id)}", e))
            for op in ops:
                with contextlib.suppress(_ConditionFailed):  # not ours (or gone): leave it
                    await self._call("delete_item", **op)
        await self._call("delete_item", **self._delete(_batch_key(batch.id)))
        await self.add_used_bytes(batch.owner_id, -reserved)

    async def move_uploads(self, moves: list[tuple[str, int]], batch_id: str, url_expires_at: datetime) -> None:
        async def move(upload_id: str, index: int) -> None:
            for attempt in range(RETRIES):
                item = await self._get(_upload_key(upload_id))
                if item is None:
                    return
                upload = _record(Upload, item)
                if upload.state != "pending":
                    return
                old = _member_key(upload.batch_id, upload.index, upload.id)
                new = _member_key(batch_id, index, upload.id)
                upload.batch_id, upload.index, upload.url_expires_at = batch_id, index, url_expires_at
                ops = [
                    {"Put": self._versioned_put({**_item(upload), **_upload_key(upload.id)}, _version(item))},
                    {"Put": self._put({**new, "upload_id": {"S": upload.id}})},
                ]
                if old != new:
                    ops.append({"Delete": self._delete(old)})
                try:
                    await self._transact(ops)
                    return
                except _Canceled:
                    await _backoff(attempt)
            raise Unavailable("meta_unavailable", "upload is too contended; try again")

        await asyncio.gather(*(move(upload_id, index) for upload_id, index in moves))

    async def get_batch(self, batch_id: str) -> Batch | None:
        return await self._get_record(Batch, _batch_key(batch_id))

    async def get_upload(self, upload_id: str) -> Upload | None:
        return await self._get_record(Upload, _upload_key(upload_id))

    async def _uploads(self, upload_ids: list[str]) -> list[Upload]:
        """The uploads with these ids (consistent reads), in the order given."""
        items = await self._batch_get([_upload_key(i) for i in dict.fromkeys(upload_ids)])
        found = {u.id: u for u in (_record(Upload, i) for i in items)}
        return [found[i] for i in dict.fromkeys(upload_ids) if i in found]

    async def batch_uploads(self, batch_id: str) -> list[Upload]:
        # Membership items are hints: a moved upload leaves none behind (same transaction),
        # but the upload record is the truth, so stale ones would be filtered anyway.
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'BATCH#{batch_id}')} AND begins_with(SK, {e.v('UPLOAD#')})",
            ConsistentRead=True,
        )
        ids = [item["upload_id"]["S"] async for item in self._query(**query)]
        uploads = [u for u in await self._uploads(ids) if u.batch_id == batch_id]
        return sorted(uploads, key=lambda u: (u.index, u.id))

    async def _pending_from_index(self, query: dict[str, Any], limit: int, keep: Any) -> list[Upload]:
        """Uploads nominated by a pending index (GSI: eventually consistent), re-read and
        kept only if ``keep(upload)`` still holds, in index order, up to ``limit``."""
        result: list[Upload] = []
        if limit <= 0:
            return result
        query = {**query, "Limit": max(limit, 10)}
        query["TableName"] = self.table
        while len(result) < limit:
            out = await self._call("query", **query)
            ids = [item["upload_id"]["S"] for item in out.get("Items", [])]
            result += [u for u in await self._uploads(ids) if keep(u)]
            if "LastEvaluatedKey" not in out:
                break
            query["ExclusiveStartKey"] = out["LastEvaluatedKey"]
        return result[:limit]

    async def pending_uploads(self, owner_id: str, limit: int) -> list[Upload]:
        e = _Expr()
        query = e.args(IndexName=GSI1, KeyConditionExpression=f"GSI1PK = {e.v(f'PENDING#{owner_id}')}")
        return await self._pending_from_index(query, limit, lambda u: u.state == "pending" and u.owner_id == owner_id)

    async def mark_upload_arrived(self, upload_id: str, now: datetime, job: Job | None = None) -> bool:
        """See the protocol: one TransactWriteItems moves the upload and its photo and stores
        ``job``. If the job's dedupe key is taken, the transaction is refused and tried again
        without the job (the key's holder is the photo's job)."""
        for attempt in range(RETRIES):
            item = await self._get(_upload_key(upload_id))
            if item is None:
                return False
            upload = _record(Upload, item)
            if upload.state != "pending":
                return False
            version = _version(item)
            upload.state, upload.updated_at = "processing", now
            ops = self._settled_ops(upload, version)
            photo_item = await self._get(_photo_key(upload.photo_id))
            if photo_item is not None:
                before = _record(Photo, photo_item)
                after = msgspec.structs.replace(before, status="processing", updated_at=now)
                ops += self._photo_ops(before, _version(photo_item), after)
            job_at = len(ops)
            if job is not None:
                ops += self._enqueue_ops(job)
            try:
                await self._transact(ops)
                return True
            except _Canceled as exc:
                if job is not None and any(exc.failed(i) for i in range(job_at, len(ops))):
                    if not (job.dedupe_key and await self._free_dangling_dedupe(job.dedupe_key)):
                        job = None  # already queued once (its dedupe key holds a job): arrive without it
                    continue
                await _backoff(attempt)  # a racer moved it: the re-read says whether we lost
        raise Unavailable("meta_unavailable", "upload is too contended; try again")

    def _settled_ops(self, upload: Upload, version: int) -> list[dict[str, Any]]:
        """Put a no longer pending upload (version ``version`` + 1), it and its membership
        now expiring at the upload's ``expires_at`` (``purge_expired``, TTL)."""
        home = _upload_key(upload.id)
        member = _member_key(upload.batch_id, upload.index, upload.id)
        e = _Expr()
        fields = {k: _py(v) for k, v in _expiring(member, upload.expires_at).items()}
        return [
            {"Put": self._versioned_put({**_item(upload), **home, **_expiring(home, upload.expires_at)}, version)},
            {"Update": self._update(member, e.update(fields), e)},
        ]

    async def end_upload(
        self, upload_id: str, state: Literal["rejected", "expired"], reason: str, now: datetime
    ) -> bool:
        for attempt in range(RETRIES):
            item = await self._get(_upload_key(upload_id))
            if item is None:
                return False
            upload = _record(Upload, item)
            if upload.state not in (("pending",) if state == "expired" else ("pending", "processing")):
                return False
            version = _version(item)
            upload.state, upload.reason, upload.updated_at = state, reason, now
            ops = self._settled_ops(upload, version)
            photo_item = await self._get(_photo_key(upload.photo_id))
            if photo_item is not None:
                photo = _record(Photo, photo_item)
                if photo.status in ("pending", "processing"):
                    ops += self._photo_ops(photo, _version(photo_item), None, usage=False) + await self._album_moves(
                        photo, None
                    )
                    counts = _usage_counts(photo, None)
                    used = await self._used_bytes_op(upload.owner_id, -upload.size, counts)
                    if used is not None:
                        ops.append({"Update": used})
            try:
                await self._transact(ops)
                return True
            except _Canceled:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "upload is too contended; try again")

    async def due_pending_uploads(self, now: datetime, limit: int) -> list[Upload]:
        # GSI2SK is "<next_check_at>#<upload_id>": everything due sorts before "<now>$".
        e = _Expr()
        query = e.args(
            IndexName=GSI2,
            KeyConditionExpression=f"GSI2PK = {e.v(DUE_PK)} AND GSI2SK < {e.v(to_iso(now) + '$')}",
        )
        due = await self._pending_from_index(query, limit, lambda u: u.state == "pending" and u.next_check_at <= now)
        return sorted(due, key=lambda u: u.next_check_at)

    async def schedule_upload_check(self, upload_id: str, checks: int, next_check_at: datetime) -> None:
        for attempt in range(RETRIES):
            item = await self._get(_upload_key(upload_id))
            if item is None:
                return
            upload = _record(Upload, item)
            if upload.state != "pending":
                return
            upload.checks, upload.next_check_at = checks, next_check_at
            e = _Expr()
            claim = self._update(
                _claim_key(upload.owner_id, upload.sha256),
                e.update({"GSI2SK": f"{to_iso(next_check_at)}#{upload.id}"}),
                e,
                f"{e.n('photo_id')} = {e.v(upload.photo_id)} AND attribute_exists(GSI2PK)",
            )
            try:
                await self._transact(
                    [
                        {"Put": self._versioned_put({**_item(upload), **_upload_key(upload.id)}, _version(item))},
                        {"Update": claim},
                    ]
                )
                return
            except _Canceled:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "upload is too contended; try again")
