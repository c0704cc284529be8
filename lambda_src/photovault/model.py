"""Domain model: a photo's lifecycle and everything the pipeline learns about it. Plain dataclasses."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

# A trashed photo is removed for good this long after it was trashed (the photo item's TTL, ``expires_at``).
TRASH_RETENTION_DAYS = 30
TRASH_RETENTION_SECONDS = TRASH_RETENTION_DAYS * 24 * 3600


class PhotoStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    REJECTED = "REJECTED"
    QUARANTINED = "QUARANTINED"
    DUPLICATE = "DUPLICATE"
    # The pipeline gave up on the upload (a fault, not the file): it ends here with a reason, like REJECTED.
    FAILED = "FAILED"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {PhotoStatus.READY, PhotoStatus.REJECTED, PhotoStatus.QUARANTINED, PhotoStatus.DUPLICATE, PhotoStatus.FAILED}
)


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Relative coordinates (0..1) of the image, as Rekognition gives them."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Label:
    """A thing the analyzer saw, with its confidence (0–100), categories, parent labels and where it is."""

    name: str
    confidence: float
    categories: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    instances: tuple[BoundingBox, ...] = ()


@dataclass(frozen=True, slots=True)
class DominantColor:
    """One of the photo's main colours and the share of the pixels it covers."""

    hex: str
    pixel_percent: float
    simplified: str = ""


@dataclass(frozen=True, slots=True)
class ImageQuality:
    """How bright, sharp and contrasted the photo is (the analyzer's 0–100 scores)."""

    brightness: float
    sharpness: float
    contrast: float | None = None


@dataclass(frozen=True, slots=True)
class ImageProperties:
    """The photo's dominant colours and quality scores."""

    dominant_colors: tuple[DominantColor, ...]
    quality: ImageQuality


@dataclass(frozen=True, slots=True)
class Face:
    """A detected face: where it is, how sure the detector is, and what it estimated of it."""

    box: BoundingBox
    confidence: float
    age_low: int | None = None
    age_high: int | None = None
    emotions: tuple[tuple[str, float], ...] = ()  # (type, confidence), strongest first
    smile: bool | None = None


@dataclass(frozen=True, slots=True)
class TextLine:
    """A line of text found in the photo."""

    text: str
    confidence: float
    box: BoundingBox | None = None


@dataclass(frozen=True, slots=True)
class ModerationLabel:
    """Unsafe content the moderation model saw (a photo over the threshold is QUARANTINED)."""

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
    # The label model's own top classes with their probability (0–1) before any roll-up into labels: the offline
    # classifier's ImageNet top 10, which its embedder reads; empty for Rekognition, which has no such list.
    classes: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Caption:
    """One sentence describing the photo, with its provenance: the model and prompt, or composed (``fallback``)."""

    text: str
    model_id: str
    prompt_version: str
    fallback: bool
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True, slots=True)
class GpsPosition:
    """Where the photo was taken, from its EXIF GPS tags (degrees; altitude in metres)."""

    latitude: float
    longitude: float
    altitude: float | None = None


def _folded(text: str) -> str:
    """Lowercase without accents, to tell names apart (``search.terms.fold``'s rule; the model imports no search)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Place:
    """Where a photo was taken, in words: its GPS position reverse-geocoded (``ports.Geocoder``). Any part may be
    empty (the sea has no city). Private to the owner, like the position itself."""

    city: str = ""
    region: str = ""
    country: str = ""
    country_code: str = ""  # ISO 3166-1 alpha-2 when the geocoder gives one
    geocoder: str = ""  # provenance: which index answered ("amazon-location:<index>", "reverse-geocode 1.6.6")

    @property
    def names(self) -> tuple[str, ...]:
        """City, region and country, most precise first, each once: a region named like its city (Zürich, canton
        "Zurich"; Tokyo, Tokyo) or a city-state is one name, however its accents are written."""
        seen: dict[str, str] = {}
        for name in (self.city, self.region, self.country):
            if name:
                seen.setdefault(_folded(name), name)
        return tuple(seen.values())


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
    """A rendition made from the original (thumbnail or preview), encoded and ready to store."""

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
    def revision(self) -> str:
        """Which object of the key this is: its version id, or its ETag when the event named no version."""
        return self.version_id or self.etag or ""

    @property
    def fingerprint(self) -> str:
        return f"s3://{self.bucket}/{self.key}#{self.revision}"


@dataclass(frozen=True, slots=True)
class PipelineError:
    """What stopped an attempt, for operators (``make inspect``): a stable code, the error's own words, and when."""

    code: str
    detail: str
    at: str  # ISO 8601


@dataclass(frozen=True, slots=True)
class Attempts:
    """The pipeline's bookkeeping of its attempts on a photo, as the claim, release and give-up writes left it.

    Never written through ``Photo``: only those conditional writes change it."""

    count: int = 0  # claims so far (every attempt, reprocessing included)
    held: bool = False  # a claim is held: an invocation is working on the photo, or died working on it
    lease_until: int = 0  # epoch seconds; the held claim is void after this
    last_error: PipelineError | None = None  # why the last attempt gave its claim back (cleared by a terminal write)


