"""The ``FaceModel`` seam: find faces in an image and turn each into a vector.

One model is one object with two verbs. ``detect`` takes an RGB ``uint8`` array of shape
``(h, w, 3)`` (already oriented and downscaled by the caller: a model never sees an original)
and returns the faces it found; ``embed`` takes the same array and those faces and returns one
unit-length vector per face, in the same order, such that two faces of one person are closer
(Euclidean) than ``same_person_distance`` and two people's usually further.

Implementations sit beside this file (``dlib_model.py``); ``auroravault.faces.load_model``
returns the one that is installed, or None (the feature is then off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import msgspec

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]


class DetectedFace(msgspec.Struct, frozen=True):
    box: tuple[int, int, int, int]  # x, y, w, h in pixels of the image detect was given
    score: float  # the detector's confidence; higher is surer
    landmarks: tuple[tuple[int, int], ...] = ()  # eye corners and nose, where the model gives them


class FaceModel(Protocol):
    """Detect faces, then embed them. Thread-safe calls are not promised: one per thread."""

    name: str
    dimensions: int
    same_person_distance: float

    def detect(self, image: Image) -> list[DetectedFace]: ...

    def embed(self, image: Image, faces: list[DetectedFace]) -> list[list[float]]: ...
