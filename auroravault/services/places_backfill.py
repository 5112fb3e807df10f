"""The places backfill, job ``places_backfill``: names and local times for photos that predate them.

Photos processed before ``auroravault.places`` existed have coordinates but no ``place``, and
a capture time without an offset read as if it were UTC. The backfill walks one owner's
library in pages of ``BATCH`` (``list_photos``, oldest first, archived included; trashed
photos are skipped), and for each ready photo with coordinates and no place it
sets ``place`` and, when the date is the file's own (not the owner's correction) and has no
offset, reads it in the local time zone of the coordinates, as the pipeline does now.

Durable and resumable: each job does one page, then enqueues the next page's job with the
cursor in its payload and the walk's name and page number in its dedupe key, so a page that
runs twice queues its successor once. A killed process loses nothing: the lease expires and
the page runs again. Idempotent: a photo that has its place is skipped, and the save is
conditional (``save_processed_photo`` from ``ready``, which keeps what the library owns: the
owner's date and place corrections).

When:

- at start-up, every vault once (``start_every_vault``, job ``places_backfill_vaults``): the
  server walks its users (``list_user_ids``, pages of ``USERS_BATCH``) and starts a walk
  named ``vaults`` for each, so a family member whose phone keeps its token and never logs in
  again is named too (a new install with no users yet queues nothing). A stored marker
  (the counter ``places:<VERSION>:vaults``, set once the pass is queued) keeps later starts
  from repeating it; the job's dedupe key keeps two instances starting at once from
  queueing it twice;
- at an owner's login (``start``, deduped per owner): a library is worth naming when someone
  looks at it, and an owner with no photos costs one page read. A walk's job rows are purged
  with the other done jobs, after which the next login walks the library again: cheap
  (reads, and nothing written for photos that have a place);
- ``auroravault places backfill --email ...`` starts a new walk for named accounts from the
  command line (a walk of its own, whatever the logins did); the server runs it.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from datetime import datetime
from typing import Any, Protocol

import msgspec

from auroravault import places
from auroravault.executors import run_in
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Photo, PhotoView, Place, User
from auroravault.meta.protocols import AccountStore, CounterStore, PhotoStore
from auroravault.places.geocoder import Geocoder
from auroravault.timeutil import sort_key, utcnow

log = logging.getLogger("auroravault.places")

PLACES_BACKFILL = "places_backfill"
PLACES_BACKFILL_VAULTS = "places_backfill_vaults"
BATCH = 200
USERS_BATCH = 100
#: Bump when the data or the rules change, to walk every library once more.
VERSION = 1
#: The start-up pass's marker lives this long (a counter's window): in effect, for good.
MARKER_SECONDS = 100 * 365 * 86400


class PlacesMeta(AccountStore, CounterStore, PhotoStore, Protocol):
    """The users (to walk every vault), the marker of a finished pass, and their photos."""


def backfill_dedupe_key(owner_id: str, walk: str, page: int) -> str:
    # By page number, not cursor: a page that runs again after it moved its photos' times
    # ends on a different cursor, and must still queue its successor only once.
    return f"places:{VERSION}:{owner_id}:{walk}:{page}"


def _wall_clock(photo: Photo) -> datetime | None:
    """The file's capture time when it has no offset and the owner did not correct it; else None."""
    if not photo.taken_at_source.startswith("exif") or not photo.taken_at:
        return None
    try:
        value = datetime.fromisoformat(photo.taken_at)
    except ValueError:
        return None
    return value if value.tzinfo is None else None


def needs_place(photo: Photo) -> bool:
    return (
        photo.status == "ready"
        and photo.place is None
        and photo.lat is not None
        and photo.lon is not None
        # Its preview is still being made: the pipeline writes it again soon, leave it to that.
        and not photo.preview_pending
    )


def renamable(photo: Photo) -> bool:
    """A ready photo named from the file's own coordinates (perhaps by an earlier rule, as
    "Intendente" for central Lisbon); the owner's corrected location keeps its place."""
    return (
        photo.status == "ready"
        and photo.place is not None
        and photo.lat is not None
        and photo.lon is not None
        and photo.location_source != "owner"
        and not photo.preview_pending
    )


