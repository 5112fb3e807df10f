"""The MetaStore protocol: everything but photo bytes.

Records are msgspec Structs; adapters store them however suits their engine but must
keep the semantics below, which ``tests/meta/test_contract.py`` checks on every adapter.

Atomicity: each method is one atomic step. Methods whose name says a transition
(``mark_upload_arrived``, ``reject_upload``, ``claim_jobs``, ...) are *conditional*:
they change a row only if it is still in the expected state, and say whether they did,
so two app instances racing on the same row never both win.

Errors: ``Conflict`` for uniqueness (``email_taken``, ``sha256_taken``), ``QuotaExceeded``
when a reservation does not fit, ``Unavailable`` when the engine cannot be reached.
Missing rows are ``None``, not errors, unless the docstring says otherwise.

Times are aware UTC datetimes. Photo ordering uses ``Photo.sort_at``, the fixed-width
string of ``timeutil.sort_key``; cursors are ``(sort_at, id)`` pairs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

import msgspec

PhotoStatus = Literal["pending", "processing", "ready", "failed"]
UploadState = Literal["pending", "processing", "rejected", "expired"]
JobState = Literal["queued", "running", "done", "dead"]


class User(msgspec.Struct, kw_only=True):
    id: str
    email: str
    display_name: str
    password_hash: str
    is_admin: bool = False
    quota_bytes: int
    used_bytes: int = 0
    created_at: datetime


class Session(msgspec.Struct, kw_only=True):
    token_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime


class Photo(msgspec.Struct, kw_only=True):
    id: str
    owner_id: str
    status: PhotoStatus
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    updated_at: datetime
    sort_at: str
    taken_at: str | None = None
    taken_at_source: str = "upload"
    width: int | None = None
    height: int | None = None
    format: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    f_number: float | None = None
    exposure_time: float | None = None
    iso: int | None = None
    focal_length: float | None = None
    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    thumbhash: str | None = None
    upload_id: str | None = None
    variants_bytes: int = 0
    error_code: str | None = None
    error_detail: str | None = None
    # A ready photo whose file is damaged (code "truncated": cut off; its variants show what it holds).
    damage_code: str | None = None
    damage_detail: str | None = None
    # Ready and browsable with its thumb; the preview is still being made (thumbnails first).
    preview_pending: bool = False


class Batch(msgspec.Struct, kw_only=True):
    id: str
    owner_id: str
    created_at: datetime
    expires_at: datetime


class Upload(msgspec.Struct, kw_only=True):
    id: str
    batch_id: str
    owner_id: str
    photo_id: str
    index: int
    client_ref: str | None = None
    filename: str
    content_type: str
    size: int
    sha256: str
    state: UploadState = "pending"
    reason: str | None = None
    created_at: datetime
    updated_at: datetime
    url_expires_at: datetime
    expires_at: datetime
    checks: int = 0
    next_check_at: datetime


class Job(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    payload: dict[str, Any]
    state: JobState = "queued"
    attempts: int = 0
    run_at: datetime
    lease_until: datetime | None = None
    lease_owner: str | None = None
    last_error: str | None = None
    dedupe_key: str | None = None
    created_at: datetime
    updated_at: datetime


class MonthCount(msgspec.Struct, frozen=True):
    month: str
    count: int


@runtime_checkable
class MetaStore(Protocol):
    name: str

    # -- lifecycle -----------------------------------------------------------
    async def migrate(self) -> None:
        """Create or upgrade the schema; idempotent."""
        ...

    async def check(self) -> None:
        """Raise ``Unavailable`` unless the store answers now."""
        ...

    async def close(self) -> None: ...

    # -- users and sessions --------------------------------------------------
    async def create_user(self, user: User) -> None:
        """Insert; ``Conflict('email_taken')`` when the (lower-cased) email exists."""
        ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def get_user_by_email(self, email: str) -> User | None: ...

    async def set_password(self, user_id: str, password_hash: str) -> None: ...

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        """Store ``new_hash`` only while the stored hash is still ``old_hash`` (a rehash of the
        same password must never undo a password change that raced it); say whether it did."""
        ...

    async def add_used_bytes(self, user_id: str, delta: int) -> None:
        """Add ``delta`` (may be negative) to ``used_bytes``, never below zero."""
        ...

    async def create_session(self, session: Session) -> None: ...

    async def get_session(self, token_hash: str) -> Session | None: ...

    async def delete_session(self, token_hash: str) -> None: ...

    async def delete_user_sessions(self, user_id: str) -> None: ...

    async def create_reset_token(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Store a password-reset token (its hash only)."""
        ...

    async def consume_reset_token(self, token_hash: str, now: datetime) -> str | None:
        """Use a reset token once: return its user id and delete it, atomically.

        None when unknown, already used or expired; of two racing calls only one wins.
        """
        ...

    async def delete_user_reset_tokens(self, user_id: str) -> None:
        """Delete every outstanding reset token of the user (after a reset, older links stop working)."""
        ...

    async def hit_counter(self, key: str, window_seconds: int, now: datetime) -> int:
        """Count one event for ``key`` in a fixed window starting at its first hit; return the count."""
        ...

    async def get_counter(self, key: str, now: datetime) -> int:
        """The count of ``key`` in its current window; 0 when none or the window ended."""
        ...

    async def reset_counter(self, key: str) -> None: ...

    # -- photos --------------------------------------------------------------
    async def get_photo(self, photo_id: str) -> Photo | None: ...

    async def get_photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None: ...

    async def photos_with_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        """Map each given hash the owner has a non-pending photo for to that photo's id."""
        ...

    async def list_photos(
        self, owner_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool
    ) -> list[Photo]:
        """Non-pending photos ordered by ``(sort_at, id)``, strictly after the cursor."""
        ...

    async def month_counts(self, owner_id: str) -> list[MonthCount]:
        """Non-pending photos per ``YYYY-MM`` of ``sort_at``, newest month first."""
        ...

    async def save_processed_photo(self, photo: Photo, expected_status: PhotoStatus) -> bool:
        """Replace the photo row if its status is still ``expected_status``.

        The owner's ``used_bytes`` grows by the change in ``variants_bytes`` in the same
        atomic step. Returns whether the row changed.
        """
        ...

    # -- uploads -------------------------------------------------------------
    async def create_uploads(
        self, batch: Batch, photos: list[Photo], uploads: list[Upload], reserve_bytes: int
    ) -> None:
        """Create a batch with its new pending photos and uploads, reserving quota.

        All or nothing: ``QuotaExceeded('quota_exceeded')`` when
        ``used_bytes + reserve_bytes > quota_bytes``; ``Conflict('sha256_taken')`` when
        another upload claimed one of the hashes meanwhile.
        """
        ...

    async def move_uploads(self, moves: list[tuple[str, int]], batch_id: str, url_expires_at: datetime) -> None:
        """Resume: attach still-pending uploads ``(upload_id, index)`` to a new batch at
        their new index, with a fresh URL expiry."""
        ...

    async def get_batch(self, batch_id: str) -> Batch | None: ...

    async def get_upload(self, upload_id: str) -> Upload | None: ...

    async def batch_uploads(self, batch_id: str) -> list[Upload]:
        """The batch's uploads ordered by ``index``."""
        ...

    async def pending_uploads(self, owner_id: str, limit: int) -> list[Upload]: ...

    async def mark_upload_arrived(self, upload_id: str, now: datetime, job: Job | None = None) -> bool:
        """pending -> processing for the upload and its photo; False if not pending.

        ``job`` (the photo's processing job) is enqueued in the same atomic step, as
        ``enqueue_job`` would (not when its ``dedupe_key`` already names a job): an arrived
        photo never lacks its job because a second write failed.
        """
        ...

    async def end_upload(
        self, upload_id: str, state: Literal["rejected", "expired"], reason: str, now: datetime
    ) -> bool:
        """Give up on an upload: ``rejected`` from pending or processing, ``expired`` from
        pending only (an upload that arrived meanwhile is not expired).

        The upload takes ``state``; its photo row is deleted and the reserved bytes
        are released from the owner's ``used_bytes``. False if the upload already ended
        (or, for ``expired``, is no longer pending).
        """
        ...

    async def due_pending_uploads(self, now: datetime, limit: int) -> list[Upload]:
        """Pending uploads whose ``next_check_at`` has come (for the sweep)."""
        ...

    async def schedule_upload_check(self, upload_id: str, checks: int, next_check_at: datetime) -> None: ...

    async def processing_photos(self, updated_before: datetime, limit: int) -> list[Photo]:
        """Photos still ``processing`` whose last change is before ``updated_before``
        (for the sweep's repair of photos whose job is missing or dead)."""
        ...

    # -- jobs ----------------------------------------------------------------
    async def enqueue_job(self, job: Job) -> bool:
        """Insert a queued job; False (and no insert) if its ``dedupe_key`` exists."""
        ...

    async def claim_jobs(self, now: datetime, owner: str, lease_seconds: int, limit: int) -> list[Job]:
        """Lease up to ``limit`` due jobs: queued with ``run_at <= now``, or running with an
        expired lease. Each claimed job is ``running`` with ``attempts`` + 1, and no two
        callers ever claim the same job for the same lease."""
        ...

    async def finish_job(self, job_id: str, owner: str, now: datetime) -> bool:
        """running -> done, only while ``owner`` holds the lease."""
        ...

    async def fail_job(self, job_id: str, owner: str, error: str, retry_at: datetime | None, now: datetime) -> bool:
        """running -> queued at ``retry_at``, or -> dead when ``retry_at`` is None."""
        ...

    async def get_job(self, job_id: str) -> Job | None: ...

    async def get_job_by_dedupe_key(self, dedupe_key: str) -> Job | None:
        """The job holding ``dedupe_key``, if any (done jobs until they are purged)."""
        ...

    async def list_jobs(self, state: JobState | None, limit: int) -> list[Job]: ...

    async def job_counts(self) -> dict[str, int]: ...

    async def retry_job(self, job_id: str, now: datetime) -> bool:
        """dead -> queued now with attempts reset; False if the job is not dead."""
        ...

    async def next_job_due(self) -> datetime | None:
        """When the earliest queued job is due, to sleep until then."""
        ...

    async def purge_expired(self, now: datetime) -> int:
        """Forget what expired by ``now``; return how many rows (items) went.

        Sessions, reset tokens and counter windows that ended; uploads no longer pending
        whose ``expires_at`` passed (an arrived one only once its photo is not processing);
        batches that expired and hold no upload. Pending uploads stay: the sweep expires them.
        """
        ...

    async def purge_jobs(self, before: datetime) -> int:
        """Delete done jobs last updated before ``before``; return how many."""
        ...
