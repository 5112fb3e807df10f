"""People (issue 18): faces found offline and clustered into people.

``load_model()`` is the one place that knows which ``FaceModel`` is installed: the
``auroravault[faces]`` extra brings dlib and its weights; without it the answer is None and
the feature is off (``FACES_UNAVAILABLE`` says so, plainly).
"""

from __future__ import annotations

from auroravault.faces.model import DetectedFace, FaceModel

FACES_UNAVAILABLE = "face recognition is not installed on this server: pip install 'auroravault[faces]'"


def load_model() -> FaceModel | None:
    """The installed face model, or None when its packages are missing."""
    try:
        from auroravault.faces.dlib_model import DlibFaceModel

        return DlibFaceModel()
    except ImportError:
        return None


__all__ = ["FACES_UNAVAILABLE", "DetectedFace", "FaceModel", "load_model"]