class PlacesBackfill:
    def __init__(
        self,
        meta: PlacesMeta,
        queue: JobQueue,
        *,
        cpu: Executor | None = None,
        geocoder: Geocoder | None = None,
        batch: int = BATCH,
        users_batch: int = USERS_BATCH,
    ) -> None:
        self.meta = meta
        self.queue = queue
        self._cpu = cpu  # a CPU-sized pool for the lookups (asyncio's default when None)
        self._geocoder = geocoder
        self.batch = batch
        self.users_batch = users_batch

    async def start(self, owner_id: str, walk: str = "login") -> bool:
        """Queue the first page of a walk of the owner's library; False when that walk (by
        its name: ``login`` for the one logins start) is queued or done already."""
        payload = {"owner_id": owner_id, "walk": walk, "page": 0, "after": None}
        return await self.queue.enqueue(PLACES_BACKFILL, payload, dedupe_key=backfill_dedupe_key(owner_id, walk, 0))

    async def user_logged_in(self, user: User) -> None:
        await self.start(user.id)

    def _marker(self) -> str:
        return f"places:{VERSION}:vaults"

    async def start_every_vault(self) -> bool:
        """At start-up: queue the pass over every vault, unless one was queued before (by any
        start of any instance, for this ``VERSION``) or there is no user yet; say whether it
        was queued now."""
        if await self.meta.get_counter(self._marker(), utcnow()):
            return False
        queued = False
        # A vault with no users yet (a new install) has nothing to name: the pipeline names
        # every photo it will get. Marked all the same.
        if await self.meta.list_user_ids(None, 1):
            payload = {"page": 0, "after": None}
            key = f"places:{VERSION}:vaults:0"
            queued = await self.queue.enqueue(PLACES_BACKFILL_VAULTS, payload, dedupe_key=key)
        # Marked once the pass is durably queued: a start that dies in between queues it again
        # (the dedupe key makes that a no-op while the first one's row is kept).
        await self.meta.hit_counter(self._marker(), MARKER_SECONDS, utcnow())
        return queued

    async def handle_vaults(self, payload: dict[str, Any]) -> None:
        """The pass's job handler, one page of users; payload ``{"page": n, "after": user_id | null}``."""
        number = int(payload.get("page") or 0)
        raw = payload.get("after")
        user_ids = await self.meta.list_user_ids(str(raw) if raw else None, self.users_batch)
        for user_id in user_ids:
            await self.start(user_id, "vaults")
        if len(user_ids) == self.users_batch:
            following = {"page": number + 1, "after": user_ids[-1]}
            key = f"places:{VERSION}:vaults:{number + 1}"
            await self.queue.enqueue(PLACES_BACKFILL_VAULTS, following, dedupe_key=key)

    async def handle(self, payload: dict[str, Any]) -> None:
        """The job handler; payload ``{"owner_id", "walk", "page": n, "after": [sort_at, id] | null}``."""
        owner_id = str(payload["owner_id"])
        walk = str(payload.get("walk") or "login")
        number = int(payload.get("page") or 0)
        raw = payload.get("after")
        after = (str(raw[0]), str(raw[1])) if isinstance(raw, list | tuple) and len(raw) == 2 else None
        page = await self.meta.list_photos(
            owner_id,
            limit=self.batch,
            after=after,
            descending=False,
            view=PhotoView(viewer_id=owner_id, archived="include"),
        )
        fixed = 0
        for photo in page:
            if needs_place(photo):
                fixed += await self._fix(photo.id)
        renamed = await self._rename_page([photo for photo in page if renamable(photo)])
        if fixed or renamed:
            log.info("places backfill: %d photos of %s named, %d renamed", fixed, owner_id, renamed)
        if len(page) == self.batch:
            last = page[-1]
            cursor = (last.sort_at, last.id)
            payload = {"owner_id": owner_id, "walk": walk, "page": number + 1, "after": list(cursor)}
            key = backfill_dedupe_key(owner_id, walk, number + 1)
            await self.queue.enqueue(PLACES_BACKFILL, payload, dedupe_key=key)

    async def _rename_page(self, named: list[Photo]) -> int:
        """Name again, by today's rules (one batched lookup), photos whose place an earlier
        rule gave; write only those whose name changes."""
        if not named:
            return 0
        points = [(float(photo.lat or 0.0), float(photo.lon or 0.0)) for photo in named]
        geocoder = self._geocoder or places.shared_geocoder()
        today = await run_in(self._cpu, geocoder.places, points)
        renamed = 0
        for photo, place in zip(named, today, strict=True):
            if place is not None and place != photo.place:
                renamed += await self._rename(photo.id, photo.place, place)
        return renamed

    async def _rename(self, photo_id: str, before: Place | None, place: Place) -> int:
        photo = await self.meta.get_photo(photo_id)
        if photo is None or not renamable(photo) or photo.place != before:
            return 0  # changed meanwhile (the owner moved it, or another run renamed it)
        updated = msgspec.structs.replace(photo, place=place, updated_at=utcnow())
        return int(await self.meta.save_processed_photo(updated, "ready"))

    async def _fix(self, photo_id: str) -> int:
        # Read again just before writing: the save replaces the row (library fields excepted).
        photo = await self.meta.get_photo(photo_id)
        if photo is None or not needs_place(photo) or photo.lat is None or photo.lon is None:
            return 0
        wall_clock = _wall_clock(photo)
        located = await run_in(self._cpu, places.locate, photo.lat, photo.lon, wall_clock, self._geocoder)
        changes: dict[str, Any] = {"place": located.place}
        taken = located.taken_at
        if wall_clock is not None and taken is not None and taken.tzinfo is not None:
            changes.update(taken_at=taken.isoformat(), exif_taken_at=taken.isoformat(), sort_at=sort_key(taken))
        if located.place is None and "taken_at" not in changes:
            return 0  # far from every known place and no zone: nothing to write
        updated = msgspec.structs.replace(photo, **changes, updated_at=utcnow())
        return int(await self.meta.save_processed_photo(updated, "ready"))
