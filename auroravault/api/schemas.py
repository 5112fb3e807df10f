"""The wire shapes of the HTTP contract (v1): msgspec Structs, separate read and write shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from auroravault.meta.base import Flags, Photo, Usage, User
from auroravault.services.albums import AlbumCreate, AlbumEdit
from auroravault.services.library import LocationEdit, PhotoEdit
from auroravault.services.multipart import PartRef
from auroravault.services.upload_models import FileSpec, InitItem, UploadItem

__all__ = ["AlbumCreate", "AlbumEdit", "LocationEdit", "PhotoEdit"]  # request bodies decoded with forbid_unknown_fields

Str = Annotated[str, Meta(max_length=1024)]


# -- accounts ----------------------------------------------------------------------
class RegisterBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Str
    password: Str
    display_name: Annotated[str, Meta(max_length=200)]
    invite_token: Str | None = None  # a family invitation's: joins it (even with registration closed)


class LoginBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Str
    password: Str


class ResetBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Str


class ResetConfirmBody(msgspec.Struct, forbid_unknown_fields=True):
    token: Str
    password: Str


class UserOut(msgspec.Struct, kw_only=True):
    id: str
    email: str
    display_name: str
    is_admin: bool
    quota_bytes: int
    used_bytes: int  # originals only (trash included): what the quota counts
    created_at: datetime
    # Beside the quota, in GET /users/me only: thumbnails and previews, and the photo count.
    variant_bytes: int | None = None
    photo_count: int | None = None
    # Which sharing emails the user wants (issue 14; PATCH /users/me sets them).
    notify_album_shared: bool = True
    notify_album_photos: bool = True

    @classmethod
    def of(cls, user: User, usage: Usage | None = None) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            is_admin=user.is_admin,
            quota_bytes=user.quota_bytes,
            used_bytes=user.used_bytes,
            created_at=user.created_at,
            variant_bytes=usage.variant_bytes if usage else None,
            photo_count=usage.photo_count if usage else None,
            notify_album_shared=user.notify_album_shared,
            notify_album_photos=user.notify_album_photos,
        )


class RegisterOut(msgspec.Struct, kw_only=True):
    user: UserOut
    token: str
    expires_at: datetime


class LoginOut(msgspec.Struct, kw_only=True):
    token: str
    expires_at: datetime
    user: UserOut


# -- uploads -----------------------------------------------------------------------
class InitBody(msgspec.Struct, forbid_unknown_fields=True):
    files: Annotated[list[FileSpec], Meta(max_length=10_000)]
    album_id: str | None = None  # sharing (issue 14): the album the photos join


class InitOut(msgspec.Struct, kw_only=True):
    batch_id: str
    expires_at: datetime
    items: list[InitItem]


class CompleteBody(msgspec.Struct, forbid_unknown_fields=True):
    upload_ids: list[str] | None = None
    # Multipart uploads: each one's parts, as their PUTs answered (services/multipart.py).
    parts: Annotated[dict[str, Annotated[list[PartRef], Meta(max_length=10_000)]], Meta(max_length=50)] | None = None


class UploadsOut(msgspec.Struct, kw_only=True):
    items: list[UploadItem]


class BatchOut(msgspec.Struct, kw_only=True):
    batch_id: str
    expires_at: datetime
    items: list[UploadItem]


class CheckBody(msgspec.Struct, forbid_unknown_fields=True):
    sha256: Annotated[list[str], Meta(max_length=100_000)]


class CheckOut(msgspec.Struct, kw_only=True):
    existing: dict[str, str]
    missing: list[str]
    trashed: dict[str, str]  # in the owner's trash: uploading them again restores them
    deleted: list[str]  # deleted for good by the owner: a client should not upload them unasked


# -- photos ------------------------------------------------------------------------
class Camera(msgspec.Struct, kw_only=True):
    make: str | None
    model: str | None
    lens: str | None


class Exposure(msgspec.Struct, kw_only=True):
    f_number: float | None
    exposure_time: float | None
    iso: int | None
    focal_length: float | None


class Location(msgspec.Struct, kw_only=True):
    lat: float
    lon: float
    alt: float | None


class PlaceOut(msgspec.Struct, kw_only=True):
    """Where the photo was taken, by name (GeoNames, offline); null without coordinates."""

    city: str | None
    region: str | None
    country: str | None
    country_code: str | None


class ErrorInfo(msgspec.Struct, kw_only=True):
    code: str
    detail: str | None


class PhotoFaceOut(msgspec.Struct, kw_only=True):
    """A face in a photo: its person as the owner filed it, and its box as fractions
    ``[x, y, w, h]`` of the displayed (upright) image."""

    person_id: str | None
    box: list[float]
    name: str | None = None


class PhotoOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    status: Literal["processing", "ready", "failed", "pending"]
    filename: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    taken_at: str
    taken_at_source: str
    camera: Camera
    exposure: Exposure
    location: Location | None
    created_at: datetime
    updated_at: datetime
    thumbhash: str | None = None
    error: ErrorInfo | None = None
    # Ready but damaged: {code: "truncated", detail}; the variants show what the file holds.
    damaged: ErrorInfo | None = None
    thumb_url: str | None = None
    # Ready with its thumb while the preview is still being made (GET .../preview answers 409).
    preview_pending: bool = False
    # The library (no defaults: always present).
    favorite: bool
    archived: bool
    trashed_at: datetime | None
    description: str | None
    media_type: str
    exif_taken_at: str | None
    exif_location: Location | None
    duration_ms: int | None
    place: PlaceOut | None
    albums: list[str]
    # A Live Photo: the id of its motion video (played through GET /photos/{id}/motion).
    motion_photo_id: str | None = None
    # GET /photos/{id} where people are on (docs/people.md): the faces found in it.
    faces: list[PhotoFaceOut] | None = None

    @classmethod
    def of(
        cls, photo: Photo, thumb_url: str | None = None, flags: Flags | None = None, albums: list[str] | None = None
    ) -> PhotoOut:
        location = None
        if photo.lat is not None and photo.lon is not None:
            location = Location(lat=photo.lat, lon=photo.lon, alt=photo.alt)
        exif_location = location if photo.location_source != "owner" else None
        if photo.location_source == "owner" and photo.exif_lat is not None and photo.exif_lon is not None:
            exif_location = Location(lat=photo.exif_lat, lon=photo.exif_lon, alt=photo.exif_alt)
        exif_taken_at = photo.exif_taken_at
        if exif_taken_at is None and photo.taken_at_source.startswith("exif"):
            exif_taken_at = photo.taken_at
        flags = flags or Flags()
        return cls(
            id=photo.id,
            status=photo.status,
            filename=photo.filename,
            content_type=photo.content_type,
            size=photo.size,
            sha256=photo.sha256,
            width=photo.width,
            height=photo.height,
            taken_at=photo.taken_at or photo.sort_at,
            taken_at_source=photo.taken_at_source,
            camera=Camera(make=photo.camera_make, model=photo.camera_model, lens=photo.lens),
            exposure=Exposure(
                f_number=photo.f_number,
                exposure_time=photo.exposure_time,
                iso=photo.iso,
                focal_length=photo.focal_length,
            ),
            location=location,
            created_at=photo.created_at,
            updated_at=photo.updated_at,
            thumbhash=photo.thumbhash,
            error=ErrorInfo(code=photo.error_code, detail=photo.error_detail) if photo.error_code else None,
            damaged=ErrorInfo(code=photo.damage_code, detail=photo.damage_detail) if photo.damage_code else None,
            thumb_url=thumb_url,
            preview_pending=photo.preview_pending,
            favorite=flags.favorite,
            archived=flags.archived,
            trashed_at=photo.trashed_at,
            description=photo.description,
            media_type=photo.media_type,
            exif_taken_at=exif_taken_at,
            exif_location=exif_location,
            duration_ms=photo.duration_ms,
            motion_photo_id=photo.motion_photo_id,
            place=PlaceOut(**msgspec.structs.asdict(photo.place)) if photo.place else None,
            albums=albums or [],
        )


class PhotoPageOut(msgspec.Struct, kw_only=True):
    items: list[PhotoOut]
    next_cursor: str | None


# -- the library --------------------------------------------------------------------
class IdsBody(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[str]


class OptionalIdsBody(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[str] | None = None


class BulkFlagsBody(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[str]
    favorite: bool | None = None
    archived: bool | None = None


class IdErrorOut(msgspec.Struct, kw_only=True):
    id: str
    code: str


class UpdatedOut(msgspec.Struct, kw_only=True):
    updated: list[str]
    errors: list[IdErrorOut]


class TrashedOut(msgspec.Struct, kw_only=True):
    trashed: list[str]
    errors: list[IdErrorOut]


class RestoredOut(msgspec.Struct, kw_only=True):
    restored: list[str]
    errors: list[IdErrorOut]


class DeletedOut(msgspec.Struct, kw_only=True):
    deleted: list[str]  # marked for deletion now; gone from storage once their jobs ran
    errors: list[IdErrorOut]


class SyncOut(msgspec.Struct, kw_only=True):
    changed: list[PhotoOut]
    deleted: list[str]
    next: str
    more: bool  # another page waits: call again with ``next`` at once


class DownloadOut(msgspec.Struct, kw_only=True):
    url: str
    expires_at: datetime


class MonthOut(msgspec.Struct, kw_only=True):
    month: str
    count: int


class TimelineOut(msgspec.Struct, kw_only=True):
    months: list[MonthOut]


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, with a stable machine ``code``."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    errors: list[dict[str, object]] | None = None
