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


class Place(msgspec.Struct, kw_only=True, frozen=True):
    """Where a photo was taken, by name (reverse geocoded from its coordinates, ``auroravault.places``)."""

    city: str | None = None
    region: str | None = None  # the first-level division: state, province, county (GeoNames admin1)
    country: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2


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
    # The library (DESIGN.md "Library"): written by the library methods only; the pipeline's
    # ``save_processed_photo`` keeps them as stored (see ``keep_library_fields``).
    media_type: str = "image"
    description: str | None = None
    trashed_at: datetime | None = None
    deleting_at: datetime | None = None  # permanent deletion started: the job finishes it
    exif_taken_at: str | None = None  # the capture date the file holds, beside the owner's correction
    exif_lat: float | None = None
    exif_lon: float | None = None
    exif_alt: float | None = None
    location_source: str = "exif"  # "exif" | "owner"
    # The place of (lat, lon) by name; None without coordinates or far from every known place.
    place: Place | None = None


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


ArchivedView = Literal["exclude", "only", "include"]


class PhotoView(msgspec.Struct, frozen=True, kw_only=True):
    """What a listing shows one viewer: trashed photos never; archived ones per ``archived``
    (the viewer's own flag); only favorites with ``favorite``; one ``media_type`` if set."""

    viewer_id: str
    favorite: bool = False
    archived: ArchivedView = "exclude"
    media_type: str | None = None


class Flags(msgspec.Struct, frozen=True, kw_only=True):
    """One viewer's own marks on a photo."""

    favorite: bool = False
    archived: bool = False


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    photo_count: int  # non-pending photos, trash included
    variant_bytes: int  # thumbnails and previews (not counted against the quota)


class ChangeBatch(msgspec.Struct, kw_only=True):
    """Photos a viewer's feed names after a position: ids (each once, oldest change first),
    the position to continue from, and whether more are waiting."""

    photo_ids: list[str]
    position: str
    more: bool


AlbumOrder = Literal["newest", "oldest"]


class Album(msgspec.Struct, kw_only=True):
    """An album: a named, ordered selection of photos. Its photos stay their owners'."""

    id: str
    owner_id: str
    name: str
    description: str | None = None
    cover_photo_id: str | None = None  # None: the newest photo shown in it
    order: AlbumOrder = "newest"
    created_at: datetime
    updated_at: datetime


class AlbumStats(msgspec.Struct, frozen=True, kw_only=True):
    """What an album shows: its listed photos (not pending, trashed or being deleted), the
    first and last ``sort_at`` among them, and the newest one's id."""

    photo_count: int = 0
    start_at: str | None = None
    end_at: str | None = None
    newest_photo_id: str | None = None


class AlbumAdd(msgspec.Struct, frozen=True, kw_only=True):
    added: list[str]
    already: list[str]


#: The photo fields the owner may correct through ``edit_photo``.
EDITABLE_FIELDS = frozenset(
    {"description", "taken_at", "taken_at_source", "sort_at", "exif_taken_at", "lat", "lon", "alt"}
    | {"exif_lat", "exif_lon", "exif_alt", "location_source", "place"}
)
#: The photo fields only the library methods write.
LIBRARY_FIELDS = ("description", "trashed_at", "deleting_at")


def keep_library_fields(before: Photo, after: Photo) -> Photo:
    """``after`` (the pipeline's result) with what the library owns taken from ``before``
    (the stored row): trash state, description, and the owner's date and place corrections."""
    kept: dict[str, Any] = {name: getattr(before, name) for name in LIBRARY_FIELDS}
    if before.taken_at_source == "owner":
        kept.update(taken_at=before.taken_at, taken_at_source="owner", sort_at=before.sort_at)
        kept["exif_taken_at"] = after.exif_taken_at
    if before.location_source == "owner":
        kept.update(lat=before.lat, lon=before.lon, alt=before.alt, place=before.place, location_source="owner")
        kept.update(exif_lat=after.lat, exif_lon=after.lon, exif_alt=after.alt)
    return msgspec.structs.replace(after, **kept)


