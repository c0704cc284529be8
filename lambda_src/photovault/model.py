"""Domain model: a photo's lifecycle and everything the pipeline learns about it. Plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PhotoStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    REJECTED = "REJECTED"
    QUARANTINED = "QUARANTINED"
    DUPLICATE = "DUPLICATE"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({PhotoStatus.READY, PhotoStatus.REJECTED, PhotoStatus.QUARANTINED, PhotoStatus.DUPLICATE})


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Relative coordinates (0..1) of the image, as Rekognition gives them."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    confidence: float
    categories: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    instances: tuple[BoundingBox, ...] = ()


@dataclass(frozen=True, slots=True)
class DominantColor:
    hex: str
    pixel_percent: float
    simplified: str = ""


@dataclass(frozen=True, slots=True)
class ImageQuality:
    brightness: float
    sharpness: float
    contrast: float | None = None


@dataclass(frozen=True, slots=True)
class ImageProperties:
    dominant_colors: tuple[DominantColor, ...]
    quality: ImageQuality


@dataclass(frozen=True, slots=True)
class Face:
    box: BoundingBox
    confidence: float
    age_low: int | None = None
    age_high: int | None = None
    emotions: tuple[tuple[str, float], ...] = ()  # (type, confidence), strongest first
    smile: bool | None = None


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    confidence: float
    box: BoundingBox | None = None


@dataclass(frozen=True, slots=True)
class ModerationLabel:
    name: str
    confidence: float
    parent: str = ""


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the image analyzer found. ``model_version`` is provenance (e.g. Rekognition LabelModelVersion)."""

    labels: tuple[Label, ...] = ()
    properties: ImageProperties | None = None
    faces: tuple[Face, ...] = ()
    text: tuple[TextLine, ...] = ()
    moderation: tuple[ModerationLabel, ...] = ()
    model_version: str = ""
    moderation_model_version: str = ""
    analyzer: str = ""  # "rekognition" | "local-offline" …
    units: int = 0  # billable image units consumed (one per API call)


@dataclass(frozen=True, slots=True)
class Caption:
    text: str
    model_id: str
    prompt_version: str
    fallback: bool
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True, slots=True)
class GpsPosition:
    latitude: float
    longitude: float
    altitude: float | None = None


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """Facts read from the file itself (after validation)."""

    format: str  # JPEG | PNG | WEBP | GIF | HEIF
    mime_type: str
    width: int  # upright (after EXIF orientation)
    height: int
    size_bytes: int
    sha256: str
    taken_at: str | None = None  # ISO 8601, from EXIF DateTimeOriginal
    camera_make: str | None = None
    camera_model: str | None = None
    gps: GpsPosition | None = None
    orientation: int = 1


@dataclass(frozen=True, slots=True)
class Derivative:
    kind: str  # "thumb" | "preview"
    data: bytes
    width: int
    height: int
    content_type: str = "image/webp"


@dataclass(frozen=True, slots=True)
class SourceObject:
    """The S3 object an event points at. ``fingerprint`` identifies this exact upload for idempotency."""

    bucket: str
    key: str
    owner: str
    photo_id: str
    version_id: str | None
    etag: str | None
    size: int | None = None

    @property
    def fingerprint(self) -> str:
        revision = self.version_id or self.etag or ""
        return f"s3://{self.bucket}/{self.key}#{revision}"


@dataclass(slots=True)
class Photo:
    """The photo item as the API and operators see it."""

    owner: str
    photo_id: str
    status: PhotoStatus
    created_at: str
    updated_at: str
    filename: str = ""
    content_type: str = ""
    reason_code: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    facts: ImageFacts | None = None
    analysis: Analysis | None = None
    caption: Caption | None = None
    derivatives: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> {key, width, height}
    provenance: dict[str, Any] = field(default_factory=dict)
    source_fingerprint: str | None = None
    notified_at: str | None = None
    # What this photo contributes to the owner's index, exactly as last written: what a reprocess or a delete
    # must take back (recomputing it from the analysis would miss a failed run or a changed threshold).
    indexed_terms: tuple[str, ...] = ()
    indexed_labels: tuple[str, ...] = ()
