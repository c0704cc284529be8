"""The HTTP API's contract, v1: one pydantic model per request and response shape, and nothing else crosses the edge.

Responses are built by ``photovault.api.mappers`` from domain objects; every response model forbids extra fields,
so a storage attribute (owner, S3 keys, index bookkeeping, provenance) cannot leak by accident. Timestamps are ISO
8601 UTC with a ``Z``; expiries are epoch seconds; confidences are percentages (0–100); lists are
``{items, cursor}``. ``docs/openapi.json`` is generated from these models (``make openapi``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from photovault.jobs.model import JobState
from photovault.library.albums import MAX_NAME_LENGTH
from photovault.library.service import MAX_SELECTION, Action
from photovault.model import TRASH_RETENTION_DAYS, PhotoStatus
from photovault.sharing.policy import MAX_EXPIRES_IN, MAX_VIEWS, MIN_EXPIRES_IN, ShareState

# defer_build: a model's validator and serializer are built at its first use, not at import, so a cold start pays
# only for the shapes its request touches (issue 18).
_IN = ConfigDict(extra="forbid", strict=True, defer_build=True)
_OUT = ConfigDict(extra="forbid", defer_build=True)


Confidence = Annotated[float, Field(ge=0, le=100, description="Percent")]
Id = Annotated[str, Field(min_length=1, max_length=64, description="A photo or album id (UUIDv7)")]
Selection = Annotated[list[Id], Field(min_length=1, max_length=MAX_SELECTION, description="1 to 100 photo ids")]
MatchField = Literal["label", "caption", "text", "date", "filename", "camera", "place", "person"]


# ---------------------------------------------------------------- requests


class UploadRequest(BaseModel):
    model_config = _IN

    filename: str = Field(min_length=1, max_length=1024, examples=["beach.jpg"])
    content_type: str = Field(min_length=1, max_length=100, examples=["image/jpeg"])
    size: int = Field(gt=0, le=2**53, description="Size of the file in bytes", examples=[2_400_000])


class ShareRequest(BaseModel):
    """A photo's or an album's share link. ``max_views``: an album link counts one view per opening (its first
    page), a photo link one per opening."""

    model_config = _IN

    expires_in: int = Field(ge=MIN_EXPIRES_IN, le=MAX_EXPIRES_IN, description="Seconds (1 minute to 30 days)")
    max_views: int | None = Field(default=None, ge=1, le=MAX_VIEWS)


class ActionRequest(BaseModel):
    """One action on a selection of at most 100 photos; send a larger selection in chunks of 100 (each chunk is
    idempotent, so a retried chunk is harmless). ``album_id`` is required by add_to_album and remove_from_album."""

    model_config = _IN

    action: Action = Field(strict=False)  # JSON has no enums: the action's name
    photo_ids: Selection
    album_id: Id | None = None


class PhotoIdsRequest(BaseModel):
    model_config = _IN

    photo_ids: Selection


class AlbumCreateRequest(BaseModel):
    model_config = _IN

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["Lisbon, June"])


class AlbumUpdateRequest(BaseModel):
    """Rename, and/or choose the cover: one of the album's photos, or null for its first photo."""

    model_config = _IN

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_LENGTH)
    cover_photo_id: Id | None = None


class SignOutRequest(BaseModel):
    """Sign out everywhere. ``keep_this_session`` keeps the calling session (after a password change or reset: every
    other device is signed out, this one stays)."""

    model_config = _IN

    keep_this_session: bool = False


class DeletionRequest(BaseModel):
    """Delete my account, for good: every photo (every stored version), album, share, job and setting, then the
    sign-in itself. ``confirm`` must be the word DELETE, as the person typed it."""

    model_config = _IN

    confirm: Literal["DELETE"]


class Usage(BaseModel):
    """What the caller's vault holds: the photos of the timeline, and the bytes the storage quota counts (originals
    as uploaded of every photo the vault keeps, trash included, and unfinished uploads at their declared size;
    thumbnails and previews are not counted), against the limit."""

    model_config = _OUT

    photos: int = Field(ge=0, description="Photos in the timeline (not the trash, nor unfinished or refused uploads)")
    bytes: int = Field(ge=0, description="Bytes counted against the storage quota")
    quota_bytes: int = Field(gt=0, description="The storage quota: an upload that would pass it is refused (429)")


