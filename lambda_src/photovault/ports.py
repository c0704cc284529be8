"""Ports: the only way domain code talks to the world. Adapters (boto3, offline, in-memory fakes) implement them.

One module for every port of both functions: the worker's pipeline and the API's use cases share the photo and its
search terms. Positions (``Position``) are repository-level "where to continue" markers; the API wraps them in
signed cursors (``photovault.library.cursor``). A repository always builds partition keys from the ``owner``
argument, never from a position, so a position can at most move within the caller's own partition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol

from photovault.model import (
    Album,
    Analysis,
    BoundingBox,
    Caption,
    Face,
    ImageProperties,
    Label,
    ModerationLabel,
    Photo,
    PhotoStatus,
    PipelineError,
    Place,
    SignOut,
    SourceObject,
    TextLine,
)

if TYPE_CHECKING:  # only named in signatures: the worker's cold start does not load the jobs model
    from photovault.jobs.model import Job, JobError
    from photovault.people.model import Person, PersonFace

Position = Mapping[str, str]
# Where a search term was found: what the analysis saw (label, caption, text), what the file says (the day it was
# taken, its file name, the camera), where it was taken (its GPS position in words) or who is in it (a person's name).
MatchField = Literal["label", "caption", "text", "date", "filename", "camera", "place", "person"]

# ---------------------------------------------------------------- storage (worker)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object as the originals bucket holds it: size, ETag, version and declared content type."""

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

    def read(self, key: str) -> bytes:
        """The object's bytes (a derivative the pipeline wrote: small); ``ObjectMissing`` when it is gone."""

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix`` for good (every version); returns how many versions."""


# ---------------------------------------------------------------- places (worker)


class Geocoder(Protocol):
    """A GPS position into city, region and country (Amazon Location Service in AWS; the local stack injects its
    offline geocoder). Adapters raise ``TransientDependencyError`` (or ``Throttled``) for retryable failures."""

    name: str

    def place_of(self, latitude: float, longitude: float) -> Place | None:
        """The place at the position, or None where the index knows nothing (the open sea)."""


# ---------------------------------------------------------------- analysis (worker)


@dataclass(frozen=True, slots=True)
class LabelResult:
    """The labels and image properties of one analysis call."""

    labels: tuple[Label, ...]
    properties: ImageProperties | None
    model_version: str
    classes: tuple[tuple[str, float], ...] = ()  # see ``Analysis.classes``


@dataclass(frozen=True, slots=True)
class ModerationResult:
    """The moderation labels of one analysis call."""

    labels: tuple[ModerationLabel, ...]
    model_version: str


class ImageAnalyzer(Protocol):
    """Image understanding (Rekognition in AWS; the local stack injects its offline analyzer).

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
    """What a text model answered, with the tokens it billed."""

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


# ---------------------------------------------------------------- search terms


@dataclass(frozen=True, slots=True)
class TermMatch:
    """Why a photo matches a term: the field, its confidence (0–100) and the original word or label."""

    field: MatchField
    confidence: float
    source: str = ""


@dataclass(frozen=True, slots=True)
class TermPosting:
    """One search-term item (pk ``USER#<sub>#T#<term>``, sk ``PHOTO#<photo_id>``): written by the pipeline, read
    by search. One match per field the term was found through."""

    term: str
    photo_id: str
    matches: tuple[TermMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class PostingPage:
    """One page of a search term's postings and where the next page starts."""

    postings: list[TermPosting]
    next_position: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class LabelCount:
    """One of the owner's label facets: how many of their READY photos carry the label."""

    label: str
    count: int


class TermIndex(Protocol):
    """Search's reads of the owner's term partitions and facets (``photovault.search.query``)."""

    def term_postings(self, owner: str, term: str, *, limit: int, before: str | None) -> PostingPage:
        """Postings of ``term`` newest first (photo ids strictly older than ``before`` when given)."""

    def postings_for(self, owner: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], TermPosting]:
        """The postings that exist among the (term, photo_id) pairs (batched point reads)."""

    def labels(self, owner: str) -> list[LabelCount]:
        """The owner's label facets (one query on the facet partition)."""

    def places(self, owner: str) -> list[LabelCount]:
        """The owner's place facets — cities, regions, countries — (one query on the facet partition)."""


# ---------------------------------------------------------------- the photo aggregate