SuggestField = Literal["camera", "city", "country", "year"]


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """One viewer's search over one owner's photos (``services/search`` validates it).

    Every given criterion must hold. ``words``: lower-cased, accent-free words, each a
    prefix of a word of the filename, description, place names or of the name of an album
    of the owner's holding the photo. ``start``/``end``:
    inclusive bounds on ``sort_at``. ``camera``/``city``/``country``: case-insensitive
    equality (``camera`` against make, model or ``camera_label``; ``country`` against
    the name or the code). Trashed and pending photos never match; archived ones do.
    """

    viewer_id: str
    owner_id: str
    words: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    camera: str | None = None
    city: str | None = None
    country: str | None = None
    favorite: bool = False
    media_type: str | None = None
    has_location: bool | None = None
    album_id: str | None = None  # only photos in this album (the service checked the viewer may see it)


class Suggestion(msgspec.Struct, frozen=True):
    value: str
    count: int


class PlaceCount(msgspec.Struct, frozen=True, kw_only=True):
    country: str | None
    country_code: str | None
    region: str | None
    city: str | None
    count: int
    cover_photo_id: str  # the newest photo of the place


class Cluster(msgspec.Struct, frozen=True, kw_only=True):
    lat: float  # the mean position of the cluster's photos
    lon: float
    count: int
    photo_id: str  # the newest photo of the cluster


