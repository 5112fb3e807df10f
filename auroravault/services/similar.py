"""Near-duplicates: bursts and re-saved copies found by a perceptual hash (DESIGN.md "People,
places and events, offline").

Each photo's ``dhash`` (``imaging/perceptual``) is made from its thumbnail while it is
processed and stored on the photo. ``groups`` joins photos whose hashes differ in at most
``MAX_DISTANCE`` bits (single linkage: a burst drifting frame by frame stays one group).
Exact duplicates never reach here: the upload path refuses the same bytes twice.

``SimilarService.groups`` (``GET /similar``, kept until the library changes:
``services/library_cache``) reads the stored hashes of the owner's photos
(no file is read for them); a photo processed before hashes were stored is hashed from its
thumbnail on first look, kept in memory per process (keyed by photo id and content hash). It
lists the groups, each best first (most pixels, then largest file): the photo to keep, then
the extras.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Protocol

import msgspec
from PIL import Image

from auroravault.errors import NotFound
from auroravault.executors import run_in
from auroravault.imaging.perceptual import dhash
from auroravault.meta.base import Photo, User
from auroravault.meta.protocols import SearchStore
from auroravault.services.library_cache import ChangeFeed, LibraryCache
from auroravault.storage.base import BlobStore, thumb_key

MAX_DISTANCE = 10  # of 64 bits; different photos of the test set are 20+ apart


def groups(hashes: Sequence[tuple[str, int]], max_distance: int = MAX_DISTANCE) -> list[list[str]]:
    """Ids whose hashes lie within ``max_distance`` of one another, transitively: groups of two
    or more, each in input order, largest first (ties: the first id)."""
    import numpy as np  # lazily: the app starts without numpy (tests/places)

    ids = [i for i, _ in hashes]
    values = np.array([h for _, h in hashes], dtype=np.uint64)
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(ids) - 1):  # one vectorised row per photo: memory stays O(n)
        xor = np.bitwise_xor(values[i + 1 :], values[i])
        counts = np.unpackbits(xor.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)
        for j in np.nonzero(counts <= max_distance)[0]:
            a, b = root(i), root(i + 1 + int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    found: dict[int, list[str]] = {}
    for n, photo_id in enumerate(ids):
        found.setdefault(root(n), []).append(photo_id)
    out = [g for g in found.values() if len(g) > 1]
    out.sort(key=lambda g: (-len(g), ids.index(g[0])))
    return out


class SimilarGroup(msgspec.Struct, kw_only=True):
    photos: list[Photo]  # best first: the one to keep


def _hash_file(path: Path) -> int:
    with Image.open(path) as image:
        return dhash(image)


class SimilarMeta(SearchStore, ChangeFeed, Protocol):
    """What similar photos read: the photos, and the change feed that says when to read them again."""


class SimilarService:
    def __init__(self, meta: SimilarMeta, blobs: BlobStore, executor: Executor | None = None) -> None:
        self.meta = meta
        self.blobs = blobs
        self.executor = executor
        self._hashes: dict[tuple[str, str], int] = {}
        self.cache: LibraryCache[list[SimilarGroup]] = LibraryCache(meta)

    async def _hash(self, photo: Photo, folder: Path) -> int | None:
        if photo.dhash is not None:
            return int(photo.dhash, 16)
        key = (photo.id, photo.sha256)
        if key not in self._hashes:
            path = folder / photo.id
            try:
                await self.blobs.download_to(thumb_key(photo.owner_id, photo.id), path)
                self._hashes[key] = await run_in(self.executor, _hash_file, path)
            except (NotFound, OSError, ValueError):  # no thumb (yet), or not an image Pillow reads
                return None
            finally:
                path.unlink(missing_ok=True)
        return self._hashes[key]

    async def groups(self, user: User) -> list[SimilarGroup]:
        """The user's groups of similar photos, computed again only once their library changed
        (``services/library_cache``); the grouping runs off the event loop."""
        return await self.cache.get(user.id, lambda: self._groups(user))

    async def _groups(self, user: User) -> list[SimilarGroup]:
        from auroravault.services.trips import owner_photos

        photos = [p for p in await owner_photos(self.meta, user) if p.media_type == "image"]
        by_id = {p.id: p for p in photos}
        hashes: list[tuple[str, int]] = []
        with tempfile.TemporaryDirectory(prefix="similar-") as folder:
            for photo in photos:
                value = await self._hash(photo, Path(folder))
                if value is not None:
                    hashes.append((photo.id, value))
        out = []
        for ids in await asyncio.to_thread(groups, hashes):
            members = sorted((by_id[i] for i in ids), key=lambda p: (-(p.width or 0) * (p.height or 0), -p.size, p.id))
            out.append(SimilarGroup(photos=members))
        return out
