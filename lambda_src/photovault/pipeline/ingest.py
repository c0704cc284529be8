"""The ingest use case: one uploaded object → exactly one terminal photo record, analysed, indexed and announced."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from photovault import ids, images, keys
from photovault.errors import ClaimLost, ImageRejected, PhotoBusy
from photovault.images.limits import ImageLimits
from photovault.model import Analysis, Caption, ImageFacts, ModerationLabel, Photo, PhotoStatus, SourceObject
from photovault.model import iso_epoch as _iso
from photovault.notifications.digest import DigestNotices
from photovault.people.service import PeopleIndex
from photovault.pipeline.analysis import CallStats, RetryPolicy, analyse, call_with_retry
from photovault.pipeline.caption import make_caption
from photovault.pipeline.embedding import EmbeddingRun, embed_and_index
from photovault.pipeline.failure import failure_reason, pipeline_error
from photovault.pipeline.notify import photo_event
from photovault.pipeline.places import PlaceRun, find_place
from photovault.ports import (
    ClaimState,
    Embedder,
    Geocoder,
    ImageAnalyzer,
    MediaStore,
    Notifier,
    OriginalStore,
    PhotoRepository,
    TextGenerator,
    VectorIndex,
    VersionedBucket,
)
from photovault.search.index import stamp_index

if TYPE_CHECKING:  # Pillow and libheif load with the first photo (photovault.images), not at the cold start
    from photovault.images.validation import Decoder

PIPELINE_VERSION = "1"
# ``make reprocess ARGS="--steps embed,place"``: the steps an operator may ask for alone on a READY photo; the paid
# analyses, the caption and the derivatives of the previous run are reused.
EMBED_STEP = "embed"
PLACE_STEP = "place"
REUSABLE_STEPS = (EMBED_STEP, PLACE_STEP)


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """The limits and thresholds of the ingest pipeline, from the settings."""

    limits: ImageLimits
    moderation_threshold: float = 80.0
    min_label_confidence: float = 70.0
    caption_max_tokens: int = 80
    # The ingest queue's maxReceiveCount: the delivery with this receive count is the last before the DLQ.
    max_deliveries: int = 5
    # Room for everything after decoding (analysis, captioning, derivative and table writes) of a typical photo.
    # An invocation starts a photo only with its decode budget plus this left (plus the handler's safety margin).
    after_decode_seconds: float = 10.0
    # Replaces the real decoder (tests inject slow or failing ones); it runs under the same budget.
    decoder: Decoder | None = None
    # The schedule's pending check: where uploads land, and how long a PENDING upload lives before it expires.
    originals_bucket: str = ""
    pending_lifetime_seconds: int = 600 + 5 * 720

    @property
    def seconds_per_photo(self) -> float:
        """What one more photo may take at most before its final writes: its decode budget and the rest."""
        return self.limits.decode_budget_seconds + self.after_decode_seconds


def _nothing() -> None:
    """The default ``decoded``: nobody waits for this decode to end."""


# The pending check reads at most this many of the oldest PENDING uploads (and HEADs their objects) per run.
PENDING_CHECK_LIMIT = 20


@dataclass(frozen=True, slots=True)
class PendingCheck:
    """The oldest upload whose file is in S3 while its photo is still PENDING: its event never reached (or never got
    through) the worker. ``age_seconds`` is 0 when there is none among the ``checked`` oldest PENDING uploads."""

    checked: int
    age_seconds: float = 0.0
    stuck: Photo | None = None


@dataclass(slots=True)
class IngestOutcome:
    """What happened to one source object; the handler turns this into logs and metrics."""

    photo_id: str
    owner: str
    status: PhotoStatus | None  # None when skipped
    skipped: ClaimState | None = None
    reason_code: str | None = None
    analysis_units: int = 0
    bedrock_input_tokens: int = 0
    bedrock_output_tokens: int = 0
    caption_fallback: bool = False
    caption_error: str | None = None
    throttle_retries: int = 0
    embedding_images: int = 0
    embedding_input_tokens: int = 0
    embedding_failed: bool = False
    geocoder_requests: int = 0
    geocoding_failed: bool = False
    faces_indexed: int = 0
    face_index_calls: int = 0  # billable face index calls (IndexFaces, SearchFaces, DeleteFaces)
    notified: bool = False
    # Bytes sent to a finished photo's key after its run (a replayed upload form, a later object version): ignored.
    replayed: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class IngestPhoto:
    """The worker's use case: one upload through validation, renditions, analysis, captioning and indexing to a
    terminal state, once."""

    originals: OriginalStore
    media: MediaStore
    repository: PhotoRepository
    analyzer: ImageAnalyzer
    captioner: TextGenerator | None
    notifier: Notifier
    uploads: VersionedBucket  # the originals bucket: an upload nobody asked for (or asks for any more) is deleted
    config: IngestConfig
    clock: Callable[[], float] = time.time
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Search by meaning; None (no vector index configured) = photos are findable by their words only.
    embedder: Embedder | None = None
    vectors: VectorIndex | None = None
    # The owner's e-mail digest (photovault.notifications.digest); None = per-photo events only.
    digests: DigestNotices | None = None
    # Places from GPS; None (no geocoder configured) = geotagged photos get no place names.
    geocoder: Geocoder | None = None
    # People; None (no face index configured) = faces are detected but not grouped.
    people: PeopleIndex | None = None
    # A batch's records run side by side; two photos of one person indexed at once would each find no match and start
    # a person of their own. Grouping is short next to the AI calls: it runs one photo at a time per process.
    _people_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __call__(
        self, source: SourceObject, *, deadline: float, lease_seconds: int, decoded: Callable[[], None] = _nothing
    ) -> IngestOutcome:
        """Process one upload. ``deadline`` is the ``time.monotonic()`` instant by which decoding must be over and
        retries must give up (the analysis reads it on ``retry.clock``, measured from now); the claim's lease lasts
        ``lease_seconds`` (the invocation's remaining time plus a margin: shorter than the queue's visibility timeout,
        so a redelivery after a crash finds the lease expired). ``decoded`` is called once the decode is over (the
        worker then lets the batch's next record decode while this one waits on its AI calls).

        Retryable failures raise (the SQS record fails and is redelivered); bad files end REJECTED and return."""
        outcome = IngestOutcome(photo_id=source.photo_id, owner=source.owner, status=None)
        stored = self.originals.head(source.bucket, source.key)
        if stored is None:  # deleted by its owner before we got to it: nothing to process, nothing to resurrect
            outcome.skipped = ClaimState.MISSING
            outcome.extra["why"] = "object no longer exists"
            return outcome

        now = self.clock()
        claim = self.repository.claim(source, now=_iso(now), lease_until=int(now) + lease_seconds, now_epoch=int(now))
        if claim.state is ClaimState.IN_PROGRESS:
            # Another invocation holds a live lease. Acknowledging this delivery would lose the upload if that
            # invocation then dies; failing it lets SQS bring it back after the lease has run out.
            raise PhotoBusy(f"photo {source.photo_id} is being processed by another invocation")
        if claim.state is not ClaimState.CLAIMED:
            outcome.skipped = claim.state
            if claim.state is ClaimState.MISSING:
                # Deleted by its owner, expired unused, or never requested: a form used anyway must leave nothing.
                removed = self.uploads.delete_all_versions(source.key)
                outcome.extra["why"] = "no photo record: deleted, expired or not requested through the API"
                outcome.extra["deleted_versions"] = str(removed)
            if claim.state is ClaimState.DONE and claim.photo is not None and claim.photo.status.terminal:
                outcome.status = claim.photo.status
                self._drop_unowned(source, claim.photo, outcome)
                if claim.photo.notified_at is None:  # a crash between the write and the announcement
                    self._announce(claim.photo, outcome)
            return outcome

        previous = claim.photo
        base = Photo(
            owner=source.owner,
            photo_id=source.photo_id,
            status=PhotoStatus.PROCESSING,
            created_at=(previous.created_at if previous and previous.created_at else _iso(now)),
            updated_at=_iso(now),
            filename=previous.filename if previous else "",
            content_type=previous.content_type if previous else "",
            source_fingerprint=source.fingerprint,
            provenance={"reprocess": claim.reprocess} if claim.reprocess else {},
            # The owner's library state rides through a (re)processing unchanged: a trashed photo stays in the
            # trash, a favourite stays one. The API does not change it while the photo is PROCESSING.
            favorite=previous.favorite if previous else False,
            trashed_at=previous.trashed_at if previous else None,
            album_ids=previous.album_ids if previous else (),
        )
        try:
            try:
                photo = self._process(source, base, previous, claim.token, deadline, outcome, decoded)
            except ImageRejected as rejected:
                photo = replace(
                    base,
                    status=PhotoStatus.REJECTED,
                    reason_code=rejected.reason_code,
                    reason=rejected.message,
                    updated_at=_iso(self.clock()),
                    provenance=self._provenance(base, previous, None, None),
                )
                photo = self._finish(photo, claim.token, previous)
        except ClaimLost:
            # Deleted by its owner (or, after a lease expiry, taken over) while we worked: nothing to announce.
            outcome.skipped = ClaimState.MISSING
            outcome.extra["why"] = "photo deleted or taken over during processing"
            return outcome
        except BaseException as failure:
            at = _iso(self.clock())
            self.repository.release(source, claim.token, now=at, error=pipeline_error(failure, at=at))
            raise
        if previous is not None and _superseded(previous, photo):
            self._drop_superseded(previous, outcome)
        if previous is not None and previous.status is PhotoStatus.FAILED and previous.facts is None:
            # A first run that failed (no run ever stored its bytes) and was redriven: the owner's next upload request
            # may have settled it as failed already, giving its declared bytes back — count what it stores now.
            self.repository.count_stored_bytes(photo)
        outcome.status = photo.status
        outcome.reason_code = photo.reason_code
        if photo.status is PhotoStatus.DUPLICATE:
            self._drop_unowned(source, photo, outcome)
        self._announce(photo, outcome)
        return outcome

    def _drop_superseded(self, previous: Photo, outcome: IngestOutcome) -> None:
        """Delete the earlier run's derivatives, now that the item points at this run's (or at none). A failure here
        leaves them unreferenced, never a photo without its images: it is reported, and does not fail the run."""
        prefix = keys.photo_media_prefix(previous)
        try:
            outcome.extra["superseded_media_deleted"] = str(self.media.delete_prefix(prefix))
        except Exception as failure:
            outcome.extra["superseded_media_left"] = f"{prefix}: {failure!r}"[:500]

    def _drop_unwritten(self, rendered: Photo) -> None:
        """After a failed run: delete its folder unless the item points at it (a failure after the result write). No
        later run reuses a folder, so one no item points at is garbage. Best effort: the run's own failure is what
        the caller must see, and a folder left behind is unreferenced bytes, never a photo without images."""
        with contextlib.suppress(Exception):
            current = self.repository.get(rendered.owner, rendered.photo_id)
            if current is None or current.media_id != rendered.media_id:
                self.media.delete_prefix(keys.photo_media_prefix(rendered))

    def _drop_unowned(self, source: SourceObject, finished: Photo, outcome: IngestOutcome) -> None:
        """Leave no bytes at a finished photo's key that its record does not describe. A DUPLICATE owns none (it
        points at the photo that holds them, so deleting either leaves nothing behind); any other photo owns the
        object version it was made from, so a later version of its key — a replayed upload form, bytes sent again —
        is ignored (one pipeline run per upload; an operator's reprocess is the way to run it again) and deleted."""
        outcome.replayed = finished.source_fingerprint != source.fingerprint
        if finished.status is PhotoStatus.DUPLICATE:
            removed = self.uploads.delete_all_versions(source.key)
        elif outcome.replayed:
            kept = (finished.source_fingerprint or "").rpartition("#")[2]
            removed = self.uploads.delete_revision(source.key, source.revision, keep=kept)
        else:
            return
        if outcome.replayed:
            outcome.extra["why"] = "a later upload to a finished photo's key: ignored, its bytes deleted"
        outcome.extra["deleted_versions"] = str(removed)

    def give_up(self, source: SourceObject, error: BaseException) -> bool:
        """Mark the upload's photo FAILED after ``error`` on the last delivery before the DLQ: its owner reads why,
        operators see ``error``. False when the photo is finished, gone, or being processed by another invocation."""
        code, reason = failure_reason(error)
        now = self.clock()
        at = _iso(now)
        return self.repository.give_up(
            source, reason_code=code, reason=reason, error=pipeline_error(error, at=at), now=at, now_epoch=int(now)
        )

    def check_pending(self) -> PendingCheck:
        """Find the oldest upload stuck PENDING with its file in S3 (a broken S3 → SQS → worker path). Uploads whose
        file never arrived are not stuck, only abandoned: they expire on their own and are not counted."""
        now = self.clock()
        since = _iso(now - self.config.pending_lifetime_seconds)  # older ones have expired: abandoned, not stuck
        pending = self.repository.oldest_pending(since=since, limit=PENDING_CHECK_LIMIT)
        for photo in pending:  # oldest first: the first with its file in S3 is the answer
            key = keys.originals_key(photo.owner, photo.photo_id)
            if self.originals.head(self.config.originals_bucket, key) is not None:
                age = now - datetime.fromisoformat(photo.created_at).timestamp()
                return PendingCheck(checked=len(pending), age_seconds=max(0.0, age), stuck=photo)
        return PendingCheck(checked=len(pending))

    # -- steps -------------------------------------------------------------------------------------------------
    def _process(
        self,
        source: SourceObject,
        base: Photo,
        previous: Photo | None,
        token: str,
        deadline: float,
        outcome: IngestOutcome,
        decoded: Callable[[], None] = _nothing,
    ) -> Photo:
        data = self.originals.read(source.bucket, source.key, source.version_id, self.config.limits.max_bytes)
        try:
            validated = images.validate(data, self.config.limits, deadline=deadline, decoder=self.config.decoder)
        finally:
            decoded()
        facts: ImageFacts = validated.facts
        base = replace(base, facts=facts, content_type=facts.mime_type)

        first = self.repository.claim_content_hash(source.owner, facts.sha256, source.photo_id)
        if first != source.photo_id:
            photo = replace(
                base,
                status=PhotoStatus.DUPLICATE,
                duplicate_of=first,
                reason_code="duplicate",
                reason="You already have this exact photo in your library; this upload points at it.",
                updated_at=_iso(self.clock()),
                provenance=self._provenance(base, previous, None, None),
            )
            return self._finish(photo, token, previous)

        renditions = images.render(validated)
        # The retry policy keeps its own clock (tests jump it ahead instead of sleeping): the same time left, on it.
        retry_deadline = self.retry.clock() + (deadline - time.monotonic())
        steps = _reused_steps(base, previous)
        if previous is not None and steps:
            return self._steps_again(base, previous, steps, renditions.preview.data, token, retry_deadline, outcome)
        run = analyse(self.analyzer, renditions.analysis_jpeg.data, deadline=retry_deadline, policy=self.retry)
        analysis = run.analysis
        outcome.analysis_units = analysis.units
        outcome.throttle_retries = run.retries

        flagged = self._moderation_hit(analysis.moderation)
        if flagged is not None:
            photo = replace(
                base,
                status=PhotoStatus.QUARANTINED,
                analysis=analysis,
                reason_code="moderation",
                reason=(
                    f"Hidden because it may contain {flagged.name.lower()} content "
                    f"({flagged.confidence:.0f}% confidence). It is not shown, searchable or shareable."
                ),
                updated_at=_iso(self.clock()),
                provenance=self._provenance(base, previous, analysis, None),
            )
            return self._finish(photo, token, previous)

        caption, caption_error = make_caption(
            analysis,
            preview=renditions.preview.data,
            generator=self.captioner,
            max_tokens=self.config.caption_max_tokens,
            min_confidence=self.config.min_label_confidence,
        )
        outcome.caption_fallback = caption.fallback
        outcome.caption_error = repr(caption_error) if caption_error else None
        outcome.bedrock_input_tokens = caption.input_tokens
        outcome.bedrock_output_tokens = caption.output_tokens

        # Every run renders into a folder of its own: URLs of an earlier run keep naming the bytes they named (cached
        # for a year) until the item points here and the earlier folder is deleted.
        rendered = replace(base, media_id=ids.new_media_id())
        try:
            derivatives = {}
            for derivative in (renditions.thumb, renditions.preview):
                key = keys.derivative_key(rendered, derivative.kind)
                self.media.put(key, derivative.data, derivative.content_type)
                derivatives[derivative.kind] = {"key": key, "width": derivative.width, "height": derivative.height}

            self._index_people(rendered, renditions.analysis_jpeg.data, retry_deadline, outcome)
            embedded = self._embed(base, renditions.preview.data, analysis, caption, retry_deadline, outcome)
            located = self._locate(base, retry_deadline, outcome)
            photo = replace(
                rendered,
                status=PhotoStatus.READY,
                analysis=analysis,
                caption=caption,
                derivatives=derivatives,
                place=located.place if located else None,
                updated_at=_iso(self.clock()),
                provenance=self._provenance(base, previous, analysis, caption, embedded, located),
            )
            return self._finish(photo, token, previous)
        except BaseException:
            self._drop_unwritten(rendered)
            raise

    def _steps_again(
        self,
        base: Photo,
        previous: Photo,
        steps: list[str],
        preview: bytes,
        token: str,
        deadline: float,
        outcome: IngestOutcome,
    ) -> Photo:
        """``--steps embed`` / ``place``: the photo as it was, with a (new) vector and/or place; nothing paid for
        before is asked again. A step not asked for keeps what the previous run found."""
        embedded = None
        if EMBED_STEP in steps:
            embedded = self._embed(base, preview, previous.analysis, previous.caption, deadline, outcome)
        located = self._locate(base, deadline, outcome) if PLACE_STEP in steps else None
        provenance = self._provenance(base, previous, previous.analysis, previous.caption, embedded, located)
        for step, recorded in ((EMBED_STEP, ("embedding_", "embedded_at")), (PLACE_STEP, ("geocod",))):
            if step not in steps:  # what the previous run recorded of a step not run again stays true
                provenance.update({k: v for k, v in previous.provenance.items() if k.startswith(recorded)})
        photo = replace(
            base,
            status=PhotoStatus.READY,
            analysis=previous.analysis,
            caption=previous.caption,
            derivatives=previous.derivatives,
            media_id=previous.media_id,
            place=(located.place if located else None) if PLACE_STEP in steps else previous.place,
            updated_at=_iso(self.clock()),
            provenance={**provenance, "steps": steps},
        )
        return self._finish(photo, token, previous)

    def _locate(self, base: Photo, deadline: float, outcome: IngestOutcome) -> PlaceRun | None:
        """The place of a geotagged photo; None when it has no GPS or no geocoder is configured."""
        gps = base.facts.gps if base.facts else None
        if self.geocoder is None or gps is None:
            return None
        run = find_place(self.geocoder, gps, deadline=deadline, policy=self.retry)
        outcome.geocoder_requests = run.requests
        outcome.throttle_retries += run.retries
        if run.error is not None:
            outcome.geocoding_failed = True
            outcome.extra["geocoding_error"] = run.error
        return run

    def _embed(
        self,
        base: Photo,
        preview: bytes,
        analysis: Analysis | None,
        caption: Caption | None,
        deadline: float,
        outcome: IngestOutcome,
    ) -> EmbeddingRun | None:
        if self.embedder is None or self.vectors is None:
            return None
        run = embed_and_index(
            self.embedder,
            self.vectors,
            owner=base.owner,
            photo_id=base.photo_id,
            preview=preview,
            analysis=analysis,
            caption=caption,
            deadline=deadline,
            policy=self.retry,
        )
        outcome.embedding_images = run.images
        outcome.embedding_input_tokens = run.input_tokens
        outcome.embedding_failed = run.embedding is None
        outcome.throttle_retries += run.retries
        return run

    def _index_people(self, photo: Photo, image: bytes, deadline: float, outcome: IngestOutcome) -> None:
        """Group the photo's faces into its owner's people (from the rendition the analysis saw). A photo processed
        while in the trash keeps its faces out until it is restored."""
        if self.people is None or photo.trashed_at is not None:
            return
        people = self.people
        stats = CallStats()
        with self._people_lock:
            run = call_with_retry(
                lambda: people.index_photo(photo, image), deadline=deadline, policy=self.retry, stats=stats
            )
        outcome.faces_indexed = run.faces
        outcome.face_index_calls = run.calls
        outcome.throttle_retries += stats.retries

    def _moderation_hit(self, labels: tuple[ModerationLabel, ...]) -> ModerationLabel | None:
        hits = [label for label in labels if label.confidence >= self.config.moderation_threshold]
        return max(hits, key=lambda label: label.confidence) if hits else None

    def _finish(self, photo: Photo, token: str, previous: Photo | None) -> Photo:
        """Write the terminal record with exactly what it adds to the index; returns the photo as written."""
        photo, postings = stamp_index(photo, self.config.min_label_confidence)
        if self.vectors is not None and photo.status is not PhotoStatus.READY and previous is not None:
            # Only READY photos are findable: a reprocess that ends elsewhere takes the earlier vector back.
            self.vectors.delete(photo.owner, photo.photo_id)
        if self.people is not None and photo.status is not PhotoStatus.READY and previous is not None:
            self.people.forget_photo(photo.owner, photo.photo_id, keep_records=False)  # and its faces
        try:
            self.repository.finish(photo, postings, token, previous=previous)
        except ClaimLost:
            if self.repository.get(photo.owner, photo.photo_id) is None:
                # Its owner deleted it while we worked; the DELETE could not see what we were about to write (nor an
                # original uploaded again through its form meanwhile). This run's derivatives go with the caller.
                self.repository.discard(photo, postings)
                self.uploads.delete_all_versions(keys.originals_key(photo.owner, photo.photo_id))
                if self.vectors is not None:
                    self.vectors.delete(photo.owner, photo.photo_id)
                if self.people is not None:
                    self.people.forget_photo(photo.owner, photo.photo_id, keep_records=False)
            raise
        return photo

    def _provenance(
        self,
        base: Photo,
        previous: Photo | None,
        analysis: Analysis | None,
        caption: Caption | None,
        embedded: EmbeddingRun | None = None,
        located: PlaceRun | None = None,
    ) -> dict[str, object]:
        record: dict[str, object] = {
            "pipeline_version": PIPELINE_VERSION,
            "processed_at": _iso(self.clock()),
        }
        if analysis is not None:
            record.update(
                analyzer=analysis.analyzer,
                label_model_version=analysis.model_version,
                moderation_model_version=analysis.moderation_model_version,
            )
        if caption is not None:
            record.update(
                caption_model_id=caption.model_id,
                prompt_version=caption.prompt_version,
                caption_fallback=caption.fallback,
            )
        if embedded is not None and self.embedder is not None:
            record.update(embedded.provenance(self.embedder, _iso(self.clock())))
        if located is not None and self.geocoder is not None:
            record.update(located.provenance(self.geocoder))
        if base.provenance.get("reprocess"):  # why an operator asked for this run (scripts/reprocess.py)
            record["reprocess"] = base.provenance["reprocess"]
        if previous is not None and previous.provenance.get("processed_at"):
            earlier = dict(previous.provenance)
            history = list(earlier.pop("history", []))
            record["history"] = [*history, earlier][-5:]  # keep the provenance of earlier runs (reprocessing)
        return record

    def _announce(self, photo: Photo, outcome: IngestOutcome) -> None:
        """Tell the owner once: a short lease makes concurrent duplicates skip; a failed publish is retried."""
        now = self.clock()
        if not self.repository.begin_notification(photo.owner, photo.photo_id, now_epoch=int(now), lease_seconds=60):
            return
        try:
            self.notifier.publish(photo_event(photo))
            if self.digests is not None:
                self.digests.add(photo)  # a set add and maybe a timer: a retry after a failure here adds nothing twice
        except BaseException:
            self.repository.end_notification(photo.owner, photo.photo_id, sent_at=None)
            raise
        self.repository.end_notification(photo.owner, photo.photo_id, sent_at=_iso(self.clock()))
        outcome.notified = True


def _superseded(previous: Photo, photo: Photo) -> bool:
    """True when the earlier run's derivatives are no longer the photo's: a new run rendered its own, or this run
    ended without any (quarantined, rejected …). An embed-only run keeps them."""
    return bool(previous.derivatives) and (photo.media_id != previous.media_id or not photo.derivatives)


def _reused_steps(base: Photo, previous: Photo | None) -> list[str]:
    """The steps of an operator's ``--steps embed`` / ``place`` reprocess of a READY photo whose analysis can be
    reused; empty for any other run (the whole pipeline)."""
    request = base.provenance.get("reprocess")
    steps = request.get("steps") if isinstance(request, dict) else None
    if previous is None or previous.status is not PhotoStatus.READY or previous.analysis is None:
        return []
    if not isinstance(steps, list) or not steps or any(step not in REUSABLE_STEPS for step in steps):
        return []
    return [step for step in REUSABLE_STEPS if step in steps]
