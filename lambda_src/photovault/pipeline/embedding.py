"""The embedding step: the photo's vector into its owner's vector index, with throttling retried like analysis.

A photo never fails for want of a vector: when the model or the index stays unavailable past the deadline (or
answers something unusable), the photo is still READY (findable by its words) and its provenance says why it has
no vector, so ``make reprocess ARGS="--steps embed"`` can add it later without repeating the paid analyses.
"""

from __future__ import annotations

from dataclasses import dataclass

from photovault.errors import PhotoVaultError
from photovault.model import Analysis, Caption
from photovault.pipeline.analysis import CallStats, RetryPolicy, call_with_retry
from photovault.ports import Embedder, Embedding, VectorIndex


@dataclass(frozen=True, slots=True)
class EmbeddingRun:
    """The outcome of embedding one photo and storing its vector, with what the model billed."""

    embedding: Embedding | None  # None: the photo has no vector (``error`` says why)
    retries: int
    error: str | None = None
    images: int = 0  # what the model billed, even when storing the vector then failed
    input_tokens: int = 0

    def provenance(self, embedder: Embedder, at: str) -> dict[str, object]:
        """What the photo's provenance records about this step."""
        if self.embedding is None:
            return {"embedding_model_id": embedder.model_id, "embedding_error": self.error or "unknown"}
        return {
            "embedding_model_id": self.embedding.model_id,
            "embedding_dimension": len(self.embedding.vector),
            "embedded_at": at,
        }


def embed_and_index(
    embedder: Embedder,
    vectors: VectorIndex,
    *,
    owner: str,
    photo_id: str,
    preview: bytes,
    analysis: Analysis | None,
    caption: Caption | None,
    deadline: float,
    policy: RetryPolicy,
) -> EmbeddingRun:
    """Embed the preview and store the vector; transient failures past ``deadline`` end as a recorded error."""
    stats = CallStats()
    embedding: Embedding | None = None
    try:
        embedding = call_with_retry(
            lambda: embedder.embed_photo(preview, analysis=analysis, caption=caption),
            deadline=deadline,
            policy=policy,
            stats=stats,
        )
        stored = embedding
        call_with_retry(lambda: vectors.put(owner, photo_id, stored), deadline=deadline, policy=policy, stats=stats)
    except Exception as exc:  # any failure: the photo stays findable by its words; provenance keeps the reason
        code = exc.code if isinstance(exc, PhotoVaultError) else type(exc).__name__
        return EmbeddingRun(
            embedding=None,
            retries=stats.retries,
            error=f"{code}: {exc}"[:300],
            images=embedding.images if embedding else 0,
            input_tokens=embedding.input_tokens if embedding else 0,
        )
    return EmbeddingRun(
        embedding=embedding, retries=stats.retries, images=embedding.images, input_tokens=embedding.input_tokens
    )
