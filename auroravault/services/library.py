"""The library: per-viewer favorites and archive, the owner's corrections, the trash.

Rules (DESIGN.md "Library: trash, favorites, archive, edits"):

- ``favorite`` and ``archived`` belong to the viewing user: each family member keeps their
  own. Archived photos leave ``/photos`` and the timeline (unless asked for) but not albums
  or search.
- The owner corrects ``taken_at`` (ISO 8601 with an offset, year 1800 to tomorrow),
  ``location`` (``{lat, lon, alt?}``, or null to clear) and ``description`` (up to 2000
  characters; newlines and tabs allowed, no other control characters). The EXIF values stay
  beside them (``exif_taken_at``, the EXIF location); ``taken_at: null`` goes back to EXIF.
- Trash is the owner's: trashed photos leave every listing, still count against the quota,
  and come back with restore until their permanent deletion starts (``services/deletion``).
- Bulk calls take 1 to ``MAX_IDS`` ids; more is ``too_many_ids`` (422) and nothing is done.
  Each id the caller may not act on is reported as ``{id, code: "photo_not_found"}`` and
  left alone; the call as a whole succeeds.
- Who may see a photo is decided by ``services/access`` alone. Anyone who may see a photo
  (owner, album member, partner) keeps their own ``favorite``/``archived`` on it; trash,
  restore, delete and the corrections are the owner's: another viewer asking for a correction
  gets 403 ``not_allowed`` (nothing changed), and in a bulk call ``not_allowed`` for that id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from auroravault.errors import Forbidden, Invalid, NotFound
from auroravault.executors import run_in
from auroravault.meta.base import Flags, Photo, Usage, User
from auroravault.meta.protocols import ShownPhotos
from auroravault.places import shared_geocoder
from auroravault.services import access, videos
from auroravault.services.deletion import DeletionService
from auroravault.textcheck import checked_description
from auroravault.timeutil import from_iso, sort_key, utcnow

MAX_IDS = 1000
MAX_PAGE = 200


class IdError(msgspec.Struct, frozen=True):
    id: str
    code: str


class LocationEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lat: float
    lon: float
    alt: float | None = None


class PhotoEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``PATCH /photos/{id}``: every field optional; an absent one is left as it is."""

    favorite: bool | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType | None = msgspec.UNSET
    taken_at: str | msgspec.UnsetType | None = msgspec.UNSET
    location: LocationEdit | msgspec.UnsetType | None = msgspec.UNSET


class BulkResult(msgspec.Struct, kw_only=True):
    done: list[str]
    errors: list[IdError]


def check_ids(ids: list[str] | None, *, required: bool = True) -> list[str] | None:
    if ids is None:
        if required:
            raise Invalid("ids_required", "give the ids of the photos")
        return None
    if len(ids) > MAX_IDS:
        raise Invalid("too_many_ids", f"at most {MAX_IDS} ids per call, this one has {len(ids)}")
    if required and not ids:
        raise Invalid("ids_required", "give at least one id")
    if any(not isinstance(i, str) or not i or len(i) > 100 for i in ids):
        raise Invalid("invalid_id", "ids are non-empty strings of at most 100 characters")
    return list(dict.fromkeys(ids))


def not_found(ids: list[str]) -> list[IdError]:
    return [IdError(id=i, code="photo_not_found") for i in ids]


def parse_taken_at(value: str) -> datetime:
    """An owner's capture date: ISO 8601 with an offset, between 1800 and tomorrow."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("invalid_taken_at", "taken_at must be an ISO 8601 date and time with an offset") from None
    if when.tzinfo is None:
        raise Invalid("invalid_taken_at", "taken_at needs an offset, e.g. 2024-05-01T10:00:00+02:00")
    if when.year < 1800 or when > utcnow() + timedelta(days=1):
        raise Invalid("invalid_taken_at", "taken_at must lie between the year 1800 and tomorrow")
    return when


def _location_edit(location: LocationEdit | None) -> dict[str, Any]:
    if location is None:
        return {"lat": None, "lon": None, "alt": None}
    if not (-90 <= location.lat <= 90 and -180 <= location.lon <= 180):
        raise Invalid("invalid_location", "lat must be within -90..90 and lon within -180..180")
    if location.alt is not None and not -12_000 <= location.alt <= 100_000:
        raise Invalid("invalid_location", "alt must be within -12000..100000 metres")
    return {"lat": location.lat, "lon": location.lon, "alt": location.alt}


def corrections(photo: Photo, body: PhotoEdit) -> dict[str, Any]:
    """The stored fields an owner's edit changes (validated; nothing is written here)."""
    edit: dict[str, Any] = {}
    if body.description is not msgspec.UNSET:
        edit["description"] = checked_description(body.description)
    if body.taken_at is not msgspec.UNSET:
        exif = photo.exif_taken_at if photo.taken_at_source == "owner" else _exif_date(photo)
        edit["exif_taken_at"] = exif
        if body.taken_at is None:  # back to what the file says
            when = from_iso(exif) if exif else photo.created_at
            edit.update(taken_at=exif, taken_at_source="exif" if exif else "upload", sort_at=sort_key(when))
        else:
            when = parse_taken_at(body.taken_at)
            edit.update(taken_at=when.isoformat(), taken_at_source="owner", sort_at=sort_key(when))
    if body.location is not msgspec.UNSET:
        if photo.location_source != "owner":
            edit.update(exif_lat=photo.lat, exif_lon=photo.lon, exif_alt=photo.alt)
        edit.update(_location_edit(body.location), location_source="owner")
    return edit


