"""Face detection with dlib's HOG + linear SVM frontal-face detector (compiled into the ``dlib-bin`` wheel).

It finds frontal and near-frontal faces down to ~40 px at the working size and gives a detection margin, not a
probability: the margin is squashed to 0–100 so that the default threshold (margin 0) reads ~80. Age range,
emotions and smile need models we do not ship, so they stay empty rather than invented.
"""

from __future__ import annotations

import importlib
import math
import threading
from typing import Any

import numpy as np
from PIL import Image

from photovault.model import BoundingBox, Face
from scripts.local_stack.offline.vision.runtime import Lazy

WORK_SIDE = 800  # with one 2x upsample the smallest face found is ~40 px here, ~5 % of the long side
_UPSAMPLE = 1
# dlib's own decision threshold is 0. Texture that looks like a face (the mission patch on the astronaut's suit)
# scores up to ~0.15 there, while real faces a detector should report score ~1 and more: 0.3 keeps them apart.
_MIN_MARGIN = 0.3


def _load_detector() -> Any:
    # dlib ships neither stubs nor py.typed; it is used through this one untyped handle.
    dlib = importlib.import_module("dlib")
    return dlib.get_frontal_face_detector()


_DETECTOR: Lazy[Any] = Lazy(_load_detector)
# dlib's detector keeps its feature pyramid in the object: two threads running it at once crash the process
# (seen as a segfault with two image sizes). A copy per thread costs ~1 s to build, so calls take turns.
_LOCK = threading.Lock()


def load() -> None:
    """Load the model now instead of on first use."""
    _DETECTOR.get()


def _confidence(margin: float) -> float:
    return round(100.0 / (1.0 + math.exp(-(1.4 + 2.5 * margin))), 2)


def _found(image: Image.Image) -> tuple[np.ndarray[Any, Any], list[tuple[Any, Face]]]:
    """The working pixels and each face found in them: dlib's rectangle and the face (box relative to the image)."""
    detector = _DETECTOR.get()
    work = image
    if max(image.size) > WORK_SIDE:
        work = image.copy()
        work.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BILINEAR)
    pixels = np.asarray(work.convert("RGB"))
    with _LOCK:
        rects, margins, _ = detector.run(pixels, _UPSAMPLE, _MIN_MARGIN)
    width, height = work.size
    found = []
    for rect, margin in zip(rects, margins, strict=True):
        left, top = max(0, rect.left()), max(0, rect.top())
        right, bottom = min(width, rect.right()), min(height, rect.bottom())
        if right <= left or bottom <= top:
            continue
        box = BoundingBox(
            left=round(left / width, 4),
            top=round(top / height, 4),
            width=round((right - left) / width, 4),
            height=round((bottom - top) / height, 4),
        )
        found.append((rect, Face(box=box, confidence=_confidence(float(margin)))))
    found.sort(key=lambda pair: -pair[1].confidence)
    return pixels, found


def detect(image: Image.Image) -> tuple[Face, ...]:
    """Faces in ``image`` (any size; analysed at ``WORK_SIDE``), most confident first, boxes relative to it."""
    return tuple(face for _, face in _found(image)[1])


def _load_recognition() -> tuple[Any, Any]:
    # dlib's 5-point landmark model (aligns the face) and its ResNet face descriptor (128 numbers; two photos of one
    # person are < 0.6 apart), both from the face-recognition-models wheel: nothing is downloaded.
    dlib = importlib.import_module("dlib")
    models = importlib.import_module("face_recognition_models")
    return (
        dlib.shape_predictor(models.pose_predictor_five_point_model_location()),
        dlib.face_recognition_model_v1(models.face_recognition_model_location()),
    )


_RECOGNITION: Lazy[tuple[Any, Any]] = Lazy(_load_recognition)


def describe(image: Image.Image) -> list[tuple[Face, np.ndarray[Any, Any]]]:
    """Each face in ``image`` (as ``detect`` finds them) with its 128-d descriptor, most confident first."""
    pixels, found = _found(image)
    if not found:
        return []
    predictor, encoder = _RECOGNITION.get()
    described = []
    with _LOCK:
        for rect, face in found:
            shape = predictor(pixels, rect)
            vector = np.asarray(encoder.compute_face_descriptor(pixels, shape, 0, 0.25), dtype=np.float32)
            described.append((face, vector))
    return described
