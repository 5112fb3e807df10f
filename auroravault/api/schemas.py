"""The wire shapes of the HTTP contract (v1): msgspec Structs, separate read and write shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from auroravault.meta.base import Photo, User
from auroravault.services.uploads import FileSpec, InitItem, UploadItem

Str = Annotated[str, Meta(max_length=1024)]


# -- accounts ----------------------------------------------------------------------
class RegisterBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Str
    password: Str
    display_name: Annotated[str, Meta(max_length=200)]


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
    used_bytes: int
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            is_admin=user.is_admin,
            quota_bytes=user.quota_bytes,
            used_bytes=user.used_bytes,
            created_at=user.created_at,
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


class InitOut(msgspec.Struct, kw_only=True):
    batch_id: str
    expires_at: datetime
    items: list[InitItem]


class CompleteBody(msgspec.Struct, forbid_unknown_fields=True):
    upload_ids: list[str] | None = None


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


class ErrorInfo(msgspec.Struct, kw_only=True):
    code: str
    detail: str | None


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

    @classmethod
    def of(cls, photo: Photo, thumb_url: str | None = None) -> PhotoOut:
        location = None
        if photo.lat is not None and photo.lon is not None:
            location = Location(lat=photo.lat, lon=photo.lon, alt=photo.alt)
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
        )


class PhotoPageOut(msgspec.Struct, kw_only=True):
    items: list[PhotoOut]
    next_cursor: str | None


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