def _exif_date(photo: Photo) -> str | None:
    if photo.taken_at_source.startswith("exif"):
        return photo.taken_at
    return photo.exif_taken_at


class LibraryService:
    def __init__(self, meta: ShownPhotos, deletion: DeletionService) -> None:
        self.meta = meta
        self.deletion = deletion

    async def flags_of(self, user: User, photos: list[Photo]) -> dict[str, Flags]:
        return await self.meta.get_flags(user.id, [p.id for p in photos]) if photos else {}

    # -- one photo ---------------------------------------------------------------------------
    async def edit(self, user: User, photo_id: str, body: PhotoEdit) -> tuple[Photo, Flags, list[str]]:
        photo, rel = await access.relation(self.meta, user, photo_id)
        edit = corrections(photo, body)
        if edit and not access.may_edit(rel):
            raise Forbidden("not_allowed", "only the photo's owner may change its date, place or description")
        favorite = None if body.favorite is msgspec.UNSET else body.favorite
        archived = None if body.archived is msgspec.UNSET else body.archived
        now = utcnow()
        if "lat" in edit:  # a corrected location is named like the camera's (None: no place)
            lat, lon = edit["lat"], edit["lon"]
            edit["place"] = None if lat is None else await run_in(None, shared_geocoder().place, lat, lon)
        if edit:
            edited = await self.meta.edit_photo(photo.id, edit, now)
            if edited is None:  # trashed or deleted meanwhile
                raise NotFound("photo_not_found", "no such photo")
            photo = edited
        if favorite is not None or archived is not None:
            await self.meta.set_flags(user.id, [photo.id], favorite=favorite, archived=archived, now=now)
        flags = await self.meta.get_flags(user.id, [photo.id])
        albums = await access.visible_albums(self.meta, user, [photo.id])
        return photo, flags.get(photo.id, Flags()), albums.get(photo.id, [])

    # -- bulk --------------------------------------------------------------------------------
    async def set_flags(self, user: User, ids: list[str], favorite: bool | None, archived: bool | None) -> BulkResult:
        clean = check_ids(ids) or []
        if favorite is None and archived is None:
            raise Invalid("nothing_to_change", "give favorite, archived or both")
        seen, hidden = await access.relations(self.meta, user, clean)
        done = await self.meta.set_flags(user.id, list(seen), favorite=favorite, archived=archived, now=utcnow())
        gone = [i for i in seen if i not in set(done)]
        return BulkResult(done=done, errors=not_found(hidden + gone))

    async def trash(self, user: User, ids: list[str]) -> BulkResult:
        clean = check_ids(ids) or []
        seen, hidden = await access.relations(self.meta, user, clean)
        owned = [i for i, (_, rel) in seen.items() if access.may_edit(rel)]
        refused = [IdError(id=i, code="not_allowed") for i, (_, rel) in seen.items() if not access.may_edit(rel)]
        # A Live Photo's motion video goes with its still (and is not reported: it is not listed).
        motions = videos.motions_of([p for p, rel in seen.values() if access.may_edit(rel)])
        done = videos.asked(await self.meta.trash_photos(user.id, owned + motions, utcnow()), owned)
        gone = [i for i in owned if i not in set(done)]
        return BulkResult(done=done, errors=not_found(hidden + gone) + refused)

    async def restore(self, user: User, ids: list[str] | None) -> BulkResult:
        clean = check_ids(ids, required=False)
        if clean is None:
            return BulkResult(done=await self.meta.restore_photos(user.id, None, utcnow()), errors=[])
        seen, hidden = await access.relations(self.meta, user, clean, trashed=True)
        motions = videos.motions_of([p for p, _ in seen.values()])
        done = videos.asked(await self.meta.restore_photos(user.id, list(seen) + motions, utcnow()), list(seen))
        gone = [i for i in seen if i not in set(done)]
        return BulkResult(done=done, errors=not_found(hidden + gone))

    async def delete(self, user: User, ids: list[str] | None) -> BulkResult:
        """Delete trashed photos for good (all the trash when ``ids`` is None): marked now,
        gone from storage and quota once their jobs ran."""
        clean = check_ids(ids, required=False)
        hidden: list[str] = []
        wanted: list[str] | None = None
        if clean is not None:
            seen, hidden = await access.relations(self.meta, user, clean, trashed=True)
            wanted = list(seen)
            clean = wanted + videos.motions_of([p for p, _ in seen.values()])  # with their motion videos
        marked = await self.meta.mark_deleting(user.id, clean, utcnow())
        await self.deletion.queue_deletions(marked)
        done = [p.id for p in marked if p.motion_of is None]
        gone = [i for i in (wanted or []) if i not in set(done)]
        return BulkResult(done=done, errors=not_found(hidden + gone))

    async def usage(self, user: User) -> Usage:
        return await self.meta.usage(user.id)