class SignedOut(BaseModel):
    """Tokens issued at or before ``tokens_valid_after`` (epoch seconds) are refused from now on."""

    model_config = _OUT

    tokens_valid_after: int


class NotificationSettingsRequest(BaseModel):
    """``email``: e-mail me (one digest per burst) when my photos are ready or need attention. The address is the
    account's own, never a field of the request."""

    model_config = _IN

    email: bool


class NotificationSettings(BaseModel):
    """Whether digests are e-mailed, and to which address (the account's)."""

    model_config = _OUT

    email: bool
    address: str | None = None


# ---------------------------------------------------------------- errors and meta


class FieldError(BaseModel):
    model_config = _OUT

    field: str = Field(description="Where: body.<name>, query.<name> or path.<name>")
    message: str


class ErrorDetails(BaseModel):
    """What a client can act on; only the keys that apply to the error are present."""

    model_config = _OUT

    field: str | None = Field(default=None, description="The body field or parameter at fault")
    errors: list[FieldError] | None = Field(default=None, description="Every invalid field (400 invalid_input)")
    allowed: list[str] | None = Field(default=None, description="Accepted methods (405) or content types (415)")
    max_bytes: int | None = Field(default=None, description="The upload size limit (413)")
    status: PhotoStatus | None = Field(default=None, description="The photo's status when it cannot be shared (409)")
    limit: Literal["uploads_per_hour", "pending", "bytes", "concurrent"] | None = Field(
        default=None, description="The upload quota that refused the upload (429 quota_exceeded)"
    )


class Error(BaseModel):
    """Every error: a stable machine-readable code, a sentence for people, and optional details."""

    model_config = _OUT

    code: str = Field(examples=["not_found"])
    message: str
    details: ErrorDetails | None = None


class Health(BaseModel):
    model_config = _OUT

    status: Literal["ok"] = "ok"


# ---------------------------------------------------------------- uploads


class UploadCreated(BaseModel):
    """The PENDING photo ``photo_id`` exists; POST ``fields`` (then the file, last) as multipart/form-data to ``url``
    before ``expires_at``, then follow ``GET /photos/{photo_id}`` until its status is final."""

    model_config = _OUT

    photo_id: str
    url: str
    fields: dict[str, str]
    expires_at: int
    max_bytes: int = Field(description="The most bytes S3 accepts with this form: the size declared in the request")


# ---------------------------------------------------------------- photos


class MediaUrls(BaseModel):
    """Signed URLs, all valid until ``expires_at`` (epoch seconds); a client renews them by fetching again."""

    model_config = _OUT

    expires_at: int
    thumb: str | None = Field(description="320 px WebP; null until the photo is READY")
    preview: str | None = Field(description="1600 px WebP; null until the photo is READY")
    original: str | None = Field(description="The file as uploaded: only in a READY photo's detail, null elsewhere")


class PhotoReason(BaseModel):
    """Why a photo is not READY: a stable code and a sentence for its owner."""

    model_config = _OUT

    code: str = Field(examples=["corrupt_image", "moderation", "duplicate"])
    message: str


class PhotoRetry(BaseModel):
    """A PROCESSING photo whose last attempt did not finish: the pipeline tries it again on its own. Derived from what
    the pipeline recorded, never from a timer; after the last attempt the photo becomes FAILED with a reason."""

    model_config = _OUT

    attempts: int = Field(ge=1, description="Attempts made so far")
    cause: Literal["error", "interrupted"] = Field(
        description="error: the last attempt hit a temporary fault (a service it needs failed); "
        "interrupted: the last attempt stopped without finishing (the worker was stopped or ran out of time)"
    )
    since: str = Field(description="When the photo started waiting for its next attempt")


class PhotoSummary(BaseModel):
    """A photo as a gallery tile or search hit shows it."""

    model_config = _OUT

    id: str
    status: PhotoStatus = Field(
        description="PENDING and PROCESSING change; every other status is final. A PENDING upload whose file never "
        "arrived disappears once its upload form has expired (plus a grace period)"
    )
    filename: str
    uploaded_at: str
    taken_at: str | None = Field(description="From the file's EXIF, as written by the camera")
    day: str = Field(
        description="YYYY-MM-DD the timeline files the photo under: the day taken in the camera's own local time, "
        "else the upload day (UTC). Day and month headers read it",
        examples=["2023-07-04"],
    )
    favorite: bool
    trashed_at: str | None = Field(description="When it was moved to the trash; null outside the trash")
    width: int | None = Field(description="Upright pixels, once the file was read")
    height: int | None
    caption: str | None
    reason: PhotoReason | None = Field(description="Set for REJECTED, QUARANTINED, DUPLICATE and FAILED")
    duplicate_of: str | None = Field(description="The id of the photo a DUPLICATE repeats")
    urls: MediaUrls
    retry: PhotoRetry | None = Field(
        description="Set while a PROCESSING photo waits for another attempt (it is retrying, not stuck); null otherwise"
    )