class ClaimState(StrEnum):
    CLAIMED = "CLAIMED"  # this invocation owns the work
    DONE = "DONE"  # this exact upload already reached a terminal state: skip
    IN_PROGRESS = "IN_PROGRESS"  # another invocation holds a live lease on this exact upload: retry later
    MISSING = "MISSING"  # no photo record (deleted by its owner, or never requested through the API): skip


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a photo for processing: the state found, and the lease token when it was granted."""

    state: ClaimState
    token: str = ""
    photo: Photo | None = None  # the item as it stood when claimed (filename, created_at …)
    reprocess: dict[str, object] | None = None  # the operator's reprocess request this claim consumed, if any


@dataclass(frozen=True, slots=True)
class PhotoPage:
    """One page of photos and where the next page starts."""

    photos: list[Photo]
    next_position: dict[str, str] | None = None


class PhotoRepository(Protocol):
    """The pipeline's side of the photo aggregate: claim, content hashes, terms and the terminal write."""

    def claim(self, source: SourceObject, *, now: str, lease_until: int, now_epoch: int) -> Claim:
        """Atomically take the work for this exact upload (idempotency on ``source.fingerprint``)."""

    def release(self, source: SourceObject, claim_token: str, *, now: str, error: PipelineError) -> None:
        """Give the claim back after a retryable failure so the next delivery can take it at once, recording ``error``
        (what the owner sees as "retrying" and operators in ``make inspect``)."""

    def give_up(
        self, source: SourceObject, *, reason_code: str, reason: str, error: PipelineError, now: str, now_epoch: int
    ) -> bool:
        """Mark the photo FAILED with a reason for its owner and ``error`` for operators, unless it has finished or
        another invocation holds a live claim on it; True when it was marked. A later claim takes a FAILED photo
        again (a redrive), and its terminal write clears the failure."""

    def claim_content_hash(self, owner: str, sha256: str, photo_id: str) -> str:
        """Record ``sha256`` for ``photo_id`` unless the owner already has it; returns the first photo id."""

    def finish(
        self, photo: Photo, postings: Sequence[TermPosting], claim_token: str, *, previous: Photo | None
    ) -> None:
        """Write the term items (dropping ``previous.indexed_terms`` no longer matching), then — only while
        ``claim_token`` still holds, else ``ClaimLost`` — move the photo to its terminal state and move the owner's
        label facets from ``previous.indexed_labels`` to ``photo.indexed_labels``, in one transaction."""

    def discard(self, photo: Photo, postings: Sequence[TermPosting]) -> None:
        """Take back what a run wrote for a photo deleted under it (terms, its content-hash record)."""

    def count_stored_bytes(self, photo: Photo) -> bool:
        """Add ``photo``'s stored bytes to its owner's quota — once however often it is called, and only while its
        upload is no longer open on the quota item (an open one is counted by the next request's settling). For a
        FAILED upload that was settled (its declared bytes given back) and then redriven to a state that keeps its
        bytes (``library.quota``). True when it was counted now."""

    def begin_notification(self, owner: str, photo_id: str, *, now_epoch: int, lease_seconds: int) -> bool:
        """True when this caller may announce the photo now (not announced yet, nobody else announcing)."""

    def end_notification(self, owner: str, photo_id: str, *, sent_at: str | None) -> None:
        """Record the announcement (``sent_at``) or give the lease back after a failed publish (None)."""

    def get(self, owner: str, photo_id: str) -> Photo | None:
        """The photo, strongly consistent; None when it does not exist (or belongs to someone else)."""

    def oldest_pending(self, *, since: str, limit: int) -> list[Photo]:
        """Every owner's PENDING photos requested at or after ``since`` (ISO 8601), oldest first, at most ``limit``:
        one Query of the operators' status index (gsi1), for the schedule's pending check — never a user path."""


class Collection(StrEnum):
    """The owner's library views: each is one Query per page on an index made for it."""

    TIMELINE = "timeline"  # READY, not trashed, by date taken
    FAVORITES = "favorites"  # the timeline's favourites, by date taken
    TRASH = "trash"  # by when they were trashed
    ATTENTION = "attention"  # unfinished, REJECTED, QUARANTINED, DUPLICATE, FAILED — by last change


@dataclass(frozen=True, slots=True)
class LibraryView:
    """One listing: a collection, its order and (timeline and favourites) a range of days taken, inclusive."""

    collection: Collection
    newest_first: bool = True
    since: str | None = None  # YYYY-MM-DD
    until: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class MonthCount:
    """How many of the owner's timeline photos were taken in ``month`` (``YYYY-MM``)."""

    month: str
    count: int


