"""Near-duplicates: bursts and re-saved copies found by a perceptual hash (DESIGN.md "People,
places and events, offline").

``dhash`` is the 64-bit difference hash of an image: grey, shrunk to 9 x 8, one bit per
horizontal neighbour pair (is the left pixel brighter?). It survives re-encoding at another
quality, resizing and small shifts of the frame, and costs a resize of the thumbnail (a few lines
of Pillow and numpy instead of a dependency). ``groups`` joins photos whose hashes differ in at
most ``MAX_DISTANCE`` bits (single linkage: a burst drifting frame by frame stays one group).
Exact duplicates never reach here: the upload path refuses the same bytes twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

MAX_DISTANCE = 10  # of 64 bits; different photos of the test set are 20+ apart
_BITS = np.uint64(1) << np.arange(64, dtype=np.uint64)


def dhash(image: Image.Image) -> int:
    """The 64-bit difference hash of ``image`` (any mode and size)."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.int16)
    bits = (pixels[:, :-1] > pixels[:, 1:]).ravel()
    return int(np.bitwise_or.reduce(_BITS[bits])) if bits.any() else 0


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def groups(hashes: Sequence[tuple[str, int]], max_distance: int = MAX_DISTANCE) -> list[list[str]]:
    """Ids whose hashes lie within ``max_distance`` of one another, transitively: groups of two
    or more, each in input order, largest first (ties: the first id)."""
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