class Camera(BaseModel):
    model_config = _OUT

    make: str | None
    model: str | None


class GeoPoint(BaseModel):
    model_config = _OUT

    latitude: float
    longitude: float
    altitude: float | None


class PlaceName(BaseModel):
    """Where it was taken, in words: its GPS position reverse-geocoded. Any part may be empty."""

    model_config = _OUT

    city: str
    region: str
    country: str


class DetailLabel(BaseModel):
    model_config = _OUT

    name: str
    confidence: Confidence
    parents: list[str]


class Color(BaseModel):
    model_config = _OUT

    hex: str = Field(examples=["#1E90FF"])
    percent: float = Field(ge=0, le=100, description="Share of the pixels")
    name: str = Field(description="A simple colour name; empty when there is none")


class Box(BaseModel):
    """Relative to the upright image (0–1)."""

    model_config = _OUT

    left: float
    top: float
    width: float
    height: float


class DetailFace(BaseModel):
    model_config = _OUT

    box: Box
    confidence: Confidence
    age_low: int | None
    age_high: int | None
    emotion: str | None = Field(description="The strongest emotion, e.g. HAPPY")
    smile: bool | None


class TextLine(BaseModel):
    model_config = _OUT

    text: str
    confidence: Confidence


class AlbumRef(BaseModel):
    model_config = _OUT

    id: str
    name: str


class Neighbours(BaseModel):
    """The photos on either side in the timeline (newest first): ``previous`` is newer, ``next`` older; null at
    either end, and both null for a photo outside the timeline."""

    model_config = _OUT

    previous: PhotoSummary | None
    next: PhotoSummary | None


class PhotoDetail(PhotoSummary):
    """Every summary field, flat, and what the photo page shows. ``labels`` are exactly those search finds the photo
    by (and ``GET /labels`` counts it under)."""

    content_type: str
    format: str | None
    size_bytes: int | None
    camera: Camera | None
    location: GeoPoint | None = Field(description="Only ever shown to the owner; never in a share")
    place: PlaceName | None = Field(
        description="The location in words; only ever shown to the owner, never in a share. Null without GPS or when "
        "it could not be looked up"
    )
    caption_source: Literal["model", "composed"] | None = Field(
        description="composed: built from the labels (no captioning model, or it was unavailable)"
    )
    labels: list[DetailLabel]
    colors: list[Color]
    faces: list[DetailFace]
    text: list[TextLine]
    processed_at: str | None
    albums: list[AlbumRef] = Field(description="The albums it is in, by name")
    neighbours: Neighbours


class PhotoList(BaseModel):
    model_config = _OUT

    items: list[PhotoSummary]
    cursor: str | None


class TrashList(BaseModel):
    """The trash, most recently trashed first. Each photo is deleted for good ``retention_days`` after its
    ``trashed_at`` (DynamoDB's TTL: usually within a day or two after that)."""

    model_config = _OUT

    items: list[PhotoSummary]
    cursor: str | None
    retention_days: int = TRASH_RETENTION_DAYS


class MonthCount(BaseModel):
    model_config = _OUT

    month: str = Field(examples=["2023-07"], description="YYYY-MM, as the summaries' ``day`` starts")
    count: int = Field(ge=1)


class MonthList(BaseModel):
    """The timeline's months with photo counts, newest first: headers and a date scrubber for a library of any
    size; jump to a month with ``GET /photos?to=<last day of the month>``."""

    model_config = _OUT

    items: list[MonthCount]
    total: int = Field(description="Photos in the timeline")


class ActionOutcome(BaseModel):
    model_config = _OUT

    id: str
    result: Literal["ok", "not_found", "conflict"] = Field(
        description="ok: done (or already so); not_found: no such photo; conflict: not possible in its state "
        "(not in the library, being processed, not in the trash)"
    )