class BBox(msgspec.Struct, frozen=True):
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@runtime_checkable
class SearchStore(Protocol):
    """Search, suggestions, places and map clusters over one owner's listed photos
    (non-pending, untrashed; archived included). ``tests/meta/test_search_contract.py``."""

    async def search_photos(self, query: SearchQuery, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        """Matching photos newest first by ``(sort_at, id)``, strictly after the cursor."""
        ...

    async def suggest(self, owner_id: str, field: SuggestField, prefix: str, limit: int) -> list[Suggestion]:
        """Values of ``field`` starting with ``prefix`` (case-insensitive) and how many photos
        carry each, most photos first; ``year`` is the year of ``sort_at``."""
        ...

    async def places(self, owner_id: str) -> list[PlaceCount]:
        """Each distinct (country_code, region, city) of the owner's photos, most photos first."""
        ...

    async def map_clusters(self, owner_id: str, bbox: BBox, cell: float) -> list[Cluster]:
        """Located photos inside ``bbox`` (inclusive) grouped by a grid of ``cell`` degrees
        anchored at (-180, -90): one cluster per non-empty cell."""
        ...


@runtime_checkable
class AlbumStore(Protocol):
    """Albums and their photos (DESIGN.md "Albums"). A membership names a photo; the photo
    stays its owner's. Listings and stats show *listed* photos only: not pending, not
    trashed, not being deleted (a restored photo is back in its albums at once). Permanent
    deletion of a photo (``finish_deletion``, ``end_upload``) drops its memberships in the
    same step. Who may see an album is not the store's business (``services/access``)."""

    async def create_album(self, album: Album, photo_ids: list[str], now: datetime) -> AlbumAdd:
        """Insert the album with the given (already vetted) photos that exist and are listed."""
        ...

    async def get_album(self, album_id: str) -> Album | None: ...

    async def get_albums(self, album_ids: list[str]) -> dict[str, Album]:
        """The albums that exist among ``album_ids``, by id."""
        ...

    async def list_albums(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Album]:
        """The owner's albums, newest created first by ``(created_at iso, id)``, strictly after the cursor."""
        ...

    async def update_album(self, album_id: str, changes: dict[str, Any], now: datetime) -> Album | None:
        """Set ``name``, ``description``, ``cover_photo_id`` and/or ``order``; None when the album is gone."""
        ...

    async def delete_album(self, album_id: str) -> bool:
        """Delete the album and its memberships (never a photo); False when it was gone."""
        ...

    async def add_to_album(self, album_id: str, photo_ids: list[str], added_by: str, now: datetime) -> AlbumAdd:
        """Add listed photos; ``already``: those in the album before. Photos that do not
        exist or are not listed are in neither list. Nothing when the album is gone."""
        ...

    async def remove_from_album(self, album_id: str, photo_ids: list[str]) -> list[str]:
        """Drop memberships; return the ids that were in the album."""
        ...

    async def album_photos(
        self, album_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool
    ) -> list[Photo]:
        """The album's listed photos by ``(sort_at, id)``, strictly after the cursor."""
        ...

    async def album_stats(self, album_ids: list[str]) -> dict[str, AlbumStats]:
        """Stats of each given album that exists."""
        ...

    async def albums_of_photos(self, photo_ids: list[str]) -> dict[str, list[str]]:
        """For each given photo in any album, the ids of those albums."""
        ...


@runtime_checkable
class MetaStore(SearchStore, AlbumStore, Protocol):
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
        self,
        owner_id: str,
        *,
        limit: int,
        after: tuple[str, str] | None,
        descending: bool,
        view: PhotoView | None = None,
    ) -> list[Photo]:
        """Non-pending, untrashed photos ordered by ``(sort_at, id)``, strictly after the
        cursor, as ``view`` shows them (default: the owner's view, archived excluded)."""
        ...

    async def month_counts(self, owner_id: str, view: PhotoView | None = None) -> list[MonthCount]:
        """What ``list_photos`` with ``view`` lists, per ``YYYY-MM`` of ``sort_at``, newest month first."""
        ...

    # -- the library (trash, flags, corrections, deletion, the change feed) ---------------
    async def get_photos(self, photo_ids: list[str]) -> dict[str, Photo]:
        """The photos that exist among ``photo_ids``, by id (any owner, any status)."""
        ...

    async def get_flags(self, viewer_id: str, photo_ids: list[str]) -> dict[str, Flags]:
        """The viewer's flags on each given photo that has any set (missing: both false)."""
        ...

    async def set_flags(
        self, viewer_id: str, photo_ids: list[str], *, favorite: bool | None, archived: bool | None, now: datetime
    ) -> list[str]:
        """Set the viewer's flags (None: leave as is) on the photos that exist; return those ids.
        Each is a change in the viewer's feed."""
        ...

    async def edit_photo(self, photo_id: str, edit: dict[str, Any], now: datetime) -> Photo | None:
        """Apply the owner's corrections (keys of ``EDITABLE_FIELDS``) to an untrashed,
        non-pending photo; the photo after, or None when there is none such."""
        ...

    async def trash_photos(self, owner_id: str, photo_ids: list[str], now: datetime) -> list[str]:
        """Move the owner's non-pending photos to the trash (``trashed_at = now``; an already
        trashed one keeps its time); return the ids that are in the trash now."""
        ...

    async def restore_photos(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[str]:
        """Take the owner's trashed photos (all when None) out of the trash, unless their
        deletion started; return the ids restored."""
        ...

    async def list_trash(self, owner_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        """Trashed photos not being deleted, newest trashed first by ``(trashed_at iso, id)``."""
        ...

    async def mark_deleting(self, owner_id: str, photo_ids: list[str] | None, now: datetime) -> list[Photo]:
        """Start permanent deletion of the owner's trashed photos (all when None): set
        ``deleting_at`` (kept when set). Return every given photo now being deleted."""
        ...

    async def deletion_due(self, trashed_before: datetime, limit: int) -> list[Photo]:
        """Photos of every owner being deleted, or trashed before ``trashed_before``."""
        ...

    async def finish_deletion(self, photo_id: str, now: datetime) -> bool:
        """One atomic step for a photo being deleted: drop its row and flags, release its size
        from the owner's ``used_bytes``, keep a tombstone, note the change. False when the
        photo is gone already or not being deleted."""
        ...

    async def deleted_sha256(self, owner_id: str, hashes: list[str]) -> list[str]:
        """The given hashes with a tombstone of the owner and no photo of the owner now."""
        ...

    async def usage(self, user_id: str) -> Usage: ...

    async def changes_since(self, viewer_id: str, position: str | None, limit: int) -> ChangeBatch:
        """The viewer's change feed after ``position`` (None: from the start). Raises
        ``Invalid('invalid_sync_token', status=400)`` for a position it never gave out."""
        ...

    async def save_processed_photo(self, photo: Photo, expected_status: PhotoStatus) -> bool:
        """Replace the photo row if its status is still ``expected_status``.

        The quota counts originals only, so ``used_bytes`` does not change; what the library
        owns (``keep_library_fields``) stays as stored. The change enters the owner's feed.
        Returns whether the row changed.
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