@dataclass(frozen=True, slots=True)
class Usage:
    """An owner's quota item as read (``library.quota`` says how it is kept): when each upload of the last hour was
    requested (epoch seconds, oldest first), the open uploads (photo id → declared bytes), the bytes counted, and the
    revision its next write checks."""

    recent: tuple[int, ...] = ()
    open: Mapping[str, int] = field(default_factory=dict)
    bytes: int = 0
    revision: int = 0


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A geotagged timeline photo as the map places it. Its thumbnail is asked for only when a marker shows it
    (``POST /media/urls``): a map holds every point, but draws a few hundred markers at most."""

    photo_id: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class MapPage:
    """One page of the owner's geotagged photos for the map."""

    points: list[MapPoint]
    next_position: dict[str, str] | None = None


class LibraryRepository(Protocol):
    """The API's side of the photo aggregate. Every method is scoped to ``owner``."""

    def create_pending(self, photo: Photo, usage: Usage) -> bool:
        """Write a new PENDING photo item (never overwrites an existing one) and the owner's quota item as ``usage``,
        in one transaction and only while the quota item is still at ``usage.revision``: False (nothing written)
        when it changed since it was read."""

    def usage(self, owner: str) -> Usage:
        """The owner's quota item, strongly consistent (an empty ``Usage`` for a new owner)."""

    def open_uploads(self, owner: str, photo_ids: Sequence[str]) -> dict[str, Photo]:
        """The photos that exist among ``photo_ids``, strongly consistent (one batched read), keyed by id."""

    def get(self, owner: str, photo_id: str) -> Photo | None:
        """The photo, strongly consistent; None when it does not exist (or belongs to someone else)."""

    def get_many(self, owner: str, photo_ids: Sequence[str], *, whole: bool = False) -> dict[str, Photo]:
        """The photos that exist among ``photo_ids`` (one batched read), keyed by id: what a listing shows of them,
        or with ``whole`` every attribute (what a change of their library state needs)."""

    def list_view(self, owner: str, view: LibraryView, *, limit: int, start: Position | None) -> PhotoPage:
        """One page of a library view, at most ``limit`` photos, continuing after ``start`` (one Query)."""

    def neighbours(self, photo: Photo) -> tuple[Photo | None, Photo | None]:
        """The timeline photos just newer and just older than ``photo`` (which must be in the timeline)."""

    def months(self, owner: str) -> list[MonthCount]:
        """The owner's month counters (one Query), any order."""

    def map_points(self, owner: str, *, limit: int, start: Position | None) -> MapPage:
        """One page of the owner's geotagged timeline photos, newest taken first (one Query of a sparse index that
        holds only those photos, projecting only what a point needs)."""

    def save_library_state(self, before: Photo, after: Photo, postings: Sequence[TermPosting]) -> bool:
        """Move the photo from ``before`` (as read) to ``after``: its favourite and trash state, its place in the
        library views and what it adds to the index (``indexed_terms``/``labels``/``month``). The term postings are
        written first, then — only while the item is still at ``before.revision`` and not being processed — the
        item together with the facet and month counter changes, atomically; then the terms ``after`` no longer
        has are deleted. False when the item is gone or changed since it was read."""

    def delete_forever(self, photo: Photo) -> bool:
        """Remove the trashed photo item (only while still at ``photo.revision`` and trashed), with the decrements of
        anything it still adds to the counters, atomically. False when it is gone, changed or not trashed. The rest
        (objects, terms, hash record, shares, memberships) is ``purge.service.PurgePhoto``'s, driven by the table's
        stream."""


# ---------------------------------------------------------------- albums


@dataclass(frozen=True, slots=True)
class AlbumPage:
    """One page of the owner's albums and where the next page starts."""

    albums: list[Album]
    next_position: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class MemberPage:
    """Photo ids of an album in date order."""

    photo_ids: list[str]
    next_position: dict[str, str] | None = None


class MembershipChange(StrEnum):
    DONE = "done"  # applied now, or already so (idempotent)
    NOT_FOUND = "not_found"  # no such album, or the photo is gone
    CONFLICT = "conflict"  # the photo is not in the timeline, or changed since it was read


