"""People: tag a photo's faces, cluster them into people, and let users name, hide and merge.

``PeopleService`` holds the logic; the face model (``auroravault.faces``) runs on the decode
pool's niced threads at the lowest priority (after thumbnails and previews), on an image
downscaled to ``[faces] max_side`` while it is decoded. When no model is installed, or
``[faces] enabled = false``, every call raises ``Conflict('faces_unavailable')`` with the
install hint and nothing is written.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Protocol

import msgspec

from auroravault.config import FaceSettings
from auroravault.errors import Conflict, Invalid, NotFound
from auroravault.faces import FACES_UNAVAILABLE, FaceModel
from auroravault.faces.cluster import BLOCK_CELLS, centroids, nearest, recluster, with_face
from auroravault.faces.image import input_bytes, model_input
from auroravault.ids import new_id
from auroravault.meta.base import Photo, User
from auroravault.meta.protocols.people import Face, FaceRef, PeopleStore, Person
from auroravault.services import access
from auroravault.services.decode_pool import PREVIEW, DecodePool
from auroravault.services.photos import PhotoPage, PhotoService, decode_cursor
from auroravault.timeutil import utcnow

#: Face jobs wait behind every thumbnail and preview in the decode pool.
FACES: Final = PREVIEW + 1


class PeopleMeta(PeopleStore, access.PhotoAccess, Protocol):
    """What people read: faces and people, and photos as ``services/access`` sees them."""


class FaceView(msgspec.Struct, kw_only=True):
    """One face of a photo, with its person as the photo's owner named them."""

    id: str
    person_id: str | None
    name: str | None
    box: list[float]


class PersonView(msgspec.Struct, kw_only=True):
    """One entry of ``GET /people``."""

    id: str
    name: str | None
    face_count: int
    cover_photo_id: str | None
    cover_face_id: str | None
    hidden: bool


def cluster_bytes(faces: int) -> int:
    """What a re-cluster of ``faces`` faces reserves in the decode pool: the embeddings as
    float32 and float64, one block of distances, and the neighbour lists (rough)."""
    return faces * 128 * 12 + BLOCK_CELLS * 4 * 3 + faces * 64 * 8


def _plan(faces: list[Face], eps: float, min_faces: int, named: set[str]) -> dict[str, str | None]:
    """On a decode thread: every free face's person after DBSCAN (new people get new ids)."""
    return recluster(faces, eps, min_faces, lambda: new_id("pe_"), named)


def _detect(model: FaceModel, path: Path, settings: FaceSettings) -> list[tuple[list[float], float, list[float]]]:
    """On a decode thread: (box as fractions, score, embedding) of each face in the file."""
    pixels, _ = model_input(path, settings.max_side)
    h, w = pixels.shape[:2]
    found = [f for f in model.detect(pixels) if f.score >= settings.min_score]
    vectors = model.embed(pixels, found)
    return [
        ([f.box[0] / w, f.box[1] / h, f.box[2] / w, f.box[3] / h], f.score, v)
        for f, v in zip(found, vectors, strict=True)
    ]


