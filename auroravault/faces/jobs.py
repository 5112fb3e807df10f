"""The durable side of people: a ``detect_faces`` job per photo, the backfill, face crops.

- ``photo_ready`` (a hook of processing) enqueues ``detect_faces`` once a photo's preview is
  stored; the job tags the preview (never the original) on the decode pool's niced threads,
  behind every thumbnail and preview. Dedupe key ``faces:<photo_id>``: one job per photo at
  a time; running it again is harmless (``PeopleService.tag_photo`` is idempotent).
- ``backfill`` enqueues the job for each ready photo of a library: for libraries that existed
  before people, or after the extra was installed. Idempotent for the same reasons.
- ``recluster_people``: the periodic re-cluster (DBSCAN over all of an owner's faces). A
  detection that found faces asks for one at the end of the current window of ``[faces]
  recluster_every_seconds``; the dedupe key names the owner and the window, so a burst of
  uploads costs one re-cluster per window, and every face tagged is followed by one (a face
  tagged in a window is re-clustered at that window's end or later). 0 turns it off.
- ``face_crop``: a person's cover face cut from the preview, as a small JPEG.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from auroravault.errors import NotFound, Unavailable
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Photo, PhotoView
from auroravault.meta.protocols.photos import PhotoStore
from auroravault.services.people import FACES, PeopleService
from auroravault.storage.base import BlobStore, preview_key

log = logging.getLogger(__name__)

DETECT_FACES = "detect_faces"
RECLUSTER_PEOPLE = "recluster_people"
CROP_SIDE = 160


def dedupe_key(photo_id: str) -> str:
    return f"faces:{photo_id}"


def recluster_key(owner_id: str, window: int) -> str:
    return f"recluster:{owner_id}:{window}"


async def queue_recluster(queue: JobQueue, owner_id: str, every: float, now: float | None = None) -> bool:
    """Ask for a re-cluster of the owner's faces at the end of the current ``every``-second
    window (one per owner and window); False when one is queued already or ``every`` is 0."""
    if every <= 0:
        return False
    moment = time.time() if now is None else now
    window = int(moment // every)
    delay = (window + 1) * every - moment
    return await queue.enqueue(
        RECLUSTER_PEOPLE, {"owner_id": owner_id}, dedupe_key=recluster_key(owner_id, window), delay=delay
    )


def _crop(path: Path, box: list[float]) -> bytes:
    with Image.open(path) as img:
        w, h = img.size
        x, y, bw, bh = box
        pad = 0.25  # a little hair and chin around the detector's tight box
        left, top = max(0, int((x - bw * pad) * w)), max(0, int((y - bh * pad) * h))
        right, bottom = min(w, int((x + bw * (1 + pad)) * w)), min(h, int((y + bh * (1 + pad)) * h))
        face = img.convert("RGB").crop((left, top, right, bottom))
        face.thumbnail((CROP_SIDE, CROP_SIDE))
        out = io.BytesIO()
        face.save(out, "JPEG", quality=85)
        return out.getvalue()


async def queue_backfill(meta: PhotoStore, queue: JobQueue, owner_id: str) -> int:
    """Enqueue ``detect_faces`` for every ready image of the owner, archived ones included;
    how many were queued (photos with a job already are skipped by its dedupe key)."""
    view = PhotoView(viewer_id=owner_id, archived="include", media_type="image")
    queued, after = 0, None
    while True:
        page = await meta.list_photos(owner_id, limit=200, after=after, descending=True, view=view)
        if not page:
            return queued
        for photo in page:
            if photo.status == "ready" and not photo.preview_pending:
                payload = {"photo_id": photo.id}
                queued += await queue.enqueue(DETECT_FACES, payload, dedupe_key=dedupe_key(photo.id))
        after = (page[-1].sort_at, page[-1].id)


class FaceJobs:
    def __init__(self, people: PeopleService, blobs: BlobStore, queue: JobQueue, work: Path) -> None:
        self.people, self.blobs, self.queue, self.work = people, blobs, queue, work

    async def photo_ready(self, photo: Photo) -> None:
        """Processing's hook: the photo and its preview are stored."""
        if self.people.available and photo.media_type == "image":
            await self.queue.enqueue(DETECT_FACES, {"photo_id": photo.id}, dedupe_key=dedupe_key(photo.id))

    async def backfill(self, owner_id: str) -> int:
        """Enqueue face detection for every ready photo of the owner; how many were queued."""
        self.people.require()
        return await queue_backfill(self.people.meta, self.queue, owner_id)

    async def handle(self, payload: dict[str, Any]) -> None:
        """Tag one photo's faces from its preview; gone or not-an-image photos are done."""
        if not self.people.available:
            return  # the extra was removed meanwhile: the backfill catches up once it is back
        photo = await self.people.meta.get_photo(payload["photo_id"])
        if photo is None or photo.status != "ready" or photo.media_type != "image" or photo.deleting_at:
            return
        if photo.preview_pending:
            raise Unavailable("preview_not_ready", "the preview is not made yet")  # retried with backoff
        faces = await self._with_preview(photo, lambda path: self.people.tag_photo(photo.owner_id, photo.id, path))
        if faces:
            await queue_recluster(self.queue, photo.owner_id, self.people.settings.recluster_every_seconds)

    async def handle_recluster(self, payload: dict[str, Any]) -> None:
        """The periodic re-cluster of one owner's faces (idempotent: DBSCAN of the same faces
        gives the same people)."""
        if not self.people.available:
            return
        moved = await self.people.recluster(payload["owner_id"])
        log.info("re-clustered the faces of %s: %d moved", payload["owner_id"], moved)

    async def face_crop(self, owner_id: str, face_id: str, photo_id: str) -> bytes:
        face = next((f for f in await self.people.meta.photo_faces(owner_id, photo_id) if f.id == face_id), None)
        photo = await self.people.meta.get_photo(photo_id)
        if face is None or photo is None:
            raise NotFound("face_not_found", "no such face")

        async def cut(path: Path) -> bytes:
            return await self.people.pool.run(FACES, 4 * 2**20, _crop, path, face.box)

        return await self._with_preview(photo, cut)

    async def _with_preview(self, photo: Photo, use):  # type: ignore[no-untyped-def]
        self.work.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.work, prefix="faces-") as folder:
            path = Path(folder) / "preview.jpg"
            await self.blobs.download_to(preview_key(photo.owner_id, photo.id), path)
            return await use(path)
