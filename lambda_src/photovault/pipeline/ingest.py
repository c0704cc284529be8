"""The ingest use case: one uploaded object → exactly one terminal photo record, analysed, indexed and announced."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from photovault import keys
from photovault.errors import ClaimLost, ImageRejected, PhotoBusy
from photovault.images import ImageLimits, render, validate
from photovault.model import Analysis, Caption, ImageFacts, ModerationLabel, Photo, PhotoStatus, SourceObject
from photovault.pipeline.analysis import RetryPolicy, analyse
from photovault.pipeline.caption import make_caption
from photovault.pipeline.notify import photo_event
from photovault.ports import (
    ClaimState,
    ImageAnalyzer,
    MediaStore,
    Notifier,
    OriginalStore,
    PhotoRepository,
    TextGenerator,
)
from photovault.search.index import stamp_index

PIPELINE_VERSION = "1"


@dataclass(frozen=True, slots=True)
class IngestConfig:
    limits: ImageLimits
    moderation_threshold: float = 80.0
    min_label_confidence: float = 70.0
    caption_max_tokens: int = 80


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
    notified: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class IngestPhoto:
    originals: OriginalStore
    media: MediaStore
    repository: PhotoRepository
    analyzer: ImageAnalyzer
    captioner: TextGenerator | None
    notifier: Notifier
    config: IngestConfig
    clock: Callable[[], float] = time.time
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __call__(self, source: SourceObject, *, deadline: float, lease_seconds: int) -> IngestOutcome:
        """Process one upload. ``deadline`` is a ``retry.clock`` time by which retries must give up; the claim's
        lease lasts ``lease_seconds`` (the invocation's remaining time plus a margin: shorter than the queue's
        visibility timeout, so a redelivery after a crash finds the lease expired).

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
                outcome.extra["why"] = "no photo record: deleted by its owner or not requested through the API"
            if claim.state is ClaimState.DONE and claim.photo is not None and claim.photo.status.terminal:
                outcome.status = claim.photo.status
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
        )
        try:
            try:
                photo = self._process(source, base, previous, claim.token, deadline, outcome)
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
        except BaseException:
            self.repository.release(source, claim.token, now=_iso(self.clock()))
            raise
        outcome.status = photo.status
        outcome.reason_code = photo.reason_code
        self._announce(photo, outcome)
        return outcome

    # -- steps -------------------------------------------------------------------------------------------------
    def _process(
        self,
        source: SourceObject,
        base: Photo,
        previous: Photo | None,
        token: str,
        deadline: float,
        outcome: IngestOutcome,
    ) -> Photo:
        data = self.originals.read(source.bucket, source.key, source.version_id, self.config.limits.max_bytes)
        validated = validate(data, self.config.limits)
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

        renditions = render(validated)
        run = analyse(self.analyzer, renditions.analysis_jpeg.data, deadline=deadline, policy=self.retry)
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

        derivatives = {}
        for derivative in (renditions.thumb, renditions.preview):
            key = keys.derivative_key(source.owner, source.photo_id, derivative.kind)
            self.media.put(key, derivative.data, derivative.content_type)
            derivatives[derivative.kind] = {"key": key, "width": derivative.width, "height": derivative.height}

        photo = replace(
            base,
            status=PhotoStatus.READY,
            analysis=analysis,
            caption=caption,
            derivatives=derivatives,
            updated_at=_iso(self.clock()),
            provenance=self._provenance(base, previous, analysis, caption),
        )
        return self._finish(photo, token, previous)

    def _moderation_hit(self, labels: tuple[ModerationLabel, ...]) -> ModerationLabel | None:
        hits = [label for label in labels if label.confidence >= self.config.moderation_threshold]
        return max(hits, key=lambda label: label.confidence) if hits else None

    def _finish(self, photo: Photo, token: str, previous: Photo | None) -> Photo:
        """Write the terminal record with exactly what it adds to the index; returns the photo as written."""
        photo, hits = stamp_index(photo, self.config.min_label_confidence)
        try:
            self.repository.finish(photo, hits, token, previous=previous)
        except ClaimLost:
            if self.repository.get(photo.owner, photo.photo_id) is None:
                # Its owner deleted it while we worked; the DELETE could not see what we were about to write.
                self.repository.discard(photo, hits)
                self.media.delete_prefix(keys.derivative_prefix(photo.owner, photo.photo_id))
            raise
        return photo

    def _provenance(
        self, base: Photo, previous: Photo | None, analysis: Analysis | None, caption: Caption | None
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
        except BaseException:
            self.repository.end_notification(photo.owner, photo.photo_id, sent_at=None)
            raise
        self.repository.end_notification(photo.owner, photo.photo_id, sent_at=_iso(self.clock()))
        outcome.notified = True
