"""Text in photos with RapidOCR (PP-OCRv6 detection + recognition ONNX models shipped in the ``rapidocr`` wheel).

The engine is built once per process with one onnxruntime thread per session; its object keeps per-call state,
so calls are serialised with a lock (they would contend for the same core anyway).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

from photovault.model import BoundingBox, TextLine
from scripts.local_stack.offline.vision.runtime import Lazy

MAX_SIDE = 1920  # the analyzer input is typically at most this; larger inputs are scaled down first
DETECT_SIDE = 960  # detection runs with the long side limited to this: PaddleOCR's reference setting
MIN_SCORE = 0.5  # recognition confidence below which lines are mostly noise on photos
SHORT_MIN_SCORE = 0.9  # one to three characters: photos are full of edges that read as "0", "8" or "G"
_LOCK = threading.Lock()


def _plausible(text: str, score: float) -> bool:
    characters = sum(ch.isalnum() for ch in text)
    if characters == 0:
        return False
    return score >= (SHORT_MIN_SCORE if characters < 4 else MIN_SCORE)


def _load_engine() -> Any:
    from rapidocr import RapidOCR

    return RapidOCR(
        params={
            "Global.log_level": "error",
            "Global.text_score": MIN_SCORE,
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.limit_type": "max",
            "Det.limit_side_len": DETECT_SIDE,
        }
    )


_ENGINE: Lazy[Any] = Lazy(_load_engine)


def load() -> None:
    """Load the model now instead of on first use."""
    _ENGINE.get()


def detect(image: Image.Image) -> tuple[TextLine, ...]:
    """Lines of text, top to bottom, with recognition confidence 0–100 and boxes relative to ``image``."""
    engine = _ENGINE.get()
    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    with _LOCK:
        result = engine(bgr)
    if result.txts is None or result.boxes is None or result.scores is None:
        return ()
    width, height = image.size
    lines = []
    for points, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        cleaned = " ".join(str(text).split())
        if not _plausible(cleaned, float(score)):
            continue
        xs, ys = np.asarray(points)[:, 0], np.asarray(points)[:, 1]
        left, top = max(0.0, float(xs.min())), max(0.0, float(ys.min()))
        right, bottom = min(float(width), float(xs.max())), min(float(height), float(ys.max()))
        box = BoundingBox(
            left=round(left / width, 4),
            top=round(top / height, 4),
            width=round(max(0.0, right - left) / width, 4),
            height=round(max(0.0, bottom - top) / height, 4),
        )
        lines.append(TextLine(text=cleaned, confidence=round(float(score) * 100, 2), box=box))
    return tuple(
        sorted(lines, key=lambda line: (line.box.top if line.box else 0.0, line.box.left if line.box else 0.0))
    )