class AlbumRepository(Protocol):
    """Albums (``USER#<sub>``/``ALBUM#<id>``) and their memberships (``USER#<sub>#ALBUM#<id>``/``PHOTO#<id>``,
    in date order through gsi4). A membership, the photo's ``album_ids`` and the album's ``photo_count`` change
    together, in one transaction."""

    def create(self, album: Album) -> None: ...

    def get(self, owner: str, album_id: str) -> Album | None: ...

    def get_many(self, owner: str, album_ids: Sequence[str]) -> dict[str, Album]: ...

    def list_albums(self, owner: str, *, limit: int, start: Position | None) -> AlbumPage:
        """The owner's albums, newest first (one Query)."""

    def update(
        self, owner: str, album_id: str, *, name: str | None, cover_photo_id: str | None, clear_cover: bool, now: str
    ) -> Album | None:
        """Rename and/or set the cover; None when there is no such album."""

    def delete(self, owner: str, album_id: str) -> bool:
        """Delete the album item and its memberships (photos stay). False when there was no such album."""

    def member_ids(
        self, owner: str, album_id: str, *, newest_first: bool, limit: int, start: Position | None
    ) -> MemberPage:
        """One page of the album's photo ids in date order (one Query)."""

    def add(self, album_id: str, photo: Photo) -> MembershipChange:
        """Put the timeline photo (as read) into the album."""

    def remove(self, album_id: str, photo: Photo) -> MembershipChange:
        """Take the photo (as read) out of the album, and the album out of the photo's ``album_ids``."""

    def detach(self, photo: Photo) -> int:
        """Trash and purge: delete the photo's memberships (each album's count goes down once), keep ``album_ids``.
        Returns how many memberships were still there (0 on a replay, or for a photo already in the trash)."""

    def attach(self, photo: Photo) -> None:
        """Restore: re-create the memberships of ``photo.album_ids`` (albums deleted since are skipped)."""


# ---------------------------------------------------------------- sharing


@dataclass(frozen=True, slots=True)
class Share:
    """A link to one photo (``photo_id``) or to one album (``album_id``; ``photo_id`` is empty)."""

    token: str
    owner: str
    photo_id: str
    created_at: str  # ISO 8601
    expires_at: int  # epoch seconds; also the table's TTL attribute
    max_views: int | None = None
    views: int = 0
    revoked: bool = False
    album_id: str | None = None

    @property
    def kind(self) -> Literal["photo", "album"]:
        return "album" if self.album_id is not None else "photo"


@dataclass(frozen=True, slots=True)
class SharePage:
    """One page of the owner's share links and where the next page starts."""

    shares: list[Share]
    next_position: dict[str, str] | None = None


class ShareRepository(Protocol):
    def create(self, share: Share) -> None:
        """Store a new share (the token is fresh; never overwrites)."""

    def get(self, token: str) -> Share | None: ...

    def list_for_owner(self, owner: str, *, limit: int, start: Position | None) -> SharePage:
        """The owner's shares, newest first."""

    def revoke(self, owner: str, token: str) -> bool:
        """Mark the owner's share revoked (idempotent). False when there is no such share of this owner."""

    def record_view(self, token: str, *, now_epoch: int) -> Share | None:
        """Atomically count one view while the share is valid (not revoked, not expired, views left).

        Returns the share after the increment, or None when the share is missing or no longer valid."""

    def delete_for_photo(self, owner: str, photo_id: str) -> int:
        """Delete every share of the owner's photo; returns how many were deleted."""

    def delete_for_album(self, owner: str, album_id: str) -> int:
        """Delete every share of the owner's album; returns how many were deleted."""


# ---------------------------------------------------------------- storage and URLs (API)


@dataclass(frozen=True, slots=True)
class PresignedPost:
    """A browser upload: the URL to POST to and the form fields the policy signs."""

    url: str
    fields: dict[str, str] = field(default_factory=dict)


