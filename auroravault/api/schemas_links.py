"""The shapes of share links over HTTP: the owner's ``/links`` and the visitor's ``/public``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from auroravault.api.schemas import Camera, Exposure, Location, PlaceOut
from auroravault.meta.base import Photo
from auroravault.meta.family_records import LinkKind, ShareLink
from auroravault.services.links import LinkCreate, LinkEdit
from auroravault.services.public import LinkInfo

__all__ = ["LinkCreate", "LinkEdit"]  # the request bodies, beside the answers (``api/openapi``)


class LinkOut(msgspec.Struct, kw_only=True):
    id: str
    key: str
    url: str  # {public_url}/#/s/{key}: the page a visitor opens
    kind: LinkKind
    album_id: str | None
    photo_ids: list[str]
    expires_at: datetime | None
    expired: bool
    has_password: bool
    allow_download: bool
    allow_upload: bool
    show_metadata: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, link: ShareLink, url: str, now: datetime) -> LinkOut:
        return cls(
            id=link.id,
            key=link.key,
            url=url,
            kind=link.kind,
            album_id=link.album_id,
            photo_ids=link.photo_ids,
            expires_at=link.expires_at,
            expired=link.expires_at is not None and link.expires_at <= now,
            has_password=link.password_hash is not None,
            allow_download=link.allow_download,
            allow_upload=link.allow_upload,
            show_metadata=link.show_metadata,
            created_at=link.created_at,
            updated_at=link.updated_at,
        )


class LinkPageOut(msgspec.Struct, kw_only=True):
    items: list[LinkOut]
    next_cursor: str | None


class PublicLinkOut(msgspec.Struct, kw_only=True):
    """``GET /public/{key}``: what the link is, even while locked (then nothing about its photos)."""

    kind: LinkKind
    title: str
    owner_name: str
    requires_password: bool
    locked: bool  # requires a password and no valid X-Link-Token came with the request
    allow_download: bool
    allow_original: bool  # downloads allowed and metadata shown: the original is served
    allow_upload: bool
    show_metadata: bool
    expires_at: datetime | None

    @classmethod
    def of(cls, info: LinkInfo) -> PublicLinkOut:
        link = info.link
        return cls(
            kind=link.kind,
            title=info.title,
            owner_name=info.owner_name,
            requires_password=link.password_hash is not None,
            locked=info.locked,
            allow_download=link.allow_download,
            allow_original=link.allow_download and link.show_metadata,
            allow_upload=link.allow_upload and link.album_id is not None,
            show_metadata=link.show_metadata,
            expires_at=link.expires_at,
        )


class UnlockBody(msgspec.Struct, forbid_unknown_fields=True):
    password: str


class UnlockOut(msgspec.Struct, kw_only=True):
    token: str  # send as X-Link-Token
    expires_at: datetime


class PublicPhotoOut(msgspec.Struct, kw_only=True):
    """A photo as a link shows it. With ``show_metadata=false`` camera, exposure, location and
    place are null (the service blanked them before this shape saw the photo)."""

    id: str
    status: Literal["processing", "ready", "failed", "pending"]
    filename: str
    content_type: str
    media_type: str
    width: int | None
    height: int | None
    taken_at: str
    description: str | None
    camera: Camera
    exposure: Exposure
    location: Location | None
    place: PlaceOut | None
    thumbhash: str | None
    thumb_url: str | None
    preview_pending: bool

    @classmethod
    def of(cls, photo: Photo, thumb_url: str | None) -> PublicPhotoOut:
        located = photo.lat is not None and photo.lon is not None
        place = photo.place
        return cls(
            id=photo.id,
            status=photo.status,
            filename=photo.filename,
            content_type=photo.content_type,
            media_type=photo.media_type,
            width=photo.width,
            height=photo.height,
            taken_at=photo.taken_at or photo.sort_at,
            description=photo.description,
            camera=Camera(make=photo.camera_make, model=photo.camera_model, lens=photo.lens),
            exposure=Exposure(
                f_number=photo.f_number,
                exposure_time=photo.exposure_time,
                iso=photo.iso,
                focal_length=photo.focal_length,
            ),
            location=Location(lat=photo.lat, lon=photo.lon, alt=photo.alt) if located else None,  # type: ignore[arg-type]
            place=PlaceOut(city=place.city, region=place.region, country=place.country, country_code=place.country_code)
            if place is not None
            else None,
            thumbhash=photo.thumbhash,
            thumb_url=thumb_url,
            preview_pending=photo.preview_pending,
        )


class PublicPageOut(msgspec.Struct, kw_only=True):
    items: list[PublicPhotoOut]
    next_cursor: str | None