class ActionResults(BaseModel):
    """One result per distinct photo id sent, in the order sent."""

    model_config = _OUT

    action: Action
    results: list[ActionOutcome]
    ok: int
    failed: int


class PhotoMedia(BaseModel):
    model_config = _OUT

    id: str
    urls: MediaUrls


class MediaUrlList(BaseModel):
    """Fresh URLs of the caller's READY photos among those asked for; the others are simply absent."""

    model_config = _OUT

    items: list[PhotoMedia]


# ---------------------------------------------------------------- albums


class Album(BaseModel):
    model_config = _OUT

    id: str
    name: str
    photo_count: int = Field(description="Its photos in the library (trashed ones are not counted)")
    cover: PhotoSummary | None = Field(description="The chosen cover, else the album's first photo; null if empty")
    cover_chosen: bool = Field(description="True when the owner chose the cover")
    created_at: str
    updated_at: str


class AlbumList(BaseModel):
    model_config = _OUT

    items: list[Album]
    cursor: str | None


# ---------------------------------------------------------------- people


class PersonUpdateRequest(BaseModel):
    """Name a person (an empty name takes the name away)."""

    model_config = _IN

    name: str = Field(max_length=80, examples=["Alice"])


class PersonMergeRequest(BaseModel):
    """Merge the person ``person_id`` into this one: its faces move here and it is gone."""

    model_config = _IN

    person_id: str = Field(min_length=1, max_length=64)


class Person(BaseModel):
    model_config = _OUT

    id: str
    name: str = Field(description="Empty until the owner names the person")
    face_count: int = Field(description="Faces of this person in the library (trashed photos are not counted)")
    cover_url: str | None = Field(description="One face crop (short-lived signed URL)")


class PersonList(BaseModel):
    model_config = _OUT

    items: list[Person]
    cursor: str | None


class PersonFace(BaseModel):
    model_config = _OUT

    id: str = Field(description="The face's id: remove it from the person with DELETE /people/{id}/faces/{face_id}")
    photo_id: str
    crop_url: str = Field(description="The face, cropped (short-lived signed URL)")
    box: Box = Field(description="Where the face is in its photo (0–1 of its width and height)")


class PersonFaceList(BaseModel):
    model_config = _OUT

    items: list[PersonFace]
    cursor: str | None


# ---------------------------------------------------------------- search


class MatchReason(BaseModel):
    model_config = _OUT

    term: str
    field: MatchField = Field(
        description="date: the year or month taken; filename, camera: words of those; person: a name you gave"
    )
    confidence: Confidence


class SearchHit(BaseModel):
    model_config = _OUT

    photo: PhotoSummary
    matches: list[MatchReason] = Field(description="The words it matched; empty when it was found by meaning alone")
    similarity: float | None = Field(
        ge=-1,
        le=1,
        description="It looks like what you described: cosine similarity of the photo to the query (0-1 in "
        "practice); null when it was found by its words alone",
    )


class SearchResults(BaseModel):
    model_config = _OUT

    query: str
    label: str | None = Field(description="The label facet the search was narrowed to, if any")
    person: str | None = Field(default=None, description="The person (id) the search was narrowed to, if any")
    terms: list[str] = Field(
        description="The words searched for, as normalised: a hit matches every one, or looks like what they describe"
    )
    partial: bool = Field(
        description="True when no photo matched every word: the items are the best partial matches (most words "
        "first, from the newest matches of each word; one page, no cursor) and each hit's matches say which"
    )
    items: list[SearchHit]
    cursor: str | None


class LabelFacet(BaseModel):
    model_config = _OUT

    label: str
    count: int


class LabelList(BaseModel):
    model_config = _OUT

    items: list[LabelFacet]


class PlaceFacet(BaseModel):
    model_config = _OUT

    place: str = Field(description="A city, region or country; search for it with q")
    count: int


class PlaceList(BaseModel):
    model_config = _OUT

    items: list[PlaceFacet]


# ---------------------------------------------------------------- the map


class MapPoint(BaseModel):
    """A geotagged photo on the owner's map."""

    model_config = _OUT

    id: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class MapPoints(BaseModel):
    """The owner's geotagged photos in the timeline, newest taken first. Positions are private: this list is only
    ever answered to the owner. No URL: a marker's thumbnail comes from POST /media/urls when the marker is drawn."""

    model_config = _OUT

    items: list[MapPoint]
    cursor: str | None


