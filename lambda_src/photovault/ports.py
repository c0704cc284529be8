"""Ports: the only way domain code talks to the world. Adapters (boto3, offline, in-memory fakes) implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from photovault.model import (
    Face,
    ImageProperties,
    Label,
    ModerationLabel,
    Photo,
    PhotoStatus,
    SourceObject,
    TextLine,
)

# ---------------------------------------------------------------- storage


@dataclass(frozen=True, slots=True)
class StoredObject:
    size: int
    etag: str | None
    version_id: str | None
    content_type: str | None


class OriginalStore(Protocol):
    """The private originals bucket (read-only for the worker)."""

    def head(self, bucket: str, key: str) -> StoredObject | None:
        """Metadata of the object, or None when it no longer exists."""

    def read(self, bucket: str, key: str, version_id: str | None, max_bytes: int) -> bytes:
        """The object's bytes; never more than ``max_bytes`` (the caller checks the size first)."""


class MediaStore(Protocol):
    """The derivatives bucket."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def delete_prefix(self, prefix: str) -> int: ...


# ---------------------------------------------------------------- analysis


@dataclass(frozen=True, slots=True)
class LabelResult:
    labels: tuple[Label, ...]
    properties: ImageProperties | None
    model_version: str


@dataclass(frozen=True, slots=True)
class ModerationResult:
    labels: tuple[ModerationLabel, ...]
    model_version: str


class ImageAnalyzer(Protocol):
    """Image understanding (Rekognition in AWS, an offline pixel analyzer locally).

    Each method is one independent call; the pipeline runs them in parallel. ``image`` is a JPEG ≤ 5 MB.
    Adapters raise ``photovault.errors.TransientDependencyError`` (or ``Throttled``) for retryable failures.
    """

    name: str

    def detect_labels(self, image: bytes) -> LabelResult: ...

    def detect_faces(self, image: bytes) -> tuple[Face, ...]: ...

    def detect_text(self, image: bytes) -> tuple[TextLine, ...]: ...

    def detect_moderation(self, image: bytes) -> ModerationResult: ...


@dataclass(frozen=True, slots=True)
class GeneratedText:
    text: str
    model_id: str
    input_tokens: int
    output_tokens: int


class TextGenerator(Protocol):
    """A multimodal model (Bedrock Converse in AWS). Any exception means "no caption"; the caller falls back."""

    model_id: str

    def generate(
        self, *, system: str, prompt: str, image: bytes, image_format: str, max_tokens: int
    ) -> GeneratedText: ...


# ---------------------------------------------------------------- records


class ClaimState(StrEnum):
    CLAIMED = "CLAIMED"  # this invocation owns the work
    DONE = "DONE"  # this exact upload already reached a terminal state: skip
    IN_PROGRESS = "IN_PROGRESS"  # another invocation holds a live lease on this exact upload: retry later
    MISSING = "MISSING"  # no photo record (deleted by its owner, or never requested through the API): skip


@dataclass(frozen=True, slots=True)
class Claim:
    state: ClaimState
    token: str = ""
    photo: Photo | None = None  # the item as it stood when claimed (filename, created_at …)
    reprocess: dict[str, object] | None = None  # the operator's reprocess request this claim consumed, if any


@dataclass(frozen=True, slots=True)
class TermHit:
    """One search-term item: ``term`` matched this photo through ``field`` (label | caption | text)."""

    term: str
    field: str
    confidence: float
    source: str  # the original word or label that produced the term


class PhotoRepository(Protocol):
    """Pipeline-side persistence of photos, search terms, content hashes and facets (DynamoDB)."""

    def claim(self, source: SourceObject, *, now: str, lease_until: int, now_epoch: int) -> Claim:
        """Atomically take the work for this exact upload (idempotency on ``source.fingerprint``)."""

    def release(self, source: SourceObject, claim_token: str, *, now: str) -> None:
        """Give the claim back after a retryable failure so the next delivery can take it at once."""

    def claim_content_hash(self, owner: str, sha256: str, photo_id: str) -> str:
        """Record ``sha256`` for ``photo_id`` unless the owner already has it; returns the first photo id."""

    def finish(self, photo: Photo, hits: Sequence[TermHit], claim_token: str, *, previous: Photo | None) -> None:
        """Write the term items (dropping ``previous.indexed_terms`` no longer matching), then — only while
        ``claim_token`` still holds, else ``ClaimLost`` — move the photo to its terminal state and move the owner's
        label facets from ``previous.indexed_labels`` to ``photo.indexed_labels``, in one transaction."""

    def discard(self, photo: Photo, hits: Sequence[TermHit]) -> None:
        """Take back what a run wrote for a photo deleted under it (terms, its content-hash record)."""

    def begin_notification(self, owner: str, photo_id: str, *, now_epoch: int, lease_seconds: int) -> bool:
        """True when this caller may announce the photo now (not announced yet, nobody else announcing)."""

    def end_notification(self, owner: str, photo_id: str, *, sent_at: str | None) -> None:
        """Record the announcement (``sent_at``) or give the lease back after a failed publish (None)."""

    def get(self, owner: str, photo_id: str) -> Photo | None: ...


# ---------------------------------------------------------------- notification


@dataclass(frozen=True, slots=True)
class PhotoEvent:
    owner: str
    photo_id: str
    status: PhotoStatus
    subject: str
    message: str


class Notifier(Protocol):
    def publish(self, event: PhotoEvent) -> None: ...