class UploadPresigner(Protocol):
    """The originals bucket, seen from the API: browser uploads and downloads through short-lived URLs."""

    def presign_post(self, *, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        """A presigned POST for exactly ``key``, exactly ``content_type`` and 1..``max_bytes`` bytes."""

    def presign_get(self, *, key: str, expires_in: int, filename: str) -> str:
        """A presigned GET of the original, downloaded under ``filename``."""


class MediaUrlSigner(Protocol):
    """Signed URLs for the derivatives behind the CDN (CloudFront signed URLs in AWS)."""

    def sign(self, key: str, *, expires_at: int) -> str:
        """A URL for the derivatives object ``key`` valid until ``expires_at`` (epoch seconds)."""


# ---------------------------------------------------------------- notification


@dataclass(frozen=True, slots=True)
class PhotoEvent:
    """What the owner is told when a photo reaches a terminal state."""

    owner: str
    photo_id: str
    status: PhotoStatus
    subject: str
    message: str


class Notifier(Protocol):
    def publish(self, event: PhotoEvent) -> None: ...


# ---------------------------------------------------------------- purge (stream-driven cleanup of a removed photo)


class VersionedBucket(Protocol):
    """A versioned bucket, seen by code that deletes for good: every version and delete marker goes."""

    def delete_all_versions(self, key: str) -> int:
        """Delete every version and delete marker of exactly ``key``; returns how many."""

    def delete_all_versions_under(self, prefix: str) -> int:
        """Delete every version and delete marker of every key under ``prefix``; returns how many."""

    def delete_revision(self, key: str, revision: str, *, keep: str) -> int:
        """Delete the versions of exactly ``key`` that ``revision`` names (its version id, or its ETag), never one
        that ``keep`` names too; returns how many."""


class PhotoLeftovers(Protocol):
    """The table side of a purge: what a removed photo item pointed at."""

    def remove_leftovers(self, photo: Photo) -> int:
        """Delete, idempotently, every item ``photo`` (the item as it was removed) points at: its search-term items
        (``indexed_terms``) and its content-hash record while that still names this photo (album memberships are
        ``AlbumRepository.detach``'s). Never the owner's facet counters: whoever removed or trashed the photo item
        moved those in the same transaction. Returns how many deletes were sent. Also gives the photo's stored
        bytes back to its owner's quota, once however often it is called (``library.quota``)."""


# ---------------------------------------------------------------- jobs (async work in bounded steps)


class PhotoReader(Protocol):
    def get_many(self, owner: str, photo_ids: Sequence[str]) -> dict[str, Photo]:
        """The owner's photos among ``photo_ids`` (batched reads in the owner's partition only), keyed by id."""


class OriginalReader(Protocol):
    """The originals bucket, read as a stream (a job copies originals without holding one whole in memory)."""

    def chunks(self, key: str, *, chunk_size: int) -> Iterator[bytes]:
        """The current version's bytes, ``chunk_size`` at a time; ``ObjectMissing`` when there is no such object."""


@dataclass(frozen=True, slots=True)
class StoredPart:
    """One part of an export archive as stored: its key, version and size."""

    key: str
    version_id: str | None
    size: int


class ArchiveSink(Protocol):
    """A write-only byte stream that becomes one object when closed (S3 multipart upload; nothing kept whole)."""

    def write(self, data: bytes | bytearray | memoryview, /) -> int: ...

    def flush(self) -> None: ...

    def close(self) -> StoredPart:
        """Finish the object; it exists (whole) only from now on."""

    def abort(self) -> None:
        """Give up: nothing of it remains."""


class ExportStore(Protocol):
    """Where jobs write what they produce (``exports/<sub>/<job_id>/`` in the originals bucket)."""

    def open_part(self, key: str, *, content_type: str) -> ArchiveSink: ...

    def abort_unfinished(self, prefix: str) -> int:
        """Abort multipart uploads left under ``prefix`` by a step that died; returns how many."""

    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def get_bytes(self, key: str) -> bytes: ...


class ExportLinks(Protocol):
    def presign_get(self, *, key: str, version_id: str | None, filename: str, expires_in: int) -> str:
        """A short-lived GET of exactly this version of ``key``, downloaded as ``filename``."""


class JobRepository(Protocol):
    """Job items (``USER#<sub>`` / ``JOB#<id>``) and their inputs. Every method builds keys from ``owner``."""

    def create(self, job: Job, job_input: bytes) -> None:
        """Store a new job and its (encoded) input together; never overwrites."""

    def get(self, owner: str, job_id: str) -> Job | None: ...

    def read_input(self, owner: str, job_id: str) -> bytes:
        """The encoded input stored with the job (``photovault.jobs.model.decode_input``)."""

    def claim(self, owner: str, job_id: str, *, token: str, lease_until: int, now_epoch: int, now: str) -> Job | None:
        """Take the job for one step: only while it is unfinished and no live lease holds it; it is RUNNING under
        ``token`` until ``lease_until`` from then on. None when the job is missing, finished or leased by another."""

    def save(self, job: Job, *, token: str) -> bool:
        """Write state, progress, checkpoint, outputs, error and step count, and drop the lease — only while
        ``token`` still holds it. False when it no longer does (the step's work is then not recorded)."""

    def fail(self, owner: str, job_id: str, error: JobError, *, now: str) -> bool:
        """Mark an unfinished job FAILED whoever holds it (its last delivery is being given up). False when the job
        is missing or already finished."""

    def resume(self, owner: str, job_id: str, *, gave_up: str, now: str) -> bool:
        """Put a job that ended FAILED with the error code ``gave_up`` back to RUNNING from its last checkpoint (an
        operator's redrive once the cause is fixed). False for any other job: missing, finished, or failed for a
        reason of its own."""


class SessionRepository(Protocol):
    """The per-user last sign-out everywhere (``USER#<sub>`` / ``SESSIONS``)."""

    def signed_out(self, owner: str) -> SignOut | None:
        """The user's last sign-out everywhere; None when there was none."""

    def revoke_until(self, owner: str, sign_out: SignOut) -> SignOut:
        """Store ``sign_out`` unless a later one is stored (the time never moves back); what is stored afterwards."""

    def close(self, owner: str, sign_out: SignOut, *, expires_at: int) -> SignOut:
        """Store the account's deletion tombstone (``sign_out.closing`` names the job) unless one is stored already;
        the tombstone (what is stored afterwards) outlives the account's items until ``expires_at``."""


class PhotoCatalog(PhotoReader, Protocol):
    """Every photo item of an owner, whatever its state (trash and unfinished uploads included), in id order: what an
    export lists and an account deletion erases. One Query of the owner's partition per page."""

    def catalog(self, owner: str, *, limit: int, after: str | None) -> PhotoPage:
        """At most ``limit`` whole photos with ids after ``after``; ``next_position["after"]`` names the last one."""


class AccountItems(Protocol):
    """The table, as an account deletion sees it: every item of one owner, one bounded batch per call. Each call
    deletes what it finds and says how many; 0 means that part holds nothing more of the owner (so a call repeated
    after a crash is a no-op, and nothing needs a position)."""

    def delete_shares(self, owner: str, *, limit: int) -> int:
        """The owner's share links (their own partitions, found through gsi2)."""

    def delete_partition(self, pk: str, *, limit: int, prefix: str = "", keep: Sequence[str] = ()) -> int:
        """Items of partition ``pk`` (one of the owner's: built by ``keys``) whose sort key starts with ``prefix``,
        except the sort keys in ``keep``."""

    def album_ids(self, owner: str) -> list[str]:
        """The ids of the owner's albums (their membership partitions go with them)."""

    def forget_job(self, owner: str, job_id: str) -> None:
        """Delete the job and its input together (a step that died between the two could never run again)."""


class UserDirectory(Protocol):
    """The identity provider's users (Cognito)."""

    def delete_user(self, owner: str) -> bool:
        """Delete the user whose ``sub`` is ``owner``; False when there is none (already deleted): idempotent."""


class JobQueue(Protocol):
    def enqueue(self, owner: str, job_id: str) -> None:
        """Ask for the job's next step (at least once)."""


@dataclass(frozen=True, slots=True)
class GroupedMessage:
    """A message for the ingest queue: ``entry_id`` names it within one batch, ``group`` is its tenant."""

    entry_id: str
    body: str
    group: str


class WorkQueue(Protocol):
    def send_batch(self, messages: Sequence[GroupedMessage]) -> set[str]:
        """Send up to ten messages in one request; the ``entry_id``s SQS refused (the rest were sent). Raises when the
        request itself fails (then none was sent)."""


# ---------------------------------------------------------------- meaning: embeddings and the vector index


@dataclass(frozen=True, slots=True)
class Embedding:
    """A unit of meaning: ``vector`` (``dimension`` floats, compared by cosine) and what producing it cost."""

    vector: tuple[float, ...]
    model_id: str
    images: int = 0  # billable image inputs
    input_tokens: int = 0  # billable text tokens


class Embedder(Protocol):
    """Photos and query text into one vector space (Bedrock Titan Multimodal Embeddings in AWS; the local stack
    injects its offline embedder). Adapters raise ``TransientDependencyError`` (or ``Throttled``) for retryable
    failures."""

    model_id: str
    dimension: int

    def embed_photo(self, image: bytes, *, analysis: Analysis | None, caption: Caption | None) -> Embedding:
        """The photo's vector. ``image`` is the preview rendition (WebP); a text-only model reads the analysis."""

    def embed_text(self, text: str) -> Embedding:
        """The vector of what a person typed, comparable with photo vectors."""


@dataclass(frozen=True, slots=True)
class VectorHit:
    """A photo the vector index found near a query, and how near."""

    photo_id: str
    similarity: float  # cosine similarity to the query, -1..1


class VectorIndex(Protocol):
    """One vector per photo, always scoped to ``owner``: an adapter builds the owner filter itself, so no caller
    can ask for another user's vectors (S3 Vectors with ``owner`` as filterable metadata in AWS)."""

    def put(self, owner: str, photo_id: str, embedding: Embedding) -> None: ...

    def query(self, owner: str, vector: Sequence[float], *, top_k: int) -> list[VectorHit]:
        """The owner's ``top_k`` nearest photos, most similar first."""

    def delete(self, owner: str, photo_id: str) -> None:
        """Remove the photo's vector (idempotent: nothing to remove is fine)."""

    def delete_many(self, owner: str, photo_ids: Sequence[str]) -> None:
        """Remove the vectors of the owner's photos ``photo_ids`` (batched; idempotent)."""


# ---------------------------------------------------------------- notifications by e-mail (opt-in, one digest a burst)


@dataclass(frozen=True, slots=True)
class EmailOptIn:
    """The owner's opt-in: the address and the SNS subscription (filtered on ``owner`` and ``kind=digest``)."""

    address: str
    subscription: str


@dataclass(frozen=True, slots=True)
class PendingDigest:
    """What the owner's digest item holds: photos waiting for the next digest (``entries``, plus ``more`` that did
    not fit), when the burst began and last grew, when a timer was last queued, and a digest being sent (``sending``
    under the lease ``sending_token`` until ``sending_until``)."""

    entries: frozenset[str] = frozenset()
    more: int = 0
    version: int = 0  # how many adds ever: only grows, so a claim on a stale read fails
    first_at: int | None = None
    last_at: int | None = None
    timer_at: int | None = None
    sending: frozenset[str] = frozenset()
    sending_more: int = 0
    sending_token: str | None = None
    sending_until: int | None = None


class NotificationRepository(Protocol):
    """The owner's notification item (``USER#<sub>`` / ``NOTIFY``): the opt-in and the pending digest together, so
    that adding a photo to the digest is one conditional write that does nothing for someone who has not opted in."""

    def opt_in(self, owner: str) -> EmailOptIn | None: ...

    def save_opt_in(self, owner: str, opt_in: EmailOptIn) -> None: ...

    def forget(self, owner: str) -> None:
        """Remove the opt-in and any pending digest (the item goes)."""

    def add_to_digest(self, owner: str, entry: str, *, now: int, max_entries: int) -> PendingDigest | None:
        """Add ``entry`` (a set: adding it twice is adding it once) and move ``last_at`` to ``now``; past
        ``max_entries`` only ``more`` counts it. None when the owner has not opted in."""

    def timer_queued(self, owner: str, *, now: int) -> None: ...

    def pending(self, owner: str) -> PendingDigest | None: ...

    def claim_digest(self, owner: str, seen: PendingDigest, *, token: str, lease_until: int) -> bool:
        """Move the pending entries to ``sending`` under a lease — only while ``version`` is still ``seen``'s (no
        photo arrived since) and no other digest is being sent."""

    def take_over(self, owner: str, seen: PendingDigest, *, token: str, lease_until: int) -> bool:
        """Take an abandoned send (its lease ran out) for this delivery."""

    def digest_sent(self, owner: str, *, token: str) -> None:
        """Forget the sent digest (only while ``token`` still holds it)."""


class Subscriptions(Protocol):
    """E-mail subscriptions on the events topic (SNS), each filtered to one owner's digests."""

    def subscribe(self, owner: str, address: str) -> str:
        """Subscribe ``address``; returns the subscription's id (ARN)."""

    def unsubscribe(self, subscription: str) -> None:
        """Remove it; one already gone is fine."""

    def exists(self, subscription: str) -> bool:
        """False once it is gone (unsubscribed by the link in a mail, or by us)."""


class DigestMailer(Protocol):
    def publish_digest(self, owner: str, *, subject: str, message: str) -> None:
        """Publish on the events topic with ``owner`` and ``kind=digest``: only that owner's subscription gets it."""


class DigestTimer(Protocol):
    def schedule(self, owner: str, *, delay_seconds: int) -> None:
        """Ask for ``SendDigest(owner)`` in about ``delay_seconds`` (at least once; at most 15 minutes ahead)."""


# ---------------------------------------------------------------- people: faces grouped into persons


@dataclass(frozen=True, slots=True)
class IndexedFace:
    """A face the index found in an image and now holds under ``face_id``."""

    face_id: str
    box: BoundingBox
    confidence: float


@dataclass(frozen=True, slots=True)
class FaceMatch:
    """A face of the same owner's index that looks like the one searched for (``similarity`` 0–100)."""

    face_id: str
    photo_id: str
    similarity: float


class FaceIndex(Protocol):
    """Face vectors, kept apart per owner (Rekognition: one collection per owner; offline: one partition per owner).
    Every call names the owner and an adapter derives where to look from it alone, so a face can only ever be
    compared with faces of the same owner. Adapters raise ``TransientDependencyError`` for retryable failures."""

    name: str

    def index(self, owner: str, photo_id: str, image: bytes, *, max_faces: int) -> tuple[IndexedFace, ...]:
        """Find the faces in ``image`` (the JPEG rendition made for analysis) and keep them, biggest first."""

    def search(self, owner: str, face_id: str, *, limit: int) -> tuple[FaceMatch, ...]:
        """The owner's faces like ``face_id`` (itself excluded) above the adapter's match threshold, best first."""

    def remove(self, owner: str, face_ids: Sequence[str]) -> None:
        """Take the faces out of the index (idempotent: unknown ids are fine)."""

    def forget_owner(self, owner: str) -> int:
        """Drop everything the index keeps of the owner (account deletion; idempotent): how many things went."""


@dataclass(frozen=True, slots=True)
class PeoplePage:
    """One page of the owner's people and where the next page starts."""

    people: list[Person]
    next_position: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class FacePage:
    """One page of a person's faces and where the next page starts."""

    faces: list[PersonFace]
    next_position: dict[str, str] | None = None


class PeopleRepository(Protocol):
    """Persons (``USER#<sub>``/``PERSON#<id>``) and faces (``USER#<sub>#FACE``/``FACE#<photo_id>#<face_id>``; a
    person's active faces in date order through gsi4). Every method builds keys from ``owner``."""

    def person(self, owner: str, person_id: str) -> Person | None: ...

    def persons(self, owner: str, person_ids: Sequence[str]) -> dict[str, Person]: ...

    def people(self, owner: str, *, limit: int, start: Position | None) -> PeoplePage:
        """The owner's persons with at least one face outside the trash (one Query, filtered)."""

    def named(self, owner: str, token: str) -> list[str]:
        """Ids of the owner's persons whose name has the word ``token`` (one Query of the name index)."""

    def faces(self, owner: str, refs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], PersonFace]:
        """The faces that exist among (photo_id, face_id) pairs, keyed by the pair (batched point reads)."""

    def photo_faces(self, owner: str, photo_id: str) -> list[PersonFace]:
        """Every face recorded for the photo, active or not (one Query)."""

    def person_faces(self, owner: str, person_id: str, *, limit: int, start: Position | None) -> FacePage:
        """One page of the person's active faces, newest taken first (one Query of gsi4)."""

    def add(self, faces: Sequence[PersonFace], created: Sequence[Person]) -> None:
        """Store ``created`` persons and ``faces``; each active face adds one to its person's count."""

    def remove(self, faces: Sequence[PersonFace]) -> None:
        """Delete the faces; each one given as active (as just read) takes one off its person's count."""

    def set_active(self, faces: Sequence[PersonFace], active: bool) -> None:
        """Take the faces out of (or put them back into) their persons' listings and counts."""

    def move(self, faces: Sequence[PersonFace], person_id: str) -> None:
        """Give the faces to ``person_id`` (same owner), moving their counts along."""

    def rename(self, owner: str, person_id: str, name: str) -> Person | None:
        """Set the name (and the name index); None when there is no such person."""

    def delete_person(self, owner: str, person_id: str) -> None:
        """Delete the person item and its name index entries (its faces have been moved or removed)."""