@dataclass(frozen=True, slots=True)
class Retry:
    """A PROCESSING photo waiting for its next attempt, derived from stored facts only (never a guess of when).

    ``cause`` is ``error`` when the last attempt hit a retryable fault and gave its claim back, ``interrupted`` when it
    stopped without a word (the invocation crashed or timed out: its lease ran out). ``since`` is when the wait began:
    the failed attempt's end, or the moment the interrupted attempt's lease ran out."""

    attempts: int
    cause: Literal["error", "interrupted"]
    since: str  # ISO 8601


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
    # The folder of the run that rendered ``derivatives`` (``media/<media_id>/``): new on every run, so a cached URL
    # never meets other bytes and a public URL names neither owner nor photo. None on items written before it: their
    # derivatives are at ``media/<sub>/<photo_id>/`` (``keys.photo_media_prefix``).
    media_id: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    source_fingerprint: str | None = None
    notified_at: str | None = None
    # What this photo contributes to the owner's index, exactly as last written: what a reprocess or a delete
    # must take back (recomputing it from the analysis would miss a failed run or a changed threshold).
    indexed_terms: tuple[str, ...] = ()
    indexed_labels: tuple[str, ...] = ()
    indexed_month: str | None = None  # "YYYY-MM": the owner's month counter this photo adds one to
    indexed_places: tuple[str, ...] = ()  # the owner's place counters (``GET /places``) this photo adds one to
    # Where it was taken in words (its GPS reverse-geocoded at ingest); None without GPS or when geocoding failed.
    place: Place | None = None
    # The owner's library state: set through the API, carried unchanged through (re)processing.
    favorite: bool = False
    trashed_at: str | None = None  # ISO 8601 UTC; set while the photo is in the trash
    album_ids: tuple[str, ...] = ()  # the albums it belongs to (kept while trashed, so a restore puts it back)
    # Optimistic lock of the item: every write of the library state or a terminal result bumps it, and a write
    # computed from a read only applies while the item is still at the revision read.
    revision: int = 0
    # The table's TTL attribute (epoch seconds). A PENDING upload gets one when it is requested: if its bytes never
    # arrive it is hidden from then on and DynamoDB deletes it later; the claim of its upload removes it.
    expires_at: int | None = None
    attempts: Attempts = field(default_factory=Attempts)  # read from the item; only the pipeline's writes change it

    def upload_expired(self, now_epoch: float) -> bool:
        """A PENDING upload whose bytes never arrived in time: no longer shown, and soon deleted by its TTL."""
        return self.status is PhotoStatus.PENDING and self.expires_at is not None and self.expires_at <= now_epoch

    def retry(self, now_epoch: float) -> Retry | None:
        """How this PROCESSING photo waits for its next attempt, or None while an attempt holds a live claim (or the
        photo is in any other state)."""
        if self.status is not PhotoStatus.PROCESSING or self.attempts.count < 1:
            return None
        if not self.attempts.held:  # the last attempt gave its claim back after a retryable failure
            error = self.attempts.last_error
            return Retry(self.attempts.count, "error", error.at if error else self.updated_at)
        if self.attempts.lease_until < now_epoch:  # the attempt never finished nor gave its claim back
            return Retry(self.attempts.count, "interrupted", iso_epoch(self.attempts.lease_until))
        return None

    @property
    def in_timeline(self) -> bool:
        """READY and not in the trash: in the timeline, search, facets, albums and shares."""
        return self.status is PhotoStatus.READY and self.trashed_at is None

    @property
    def on_map(self) -> bool:
        """In the timeline with a GPS position: one of the owner's map points (``GET /map``)."""
        return self.in_timeline and self.facts is not None and self.facts.gps is not None

    @property
    def local_time(self) -> str:
        """When the photo was taken as ``YYYY-MM-DDTHH:MM:SS``: EXIF time as the camera wrote it (its local time,
        any offset dropped), else the upload time (UTC). The timeline sorts by it and day headers read it."""
        source = self.facts.taken_at if self.facts and self.facts.taken_at else self.created_at
        return source[:19]

    @property
    def purge_at(self) -> int | None:
        """Epoch seconds after which a trashed photo is removed for good (the table's TTL); None outside the trash."""
        if self.trashed_at is None:
            return None
        return int(datetime.fromisoformat(self.trashed_at.replace("Z", "+00:00")).timestamp()) + TRASH_RETENTION_SECONDS


def iso_epoch(epoch: float) -> str:
    """Epoch seconds → ISO 8601 UTC with milliseconds and a ``Z`` (the format of every stored timestamp)."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Album:
    """A named set of the owner's photos. ``photo_count`` counts its photos in the timeline (trashed ones leave
    it until restored); ``cover_photo_id`` is the owner's choice, None means the album's first photo."""

    owner: str
    album_id: str
    name: str
    created_at: str
    updated_at: str
    photo_count: int = 0
    cover_photo_id: str | None = None


@dataclass(frozen=True, slots=True)
class SignOut:
    """A user's last "sign out everywhere": tokens issued up to ``valid_after`` (epoch seconds) are refused, except
    those of the authentication ``kept`` names (its Cognito ``origin_jti``)."""

    valid_after: int
    kept: str | None = None
    # The account is being (or has been) deleted by this job: every token is refused, whenever issued, except the
    # kept session following that job's progress (``account.sessions``).
    closing: str | None = None
