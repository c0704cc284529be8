"""In-memory fakes of the ``Embedder`` and ``VectorIndex`` ports, with the same rules as the real ones: vectors are
compared by cosine, every query is scoped to its owner, a delete of nothing is fine.

``ConceptEmbedder`` puts each concept on its own axis and knows a few words for it, so "a cup of coffee" and a photo
captioned "espresso" land together while a cat photo stays far away — meaning without shared words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from photovault.errors import Throttled
from photovault.model import Analysis, Caption
from photovault.ports import Embedding, VectorHit

CONCEPTS: dict[str, tuple[str, ...]] = {
    "coffee": ("coffee", "espresso", "cup", "latte", "mug"),
    "cat": ("cat", "kitten", "tabby", "feline"),
    "rocket": ("rocket", "launch", "spaceship", "spacecraft"),
    "flower": ("flower", "blossom", "daisy", "petal"),
    "beach": ("beach", "sea", "sand", "shore"),
}
_AXES = list(CONCEPTS)
_NOISE = len(_AXES)  # every text also points a little this way: no vector is ever zero


@dataclass
class ConceptEmbedder:
    model_id: str = "concepts-v1"
    dimension: int = len(_AXES) + 1
    throttle_times: int = 0  # the next calls raise Throttled this many times
    fail_with: Exception | None = None
    photo_calls: int = 0
    text_calls: int = 0

    def vector_of(self, text: str) -> tuple[float, ...]:
        words = text.lower().replace(",", " ").replace(".", " ").split()
        vector = [0.0] * self.dimension
        for axis, concept in enumerate(_AXES):
            vector[axis] = float(sum(word in CONCEPTS[concept] for word in words))
        vector[_NOISE] = 0.3
        norm = math.sqrt(sum(x * x for x in vector))
        return tuple(x / norm for x in vector)

    def embed_photo(self, image: bytes, *, analysis: Analysis | None, caption: Caption | None) -> Embedding:
        self._maybe_fail()
        self.photo_calls += 1
        words = [caption.text if caption else ""] + [label.name for label in (analysis.labels if analysis else ())]
        return Embedding(vector=self.vector_of(" ".join(words)), model_id=self.model_id, images=1)

    def embed_text(self, text: str) -> Embedding:
        self._maybe_fail()
        self.text_calls += 1
        return Embedding(vector=self.vector_of(text), model_id=self.model_id, input_tokens=len(text.split()))

    def _maybe_fail(self) -> None:
        if self.throttle_times > 0:
            self.throttle_times -= 1
            raise Throttled("embedding model throttled")
        if self.fail_with is not None:
            raise self.fail_with


@dataclass
class InMemoryVectorIndex:
    vectors: dict[tuple[str, str], tuple[float, ...]] = field(default_factory=dict)
    queries: list[tuple[str, int]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)

    def put(self, owner: str, photo_id: str, embedding: Embedding) -> None:
        self.vectors[(owner, photo_id)] = embedding.vector

    def query(self, owner: str, vector: Sequence[float], *, top_k: int) -> list[VectorHit]:
        self.queries.append((owner, top_k))
        hits = [
            VectorHit(photo_id=photo_id, similarity=_cosine(stored, vector))
            for (who, photo_id), stored in self.vectors.items()
            if who == owner
        ]
        return sorted(hits, key=lambda hit: -hit.similarity)[:top_k]

    def delete(self, owner: str, photo_id: str) -> None:
        self.deleted.append((owner, photo_id))
        self.vectors.pop((owner, photo_id), None)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))