class PeopleService:
    def __init__(self, meta: PeopleMeta, model: FaceModel | None, pool: DecodePool, settings: FaceSettings) -> None:
        self.meta = meta
        self.model = model if settings.enabled else None
        self.pool = pool
        self.settings = settings
        self.photos: PhotoService | None = None  # photo pages: thumbs, flags, albums
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def available(self) -> bool:
        return self.model is not None

    def require(self) -> FaceModel:
        """The model; ``Conflict('faces_unavailable')`` (409) when people are off."""
        if self.model is None:
            raise Conflict("faces_unavailable", FACES_UNAVAILABLE)
        return self.model

    # -- tagging ---------------------------------------------------------------------------
    async def tag_photo(self, owner_id: str, photo_id: str, path: Path) -> list[Face]:
        """Detect and embed the faces of the photo at ``path`` (a preview or the original),
        and file each under the nearest person or a new one. Running it again replaces the
        photo's faces (idempotent); faces a user placed by hand on this photo are lost only if
        the detector no longer finds them."""
        model = self.require()
        found = await self.pool.run(FACES, input_bytes(self.settings.max_side), _detect, model, path, self.settings)
        # One owner's photos are filed one at a time in this process, so two jobs running
        # together cannot each make a new person for the same face (between instances the
        # re-cluster reconciles them).
        async with self._locks[owner_id]:
            old = {
                (f.seq, tuple(round(b, 3) for b in f.box)): f for f in await self.meta.photo_faces(owner_id, photo_id)
            }
            # Each person's mean embedding is kept on the person (one read of the people, not
            # of every face); people from before that are filled in from their faces once.
            people = {p.id: p for p in await self.meta.list_people(owner_id)}
            if any(p.centroid is None for p in people.values()):
                people = await self._store_centroids(owner_id, await self.meta.owner_faces(owner_id), people)
            known = {pid: (p.centroid, p.centroid_faces) for pid, p in people.items() if p.centroid}
            now = utcnow()
            faces: list[Face] = []
            touched: set[str] = set()
            for seq, (box, score, vector) in enumerate(found):
                before = old.get((seq, tuple(round(b, 3) for b in box)))
                face = Face(
                    id=before.id if before else new_id("fc_"),
                    owner_id=owner_id,
                    photo_id=photo_id,
                    seq=seq,
                    box=box,
                    score=score,
                    embedding=vector,
                    person_id=before.person_id if before else None,
                    pinned=before.pinned if before else False,
                    created_at=before.created_at if before else now,
                )
                if face.person_id is None and not face.pinned:
                    means = {pid: centroid for pid, (centroid, _) in known.items()}
                    face.person_id = nearest(vector, means, self.settings.match_distance)
                    if face.person_id is None:
                        person = Person(
                            id=new_id("pe_"), owner_id=owner_id, cover_face_id=face.id, created_at=now, updated_at=now
                        )
                        await self.meta.put_person(person)
                        face.person_id = person.id
                    known[face.person_id] = with_face(*known.get(face.person_id, ([], 0)), vector)
                    touched.add(face.person_id)
                faces.append(face)
            await self.meta.replace_photo_faces(owner_id, photo_id, faces)
            for pid in touched:
                centroid, count = known[pid]
                await self.meta.update_person(owner_id, pid, {"centroid": centroid, "centroid_faces": count}, now)
        return faces

    async def _store_centroids(
        self, owner_id: str, faces: list[Face], people: dict[str, Person], only: set[str] | None = None
    ) -> dict[str, Person]:
        """Write each person's mean embedding and face count from ``faces`` (all of the
        owner's): every person's, or those in ``only`` and any with none stored yet."""
        means = await asyncio.to_thread(centroids, faces)  # a library's faces: off the event loop
        counts = Counter(f.person_id for f in faces if f.person_id)
        out = dict(people)
        for pid, person in people.items():
            if only is not None and pid not in only and person.centroid is not None:
                continue
            mean = means.get(pid)
            changes = {"centroid": [float(x) for x in mean] if mean is not None else [], "centroid_faces": counts[pid]}
            updated = await self.meta.update_person(owner_id, pid, changes, utcnow())
            if updated is not None:
                out[pid] = updated
        return out

    async def recluster(self, owner_id: str) -> int:
        """Re-cluster every face of the owner with DBSCAN, keeping names, hides, merges and
        hand-placed faces; people left with no face are deleted unless named. Returns how
        many faces changed person.

        DBSCAN runs on the decode pool, behind thumbnails and previews, on a snapshot of the
        faces read outside the owner's lock, so tagging goes on meanwhile; the plan is applied
        under the lock to the faces that did not change since the snapshot (a face tagged,
        moved, merged or unassigned meanwhile keeps what it has now)."""
        self.require()
        faces = await self.meta.owner_faces(owner_id)
        named = {p.id for p in await self.meta.list_people(owner_id) if p.name}
        free = sum(1 for f in faces if not f.pinned)
        eps, min_faces = self.settings.cluster_eps, self.settings.cluster_min_faces
        plan = await self.pool.run(FACES, cluster_bytes(free), _plan, faces, eps, min_faces, named)
        async with self._locks[owner_id]:
            return await self._apply(owner_id, {f.id: (f.person_id, f.pinned) for f in faces}, plan)

    async def _apply(self, owner_id: str, seen: dict[str, tuple[str | None, bool]], plan: dict[str, str | None]) -> int:
        now_faces = await self.meta.owner_faces(owner_id)
        people = {p.id: p for p in await self.meta.list_people(owner_id)}
        # A person of the snapshot gone since (merged away, say) takes no faces back.
        gone = {pid for pid, _ in seen.values() if pid is not None} - people.keys()
        moved = [
            msgspec.structs.replace(f, person_id=plan[f.id])
            for f in now_faces
            if f.id in plan
            and plan[f.id] != f.person_id
            and plan[f.id] not in gone
            and seen.get(f.id) == (f.person_id, f.pinned)
        ]
        now = utcnow()
        for pid in {f.person_id for f in moved} - people.keys():
            if pid is not None:  # a cluster no person held: a new person, made only when used
                await self.meta.put_person(Person(id=pid, owner_id=owner_id, created_at=now, updated_at=now))
        await self.meta.update_faces(moved)
        was = {f.id: f.person_id for f in now_faces}
        by_id = {f.id: f for f in moved}
        final = [by_id.get(f.id, f) for f in now_faces]
        holding = {f.person_id for f in final}
        for pid, person in list(people.items()):
            if pid not in holding and person.name is None:
                await self.meta.delete_person(owner_id, pid)
                del people[pid]
        changed = {f.person_id for f in moved} | {was[f.id] for f in moved}
        people |= {p.id: p for p in await self.meta.list_people(owner_id) if p.id not in people}  # the new ones
        await self._store_centroids(owner_id, final, people, only={pid for pid in changed if pid})
        return len(moved)

    # -- what users see and do ---------------------------------------------------------------
    async def people(self, owner_id: str, *, include_hidden: bool = True) -> list[PersonView]:
        """The owner's people with a face, most faces first (named before unnamed on ties)."""
        faces = await self.meta.owner_face_refs(owner_id)
        by_person: dict[str, list[FaceRef]] = {}
        for face in faces:
            if face.person_id is not None:
                by_person.setdefault(face.person_id, []).append(face)
        views = []
        for person in await self.meta.list_people(owner_id):
            mine = by_person.get(person.id, [])
            if not mine or (person.hidden and not include_hidden):
                continue
            cover = next((f for f in mine if f.id == person.cover_face_id), None) or max(mine, key=lambda f: f.score)
            views.append(
                PersonView(
                    id=person.id,
                    name=person.name,
                    face_count=len(mine),
                    cover_photo_id=cover.photo_id,
                    cover_face_id=cover.id,
                    hidden=person.hidden,
                )
            )
        return sorted(views, key=lambda v: (-v.face_count, v.name is None, v.name or "", v.id))

    async def person_photo_ids(self, owner_id: str, person_id: str) -> list[str]:
        """The ids of the photos a person is in (each once)."""
        await self._person(owner_id, person_id)
        return sorted({f.photo_id for f in await self.meta.owner_face_refs(owner_id) if f.person_id == person_id})

    async def person_photos(self, user: User, person_id: str, after: tuple[str, str] | None, want: int) -> list[Photo]:
        """Up to ``want`` of the user's photos with this person, newest first, after the cursor."""
        ids = await self.person_photo_ids(user.id, person_id)
        found = await self.meta.get_photos(ids)
        shown = [p for p in found.values() if access.relation_to(user, p) == "owner"]
        shown.sort(key=lambda p: (p.sort_at, p.id), reverse=True)
        if after is not None:
            shown = [p for p in shown if (p.sort_at, p.id) < after]
        return shown[:want]

    async def photos_page(self, user: User, person_id: str, *, limit: int, cursor: str | None) -> PhotoPage:
        """A page of the person's photos, as ``PhotoService.page`` shapes every photo page."""
        assert self.photos is not None, "wired by the container"
        after = decode_cursor(cursor) if cursor else None
        return await self.photos.page(user, await self.person_photos(user, person_id, after, limit + 1), limit)

    async def photo_faces(self, user: User, photo_id: str) -> list[FaceView]:
        """The faces of a photo the user may see, named as its owner named them."""
        photo, _ = await access.relation(self.meta, user, photo_id)
        return await self.faces_on(photo)

    async def faces_on(self, photo: Photo) -> list[FaceView]:
        """The faces of ``photo`` (one the caller was already let see), named by its owner."""
        faces = await self.meta.photo_faces(photo.owner_id, photo.id)
        names = {p.id: p.name for p in await self.meta.list_people(photo.owner_id)} if faces else {}
        return [FaceView(id=f.id, person_id=f.person_id, name=names.get(f.person_id or ""), box=f.box) for f in faces]

    async def photo_sets(self, owner_id: str, keep: Callable[[Person], bool]) -> list[tuple[Person, frozenset[str]]]:
        """The owner's people that ``keep`` accepts, each with the ids of the photos they are
        in (people with no face left out). The faces are read only when someone is kept, so a
        search whose words name nobody costs one read of the owner's people."""
        kept = {p.id: p for p in await self.meta.list_people(owner_id) if keep(p)}
        if not kept:
            return []
        photos: dict[str, set[str]] = {}
        for face in await self.meta.owner_face_refs(owner_id):
            if face.person_id in kept:
                photos.setdefault(face.person_id, set()).add(face.photo_id)
        return [(kept[pid], frozenset(ids)) for pid, ids in photos.items()]

    async def find(self, owner_id: str, name: str) -> list[PersonView]:
        """People whose name contains ``name`` (case-insensitive): search by person."""
        wanted = name.casefold().strip()
        return [v for v in await self.people(owner_id) if wanted and v.name and wanted in v.name.casefold()]

    async def update(self, owner_id: str, person_id: str, changes: dict[str, Any]) -> Person:
        """Rename (``name``; empty clears) and hide or show (``hidden``)."""
        unknown = set(changes) - {"name", "hidden"}
        if unknown:
            raise Invalid("person_field_unknown", f"cannot change {sorted(unknown)}")
        if "name" in changes:
            name = changes["name"]
            if name is not None and (not isinstance(name, str) or len(name) > 200):
                raise Invalid("person_name_invalid", "a name is text of at most 200 characters")
            changes["name"] = (name.strip() or None) if name is not None else None
        if "hidden" in changes and not isinstance(changes["hidden"], bool):
            raise Invalid("person_hidden_invalid", "hidden is true or false")
        person = await self.meta.update_person(owner_id, person_id, changes, utcnow())
        if person is None:
            raise NotFound("person_not_found", "no such person")
        return person

    async def merge(self, owner_id: str, person_id: str, others: list[str]) -> Person:
        """Move every face of ``others`` to ``person_id`` (pinned, so re-clustering keeps the
        merge) and delete the others; the target keeps its name, or takes the first other's."""
        target = await self._person(owner_id, person_id)
        sources = [await self._person(owner_id, pid) for pid in others if pid != person_id]
        ids = {p.id for p in sources}
        faces = [f for f in await self.meta.owner_faces(owner_id) if f.person_id in ids]
        await self.meta.update_faces([msgspec.structs.replace(f, person_id=target.id, pinned=True) for f in faces])
        await self.meta.update_person(owner_id, target.id, {"centroid": None}, utcnow())  # filled in anew
        name = target.name or next((p.name for p in sources if p.name), None)
        if name != target.name:
            target = await self.update(owner_id, target.id, {"name": name})
        for source in sources:
            await self.meta.delete_person(owner_id, source.id)
        return target

    async def unassign(self, owner_id: str, photo_id: str, face_id: str) -> Face:
        """Take a face out of its person; re-clustering will not put it back."""
        face = next((f for f in await self.meta.photo_faces(owner_id, photo_id) if f.id == face_id), None)
        if face is None:
            raise NotFound("face_not_found", "no such face on this photo")
        was = face.person_id
        face = msgspec.structs.replace(face, person_id=None, pinned=True)
        await self.meta.update_faces([face])
        if was is not None:  # its mean embedding is filled in anew at the next tagging
            await self.meta.update_person(owner_id, was, {"centroid": None}, utcnow())
        return face

    async def get(self, owner_id: str, person_id: str) -> Person:
        """The owner's person; ``NotFound('person_not_found')`` otherwise."""
        return await self._person(owner_id, person_id)

    async def _person(self, owner_id: str, person_id: str) -> Person:
        person = await self.meta.get_person(owner_id, person_id)
        if person is None:
            raise NotFound("person_not_found", "no such person")
        return person
