"""The meta store: everything but photo bytes. Its records, and the rules of its contract.

The methods are split into one protocol per aggregate in ``auroravault.meta.protocols``
(accounts, photos, uploads, jobs, library, lifecycle); ``MetaStore`` at the end of this
module is their union, which each adapter implements.

Records are msgspec Structs; adapters store them however suits their engine but must
keep the semantics below, which ``tests/meta/test_contract.py`` checks on every adapter.

Atomicity: each method is one atomic step. Methods whose name says a transition
(``mark_upload_arrived``, ``end_upload``, ``claim_jobs``, ...) are *conditional*:
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

from auroravault.meta.protocols import (
    AccountStore,
    AlbumStore,
    CounterStore,
    FamilyStore,
    JobStore,
    LibraryStore,
    LinkStore,
    PeopleStore,
    PhotoStore,
    SearchStore,
    SharingStore,
    StoreLifecycle,
    UploadStore,
    UserAdminStore,
)

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
    # Accounts (issue 14): a disabled account cannot log in and its sessions stop working;
    # the two notification switches say which sharing emails the user wants.
    disabled: bool = False
    notify_album_shared: bool = True  # "an album was shared with you"
    notify_album_photos: bool = True  # "N new photos in <album>" (hourly digest)


class Session(msgspec.Struct, kw_only=True):
    token_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    # Accounts (issue 14): where the session was opened, shown in the user's session list
    # (``services.accounts`` keeps both short: 200 and 64 characters).
    user_agent: str | None = None
    ip: str | None = None


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
    dhash: str | None = None  # of the thumb, 16 hex digits (imaging/perceptual): similar photos
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
    # Videos (docs/videos.md): the clip's length; Apple's ContentIdentifier (Live Photos).
    duration_ms: int | None = None
    content_identifier: str | None = None
    # A Live Photo: the still carries its motion video's id; the video the still's id
    # (``motion_of``), and listings show the still alone.
    motion_photo_id: str | None = None
    motion_of: str | None = None


class Batch(msgspec.Struct, kw_only=True):
    id: str
    owner_id: str
    created_at: datetime
    expires_at: datetime
    # -- sharing (issue 14): the album the batch's photos join once they are listed
    album_id: str | None = None


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
    of the owner's holding the photo, or a word whose ``word_photos`` entry holds the photo
    (the service's people: photos with a face of a person whose name the word starts).
    ``start``/``end``: inclusive bounds on ``sort_at``. ``camera``/``city``/``country``:
    case-insensitive equality (``camera`` against make, model or ``camera_label``;
    ``country`` against the name or the code). ``photo_ids``: when set, only these photos
    (``person=``, resolved by the service; empty matches nothing). Trashed and pending
    photos never match; archived ones do.
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
    photo_ids: frozenset[str] | None = None  # only these photos (a person's, ``services/search``)
    word_photos: dict[str, frozenset[str]] = {}  # per word of ``words``: photos it matches besides their text


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
class MetaStore(
    AccountStore,
    CounterStore,
    PhotoStore,
    UploadStore,
    JobStore,
    LibraryStore,
    AlbumStore,
    SearchStore,
    LinkStore,
    StoreLifecycle,
    FamilyStore,
    UserAdminStore,
    SharingStore,
    PeopleStore,
    Protocol,
):
    """Every aggregate protocol at once (``auroravault.meta.protocols``): what an adapter
    implements, what the app builds and closes, and what the contract suite runs on.
    Services ask for the parts they use, never for this whole."""
