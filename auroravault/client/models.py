"""The client's view of the HTTP contract (v1): msgspec Structs decoded from the server's JSON.

These mirror ``auroravault.api.schemas`` but are written for readers: unknown fields are
ignored and optional fields have defaults, so a newer server does not break an older client.
The client never imports server modules, so a program can use it without the server's
dependencies installed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class User(msgspec.Struct, kw_only=True):
    id: str
    email: str
    display_name: str
    quota_bytes: int
    used_bytes: int
    created_at: datetime
    is_admin: bool = False


class Session(msgspec.Struct, kw_only=True):
    """What register and login answer: a bearer token, when it stops working, and who it is."""

    token: str
    expires_at: datetime
    user: User


class FileSpec(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One file of a ``POST /uploads`` batch."""

    filename: str
    size: int
    content_type: str
    sha256: str
    client_ref: str | None = None
    # ISO 8601 with an offset: the file's own time, which becomes taken_at when it has no EXIF date.
    file_modified_at: str | None = None


class PartRequest(msgspec.Struct, kw_only=True):
    """One part of a multipart upload: PUT its bytes to ``url`` with exactly ``headers``."""

    number: int
    url: str
    headers: dict[str, str] = msgspec.field(default_factory=dict)


class PresignedRequest(msgspec.Struct, kw_only=True):
    """Send ``method`` to ``url`` with exactly ``headers`` (plus Content-Length).

    A large file's is ``method: "MULTIPART"`` instead: part ``n`` (from 1) holds the bytes
    from ``(n - 1) * part_size`` on, and goes to its own URL (``parts``).
    """

    method: str
    url: str = ""
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    part_size: int = 0
    parts: list[PartRequest] = msgspec.field(default_factory=list)


class ReceivedPart(msgspec.Struct, kw_only=True):
    number: int
    size: int
    etag: str


class PartList(msgspec.Struct, kw_only=True):
    """``GET /uploads/{batch_id}/items/{upload_id}/parts``: what arrived of a multipart upload."""

    upload_id: str
    status: str
    part_size: int
    part_count: int
    parts: list[ReceivedPart]


class InitItem(msgspec.Struct, kw_only=True):
    index: int
    photo_id: str
    status: str  # "upload" | "duplicate"
    client_ref: str | None = None
    upload_id: str | None = None
    upload: PresignedRequest | None = None


class InitResult(msgspec.Struct, kw_only=True):
    batch_id: str
    expires_at: datetime
    items: list[InitItem]


class UploadItem(msgspec.Struct, kw_only=True):
    """An upload's state: ``pending`` (no bytes yet), ``processing``, ``rejected`` or ``expired``."""

    upload_id: str
    index: int
    photo_id: str
    filename: str
    size: int
    sha256: str
    status: str
    client_ref: str | None = None
    reason: str | None = None


class UploadList(msgspec.Struct, kw_only=True):
    items: list[UploadItem]


class BatchStatus(msgspec.Struct, kw_only=True):
    batch_id: str
    expires_at: datetime
    items: list[UploadItem]


class CheckResult(msgspec.Struct, kw_only=True):
    """``existing``: sha256 -> photo id; ``trashed``: sha256 -> id of a photo in the trash;
    ``deleted``: contents the user deleted for good. An older server sends neither of the last two."""

    existing: dict[str, str]
    missing: list[str]
    trashed: dict[str, str] = msgspec.field(default_factory=dict)
    deleted: list[str] = msgspec.field(default_factory=list)


class Camera(msgspec.Struct, kw_only=True):
    make: str | None = None
    model: str | None = None
    lens: str | None = None


class Exposure(msgspec.Struct, kw_only=True):
    f_number: float | None = None
    exposure_time: float | None = None
    iso: int | None = None
    focal_length: float | None = None


class Location(msgspec.Struct, kw_only=True):
    lat: float
    lon: float
    alt: float | None = None


class PhotoError(msgspec.Struct, kw_only=True):
    code: str
    detail: str | None = None


class Photo(msgspec.Struct, kw_only=True):
    id: str
    status: str  # "processing" | "ready" | "failed"
    filename: str
    content_type: str
    size: int
    sha256: str
    taken_at: str
    created_at: datetime
    updated_at: datetime
    width: int | None = None
    height: int | None = None
    taken_at_source: str = ""
    camera: Camera = msgspec.field(default_factory=Camera)
    exposure: Exposure = msgspec.field(default_factory=Exposure)
    location: Location | None = None
    thumbhash: str | None = None
    error: PhotoError | None = None
    thumb_url: str | None = None
    preview_pending: bool = False  # ready with its thumb; the preview follows
    # The library (absent on an older server): the viewer's flags, the owner's edits and trash.
    favorite: bool = False
    archived: bool = False
    description: str | None = None
    trashed_at: str | None = None
    exif_taken_at: str | None = None
    # Videos (docs/videos.md): a Live Photo's still names its motion video, which is not listed.
    media_type: str = "image"
    duration_ms: int | None = None
    motion_photo_id: str | None = None


class PhotoPage(msgspec.Struct, kw_only=True):
    items: list[Photo]
    next_cursor: str | None = None


class DownloadLink(msgspec.Struct, kw_only=True):
    url: str
    expires_at: datetime


class Month(msgspec.Struct, kw_only=True):
    month: str
    count: int


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details as the server sends them."""

    status: int
    code: str = "unknown"
    title: str = ""
    detail: str = ""
    type: str = ""
    errors: list[dict[str, Any]] | None = None
