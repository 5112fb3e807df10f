"""Faces into people: the nearest person for a new face, and a whole re-cluster (DBSCAN).

Pure functions on embeddings and records; the service reads and writes the store.

- ``nearest``: a new face joins the person whose centroid is closest, if within ``threshold``.
- ``recluster``: DBSCAN (exact neighbours by blocked matrix products) over every face the user did not place by hand.
  Each cluster keeps the id of the existing person holding most of its faces (a named one
  first), so a person's name, hidden flag and merges (the merged faces are pinned) survive;
  faces a user pinned, and faces of a person a user named, stay where they are; a cluster no
  person holds becomes a new person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from auroravault.meta.protocols.people import Face

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float64]
NOISE = -1


def centroids(faces: Iterable[Face]) -> dict[str, Vectors]:
    """Each person's mean embedding."""
    import numpy as np  # lazily: the app starts without numpy

    groups: dict[str, list[list[float]]] = {}
    for face in faces:
        if face.person_id is not None:
            groups.setdefault(face.person_id, []).append(face.embedding)
    return {pid: np.asarray(vs, dtype=np.float64).mean(axis=0) for pid, vs in groups.items()}


def nearest(embedding: Sequence[float], known: Mapping[str, Sequence[float] | Vectors], threshold: float) -> str | None:
    """The person whose centroid is nearest to ``embedding``, if nearer than ``threshold``."""
    import numpy as np  # lazily: the app starts without numpy

    if not known:
        return None
    ids = list(known)
    distances = np.linalg.norm(np.stack([known[i] for i in ids]) - np.asarray(embedding), axis=1)
    best = int(np.argmin(distances))
    return ids[best] if distances[best] < threshold else None


def with_face(centroid: Sequence[float], count: int, embedding: Sequence[float]) -> tuple[list[float], int]:
    """A person's mean embedding and face count after one more face."""
    if count <= 0 or not centroid:
        return [float(x) for x in embedding], 1
    return [(c * count + x) / (count + 1) for c, x in zip(centroid, embedding, strict=True)], count + 1


#: Distances computed per block: rows x all faces, float32 (about 100 MB whatever the count).
BLOCK_CELLS = 25_000_000


def _neighbours(vectors: Vectors, eps: float) -> list[npt.NDArray[np.intp]]:
    """Every point's neighbours within ``eps`` (itself included), by blocked matrix products:
    exact, and in 128 dimensions far faster than a KD-tree, which degrades to a scan there."""
    import numpy as np  # lazily: the app starts without numpy

    data = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = (data * data).sum(axis=1)
    count = len(data)
    block = max(1, BLOCK_CELLS // count)
    found: list[npt.NDArray[np.intp]] = []
    limit = np.float32(eps * eps)
    for start in range(0, count, block):
        part = data[start : start + block]
        squared = norms[start : start + block, None] + norms[None, :] - 2.0 * (part @ data.T)
        rows, cols = np.nonzero(squared <= limit)
        found += np.split(cols, np.searchsorted(rows, np.arange(1, len(part))))
    return found


def dbscan(vectors: Vectors, eps: float, min_samples: int) -> npt.NDArray[np.int64]:
    """DBSCAN labels (``NOISE`` for outliers), clusters numbered in order of discovery."""
    import numpy as np  # lazily: the app starts without numpy

    count = len(vectors)
    labels = np.full(count, NOISE, dtype=np.int64)
    if count == 0:
        return labels
    neighbours = _neighbours(vectors, eps)
    core = np.fromiter((len(n) >= min_samples for n in neighbours), dtype=bool, count=count)
    cluster = 0
    for start in range(count):
        if labels[start] != NOISE or not core[start]:
            continue
        labels[start] = cluster
        stack = [start]
        while stack:
            point = stack.pop()
            if not core[point]:
                continue
            for other in neighbours[point]:
                if labels[other] == NOISE:
                    labels[other] = cluster
                    stack.append(other)
        cluster += 1
    return labels


def recluster(
    faces: Sequence[Face],
    eps: float,
    min_samples: int,
    new_person: Callable[[], str],
    named: Collection[str] = (),
) -> dict[str, str | None]:
    """The person of every face not pinned: ``{face_id: person_id or None}`` (None: noise).

    ``new_person()`` names a cluster that no existing person holds. ``named``: the people a
    user named. A cluster goes to the named person holding most of its faces, else to the
    person holding most; a face of a named person never moves to another person (two people
    the user named stay two, whatever the distances say), and noise keeps its person."""
    import numpy as np  # lazily: the app starts without numpy

    free = [f for f in faces if not f.pinned]
    if not free:
        return {}
    labels = dbscan(np.asarray([f.embedding for f in free], dtype=np.float64), eps, min_samples)
    votes: dict[int, Counter[str]] = {}
    for face, label in zip(free, labels, strict=True):
        if label != NOISE:
            votes.setdefault(int(label), Counter())
            if face.person_id is not None:
                votes[int(label)][face.person_id] += 1
    owner: dict[int, str] = {}
    taken: set[str] = set()
    # The biggest clusters choose first, so a person's id goes with the bulk of their faces.
    for label, counter in sorted(votes.items(), key=lambda kv: -sum(kv[1].values())):
        ranked = sorted(counter.items(), key=lambda kv: (kv[0] not in named, -kv[1]))
        choice = next((pid for pid, _ in ranked if pid not in taken), None)
        owner[label] = choice if choice is not None else new_person()
        taken.add(owner[label])
    plan: dict[str, str | None] = {}
    for face, label in zip(free, labels, strict=True):
        keep = label == NOISE or face.person_id in named
        plan[face.id] = face.person_id if keep else owner[int(label)]
    return plan