# ---------------------------------------------------------------- shares


class Share(BaseModel):
    """One model for a created share and each listed one, of a photo or an album; ``url`` is the web app's page
    ``<site>/s/<token>`` (a photo) or ``<site>/a/<token>`` (an album)."""

    model_config = _OUT

    token: str
    url: str
    kind: Literal["photo", "album"]
    photo_id: str | None = Field(description="The shared photo (kind photo)")
    album_id: str | None = Field(description="The shared album (kind album)")
    created_at: str
    expires_at: int
    max_views: int | None
    views: int
    state: ShareState


class ShareList(BaseModel):
    model_config = _OUT

    items: list[Share]
    cursor: str | None


class PublicPreview(BaseModel):
    model_config = _OUT

    url: str
    width: int | None
    height: int | None
    expires_at: int = Field(description="When this URL stops working (at most 5 minutes, never after the link)")


class PublicShare(BaseModel):
    """All a link holder learns: the caption and a short-lived preview — no owner, id, filename, EXIF or GPS."""

    model_config = _OUT

    caption: str | None
    preview: PublicPreview
    expires_at: int = Field(description="When the link itself expires")


class PublicAlbumPhoto(BaseModel):
    """One photo of a shared album: its caption and short-lived images — no id, date, file name, EXIF or GPS."""

    model_config = _OUT

    caption: str | None
    thumb: PublicPreview
    preview: PublicPreview


class PublicAlbum(BaseModel):
    """All a link holder learns of an album: its title and its photos in the library, oldest first, a page at a
    time (``cursor``, valid for this link only). URLs last at most 5 minutes, never beyond the link."""

    model_config = _OUT

    title: str
    items: list[PublicAlbumPhoto]
    cursor: str | None
    expires_at: int = Field(description="When the link itself expires")


# ---------------------------------------------------------------- jobs

JobKindName = Literal["download", "export", "delete_account"]


class DownloadJobRequest(BaseModel):
    """Download the originals of up to 10,000 of the caller's photos as zip parts (each at most about 1 GB), each
    with a ``manifest.json`` that lists every file with its SHA-256 and says which photos were left out and why."""

    model_config = _IN

    kind: Literal["download"]
    photo_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=10_000)


class ExportJobRequest(BaseModel):
    """Download everything: every original the vault keeps (byte for byte, trash included) and a ``metadata.json`` of
    every photo and album, as zip parts (each at most about 1 GB). Each part's ``manifest.json`` lists its files with
    the SHA-256 of their bytes; ``metadata.json`` (in the last part) gives each photo as ``GET /photos/{id}`` shows it
    (without links), with the SHA-256 recorded when it was uploaded and its file in the archive."""

    model_config = _IN

    kind: Literal["export"]


# One model per kind of job, told apart by ``kind``. Account deletion is a job too, started by POST
# /account/deletion only (it seals the account first).
JobRequest = Annotated[DownloadJobRequest | ExportJobRequest, Field(discriminator="kind")]


class JobAccepted(BaseModel):
    """The job is queued; follow ``GET /jobs/{id}`` until its state is done or failed."""

    model_config = _OUT

    id: str


class JobProgress(BaseModel):
    model_config = _OUT

    done: int = Field(ge=0, description="Items handled so far (photos, for a download)")
    total: int = Field(ge=0)


class JobFile(BaseModel):
    """One file the job produced; ``url`` is a short-lived link (fetch the job again for a fresh one)."""

    model_config = _OUT

    name: str = Field(examples=["photovault-2026-05-01-1a2b3c4d-part-1.zip"])
    url: str
    expires_at: int = Field(description="When url stops working (epoch seconds)")
    size_bytes: int
    photos: int


class JobFailure(BaseModel):
    model_config = _OUT

    code: str = Field(examples=["nothing_to_download", "step_failed"])
    message: str


class Job(BaseModel):
    """An asynchronous job of the caller's: its progress, the files it produced so far, and why it failed if so."""

    model_config = _OUT

    id: str
    kind: JobKindName
    state: JobState = Field(description="queued → running → done | failed")
    progress: JobProgress
    created_at: str
    updated_at: str
    expires_at: int = Field(description="When the job and its files are deleted (epoch seconds)")
    files: list[JobFile]
    error: JobFailure | None
